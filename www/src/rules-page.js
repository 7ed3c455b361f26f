// The rules reference (rules.html): every rule from the wasm module's `rules()`, with the docs
// from dist/rules.json, one anchor per code (#asm-lb-001). Rule strings reach the DOM as text only.
import { Checker } from "./checker.js";
import { h, markdown } from "./dom.js";
import { t, setLang, lang, browserLang } from "./i18n.js";
import { loadRules } from "./rule-docs.js";

const $ = (id) => document.getElementById(id);
const checker = new Checker(new URL("../worker.js", import.meta.url));
let rules = [];

/** The anchor of a rule: its code in lower case, as in `#asm-lb-001`. */
function anchorOf(code) {
  return code.toLowerCase();
}

function renderRule(rule) {
  const id = anchorOf(rule.code);
  return h("li", { id, class: `rule sev-${rule.severity}`, "data-testid": "rule", "data-code": rule.code },
    h("details", { class: "explain" },
      h("summary", {},
        h("span", { class: `badge ${rule.severity}`, "data-testid": "rule-severity" }, rule.severity),
        " ",
        h("code", { class: "code" }, rule.code),
        " ",
        h("code", { class: "name" }, rule.name),
        " ",
        h("span", { class: "title", "data-testid": "rule-title" }, lang() === "zh" ? rule.titleZh : rule.title),
        " ",
        h("span", { class: `fix-availability ${rule.fix}`, "data-testid": "rule-fix" }, `(${t("fixAvailability")[rule.fix] ?? rule.fix})`),
      ),
      h("div", { class: "docs", "data-testid": "rule-docs" }, rule.docs ? markdown(rule.docs) : h("p", { class: "muted" }, t("noDocs"))),
      rule.sources.length ? h("h4", {}, t("sources")) : null,
      h("ul", { class: "sources" }, rule.sources.map((src) => h("li", {}, h("strong", {}, src.id), ` ${src.text}`))),
      h("p", {}, h("a", { href: `#${id}`, class: "permalink" }, t("permalink"))),
    ),
  );
}

/** Re-renders the list in the current language, keeping which rules are open. */
function render() {
  const open = new Set([...document.querySelectorAll(".rule details[open]")].map((d) => d.closest(".rule").id));
  $("rules").replaceChildren(...rules.map(renderRule));
  for (const id of open) $(id)?.querySelector("details")?.setAttribute("open", "");
  $("status").textContent = t("rulesCount", rules.length);
}

/** Opens and scrolls to the rule named by the fragment; the list is built after load, so the browser cannot. */
function followFragment() {
  const id = decodeURIComponent(location.hash.slice(1)).toLowerCase();
  const entry = id ? $(id) : null;
  if (!entry?.classList.contains("rule")) return;
  entry.querySelector("details").open = true;
  entry.scrollIntoView({ block: "start" });
  entry.querySelector("summary").focus({ preventScroll: true });
}

function applyLang(value) {
  setLang(value);
  $("lang").value = lang();
  document.title = `gateway-doctor — ${t("rulesHeading")}`;
  const url = new URL(location.href);
  url.searchParams.set("lang", lang());
  history.replaceState(null, "", url);
}

$("lang").addEventListener("change", () => {
  applyLang($("lang").value);
  render();
});
addEventListener("hashchange", followFragment);

async function start() {
  applyLang(new URLSearchParams(location.search).get("lang") ?? browserLang());
  $("status").textContent = t("loading");
  try {
    const [list, version] = await Promise.all([loadRules(checker), checker.call("version")]);
    rules = list;
    $("version").textContent = `v${version}`;
  } catch (error) {
    $("status").textContent = String(error.message ?? error);
    return;
  }
  render();
  followFragment();
  document.body.dataset.ready = "true";
}

start();
