#!/usr/bin/env node
// Times the browser build's `check(text, options)` (pkg/gateway_doctor.js,
// built by scripts/build-wasm) in Node on the benchmark inputs, next to the
// native build measured by crates/bench, and prints the wasm/native ratio.
//
//   cargo build --release -p gateway-doctor-bench
//   node scripts/bench-wasm.mjs [--runs N] [--pkg DIR] [--native BIN]
//
// The inputs are written by `gateway-doctor-bench --write-streams DIR`, so
// both builds read exactly the same text.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const runs = Number(flag("--runs", "3"));
const pkg = resolve(flag("--pkg", join(root, "pkg")));
const targetDir = process.env.CARGO_TARGET_DIR || join(root, "target");
const native = resolve(flag("--native", join(targetDir, "release", "gateway-doctor-bench")));

const wasm = await import(join(pkg, "gateway_doctor.js"));
if (typeof wasm.default === "function") {
  // wasm-pack --target web: instantiate from the file next to the module.
  await wasm.default({ module_or_path: readFileSync(join(pkg, "gateway_doctor_bg.wasm")) });
}

const dir = mkdtempSync(join(tmpdir(), "gateway-doctor-wasm-bench-"));
try {
  execFileSync(native, ["--write-streams", dir], { stdio: ["ignore", "ignore", "inherit"] });
  console.log("| input | size | wasm check | native check | wasm/native |");
  console.log("|---|---:|---:|---:|---:|");
  for (const file of readdirSync(dir).sort()) {
    const name = file.replace(/\.yaml$/, "");
    const text = readFileSync(join(dir, file), "utf8");
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      // CPU time, as the native side measures it, so other load on the machine does not count.
      const start = process.cpuUsage();
      const report = wasm.check(text, {});
      const used = process.cpuUsage(start);
      best = Math.min(best, (used.user + used.system) / 1000);
      if (report === undefined) throw new Error(`check returned nothing for ${name}`);
    }
    const nativeSeconds = nativeCheckSeconds(name);
    const wasmSeconds = best / 1000;
    const mb = Buffer.byteLength(text) / (1024 * 1024);
    // The native table has millisecond resolution: no ratio below that.
    const ratio = nativeSeconds > 0 ? `${(wasmSeconds / nativeSeconds).toFixed(2)}x` : "— (native < 1 ms)";
    console.log(
      `| ${name} | ${mb.toFixed(2)} MB | ${wasmSeconds.toFixed(3)} s | ${nativeSeconds.toFixed(3)} s | ${ratio} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The native `check` time of one input, from crates/bench's table
// (its columns: input, size, documents, findings, parse-only, load, check, ...).
function nativeCheckSeconds(name) {
  const out = execFileSync(native, ["--runs", String(runs), "--only", name], { encoding: "utf8" });
  const row = out.split("\n").find((line) => line.startsWith(`| ${name} |`));
  if (!row) throw new Error(`no native row for ${name}`);
  return parseFloat(row.split("|")[7]);
}
