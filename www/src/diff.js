// The corrected manifest as a line diff against the input, with context.
import { diffLines } from "diff";
import { h } from "./dom.js";

const CONTEXT = 3;

/** Renders into `pre`: changed lines marked + / -, unchanged runs cut to context. Returns the number of changed lines. */
export function renderDiff(pre, before, after, noChange) {
  pre.replaceChildren();
  const parts = diffLines(before, after);
  let changed = 0;
  let oldLine = 1;
  let newLine = 1;
  const row = (sign, text, cls, number) => h("span", { class: `diff-line ${cls}` }, `${sign} ${String(number).padStart(4)} │ ${text}`);
  parts.forEach((part, index) => {
    const lines = part.value.replace(/\n$/, "").split("\n");
    if (part.added || part.removed) {
      changed += lines.length;
      for (const line of lines) {
        pre.append(part.added ? row("+", line, "add", newLine++) : row("-", line, "del", oldLine++));
      }
      return;
    }
    const first = index === 0;
    const last = index === parts.length - 1;
    let skipping = false;
    lines.forEach((line, i) => {
      const keep = (!first && i < CONTEXT) || (!last && i >= lines.length - CONTEXT);
      if (keep) {
        pre.append(row(" ", line, "ctx", newLine));
        skipping = false;
      } else if (!skipping) {
        pre.append(h("span", { class: "diff-line skip" }, "  ⋯"));
        skipping = true;
      }
      oldLine++;
      newLine++;
    });
  });
  if (!changed) pre.replaceChildren(h("span", { class: "diff-line ctx" }, noChange));
  return changed;
}
