// Browser timings for BENCHMARKS.md (Browser), in headless Chromium:
// - the founding manifest and a ~1 MB input: the time from a `paste` event in
//   the editor to the rendered findings (the `gd:findings-rendered` mark), the
//   median of the pastes after a first one into the same page (emptied before each);
// - 1 MB of founding manifests (thousands of findings) and a ~10 MB input: the
//   longest main-thread task (Long Tasks API) from the
//   paste until the findings are rendered and the page is idle again.
// Usage: node tests/e2e/bench.mjs [--runs N]
//
// The 1 MB input is net-istio-istio-latest-ci-no-mesh.yaml from the corpus
// (GD_CORPUS, ../shared/corpus/files) when it is there, and the 10 MB input
// repeats it; without the corpus both are generated streams of ConfigMaps with
// a founding manifest every 500th document.
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { cpus, loadavg } from "node:os";
import { startBrowser, openPage, waitReady } from "./harness.mjs";

const args = process.argv.slice(2);
const runsFlag = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : null;
const corpusCandidates = [
  process.env.GD_CORPUS,
  new URL("../../../shared/corpus/files", import.meta.url).pathname,
  "/work/shared/corpus/files",
].filter(Boolean);
const LARGE = "net-istio-istio-latest-ci-no-mesh.yaml";
const FOUNDING = readFileSync(new URL("../data/founding.yaml", import.meta.url), "utf8");

/** Documents of `unit` (renamed per copy when `rename`) joined by `---` up to `bytes`. */
function stream(unit, bytes, rename) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = rename ? unit.replace("name: ingressgateway", `name: ingressgateway-${i}`) : unit;
    parts.push(part);
    size += part.length + 4;
  }
  return parts.join("\n---\n");
}

/** Empties the editor (select all, delete) and waits until the empty report is rendered. */
async function clear(page) {
  await page.evaluate(async () => {
    const content = document.getElementById("editor").shadowRoot.querySelector(".cm-content");
    if (!content.textContent) return;
    performance.clearMarks("gd:findings-rendered");
    content.focus();
    document.execCommand("selectAll");
    document.execCommand("delete");
    await new Promise((resolve) => {
      const poll = () => (performance.getEntriesByName("gd:findings-rendered").length ? resolve() : setTimeout(poll, 2));
      poll();
    });
  });
}

/** Without the corpus: ConfigMaps (no findings) with a founding manifest every 500th document. */
function sparse(bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = i % 500 === 0
      ? FOUNDING.replace("name: ingressgateway", `name: ingressgateway-${i}`)
      : `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings-${i}, namespace: apps}\ndata:\n  mode: "${"x".repeat(160)}"\n`;
    parts.push(part);
    size += part.length + 4;
  }
  return parts.join("\n---\n");
}

/**
 * Pastes `text` into the (emptied) editor of `page` and waits for its findings; returns the
 * paste-to-findings time, the findings count and the longest task seen from the paste until
 * `settle` ms after the findings were rendered.
 */
async function paste(page, text, settle = 0) {
  await clear(page);
  // The text crosses into the page, and into the clipboard data, in tasks before the timed one.
  await page.evaluate((text) => {
    window.__pasteData = new DataTransfer();
    window.__pasteData.setData("text/plain", text);
  }, text);
  return page.evaluate(async (settle) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: "longtask" });
    const content = document.getElementById("editor").shadowRoot.querySelector(".cm-content");
    content.focus();
    performance.clearMarks("gd:findings-rendered");
    const data = window.__pasteData;
    const started = performance.now();
    content.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    const mark = await new Promise((resolve) => {
      const poll = () => {
        const [m] = performance.getEntriesByName("gd:findings-rendered");
        if (m) resolve(m);
        else setTimeout(poll, 2);
      };
      poll();
    });
    await new Promise((ok) => setTimeout(ok, settle));
    observer.takeRecords().forEach((e) => longTasks.push(e.duration));
    observer.disconnect();
    return { ms: mark.startTime - started, findings: mark.detail.findings, longest: Math.max(0, ...longTasks), longTasks: longTasks.length };
  }, settle);
}

async function freshPage(env) {
  const { page } = await openPage(env, "/www/");
  await waitReady(page);
  return page;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const kb = (text) => `${(text.length / 1024).toFixed(0)} KB`;
const env = await startBrowser();
try {
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} on ${cpus().length} CPUs`);
  const wasm = readFileSync(new URL("../../pkg/gateway_doctor_bg.wasm", import.meta.url));
  console.log(`wasm: ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} bytes gzipped`);
  const dir = corpusCandidates.find((d) => existsSync(`${d}/${LARGE}`));
  const [oneName, oneMb] = dir ? [LARGE, readFileSync(`${dir}/${LARGE}`, "utf8")] : ["a generated stream of ConfigMaps", sparse(1 << 20)];
  const tenMb = dir ? stream(oneMb, 10 << 20, false) : sparse(10 << 20);
  const tenName = dir ? `${LARGE} repeated` : "a generated stream of ConfigMaps";
  const timed = [
    ["founding manifest (tests/data/founding.yaml)", FOUNDING, runsFlag ?? 7],
    [oneName, oneMb, runsFlag ?? 7],
  ];
  for (const [name, text, runs] of timed) {
    // One page: the first paste runs cold code; the timed ones are the pastes after it.
    const page = await freshPage(env);
    const first = await paste(page, text);
    const times = [];
    let findings = 0;
    let longest = 0;
    for (let i = 0; i < runs; i++) {
      const r = await paste(page, text);
      times.push(r.ms);
      findings = r.findings;
      longest = Math.max(longest, r.longest);
    }
    await page.close();
    console.log(
      `${name}: ${kb(text)}, ${findings} findings, paste to findings median ${median(times).toFixed(1)} ms over ${runs} runs ` +
        `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}; first paste on a fresh page ${first.ms.toFixed(1)}), ` +
        `longest task ${longest.toFixed(0)} ms`,
    );
  }
  // Thousands of findings: founding manifests (about 7 findings each) to 1 MB.
  const dense = stream(FOUNDING, 1 << 20, true);
  for (let i = 0; i < (runsFlag ?? 3); i++) {
    const page = await freshPage(env);
    const r = await paste(page, dense, 2000);
    await page.close();
    console.log(
      `founding manifests to ${kb(dense)}: ${r.findings} findings, paste to findings ${r.ms.toFixed(0)} ms, ` +
        `longest main-thread task ${r.longest.toFixed(0)} ms (${r.longTasks} tasks over 50 ms, until 2 s after the findings)`,
    );
  }
  for (let i = 0; i < (runsFlag ?? 3); i++) {
    // A fresh page each time: the paste runs cold code, as a user's first paste does.
    const page = await freshPage(env);
    const r = await paste(page, tenMb, 2000);
    await page.close();
    console.log(
      `${tenName}, ${kb(tenMb)}: ${r.findings} findings, paste to findings ${r.ms.toFixed(0)} ms, ` +
        `longest main-thread task ${r.longest.toFixed(0)} ms (${r.longTasks} tasks over 50 ms, until 2 s after the findings)`,
    );
  }
  if (env.foreign.length) throw new Error(`requests left 127.0.0.1: ${env.foreign.join(", ")}`);
} finally {
  await env.close();
}
