// Runs the checker off the main thread, so typing never waits for a check.
// Messages: {id, op: "check" | "fix" | "gateways" | "rules" | "version", args: [...]}.
import init, * as api from "../pkg/gateway_doctor.js";

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

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    await ready;
    if (!ops.has(op)) throw new Error(`unknown operation ${op}`);
    const started = performance.now();
    const result = api[op](...args);
    self.postMessage({ id, result, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
