// The entry for Node (the "node" condition of package.json's exports): the module and the field
// tables of ASM-CR-046/047 are read from beside this file and instantiated on import, so
// `import { check } from "gateway-doctor"` is ready to call.
import { readFileSync } from "node:fs";
import { initSync, loadSchema } from "./gateway_doctor.js";

export * from "./gateway_doctor.js";

initSync({ module: readFileSync(new URL("./gateway_doctor_bg.wasm", import.meta.url)) });
const loaded = loadSchema(readFileSync(new URL("./schema.txt", import.meta.url), "utf8"));
if (loaded !== true) throw new Error(`gateway-doctor: schema.txt: ${loaded.error}`);

/** Nothing left to do in Node; kept so that code written for the browser entry runs unchanged. */
export default async function init() {}
