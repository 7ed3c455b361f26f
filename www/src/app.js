// The page: editor, cluster questions, findings, fixes, picture, sharing.
import { Checker } from "./checker.js";
import { createEditor, setText, setLabel, showFindings, jumpTo } from "./editor.js";
import { h, markdown } from "./dom.js";
import { t, setLang, lang, browserLang } from "./i18n.js";
import { renderDiff } from "./diff.js";
import { drawPicture } from "./picture.js";
import { encodeState, decodeState, MAX_FRAGMENT } from "./state.js";
import { FOUNDING_EXAMPLE } from "./example.js";
import { loadRules } from "./rule-docs.js";
import { withDescription } from "./report.js";

const $ = (id) => document.getElementById(id);
const MAX_FILE_BYTES = 32 * 1024 * 1024;
const CONTEXT_KEYS = ["cni", "kubeProxyMode", "inClusterClients", "needsSourceIp", "kubernetesVersion", "hostname"];

const state = {
  files: [{ name: "manifest.yaml", text: "" }],
  active: 0,
  context: {},
  nodes: 4,
  replicas: null,
};
let report = null;
let rules = new Map();
let fixed = null;
let revision = 0;
let checkTimer = 0;
let saveTimer = 0;
let lastContextReport = null;

const checker = new Checker(new URL("../worker.js", import.meta.url));
const editor = createEditor($("editor"), {
  label: t("editorLabel"),
  onChange(text) {
    state.files[state.active].text = text;
    hideFix();
    scheduleCheck(text.length > 200_000 ? 400 : 150);
  },
});

function activeFile() {
  return state.files[state.active];
}

function options() {
  const out = { lang: lang() };
  for (const key of CONTEXT_KEYS) {
    const value = state.context[key];
    if (value === undefined || value === "" || value === "unknown") continue;
    out[key] = key === "needsSourceIp" ? value === "true" : value;
  }
  if (/\.(md|markdown)$/i.test(activeFile().name)) out.format = "markdown";
  return out;
}

function scheduleCheck(delay, reason = "edit") {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => runCheck(reason), delay);
}

async function runCheck(reason) {
  const text = activeFile().text;
  const mine = ++revision;
  $("status").textContent = t("checking");
  const started = performance.now();
  let result;
  try {
    result = await checker.check(text, options());
  } catch (error) {
    $("status").textContent = String(error.message ?? error);
    return;
  }
  if (result === null || mine !== revision) return;
  if (result.error) {
    $("status").textContent = result.error;
    return;
  }
  const before = reason === "context" ? lastContextReport : null;
  report = result;
  lastContextReport = result;
  renderReport(result, text);
  performance.mark("gd:findings-rendered", { detail: { revision: mine, findings: result.findings.length } });
  $("status").textContent = text.trim() ? t("checkedIn", Math.round(performance.now() - started)) : t("empty");
  $("announce").textContent = `${t("findings")}: ${t("announce", result.summary)}`;
  if (before) explainChanges(before, result);
  else if (reason !== "context") $("changes").replaceChildren();
  scheduleSave();
  updatePicture(text, mine);
}

function who(f) {
  const r = f.resource;
  return `${f.code} ${r.kind} ${r.namespace ? r.namespace + "/" : ""}${r.name ?? "?"}`;
}

function findingKey(f) {
  return `${f.code}|${f.resource.document}|${f.resource.path ?? ""}|${f.location.path}`;
}

function recommended(f) {
  return f.fixes.find((x) => x.recommended)?.id ?? "";
}

function explainChanges(before, after) {
  const old = new Map(before.findings.map((f) => [findingKey(f), f]));
  const lines = [];
  for (const f of after.findings) {
    const was = old.get(findingKey(f));
    old.delete(findingKey(f));
    if (!was) lines.push(t("appeared", who(f)));
    else {
      if (was.severity !== f.severity) lines.push(t("severityChanged", who(f), was.severity, f.severity));
      if (recommended(was) !== recommended(f)) lines.push(t("recommendChanged", who(f), recommended(was), recommended(f)));
    }
  }
  for (const f of old.values()) lines.push(t("disappeared", who(f)));
  const box = $("changes");
  box.replaceChildren(
    h("h3", {}, t("changed")),
    lines.length ? h("ul", {}, lines.map((l) => h("li", {}, l))) : h("p", {}, t("nothingChanged")),
  );
}

function where(pos) {
  return t("line", pos.line, pos.column);
}

function renderReport(result, text) {
  showFindings(editor, result);
  const s = result.summary;
  $("summary").textContent = text.trim() ? t("summary", s) : "";
  const list = $("findings");
  list.replaceChildren(...result.findings.map((f, index) => renderFinding(f, index, result)));
  if (!result.findings.length && text.trim()) list.append(h("li", { class: "none" }, t("noFindings")));
  $("diagnostics").replaceChildren(
    ...result.diagnostics.map((d) =>
      h("li", { class: `diagnostic sev-${d.severity}`, "data-testid": "diagnostic", "data-kind": d.kind },
        h("span", { class: `badge ${d.severity}` }, d.severity),
        " ",
        h("code", {}, d.kind),
        " ",
        h("span", { class: "message" }, d.message),
        " ",
        h("button", { type: "button", class: "link", onclick: () => jumpTo(editor, d.location.start, d.location.end) }, where(d.location.start)),
      ),
    ),
  );
}

function renderFinding(f, index, result) {
  const rule = rules.get(f.code);
  const fixes = f.fixes.map((option) => withDescription(result, option)).map((fix) =>
    h("li", { class: `fix-option${fix.recommended ? " recommended" : ""}`, "data-testid": "fix-option", "data-fix-id": fix.id },
      h("label", {},
        h("input", { type: "radio", name: `fix-${index}`, value: fix.id, disabled: !!fix.unavailable, onchange: () => chooseFix(f, fix) }),
        " ",
        h("code", {}, fix.id),
        fix.recommended ? h("strong", { class: "rec" }, ` ★ ${t("recommended")}`) : null,
        h("span", { class: `applicability ${fix.applicability}` }, ` (${t("applicability")[fix.applicability] ?? fix.applicability})`),
        h("span", { class: "fix-title" }, `: ${fix.title}`),
      ),
      fix.tradeoffs.length ? h("ul", { class: "tradeoffs" }, fix.tradeoffs.map((x) => h("li", {}, x))) : null,
      fix.introduces?.length
        ? h("p", { class: "introduces", "data-testid": "fix-introduces" }, `${t("introduces")}: `, fix.introduces.map((code, i) => [i ? ", " : null, h("code", {}, code)]))
        : null,
      fix.unavailable ? h("p", { class: "muted" }, `${t("unavailable")}: ${fix.unavailable}`) : null,
    ),
  );
  return h("li", { class: `finding sev-${f.severity}`, "data-testid": "finding", "data-code": f.code, "data-severity": f.severity },
    h("div", { class: "finding-head" },
      h("span", { class: `badge ${f.severity}`, "data-testid": "finding-severity" }, f.severity),
      " ",
      h("code", { class: "code" }, f.code),
      " ",
      h("span", { class: "message", "data-testid": "finding-message" }, f.message),
      " ",
      h("button", { type: "button", class: "link", "data-testid": "finding-location", onclick: () => jumpTo(editor, f.location.start, f.location.end) }, where(f.location.start)),
    ),
    f.label ? h("p", { class: "label" }, f.label) : null,
    f.notes.length ? h("ul", { class: "notes", "aria-label": t("assumed") }, f.notes.map((n) => h("li", {}, n))) : null,
    rule
      ? h("details", { class: "explain" },
          h("summary", {}, `${t("explain")} — ${lang() === "zh" ? rule.titleZh : rule.title}`),
          h("div", { class: "docs" }, markdown(rule.docs)),
          h("h4", {}, t("sources")),
          h("ul", { class: "sources" }, rule.sources.map((src) => h("li", {}, h("strong", {}, src.id), ` ${src.text}`))),
        )
      : null,
    fixes.length ? h("fieldset", { class: "fixes" }, h("legend", {}, t("fixes")), h("ul", {}, fixes)) : null,
  );
}

async function chooseFix(finding, fix) {
  const text = activeFile().text;
  let result;
  try {
    result = await checker.call("fix", text, [fix.id], { ...options(), allowUnsafe: true });
  } catch (error) {
    $("fix-summary").textContent = String(error.message ?? error);
    return;
  }
  if (result.error) {
    $("fix-summary").textContent = result.error;
    return;
  }
  fixed = { text: result.text, name: fixedName(activeFile().name), fix: fix.id };
  const applied = result.applied.some((a) => a.id === fix.id);
  const skipped = result.skipped.find((s) => s.id === fix.id);
  let summary;
  if (fix.applicability === "display-only") summary = t("displayOnly", fix.title);
  else if (applied) summary = t("applied", fix.id);
  else summary = t("notApplied", skipped?.reason ?? "—");
  $("fix-summary").textContent = summary;
  $("fix-section").dataset.fix = fix.id;
  renderDiff($("diff"), text, result.text, t("noChange"));
  $("fixed-output").textContent = result.text;
  $("fix-section").hidden = false;
  $("announce").textContent = summary;
}

function hideFix() {
  fixed = null;
  $("fix-section").hidden = true;
}

function fixedName(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)}.fixed${name.slice(dot)}` : `${name}.fixed.yaml`;
}

function download() {
  if (!fixed) return;
  const url = URL.createObjectURL(new Blob([fixed.text], { type: "text/plain;charset=utf-8" }));
  const a = h("a", { href: url, download: fixed.name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function copy() {
  if (!fixed) return;
  try {
    await navigator.clipboard.writeText(fixed.text);
    $("announce").textContent = t("copied");
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("fixed-output"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }
}

// --- the picture -------------------------------------------------------------

let gatewayList = [];

async function updatePicture(text, mine) {
  let result;
  try {
    result = await checker.call("gateways", text, options());
  } catch {
    return;
  }
  if (mine !== revision || result.error) return;
  gatewayList = result.filter((g) => g.type === "LoadBalancer");
  const section = $("picture-section");
  section.hidden = gatewayList.length === 0;
  if (!gatewayList.length) return;
  const select = $("picture-gateway");
  const previous = select.value;
  select.replaceChildren(...gatewayList.map((g, i) => h("option", { value: String(i) }, `${g.service}${g.specPath !== "/spec" ? ` (${g.specPath})` : ""}`)));
  const lbIndex = gatewayList.findIndex((g) => lbFinding(g));
  select.value = previous && Number(previous) < gatewayList.length ? previous : String(Math.max(lbIndex, 0));
  drawCurrent();
}

function lbFinding(g) {
  if (!report) return null;
  const base = (g.resource.path ?? "") + g.specPath;
  return report.findings.find((f) => f.code === "ASM-LB-001" && f.resource.document === g.resource.document
    && (f.resource.path ?? "") === (g.resource.path ?? "") && f.location.path.startsWith(base)) ?? null;
}

function drawCurrent() {
  const g = gatewayList[Number($("picture-gateway").value)];
  if (!g) return;
  const fromManifest = g.replicas.count ?? g.replicas.min ?? 1;
  const replicas = state.replicas ?? fromManifest;
  $("picture-replicas").value = String(replicas);
  state.nodes = Math.min(Math.max(Number($("picture-nodes").value) || state.nodes, 1), 12);
  const { svg, caption } = drawPicture({
    nodes: state.nodes,
    replicas,
    policy: g.externalTrafficPolicy,
    finding: lbFinding(g),
    clients: state.context.inClusterClients ?? "unknown",
    service: g.service,
  });
  $("picture").replaceChildren(svg);
  $("picture-caption").textContent = caption;
}

// --- files, upload, drag and drop ---------------------------------------------

function renderTabs() {
  const tabs = $("files");
  tabs.hidden = state.files.length < 2;
  tabs.replaceChildren(
    ...state.files.map((file, i) =>
      h("button", { type: "button", role: "tab", "aria-selected": String(i === state.active), "data-testid": "file-tab", onclick: () => activate(i) }, file.name),
    ),
  );
}

function activate(index) {
  state.active = index;
  state.replicas = null;
  renderTabs();
  setText(editor, activeFile().text);
  scheduleCheck(0);
}

async function openFiles(fileList) {
  const opened = [];
  for (const file of fileList) {
    if (file.size > MAX_FILE_BYTES) {
      $("status").textContent = t("fileTooBig", file.name);
      continue;
    }
    opened.push({ name: file.name, text: await file.text() });
  }
  if (!opened.length) return;
  const onlyEmpty = state.files.length === 1 && !state.files[0].text.trim();
  const first = onlyEmpty ? 0 : state.files.length;
  state.files = onlyEmpty ? opened : [...state.files, ...opened];
  activate(first);
}

$("upload").addEventListener("change", (event) => {
  openFiles([...event.target.files]);
  event.target.value = "";
});

const dropZone = $("editor");
dropZone.addEventListener("dragover", (event) => {
  if ([...event.dataTransfer.types].includes("Files")) {
    event.preventDefault();
    dropZone.classList.add("dragging");
  }
}, true);
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
dropZone.addEventListener("drop", (event) => {
  dropZone.classList.remove("dragging");
  if (!event.dataTransfer.files.length) return;
  event.preventDefault();
  event.stopPropagation();
  openFiles([...event.dataTransfer.files]);
}, true);

// --- context, language, sharing ---------------------------------------------

for (const el of document.querySelectorAll("[data-key]")) {
  el.addEventListener(el.tagName === "INPUT" ? "input" : "change", () => {
    state.context[el.dataset.key] = el.value.trim();
    hideFix();
    scheduleCheck(el.tagName === "INPUT" ? 300 : 0, "context");
  });
}

$("lang").addEventListener("change", () => {
  applyLang($("lang").value);
  scheduleCheck(0);
});

function applyLang(value) {
  setLang(value);
  $("lang").value = lang();
  $("rules-link").search = `?lang=${lang()}`;
  setLabel(editor, t("editorLabel"));
}

$("picture-gateway").addEventListener("change", () => {
  state.replicas = null;
  drawCurrent();
});
$("picture-nodes").addEventListener("input", () => {
  state.nodes = Number($("picture-nodes").value) || 1;
  drawCurrent();
  scheduleSave();
});
$("picture-replicas").addEventListener("input", () => {
  state.replicas = Math.max(Number($("picture-replicas").value) || 0, 0);
  drawCurrent();
  scheduleSave();
});

$("example").addEventListener("click", () => {
  state.files[state.active] = { name: "founding-example.yaml", text: FOUNDING_EXAMPLE };
  renderTabs();
  setText(editor, FOUNDING_EXAMPLE);
});
$("download").addEventListener("click", download);
$("copy").addEventListener("click", copy);

function snapshot() {
  return { v: 1, files: state.files, active: state.active, context: state.context, lang: lang(), nodes: state.nodes, replicas: state.replicas };
}

function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveState, 400);
}

/** Puts the state in the fragment; false when it is too large for a link. */
async function saveState() {
  const encoded = await encodeState(snapshot());
  if (encoded.length > MAX_FRAGMENT) {
    history.replaceState(null, "", location.pathname + location.search);
    return false;
  }
  history.replaceState(null, "", location.pathname + location.search + encoded);
  return true;
}

$("share").addEventListener("click", async () => {
  clearTimeout(saveTimer);
  const fits = await saveState();
  $("announce").textContent = fits ? t("shared") : t("shareTooLarge");
  if (fits) navigator.clipboard?.writeText(location.href).catch(() => {});
});

async function restore() {
  const saved = await decodeState(location.hash);
  if (!saved) return false;
  if (Array.isArray(saved.files) && saved.files.length) {
    state.files = saved.files.map((f) => ({ name: String(f.name ?? "manifest.yaml"), text: String(f.text ?? "") }));
    state.active = Math.min(Number(saved.active) || 0, state.files.length - 1);
  }
  state.context = Object.fromEntries(Object.entries(saved.context ?? {}).filter(([k]) => CONTEXT_KEYS.includes(k)).map(([k, v]) => [k, String(v)]));
  for (const el of document.querySelectorAll("[data-key]")) el.value = state.context[el.dataset.key] ?? (el.tagName === "INPUT" ? "" : "unknown");
  if (saved.lang) applyLang(saved.lang);
  if (saved.nodes) $("picture-nodes").value = String(saved.nodes);
  state.replicas = Number.isFinite(saved.replicas) ? saved.replicas : null;
  return true;
}

async function start() {
  applyLang(browserLang());
  $("status").textContent = t("loading");
  await restore();
  renderTabs();
  try {
    const [list, version] = await Promise.all([loadRules(checker), checker.call("version")]);
    rules = new Map(list.map((r) => [r.code, r]));
    $("version").textContent = `v${version}`;
  } catch (error) {
    $("status").textContent = String(error.message ?? error);
    return;
  }
  if (activeFile().text) setText(editor, activeFile().text);
  else runCheck("edit");
  document.body.dataset.ready = "true";
}

start();
