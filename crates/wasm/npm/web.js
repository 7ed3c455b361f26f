// The entry for browsers and bundlers (the "default" condition of package.json's exports).
// wasm-bindgen's `--target web` glue needs the module fetched and instantiated before the first
// call, so this entry exports `init`, which does that and loads the field tables of
// ASM-CR-046/047 (schema.txt; the wasm build leaves them out to stay small).
import initWasm, { loadSchema } from "./gateway_doctor.js";

export * from "./gateway_doctor.js";

let ready;

/**
 * Instantiates the module and loads the field tables, once; later calls return the same promise.
 * `wasm` and `schema` say where the two files are when a bundler moved them (esbuild's `file`
 * loader, Vite's `?url`); by default both are fetched from beside this file. `schema: false`
 * skips the tables: reports then carry a `schema-unavailable` diagnostic.
 */
export default function init({ wasm, schema } = {}) {
  ready ??= (async () => {
    // Written out as `new URL("...", import.meta.url)` so that webpack and Vite see the assets.
    await initWasm({ module_or_path: wasm ?? new URL("./gateway_doctor_bg.wasm", import.meta.url) });
    if (schema === false) return;
    const url = schema ?? new URL("./schema.txt", import.meta.url);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`gateway-doctor: fetching ${url} gave HTTP ${response.status}`);
    const loaded = loadSchema(await response.text());
    if (loaded !== true) throw new Error(`gateway-doctor: ${url}: ${loaded.error}`);
  })();
  return ready;
}
