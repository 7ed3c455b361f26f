// Serves a built docs site at / on 127.0.0.1 with the embed where README tells a docs
// site to copy it: /gateway-doctor/www/ (embed.js, embed.css, dist/schema.txt) and
// /gateway-doctor/pkg/ (the wasm module), both straight from the repository.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
};

/** The file for a request path, or null outside the site and the mounts. */
function fileFor(site, path) {
  const mounts = [
    ["/gateway-doctor/www/", join(repo, "www")],
    ["/gateway-doctor/pkg/", join(repo, "pkg")],
    ["/", site],
  ];
  const [prefix, dir] = mounts.find(([prefix]) => path.startsWith(prefix));
  const file = normalize(join(dir, path.slice(prefix.length)));
  return file === dir || file.startsWith(dir + sep) ? file : null;
}

/** Starts the server for the site built in `site`; resolves to the listening server (port 0: a free one). */
export function serveSite(site, port = 0, host = "127.0.0.1") {
  const root = resolve(site);
  const server = createServer(async (req, res) => {
    let file = fileFor(root, decodeURIComponent(new URL(req.url, "http://localhost").pathname));
    try {
      if (!file) throw new Error("outside");
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
      res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream", "Content-Length": info.size, "Cache-Control": "no-cache" });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    }
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok(server));
  });
}
