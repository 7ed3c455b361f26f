// Browser timings for BENCHMARKS.md: the time from a paste into the editor to
// the rendered findings, in headless Chromium, for the founding manifest and
// a 956 KB real manifest from the corpus. Usage: node tests/e2e/bench.mjs
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { startBrowser, openPage, waitReady } from "./harness.mjs";

const corpusCandidates = [
  process.env.GD_CORPUS,
  new URL("../../../shared/corpus/files", import.meta.url).pathname,
  "/work/shared/corpus/files",
].filter(Boolean);
const LARGE = "net-istio-istio-latest-ci-no-mesh.yaml";

async function pasteToFindings(env, text) {
  const { page } = await openPage(env, "/www/");
  await waitReady(page);
  const result = await page.evaluate(async (text) => {
    const content = document.getElementById("editor").shadowRoot.querySelector(".cm-content");
    content.focus();
    performance.clearMarks("gd:findings-rendered");
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const started = performance.now();
    content.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    const mark = await new Promise((resolve) => {
      const poll = () => {
        const [m] = performance.getEntriesByName("gd:findings-rendered");
        if (m) resolve(m);
        else setTimeout(poll, 5);
      };
      poll();
    });
    return { ms: mark.startTime - started, findings: mark.detail.findings };
  }, text);
  await page.close();
  return result;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const env = await startBrowser();
try {
  const wasm = readFileSync(new URL("../../pkg/gateway_doctor_bg.wasm", import.meta.url));
  console.log(`wasm: ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} bytes gzipped`);
  const inputs = [["founding manifest (tests/data/founding.yaml)", readFileSync(new URL("../data/founding.yaml", import.meta.url), "utf8"), 7]];
  const dir = corpusCandidates.find((d) => existsSync(`${d}/${LARGE}`));
  if (dir) inputs.push([LARGE, readFileSync(`${dir}/${LARGE}`, "utf8"), 3]);
  else console.log(`${LARGE}: not found (set GD_CORPUS to the corpus files directory); skipped`);
  for (const [name, text, runs] of inputs) {
    const times = [];
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      const r = await pasteToFindings(env, text);
      times.push(r.ms);
      findings = r.findings;
    }
    console.log(`${name}: ${(text.length / 1024).toFixed(0)} KB, ${findings} findings, paste to findings median ${median(times).toFixed(0)} ms over ${runs} runs (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`);
  }
  if (env.foreign.length) throw new Error(`requests left 127.0.0.1: ${env.foreign.join(", ")}`);
} finally {
  await env.close();
}
