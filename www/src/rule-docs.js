// The rules' docs: the browser build leaves them out of the wasm to stay small (scripts/build-wasm
// writes them to www/dist/rules.json from `gateway-doctor rules --format json`).

/** Map of rule code to its Markdown docs and source descriptions; empty when rules.json cannot be loaded. */
export async function ruleDocs() {
  try {
    const response = await fetch(new URL("./dist/rules.json", document.baseURI));
    if (!response.ok) return new Map();
    return new Map((await response.json()).map((r) => [r.code, r]));
  } catch {
    return new Map();
  }
}

/** The wasm module's rule metadata joined with the docs and source texts, keeping what the wasm already carries. */
export async function loadRules(checker) {
  const [list, docs] = await Promise.all([checker.call("rules"), ruleDocs()]);
  return list.map((r) => {
    const full = docs.get(r.code);
    const texts = new Map((full?.references ?? []).map((s) => [s.id, s.text]));
    const sources = r.sources.map((s) => ({ id: s.id, text: s.text || texts.get(s.id) || "" }));
    return { ...r, docs: r.docs || full?.docs || "", sources };
  });
}
