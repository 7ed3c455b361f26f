// The CodeMirror editor: line numbers, YAML highlighting, and the findings as
// inline markers and gutter marks (built by the page from the report: this file reads no report).
import { EditorState, Compartment, Annotation } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { nextTask } from "./tasks.js";

/**
 * Above this many characters the editor drops YAML highlighting, bracket matching and
 * selection-match highlighting: CodeMirror parses in 100 ms slices while the page runs, and for
 * a multi-megabyte paste (viewed at its end) it would parse all of it, which keeps the main
 * thread busy in long tasks (BENCHMARKS.md, Browser).
 */
export const PLAIN_ABOVE = 512 * 1024;

const syntax = new Compartment();
const syntaxExtensions = () => [bracketMatching(), highlightSelectionMatches(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), yaml()];

/** Switches the syntax extensions off or on in the same transaction that crosses PLAIN_ABOVE. */
const syntaxBySize = EditorState.transactionExtender.of((tr) => {
  if (!tr.docChanged) return null;
  // A sliced paste says how long the document will be once all of it is in.
  const plain = Math.max(tr.newDoc.length, tr.annotation(partialPaste) ?? 0) > PLAIN_ABOVE;
  if (plain === tr.startState.doc.length > PLAIN_ABOVE) return null;
  return { effects: syntax.reconfigure(plain ? [] : syntaxExtensions()) };
});

/** Pastes and loaded files longer than this go in one slice per task: splitting 10 MB into lines at once takes long. */
export const PASTE_SLICE = 256 * 1024;
/** Marks the transactions of a sliced paste before its last: the page is told of the change once. */
const partialPaste = Annotation.define();
/** Marks every slice's transaction. */
const slice = Annotation.define();
/** Where the next slice goes, per view; moved by edits made between slices. */
const sliceAt = new WeakMap();

/** An edit typed between two slices moves where the next slice goes. */
const followEdits = EditorView.updateListener.of((update) => {
  const next = sliceAt.get(update.view);
  if (!next) return;
  for (const tr of update.transactions) if (tr.docChanged && !tr.annotation(slice)) next.at = tr.changes.mapPos(next.at, 1);
});

/**
 * Replaces from..to with a long text a slice per task, as one undo step (`userEvent` joins
 * adjacent changes): the page hears of the change once, after the last slice.
 */
function insertInSlices(view, from, to, text, userEvent) {
  // A slicing still under way (a second paste, a file opened meanwhile) is finished first.
  sliceAt.get(view)?.finish();
  const next = { at: from, finish: () => step(true) };
  let replaceTo = to;
  let offset = 0;
  const finalLength = view.state.doc.length - (to - from) + text.length;
  const step = (all = false) => {
    if (sliceAt.get(view) !== next) return;
    const at = next.at;
    let end = all ? text.length : Math.min(offset + PASTE_SLICE, text.length);
    // Split neither a CRLF pair nor a surrogate pair.
    const before = text.charCodeAt(end - 1);
    if (end < text.length && (before === 13 || (before >= 0xd800 && before < 0xdc00))) end++;
    const last = end === text.length;
    const insert = text.slice(offset, end);
    if (last) sliceAt.delete(view);
    // The editor stores line breaks as \n: where the slice ends comes from the change itself.
    const changes = view.state.changes({ from: at, to: replaceTo ?? at, insert });
    const after = changes.mapPos(replaceTo ?? at, 1);
    view.dispatch({
      changes,
      // A paste leaves the cursor after the text, as CodeMirror's own paste does.
      selection: userEvent ? { anchor: after } : undefined,
      scrollIntoView: last && !!userEvent,
      // Only the first slice is a paste: history joins the adjacent ones without a user event
      // into its undo step (a second "input.paste" would start one of its own).
      userEvent: offset === 0 ? userEvent : undefined,
      annotations: last ? [slice.of(true)] : [slice.of(true), partialPaste.of(finalLength)],
    });
    next.at = after;
    replaceTo = null;
    offset = end;
    if (!last) nextTask(() => step());
  };
  sliceAt.set(view, next);
  step();
}

/**
 * The editor lives in a shadow root: there CodeMirror's styles go into
 * constructed style sheets instead of <style> elements, which the page's
 * Content-Security-Policy (style-src 'self') would block.
 */
export function createEditor(host, { onChange, label }) {
  const shadow = host.attachShadow({ mode: "open" });
  const sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("editor.css", document.baseURI).href;
  shadow.append(sheet);
  const view = new EditorView({
    parent: shadow,
    root: shadow,
    state: EditorState.create({
      doc: "",
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        syntax.of(syntaxExtensions()),
        syntaxBySize,
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "data-testid": "manifest-input", "aria-label": label, "aria-multiline": "true" }),
        EditorView.domEventHandlers({
          paste(event, view) {
            const text = event.clipboardData?.getData("text/plain");
            if (!text || text.length <= PASTE_SLICE || view.state.readOnly) return false;
            event.preventDefault();
            const { from, to } = view.state.selection.main;
            insertInSlices(view, from, to, text, "input.paste");
            return true;
          },
        }),
        marksFollowViewport,
        followEdits,
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !update.transactions.some((tr) => tr.annotation(partialPaste))) onChange(update.state.doc);
        }),
      ],
    }),
  });
  return view;
}

export function setText(view, text) {
  if (text.length > PASTE_SLICE) insertInSlices(view, 0, view.state.doc.length, text);
  else view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

export function setLabel(view, label) {
  view.contentDOM.setAttribute("aria-label", label);
}

/** The editor offset of a 1-based line and UTF-16 column, clamped to the document. */
export function offsetOf(doc, position) {
  const line = doc.line(Math.min(Math.max(position.line, 1), doc.lines));
  return Math.min(line.from + Math.max(position.column - 1, 0), line.to);
}

const lintSeverity = { error: "error", warning: "warning", info: "info" };

/**
 * Up to this many markers go to the editor at once. Above it only those near the visible
 * lines do, refreshed as the view scrolls: CodeMirror builds its decorations for every
 * diagnostic it is given, which for tens of thousands takes longer than a frame.
 */
export const ALL_MARKS_UP_TO = 2000;
/** Lines above and below the viewport whose markers are shown too. */
const MARGIN_LINES = 200;

/** The markers of the last report, and the line range they were last shown for. */
const shown = new WeakMap();

/** Shows markers ({start, end, severity, message, source}, 1-based positions) in the editor. */
export function showMarks(view, marks) {
  shown.set(view, { marks, lines: null });
  refreshMarks(view);
}

function visibleLines(view) {
  const doc = view.state.doc;
  const { from, to } = view.viewport;
  return { first: doc.lineAt(from).number - MARGIN_LINES, last: doc.lineAt(to).number + MARGIN_LINES };
}

function refreshMarks(view) {
  const state = shown.get(view);
  if (!state) return;
  let marks = state.marks;
  if (marks.length > ALL_MARKS_UP_TO) {
    const lines = visibleLines(view);
    if (state.lines && state.lines.first <= lines.first + MARGIN_LINES / 2 && state.lines.last >= lines.last - MARGIN_LINES / 2) return;
    state.lines = lines;
    marks = marks.filter((m) => m.end.line >= lines.first && m.start.line <= lines.last);
  }
  const doc = view.state.doc;
  const diagnostics = marks.map(({ start, end, severity, message, source }) => {
    const from = offsetOf(doc, start);
    let to = offsetOf(doc, end);
    if (to <= from) to = Math.min(doc.line(Math.min(start.line, doc.lines)).to, from + 1);
    return { from, to: Math.max(to, from), severity: lintSeverity[severity] ?? "info", message, source };
  });
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

/** Scrolling a document with many markers shows those near the new viewport. */
const marksFollowViewport = EditorView.updateListener.of((update) => {
  const state = shown.get(update.view);
  // Until the next report, the markers' lines are those of the text before this edit.
  if (update.docChanged) shown.delete(update.view);
  else if (update.viewportChanged && !update.docChanged && state?.marks.length > ALL_MARKS_UP_TO) {
    // Not inside an update: dispatching there is not allowed.
    queueMicrotask(() => refreshMarks(update.view));
  }
});

export function jumpTo(view, start, end) {
  const from = offsetOf(view.state.doc, start);
  const to = offsetOf(view.state.doc, end ?? start);
  view.dispatch({ selection: { anchor: from, head: Math.max(from, to) }, scrollIntoView: true });
  view.focus();
}
