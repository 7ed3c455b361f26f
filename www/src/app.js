// The page: editor, cluster questions, findings, fixes, picture, sharing.
import { Checker } from "./checker.js";
import { nextTask } from "./tasks.js";
import { createEditor, setText, setLabel, showMarks, jumpTo } from "./editor.js";
import { h, markdown } from "./dom.js";
import { t, setLang, lang, browserLang } from "./i18n.js";
import { renderDiff } from "./diff.js";
import { drawPicture } from "./picture.js";
import { decodeState, MAX_FRAGMENT } from "./state.js";
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
let saveTimer = 0;
let lastContextReport = null;
/** Slice of main-thread work between yields while rendering (well under the 50 ms of a long task). */
const SLICE_MS = 8;

const checker = new Checker(new URL("../worker.js", import.meta.url));
const editor = createEditor($("editor"), {
  label: t("editorLabel"),
  onChange(doc) {
    // The document, not its text: a large text is read once, when the worker is free for it.
    Object.assign(state.files[state.active], { doc, text: undefined });
    hideFix();
    requestCheck();
  },
});

function activeFile() {
  return state.files[state.active];
}

/** A file's text; an edited file keeps the editor's document until its text is needed. */
function textOf(file) {
  if (file.doc) {
    file.text = file.doc.toString();
    file.doc = null;
  }
  return file.text;
}

function sizeOf(file) {
  return file.doc ? file.doc.length : file.text.length;
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

// --- reads of the report's fix texts and diagnostic positions (one place each) ---

/**
 * The texts of a fix option of the report being shown: title, applicability, trade-offs and
 * the codes it may introduce, from the report's `fixCatalogue` (README.md#json-report).
 */
function fixText(fix) {
  const { title, applicability, tradeoffs, introduces } = withDescription(report, fix);
  return { title, applicability, tradeoffs, introduces: introduces ?? [] };
}

/** Where a diagnostic of the input is: its start and end positions. */
function diagnosticRange(d) {
  return { start: d.location.start, end: d.location.end };
}

// --- checking: on every edit, the newest edit wins ------------------------------

let progress = null;

/** The input's size for the progress line, from its length in characters (≈ bytes for YAML). */
function formatSize(chars) {
  if (chars >= 1 << 20) return `${(chars / (1 << 20)).toFixed(1)} MB`;
  return chars < 1024 ? "< 1 KB" : `${Math.round(chars / 1024)} KB`;
}

/** Shows the input's size and the time since the check was asked for, until it is rendered. */
function startProgress(size) {
  stopProgress();
  const started = performance.now();
  const show = () => ($("status").textContent = t("checking", formatSize(size), ((performance.now() - started) / 1000).toFixed(1)));
  show();
  progress = { timer: setInterval(show, 100) };
  $("status").classList.add("busy");
  return started;
}

function stopProgress() {
  if (!progress) return;
  clearInterval(progress.timer);
  progress = null;
  $("status").classList.remove("busy");
}

/**
 * Checks the active file now (no debounce). A newer request supersedes this one: if it has
 * not started it is dropped, and if it has, its result is never rendered.
 */
function requestCheck(reason = "edit") {
  const mine = ++revision;
  const size = sizeOf(activeFile());
  const started = startProgress(size);
  let hasText = false;
  checker
    .check(
      async (superseded) => {
        const input = await checkInput(activeFile(), superseded);
        hasText = input?.hasText;
        return input && { text: input.text, options: options() };
      },
      // A small text is read and sent at once; a large one after the edit's task has ended.
      { defer: size > DEFER_ABOVE },
    )
    .then(
      (result) => showResult(result, { mine, reason, started, hasText: () => hasText }),
      (error) => {
        if (mine !== revision) return;
        stopProgress();
        $("status").textContent = String(error.message ?? error);
      },
    );
}

/** Above this many characters the text is read in a later task than the edit's. */
const DEFER_ABOVE = 64 * 1024;
/** Above this many characters the worker gets the text as a Blob, built a slice per task. */
const BLOB_ABOVE = 1 << 20;
const BLOB_SLICE = 256 * 1024;

/**
 * What to check: the text, or for a large edited document a Blob of it. Copying or encoding
 * 10 MB at once takes the main thread for over 100 ms; slice by slice, each task stays short
 * (the worker reads the Blob).
 * Null when a newer check superseded this one meanwhile.
 */
async function checkInput(file, superseded) {
  if (!file.doc || file.doc.length <= BLOB_ABOVE) {
    const text = textOf(file);
    return { text, hasText: /\S/.test(text) };
  }
  const doc = file.doc;
  const parts = [];
  for (let from = 0; from < doc.length; ) {
    if (from) {
      await yieldToPage();
      if (superseded()) return null;
    }
    let to = Math.min(from + BLOB_SLICE, doc.length);
    // Never split a surrogate pair: a lone half would become U+FFFD in the Blob's UTF-8.
    const last = doc.sliceString(to - 1, to).charCodeAt(0);
    if (to < doc.length && last >= 0xd800 && last < 0xdc00) to++;
    parts.push(new Blob([doc.sliceString(from, to)]));
    from = to;
  }
  // A document this large is taken to have text (the status line only says "checked").
  return { text: new Blob(parts), hasText: true };
}

async function showResult(result, { mine, reason, started, hasText: readHasText }) {
  if (result === null || mine !== revision) return;
  if (result.error) {
    stopProgress();
    $("status").textContent = result.error;
    return;
  }
  const next = result.report;
  const before = reason === "context" ? lastContextReport : null;
  report = next;
  lastContextReport = next;
  const hasText = readHasText();
  if (!(await renderReport(next, hasText, mine))) return;
  stopProgress();
  performance.mark("gd:findings-rendered", { detail: { revision: mine, findings: next.findings.length } });
  $("status").textContent = hasText ? t("checkedIn", Math.round(performance.now() - started)) : t("empty");
  $("announce").textContent = `${t("findings")}: ${t("announce", next.summary)}`;
  if (before) explainChanges(before, next);
  else if (reason !== "context") $("changes").replaceChildren();
  scheduleSave();
  updatePicture(result.gateways);
}

function who(f) {
  const r = f.resource;
  return `${f.code} ${r.kind} ${r.namespace ? r.namespace + "/" : ""}${r.name ?? "?"}`;
}

function findingKey(f) {
  return `${f.code}|${f.resource.document}|${f.resource.path ?? ""}|${f.location.path}`;
}

/** findingKey, made unique within one report (a second finding with the same key gets `#2`). */
function uniqueKeys(findings) {
  const seen = new Map();
  return findings.map((f) => {
    const key = findingKey(f);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? key : `${key}#${n}`;
  });
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

/** The editor's markers: every finding and diagnostic, with its range. */
function marksOf(result) {
  return [
    ...result.findings.map((f) => ({ start: f.location.start, end: f.location.end, severity: f.severity, message: f.message, source: f.code })),
    ...result.diagnostics.map((d) => ({ ...diagnosticRange(d), severity: d.severity, message: d.message, source: d.kind })),
  ];
}

const DIAGNOSTICS_LISTED = 200;

/** Renders a report; false when a newer check superseded it while it was being rendered. */
async function renderReport(result, hasText, mine) {
  showMarks(editor, marksOf(result));
  const s = result.summary;
  $("summary").textContent = hasText ? t("summary", s) : "";
  // Thousands of input problems (a stream of broken documents) list the first ones and a count.
  const listed = result.diagnostics.slice(0, DIAGNOSTICS_LISTED);
  const unlisted = result.diagnostics.length - listed.length;
  $("diagnostics").replaceChildren(
    ...listed.map((d) => {
      const range = diagnosticRange(d);
      return h("li", { class: `diagnostic sev-${d.severity}`, "data-testid": "diagnostic", "data-kind": d.kind },
        h("span", { class: `badge ${d.severity}` }, d.severity),
        " ",
        h("code", {}, d.kind),
        " ",
        h("span", { class: "message" }, d.message),
        " ",
        h("button", { type: "button", class: "link", onclick: () => jumpTo(editor, range.start, range.end) }, where(range.start)),
      );
    }),
  );
  if (unlisted > 0) $("diagnostics").append(h("li", { class: "muted", "data-testid": "more-diagnostics" }, t("moreDiagnostics", unlisted)));
  const list = $("findings");
  list.querySelector(":scope > li.none")?.remove();
  // The markers of a large report take a good part of a frame: the list starts in the next task.
  if (result.findings.length > FINDINGS_PAGE) {
    await yieldToPage();
    if (mine !== revision) return false;
  }
  if (!(await renderFindings(list, result, () => mine === revision))) return false;
  if (!result.findings.length && hasText) list.append(h("li", { class: "none" }, t("noFindings")));
  return true;
}

// --- the findings list: keyed, incremental, in slices --------------------------

/** What is in the list: finding key -> { node, signature, finding, location }. */
const rendered = new Map();
/**
 * The list shows the first findings, FINDINGS_PAGE more each time its end is reached or the
 * button there is pressed: tens of thousands of nodes would cost the page memory and layout
 * time for findings nobody scrolls to (the summary and the editor count all of them).
 */
const FINDINGS_PAGE = 200;
let shownLimit = FINDINGS_PAGE;
/** How many renderings of the list are under way (a report's, or more of one). */
let renderingList = 0;

function yieldToPage() {
  return new Promise((resolve) => nextTask(resolve));
}

/** Everything a finding's node shows except its position, which is updated in place. */
function signature(f) {
  return JSON.stringify([
    lang(),
    f.severity,
    f.code,
    f.message,
    f.label,
    f.notes,
    f.fixes.map((fix) => [fix.id, fix.recommended, fix.unavailable, fixText(fix)]),
  ]);
}

/**
 * Brings the list to the report's findings in the report's order (the page never re-sorts):
 * an unchanged finding keeps its node, a changed one gets a new node, the rest are removed.
 * Works in slices of SLICE_MS with the page free in between; stops (false) when superseded.
 */
async function renderFindings(list, result, isCurrent) {
  renderingList++;
  try {
    return await updateList(list, result, isCurrent);
  } finally {
    renderingList--;
  }
}

async function updateList(list, result, current) {
  const findings = result.findings.slice(0, shownLimit);
  const keys = uniqueKeys(findings);
  let cursor = list.firstElementChild;
  let sliceEnd = performance.now() + SLICE_MS;
  for (let i = 0; i < findings.length; i++) {
    if (performance.now() > sliceEnd) {
      await yieldToPage();
      if (!current()) return false;
      sliceEnd = performance.now() + SLICE_MS;
    }
    const f = findings[i];
    const sig = signature(f);
    let entry = rendered.get(keys[i]);
    if (entry && entry.signature !== sig) {
      if (entry.node === cursor) cursor = cursor.nextElementSibling;
      entry.node.remove();
      entry = null;
    }
    if (!entry) {
      entry = { signature: sig, finding: f };
      renderFinding(f, entry);
      rendered.set(keys[i], entry);
    }
    entry.finding = f;
    const at = where(f.location.start);
    if (entry.location.textContent !== at) entry.location.textContent = at;
    if (entry.node === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(entry.node, cursor);
  }
  // What is left after the cursor was not in this report.
  if (cursor) {
    const range = document.createRange();
    range.setStartBefore(cursor);
    range.setEndAfter(list.lastChild);
    range.deleteContents();
    const kept = new Set(keys);
    for (const key of rendered.keys()) if (!kept.has(key)) rendered.delete(key);
  }
  const more = Math.min(result.findings.length - findings.length, FINDINGS_PAGE);
  $("findings-more").hidden = more <= 0;
  if (more > 0) $("show-more").textContent = t("showMore", findings.length, result.findings.length, more);
  return true;
}

function showMore() {
  if (!report || renderingList > 0 || shownLimit >= report.findings.length) return;
  shownLimit += FINDINGS_PAGE;
  const seen = revision;
  renderFindings($("findings"), report, () => seen === revision);
}

$("show-more").addEventListener("click", showMore);
// Scrolling to the end of the list shows more, as the button does.
new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting)) showMore();
}).observe($("show-more"));

let radioGroups = 0;

/** Builds a finding's node into `entry` (node, location button); its handlers read entry.finding. */
function renderFinding(f, entry) {
  const rule = rules.get(f.code);
  const group = `fix-${++radioGroups}`;
  const fixes = f.fixes.map((fix) => renderFix(fix, group));
  entry.location = h("button", {
    type: "button",
    class: "link",
    "data-testid": "finding-location",
    onclick: () => jumpTo(editor, entry.finding.location.start, entry.finding.location.end),
  });
  entry.node = h("li", { class: `finding sev-${f.severity}`, "data-testid": "finding", "data-code": f.code, "data-severity": f.severity },
    h("div", { class: "finding-head" },
      h("span", { class: `badge ${f.severity}`, "data-testid": "finding-severity" }, f.severity),
      " ",
      h("code", { class: "code" }, f.code),
      " ",
      h("span", { class: "message", "data-testid": "finding-message" }, f.message),
      " ",
      entry.location,
    ),
    f.label ? h("p", { class: "label" }, f.label) : null,
    f.notes.length ? h("ul", { class: "notes", "aria-label": t("assumed") }, f.notes.map((n) => h("li", {}, n))) : null,
    rule ? explain(rule) : null,
    fixes.length ? h("fieldset", { class: "fixes" }, h("legend", {}, t("fixes")), h("ul", {}, fixes)) : null,
  );
}

/** The rule's docs and sources, built when first opened (most are never opened). */
function explain(rule) {
  const body = h("div", {});
  const fill = () => {
    if (body.childElementCount) return;
    body.append(
      h("div", { class: "docs" }, markdown(rule.docs)),
      h("h4", {}, t("sources")),
      h("ul", { class: "sources" }, rule.sources.map((src) => h("li", {}, h("strong", {}, src.id), ` ${src.text}`))),
    );
  };
  return h("details", { class: "explain", ontoggle: fill },
    h("summary", { onclick: fill }, `${t("explain")} — ${lang() === "zh" ? rule.titleZh : rule.title}`),
    body,
  );
}

/**
 * A fix card: the whole card is the label of its radio button, so a click anywhere on it
 * (trade-offs included) chooses the fix; Space (native) and Enter choose it from the keyboard.
 */
function renderFix(fix, group) {
  const text = fixText(fix);
  const input = h("input", {
    type: "radio",
    name: group,
    value: fix.id,
    disabled: !!fix.unavailable,
    onchange: () => chooseFix(fix, text),
    onkeydown: (event) => {
      if (event.key !== "Enter" || input.checked || input.disabled) return;
      event.preventDefault();
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    },
  });
  return h("li", { class: `fix-option${fix.recommended ? " recommended" : ""}`, "data-testid": "fix-option", "data-fix-id": fix.id },
    h("label", { class: "fix-card" },
      input,
      " ",
      h("code", {}, fix.id),
      fix.recommended ? h("strong", { class: "rec" }, ` ★ ${t("recommended")}`) : null,
      h("span", { class: "applicability" }, ` (${t("applicability")[text.applicability] ?? text.applicability})`),
      h("span", { class: "fix-title" }, `: ${text.title}`),
      // Spans with list roles: a <label> holds phrasing content only.
      text.tradeoffs.length
        ? h("span", { class: "tradeoffs", role: "list" }, text.tradeoffs.map((x) => h("span", { class: "tradeoff", role: "listitem" }, x)))
        : null,
      text.introduces.length
        ? h("span", { class: "introduces", "data-testid": "fix-introduces" }, `${t("introduces")}: `, text.introduces.map((code, i) => [i ? ", " : null, h("code", {}, code)]))
        : null,
      fix.unavailable ? h("span", { class: "unavailable muted" }, `${t("unavailable")}: ${fix.unavailable}`) : null,
    ),
  );
}

async function chooseFix(fix, fixTexts) {
  const text = textOf(activeFile());
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
  if (fixTexts.applicability === "display-only") summary = t("displayOnly", fixTexts.title);
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
  // Cards are reused across checks: the chosen fix is no longer shown, so nothing is chosen.
  for (const input of $("findings").querySelectorAll("input[type=radio]:checked")) input.checked = false;
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

const PICTURE_GATEWAYS = 100;

/** The picture's gateways, from the same worker call as the report they belong to. */
function updatePicture(gateways) {
  gatewayList = gateways.filter((g) => g.type === "LoadBalancer");
  lbFindings = null;
  const section = $("picture-section");
  section.hidden = gatewayList.length === 0;
  if (!gatewayList.length) return;
  const select = $("picture-gateway");
  const previous = select.value;
  // A stream of thousands of gateways lists the first PICTURE_GATEWAYS, and says how many more.
  const listed = gatewayList.slice(0, PICTURE_GATEWAYS);
  select.replaceChildren(...listed.map((g, i) => h("option", { value: String(i) }, `${g.service}${g.specPath !== "/spec" ? ` (${g.specPath})` : ""}`)));
  if (gatewayList.length > listed.length) select.append(h("option", { disabled: true }, t("moreGateways", gatewayList.length - listed.length)));
  const lbIndex = listed.findIndex((g) => lbFinding(g));
  select.value = previous && Number(previous) < listed.length ? previous : String(Math.max(lbIndex, 0));
  drawCurrent();
}

/** The report's ASM-LB-001 findings by resource, built once per report (a stream has thousands). */
let lbFindings = null;

function lbFinding(g) {
  if (!report) return null;
  const resource = (r) => `${r.document}|${r.path ?? ""}`;
  if (!lbFindings) {
    lbFindings = new Map();
    for (const f of report.findings) {
      if (f.code !== "ASM-LB-001") continue;
      const key = resource(f.resource);
      lbFindings.set(key, [...(lbFindings.get(key) ?? []), f]);
    }
  }
  const base = (g.resource.path ?? "") + g.specPath;
  return lbFindings.get(resource(g.resource))?.find((f) => f.location.path.startsWith(base)) ?? null;
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
  const text = textOf(activeFile());
  // The editor's change reaches onChange, which checks (after the last slice of a large text,
  // so no check runs against a half-filled editor); an empty editor left empty does not.
  setText(editor, text);
  if (!text) requestCheck();
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
  const onlyEmpty = state.files.length === 1 && !/\S/.test(textOf(state.files[0]));
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
    requestCheck("context");
  });
}

$("lang").addEventListener("change", () => {
  applyLang($("lang").value);
  requestCheck();
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
  const files = state.files.map((file) => ({ name: file.name, text: textOf(file) }));
  return { v: 1, files, active: state.active, context: state.context, lang: lang(), nodes: state.nodes, replicas: state.replicas };
}

/**
 * Above this many characters the state is not put in the link after each check: compressing
 * and encoding it takes the main thread for longer than a frame, and the link could not hold
 * it anyway (MAX_FRAGMENT). The share button still tries.
 */
const AUTO_SAVE_MAX = 2 << 20;

function scheduleSave() {
  clearTimeout(saveTimer);
  if (state.files.reduce((total, file) => total + sizeOf(file), 0) > AUTO_SAVE_MAX) {
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    return;
  }
  saveTimer = setTimeout(saveState, 400);
}

/** Puts the state in the fragment; false when it is too large for a link. */
async function saveState() {
  // Compressed in the worker: for a large text it is tens of milliseconds of work.
  const encoded = await checker.call("encodeState", snapshot());
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
  if (textOf(activeFile())) setText(editor, textOf(activeFile()));
  else requestCheck();
  document.body.dataset.ready = "true";
}

start();
