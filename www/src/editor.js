// The CodeMirror editor: line numbers, YAML highlighting, and the findings as
// inline markers and gutter marks.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";

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
        bracketMatching(),
        highlightSelectionMatches(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "data-testid": "manifest-input", "aria-label": label, "aria-multiline": "true" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return view;
}

export function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
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

export function showFindings(view, report) {
  const doc = view.state.doc;
  const marks = [];
  const add = (start, end, severity, message, source) => {
    const from = offsetOf(doc, start);
    let to = offsetOf(doc, end);
    if (to <= from) to = Math.min(doc.line(Math.min(start.line, doc.lines)).to, from + 1);
    marks.push({ from, to: Math.max(to, from), severity: lintSeverity[severity] ?? "info", message, source });
  };
  for (const f of report.findings) add(f.location.start, f.location.end, f.severity, f.message, f.code);
  for (const d of report.diagnostics) add(d.location.start, d.location.end, d.severity, d.message, d.kind);
  view.dispatch(setDiagnostics(view.state, marks));
}

export function jumpTo(view, start, end) {
  const from = offsetOf(view.state.doc, start);
  const to = offsetOf(view.state.doc, end ?? start);
  view.dispatch({ selection: { anchor: from, head: Math.max(from, to) }, scrollIntoView: true });
  view.focus();
}
