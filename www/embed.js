// gateway-doctor for docs sites. Add one line to a page:
//   <script type="module" src="/path/to/www/embed.js"></script>
// and every YAML code block is checked in the browser and annotated with its
// findings. pkg/ must sit beside www/. Elision lines (`...`, `....`, `# ...`)
// that docs use for omitted fields are tolerated. Nothing is sent anywhere.
//
// Docs generators mark a block's language in different places and split its
// lines into highlighting spans (tests/docsites/ builds a page with each):
//   MkDocs Material  div.language-yaml.highlight > pre > code > span#__span-0-1 > a + span.nt ...
//                    (line numbers in a table: td.linenos beside td.code)
//   Docusaurus       div.language-yaml.theme-code-block > div > pre.prism-code > code > span.token-line
//   Hugo             div.highlight > pre > code.language-yaml[data-lang=yaml] > span > span
//                    (line numbers inline as span.ln, or in a table's first cell)
// The embed reads the text the reader sees (line numbers and buttons left out),
// marks the lines with findings through the CSS Custom Highlight API, so the
// generator's markup is never changed, and puts its findings after the block.
// Sites that swap pages in place (instant navigation, client-side routing) are
// followed: a new or re-rendered block is checked again.
import init, { check, loadSchema } from "../pkg/gateway_doctor.js";

// Where a block's language is named: on the code, the pre or a wrapper div.
const LANGUAGE = ["language-yaml", "language-yml", "lang-yaml", "lang-yml", "highlight-yaml", "highlight-yml"];
const SELECTOR = [...LANGUAGE.map((c) => `.${c}`), '[data-lang="yaml"]', '[data-lang="yml"]'].join(", ");
// Inside a block but not its text: line numbers (Pygments, Chroma, Prism, highlight.js,
// Docusaurus) and buttons.
const NOT_TEXT = ".linenos, .linenodiv, .lineno, .ln, .lnt, .line-numbers-rows, .hljs-ln-numbers, [class*='codeLineNumber'], button";
// The wrappers a generator puts around one block: the findings go after the outermost.
const WRAPPER = ".highlight, .highlighter-rouge, .highlighttable, .chroma, .theme-code-block, [class*='codeBlock'], table, tbody, tr, td, " + SELECTOR;
const SEVERITY_RANK = { error: 3, warning: 2, info: 1 };

const here = new URL(".", import.meta.url);

const words = {
  en: { findings: (n) => `gateway-doctor: ${n} finding(s)`, line: (l) => `line ${l}`, clean: "gateway-doctor: no findings" },
  zh: { findings: (n) => `gateway-doctor：${n} 个问题`, line: (l) => `第 ${l} 行`, clean: "gateway-doctor：没有发现问题" },
};

function pageLang() {
  return /^zh\b/i.test(document.documentElement.lang || navigator.language || "") ? "zh" : "en";
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The element that holds a block's text, for an element that names YAML as its language. */
function codeOf(marked) {
  if (marked.closest(".gd-embed") || marked.closest(NOT_TEXT)) return null;
  if (marked.matches("code")) return marked;
  if (marked.matches("pre")) return marked.querySelector("code") ?? marked;
  // A wrapper: its last pre outside a line-number column.
  const pre = [...marked.querySelectorAll("pre")].filter((p) => !p.closest(NOT_TEXT)).at(-1);
  return pre ? (pre.querySelector("code") ?? pre) : null;
}

/** Every YAML block under `root`, once each, in document order. */
export function findBlocks(root = document) {
  return [...new Set([...root.querySelectorAll(SELECTOR)].map(codeOf).filter(Boolean))];
}

function skipped(element) {
  if (element.matches(NOT_TEXT)) return true;
  const style = getComputedStyle(element);
  // Hugo's inline-styled line numbers have no class, only user-select: none.
  return style.display === "none" || style.userSelect === "none";
}

/**
 * The block's text as the reader sees it, and the text nodes it came from (with
 * their offsets in it). A `br` is a line break (Docusaurus ends each line with one).
 */
export function readBlock(code) {
  let text = "";
  const pieces = [];
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.nodeType === Node.ELEMENT_NODE && skipped(node) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      pieces.push({ node, start: text.length });
      text += node.data;
    } else if (node.localName === "br") {
      text += "\n";
    }
  }
  return { text, pieces };
}

/** A DOM range over text[start, end) of a block read by readBlock, or null if that is empty. */
function rangeOf(pieces, start, end) {
  const first = pieces.find((p) => p.start + p.node.length > start);
  const last = pieces.findLast((p) => p.start < end);
  if (!first || !last || first.start >= end) return null;
  const range = new Range();
  range.setStart(first.node, Math.max(0, start - first.start));
  range.setEnd(last.node, Math.min(last.node.length, end - last.start));
  return range;
}

/** Ranges over the non-empty lines of a block, by line number (1-based). */
function lineRanges({ text, pieces }, lines) {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const ranges = new Map();
  for (const line of lines) {
    if (line < 1 || line > starts.length) continue;
    const end = line < starts.length ? starts[line] - 1 : text.length;
    const range = rangeOf(pieces, starts[line - 1], end);
    if (range) ranges.set(line, range);
  }
  return ranges;
}

// One highlight per severity for the page; each block's ranges are added and removed as it is (re)checked.
const highlights = {};
function highlight(severity) {
  if (!globalThis.CSS?.highlights) return null;
  if (!highlights[severity]) {
    highlights[severity] = new Highlight();
    CSS.highlights.set(`gd-line-${severity}`, highlights[severity]);
  }
  return highlights[severity];
}

/** The outermost wrapper of a block: its findings go after it. */
function blockRoot(code) {
  let root = code.closest("pre") ?? code;
  // A wrapper by its class, or a div around this block alone (Hugo's inline-styled one).
  const wraps = (up) => up.matches(WRAPPER) || (up.localName === "div" && up.childElementCount === 1);
  for (let up = root.parentElement; up && up !== document.body && wraps(up); up = up.parentElement) root = up;
  return root;
}

// What each checked block showed: its text, its findings box and its marked ranges.
const annotated = new Map();

function forget(code) {
  const state = annotated.get(code);
  if (!state) return;
  state.box.remove();
  for (const [severity, range] of state.marks) highlight(severity)?.delete(range);
  annotated.delete(code);
}

/** Checks one block; the snippet is wrapped in a Markdown fence so elisions are tolerated. */
export function annotate(code, lang = pageLang()) {
  forget(code);
  const block = readBlock(code);
  const { text } = block;
  const report = check("```yaml\n" + text + (text.endsWith("\n") ? "" : "\n") + "```\n", { format: "markdown", lang });
  if (report.error) return null;
  const root = blockRoot(code);
  const box = el("div", "gd-embed");
  box.setAttribute("role", "note");
  const w = words[lang];
  const shown = report.findings;
  const severities = new Map();
  box.append(el("p", "gd-title", shown.length ? w.findings(shown.length) : w.clean));
  const list = el("ul", "gd-list");
  for (const f of shown) {
    // The fence line is line 1 of what was checked: the snippet's own lines start at 2.
    const line = f.location.start.line - 1;
    if (!severities.has(line) || SEVERITY_RANK[f.severity] > SEVERITY_RANK[severities.get(line)]) severities.set(line, f.severity);
    const item = el("li", `gd-finding gd-${f.severity}`);
    item.setAttribute("data-testid", "embed-finding");
    item.dataset.code = f.code;
    item.dataset.line = String(line);
    item.append(el("span", `gd-badge gd-${f.severity}`, f.severity), " ", el("code", "", f.code), " ", el("span", "gd-message", f.message), " ", el("span", "gd-where", `(${w.line(line)})`));
    list.append(item);
  }
  if (shown.length) box.append(list);
  root.after(box);
  const marks = [];
  for (const [line, range] of lineRanges(block, severities.keys())) {
    const severity = severities.get(line);
    highlight(severity)?.add(range);
    marks.push([severity, range]);
  }
  annotated.set(code, { text, box, marks });
  root.dataset.gdChecked = String(shown.length);
  root.dataset.gdLines = [...severities].sort(([a], [b]) => a - b).map(([line, severity]) => `${line}:${severity}`).join(" ");
  return report;
}

/** Checks the blocks that are new or changed since they were last checked, and forgets removed ones. */
function annotateChanged(root = document) {
  for (const code of [...annotated.keys()]) if (!code.isConnected) forget(code);
  for (const code of findBlocks(root)) {
    const state = annotated.get(code);
    if (!state || !state.box.isConnected || state.text !== readBlock(code).text) annotate(code);
  }
}

function addStyles() {
  if (document.querySelector("link[data-gd-embed]")) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("embed.css", here).href;
  link.dataset.gdEmbed = "";
  document.head.append(link);
}

// The field tables of ASM-CR-046/047, beside the wasm as the page loads them (www/worker.js).
async function loadTables() {
  try {
    const response = await fetch(new URL("./dist/schema.txt", import.meta.url));
    if (response.ok) loadSchema(await response.text());
  } catch {
    // Each report then carries a schema-unavailable diagnostic.
  }
}

// A page rendered on the server and hydrated by React must keep the server's markup until
// hydration ends, or React discards it and reports an error: Docusaurus marks the root
// data-has-hydrated="false" until then (facebook/docusaurus
// packages/docusaurus/src/client/hasHydratedDataAttribute.tsx, v3.10.2).
function hydrated() {
  const html = document.documentElement;
  if (html.dataset.hasHydrated !== "false") return Promise.resolve();
  return new Promise((ok) => {
    const watcher = new MutationObserver(() => {
      if (html.dataset.hasHydrated === "false") return;
      watcher.disconnect();
      ok();
    });
    watcher.observe(html, { attributes: true, attributeFilter: ["data-has-hydrated"] });
  });
}

let started = null;
function start() {
  started ??= (async () => {
    addStyles();
    await init({ module_or_path: new URL("../pkg/gateway_doctor_bg.wasm", import.meta.url) });
    await loadTables();
    await hydrated();
  })();
  return started;
}

/**
 * Whether a DOM change may add, remove or edit a YAML block: our own findings boxes and
 * changes elsewhere on the page (menus, search, clocks) are no reason to look again.
 */
function touchesBlocks(record) {
  const target = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
  if (!target || target.closest(".gd-embed")) return false;
  if (record.type === "characterData") return [...annotated.keys()].some((code) => code.contains(target));
  const elements = (nodes) => [...nodes].filter((n) => n.nodeType === Node.ELEMENT_NODE && !n.classList.contains("gd-embed"));
  if (elements(record.addedNodes).some((n) => n.matches(SELECTOR) || n.querySelector(SELECTOR) || n.closest(SELECTOR))) return true;
  // A checked block taken out, or its findings box (re-rendered away by the page's framework).
  const removed = [...record.removedNodes].filter((n) => n.nodeType === Node.ELEMENT_NODE);
  if (removed.some((n) => [...annotated].some(([code, { box }]) => n.contains(code) || n.contains(box)))) return true;
  // Text put into or taken out of a checked block (a generator re-rendering its lines).
  return [...annotated.keys()].some((code) => code.contains(target));
}

/** Checks the page's YAML blocks now, then again whenever the page puts new ones in. */
export async function run(root = document) {
  if (findBlocks(root).length) {
    await start();
    annotateChanged(root);
  }
  let queued = false;
  new MutationObserver((records) => {
    if (queued || !records.some(touchesBlocks)) return;
    queued = true;
    requestAnimationFrame(async () => {
      queued = false;
      if (!findBlocks(root).length) return;
      await start();
      annotateChanged(root);
    });
  }).observe(root === document ? document.documentElement : root, { childList: true, subtree: true, characterData: true });
  document.documentElement.dataset.gdEmbed = "done";
}

run();
