// A one-page Docusaurus site for the docs-embed test (tests/docsites/README.md).
// The embed: www/embed.js, www/embed.css, www/dist/schema.txt and pkg/ copied to
// static/gateway-doctor/ (the test serves them there from the repository).
export default {
  title: "gateway-doctor embed test",
  url: "http://127.0.0.1",
  baseUrl: "/",
  onBrokenLinks: "throw",
  presets: [
    [
      "classic",
      {
        docs: { routeBasePath: "/", sidebarPath: false },
        blog: false,
        theme: {},
      },
    ],
  ],
  themeConfig: {
    colorMode: { disableSwitch: true },
  },
  scripts: [{ src: "/gateway-doctor/www/embed.js", type: "module" }],
};
