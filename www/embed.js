// gateway-doctor for docs sites. Add one line to a page:
//   <script type="module" src="/path/to/www/embed.js"></script>
// and every `pre > code.language-yaml` (or `language-yml`) block is checked in
// the browser and annotated with its findings. pkg/ must sit beside www/.
// Elision lines (`...`, `....`, `# ...`) that docs use for omitted fields are
// tolerated. Nothing is sent anywhere.
import init, { check, loadSchema } from "../pkg/gateway_doctor.js";

const SELECTOR = "pre > code.language-yaml, pre > code.language-yml";
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

/** Marks lines of a plain-text code block; highlighted blocks keep their markup. */
function markLines(code, severities) {
  if (code.children.length) return;
  const lines = code.textContent.split("\n");
  code.replaceChildren(
    ...lines.map((line, i) => {
      const span = el("span", "gd-line", line + (i < lines.length - 1 ? "\n" : ""));
      const severity = severities.get(i + 1);
      if (severity) span.classList.add(`gd-line-${severity}`);
      return span;
    }),
  );
}

/** Checks one block; the snippet is wrapped in a Markdown fence so elisions are tolerated. */
export function annotate(code, lang = pageLang()) {
  const text = code.textContent;
  const report = check("```yaml\n" + text + (text.endsWith("\n") ? "" : "\n") + "```\n", { format: "markdown", lang });
  const pre = code.parentElement;
  pre.nextElementSibling?.classList.contains("gd-embed") && pre.nextElementSibling.remove();
  if (report.error) return null;
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
    const rank = { error: 3, warning: 2, info: 1 };
    if (!severities.has(line) || rank[f.severity] > rank[severities.get(line)]) severities.set(line, f.severity);
    const item = el("li", `gd-finding gd-${f.severity}`);
    item.setAttribute("data-testid", "embed-finding");
    item.dataset.code = f.code;
    item.dataset.line = String(line);
    item.append(el("span", `gd-badge gd-${f.severity}`, f.severity), " ", el("code", "", f.code), " ", el("span", "gd-message", f.message), " ", el("span", "gd-where", `(${w.line(line)})`));
    list.append(item);
  }
  box.append(list);
  pre.after(box);
  markLines(code, severities);
  pre.dataset.gdChecked = String(shown.length);
  return report;
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

export async function run(root = document) {
  const blocks = [...root.querySelectorAll(SELECTOR)];
  if (!blocks.length) return;
  addStyles();
  await init({ module_or_path: new URL("../pkg/gateway_doctor_bg.wasm", import.meta.url) });
  await loadTables();
  for (const code of blocks) annotate(code);
  document.documentElement.dataset.gdEmbed = "done";
}

run();
