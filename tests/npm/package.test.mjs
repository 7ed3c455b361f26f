// The npm package `gateway-doctor` as its users get it: `npm pack pkg/` (built by
// scripts/build-wasm), installed from the tarball into a fresh project, then used the ways
// README "The npm package" documents: from Node as ESM, through esbuild and through Vite into
// a browser bundle, and from a plain <script type="module"> page with an import map. Each checks the
// founding manifest and must report ASM-LB-001 with the field tables loaded (no
// `schema-unavailable` diagnostic). The pages run in Debian's headless Chromium, served by
// scripts/static-server.mjs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/static-server.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const founding = join(repo, "examples/founding-istio-gateway.yaml");
const esbuild = join(repo, "node_modules/.bin/esbuild");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const VITE = "8.4.0";

const work = mkdtempSync(join(tmpdir(), "gd-npm-"));
const project = join(work, "consumer");
let tarball;

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** What a report must show for the founding manifest. */
function assertFounding(report) {
  assert.equal(report.error, undefined, `check failed: ${report.error}`);
  const codes = report.findings.map((f) => f.code);
  assert.ok(codes.includes("ASM-LB-001"), `ASM-LB-001 among ${codes.join(", ")}`);
  const kinds = report.diagnostics.map((d) => d.kind);
  assert.ok(!kinds.includes("schema-unavailable"), `the field tables are loaded (diagnostics: ${kinds.join(", ")})`);
}

before(() => {
  const packed = JSON.parse(run("npm", ["pack", join(repo, "pkg"), "--json", "--pack-destination", work], work));
  tarball = join(work, packed[0].filename);
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // The package has no dependencies: installing its tarball needs no registry.
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], project);
  cpSync(founding, join(project, "founding.yaml"));
});

after(() => rmSync(work, { recursive: true, force: true }));

test("the tarball holds the entries, the module, the field tables and the types", () => {
  const packed = JSON.parse(run("npm", ["pack", join(repo, "pkg"), "--dry-run", "--json"], work))[0];
  assert.equal(packed.name, "gateway-doctor");
  const cargo = readFileSync(join(repo, "Cargo.toml"), "utf8");
  const version = cargo.match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1];
  assert.equal(packed.version, version, "the npm version is the workspace's version (Cargo.toml)");
  assert.deepEqual(packed.files.map((f) => f.path).sort(), [
    "README.md",
    "gateway_doctor.d.ts",
    "gateway_doctor.js",
    "gateway_doctor_bg.wasm",
    "index.d.ts",
    "node.js",
    "package.json",
    "schema.txt",
    "web.js",
  ]);
  const installed = JSON.parse(readFileSync(join(project, "node_modules/gateway-doctor/package.json"), "utf8"));
  assert.equal(installed.exports["."].types, "./index.d.ts");
  const types = readFileSync(join(project, "node_modules/gateway-doctor/index.d.ts"), "utf8");
  assert.match(types, /export default function init\(options\?: InitOptions\): Promise<void>;/);
  const generated = readFileSync(join(project, "node_modules/gateway-doctor/gateway_doctor.d.ts"), "utf8");
  for (const name of ["Report", "Finding", "FixResult", "CheckOptions"]) {
    assert.match(generated, new RegExp(`export (interface|type) ${name}\\b`), `gateway_doctor.d.ts declares ${name}`);
  }
});

test("Node: `import { check } from \"gateway-doctor\"` is ready to call", () => {
  writeFileSync(
    join(project, "node-check.mjs"),
    `import { readFileSync } from "node:fs";
import init, { check, fix } from "gateway-doctor";
const text = readFileSync("founding.yaml", "utf8");
const report = check(text);
await init();
const fixed = fix(text, ["set-cluster-policy"], { allowUnsafe: true });
console.log(JSON.stringify({ report, applied: fixed.applied, after: check(fixed.text).findings.map((f) => f.code) }));
`,
  );
  const out = JSON.parse(run("node", ["node-check.mjs"], project));
  assertFounding(out.report);
  assert.deepEqual(out.applied.map((a) => a.id), ["set-cluster-policy"]);
  assert.ok(!out.after.includes("ASM-LB-001"), "the fix removes ASM-LB-001");
});

/** The page's script stores the report in `window.report`; the test reads it. */
const pageScript = (imports) => `${imports}
const text = await (await fetch("founding.yaml")).text();
window.report = check(text);
`;

browserTests();

/** The pages share one server (of the consumer project) and one browser. */
function browserTests() {
  let server, browser, origin;
  before(async () => {
    server = await serve(0, "127.0.0.1", project);
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  });
  after(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok) ?? ok());
  });

  async function reportOf(path) {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
    await page.goto(origin + path);
    // A page that fails reports it through the listeners above; the wait only bounds the test.
    await page.waitForFunction(() => window.report !== undefined, null, { timeout: 20_000 }).catch(() => {});
    const report = await page.evaluate(() => window.report);
    await page.close();
    assert.deepEqual(problems, [], "no page errors, console errors or failed requests");
    assert.ok(report, "the page produced a report");
    return report;
  }

  test("esbuild: a browser bundle with the module and the tables as files", async () => {
    mkdirSync(join(project, "bundled"));
    writeFileSync(
      join(project, "app.js"),
      pageScript(`import init, { check } from "gateway-doctor";
import wasm from "gateway-doctor/gateway_doctor_bg.wasm";
import schema from "gateway-doctor/schema.txt";
await init({ wasm, schema });`),
    );
    run(
      esbuild,
      [
        "app.js",
        "--bundle",
        "--format=esm",
        "--platform=browser",
        "--target=es2022",
        "--loader:.wasm=file",
        "--loader:.txt=file",
        "--outdir=bundled",
        "--public-path=/bundled",
      ],
      project,
    );
    writeFileSync(
      join(project, "bundled.html"),
      `<!doctype html><link rel="icon" href="data:,"><script type="module" src="/bundled/app.js"></script>`,
    );
    const bundle = readFileSync(join(project, "bundled/app.js"), "utf8");
    assert.doesNotMatch(bundle, /node:fs/, "the browser bundle took the web entry");
    assertFounding(await reportOf("/bundled.html"));
  });

  test("Vite: a production build finds the module and the tables by itself", async () => {
    // Vite from npm (the registry, or npm's cache once it has been fetched), pinned.
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", `vite@${VITE}`], project);
    mkdirSync(join(project, "vite/public"), { recursive: true });
    cpSync(founding, join(project, "vite/public/founding.yaml"));
    writeFileSync(
      join(project, "vite/index.html"),
      `<!doctype html><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>`,
    );
    writeFileSync(join(project, "vite/main.js"), pageScript(`import init, { check } from "gateway-doctor";\nawait init();`));
    run(join(project, "node_modules/.bin/vite"), ["build", "vite", "--base=./", "--outDir=../vite-dist", "--logLevel=warn"], project);
    const assets = readdirSync(join(project, "vite-dist/assets"));
    assert.ok(assets.some((a) => a.endsWith(".wasm")) && assets.some((a) => a.endsWith(".txt")), `${assets}`);
    assertFounding(await reportOf("/vite-dist/index.html"));
  });

  test("a plain <script type=\"module\"> page with an import map", async () => {
    writeFileSync(
      join(project, "script.html"),
      `<!doctype html>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "gateway-doctor": "/node_modules/gateway-doctor/web.js" } }</script>
<script type="module">
${pageScript(`import init, { check } from "gateway-doctor";
await init();`)}
</script>`,
    );
    assertFounding(await reportOf("/script.html"));
  });
}
