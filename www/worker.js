// Runs the checker off the main thread, so typing never waits for a check.
// Messages: {id, op: "check" | "fix" | "gateways" | "rules" | "version" | "page" | "encodeState", args: [...]}.
// "encodeState" compresses the page's state for the link here, off the main thread.
// "page" takes the text as a string or, for a large one, a Blob (the page builds it
// a slice per task), and the options.
// Replies: {id, result, ms} or {id, error}; "page" first sends its findings in
// batches ({id, findings}), so no single message is large enough for the page's
// structured-clone copy of it to hold the main thread for long.
import init, * as api from "../pkg/gateway_doctor.js";
import { encodeState } from "./src/state.js";

const ready = init({ module_or_path: new URL("../pkg/gateway_doctor_bg.wasm", import.meta.url) }).then(loadSchema);

// The field tables of ASM-CR-046/047 are data beside the wasm (scripts/build-wasm copies
// schema/tables.txt to www/dist/schema.txt). Without them every report says so in a
// `schema-unavailable` diagnostic, so a failed fetch is not fatal.
async function loadSchema() {
  try {
    const response = await fetch(new URL("./dist/schema.txt", import.meta.url));
    if (response.ok) api.loadSchema(await response.text());
  } catch {
    // Reported by the checker itself (schema-unavailable).
  }
}
const ops = new Set(["check", "fix", "gateways", "rules", "version"]);
/** Findings per message: each message is a task of its own on the page, cloned in about a millisecond. */
const BATCH = 100;

/** What the page shows for one text: the report and the gateways for its picture. */
function page(id, input, options) {
  const text = typeof input === "string" ? input : new FileReaderSync().readAsText(input);
  const report = api.check(text, options);
  if (report.error) return report;
  const gateways = api.gateways(text, options);
  const findings = report.findings;
  report.findings = [];
  for (let i = 0; i < findings.length; i += BATCH) self.postMessage({ id, findings: findings.slice(i, i + BATCH) });
  return { report, gateways: gateways.error ? [] : gateways };
}

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    await ready;
    const started = performance.now();
    let result;
    if (op === "page") result = page(id, ...args);
    else if (op === "encodeState") result = await encodeState(...args);
    else if (ops.has(op)) result = api[op](...args);
    else throw new Error(`unknown operation ${op}`);
    self.postMessage({ id, result, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
