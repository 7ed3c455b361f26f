//! Markdown input: the Kubernetes objects in a Markdown file's fenced code
//! blocks, checked where they stand.
//!
//! The file is turned into a YAML stream of exactly the same length: every
//! byte outside the checked blocks becomes a space (line breaks stay), a
//! closing fence becomes the document end marker `...`, and an elision line
//! (`...`, `....`, `# ...`: docs' shorthand for omitted fields) is blanked.
//! Byte offsets and lines are then the Markdown file's own, so findings point
//! into it and fix edits apply to it unchanged.

mod shift;

use std::borrow::Cow;

use crate::diagnostic::{DiagnosticKind, Severity};
use crate::format::InputFormat;
use crate::report::{InputDiagnostic, Location, Report};
use crate::rule::Lang;
use crate::source::{ColumnUnit, LineIndex, Span};
use crate::yaml::{self, Limits, Node};

pub use shift::Shifts;

/// A fenced code block whose content is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The opening fence line, without its line break.
    pub fence: Span,
    /// The lines between the fences.
    pub content: Span,
    /// The first word of the info string, lower-cased (`yaml`, or empty).
    pub lang: String,
    /// The spaces stripped from each content line: the opening fence's indentation.
    pub indent: usize,
}

/// A block of another language (`bash`, `console`, ...) that holds what looks
/// like a Kubernetes object: not read, and said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    pub fence: Span,
    pub lang: String,
    /// The first line naming an `apiVersion`.
    pub api_version: Span,
}

#[derive(Clone, Debug)]
pub struct Extracted {
    /// A YAML stream as long as the Markdown text, byte for byte.
    pub stream: String,
    pub blocks: Vec<Block>,
    /// Elision lines inside the checked blocks, without their line breaks.
    pub elisions: Vec<Span>,
    /// How the lines of indented blocks moved in the stream.
    pub shifts: Shifts,
    pub unread: Vec<Unread>,
    /// Lines outside every fenced block that name an `apiVersion` (Hugo
    /// shortcodes, indented code blocks, prose).
    pub loose: Vec<Span>,
}

/// Which fenced blocks are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// `yaml` / `yml`: always, even when broken, so its errors are reported.
    Always,
    /// Unlabelled or `json`: only when it holds Kubernetes objects.
    IfKubernetes,
    No,
}

fn wanted(lang: &str) -> Wanted {
    match lang {
        "yaml" | "yml" => Wanted::Always,
        "" | "json" => Wanted::IfKubernetes,
        _ => Wanted::No,
    }
}

/// One line of the text: `[start, end)` without the line break, `next` after it.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

fn lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let next = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let mut end = next;
        if text[at..end].ends_with('\n') {
            end -= 1;
        }
        if text[at..end].ends_with('\r') {
            end -= 1;
        }
        let line = Line { start: at, end, next };
        at = next;
        Some(line)
    })
}

/// An opening code fence (CommonMark: three or more backticks or tildes).
struct Fence<'a> {
    indent: usize,
    marker: u8,
    len: usize,
    info: &'a str,
}

fn opening_fence(line: &str) -> Option<Fence<'_>> {
    let rest = line.trim_start_matches(' ');
    let indent = line.len() - rest.len();
    let marker = *rest.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|b| *b == marker).count();
    let info = rest[len..].trim();
    // Backticks in a backtick fence's info string make it inline code.
    if len < 3 || (marker == b'`' && info.contains('`')) {
        return None;
    }
    Some(Fence { indent, marker, len, info })
}

/// A closing fence: as long as the opening one, nothing after it, and not
/// indented so far past the opening fence that it is content.
fn closes(line: &str, open: &Fence<'_>) -> bool {
    let rest = line.trim_start_matches(' ');
    let indent = line.len() - rest.len();
    let len = rest.bytes().take_while(|b| *b == open.marker).count();
    indent <= open.indent + 3 && len >= open.len && rest[len..].trim().is_empty()
}

fn info_lang(info: &str) -> String {
    let info = info.trim();
    if let Some(attributes) = info.strip_prefix('{') {
        // Pandoc-style attributes: `{.yaml #id}` names a language, `{#codeblock_x}` does not.
        return attributes
            .trim_end_matches('}')
            .split_whitespace()
            .find_map(|a| a.strip_prefix('.'))
            .unwrap_or("")
            .to_ascii_lowercase();
    }
    info.split_whitespace().next().unwrap_or("").to_ascii_lowercase()
}

/// `...`, `....`, `…` alone, or a comment that starts with them.
fn is_elision(line: &str) -> bool {
    let text = line.trim();
    let dots = |t: &str| t == "…" || (t.len() >= 3 && t.bytes().all(|b| b == b'.'));
    match text.strip_prefix('#') {
        Some(comment) => {
            let comment = comment.trim_start();
            comment.starts_with("...") || comment.starts_with('…')
        }
        None => dots(text),
    }
}

/// Finds the fenced blocks worth checking and builds the same-length stream.
pub fn extract(markdown: &str, limits: &Limits) -> Extracted {
    let bytes = markdown.as_bytes();
    let mut stream: Vec<u8> = bytes.iter().map(|b| if matches!(b, b'\n' | b'\r') { *b } else { b' ' }).collect();
    let mut blocks = Vec::new();
    let mut elisions = Vec::new();
    let mut shifts = Shifts::default();
    let mut unread = Vec::new();
    let mut loose: Vec<Span> = Vec::new();
    let mut open: Option<(Fence<'_>, Line)> = None;
    let mut content_lines: Vec<Line> = Vec::new();
    let mut finish = |fence: &Fence<'_>, fence_line: Line, content: &[Line], close: Option<Line>| {
        let lang = info_lang(fence.info);
        let want = wanted(&lang);
        let start = content.first().map_or(fence_line.next, |l| l.start);
        let end = content.last().map_or(start, |l| l.next);
        let fence_span = Span::new(fence_line.start, fence_line.end);
        if want == Wanted::No {
            if let Some(line) = content.iter().find(|l| names_api_version(&markdown[l.start..l.end])) {
                unread.push(Unread { fence: fence_span, lang, api_version: Span::new(line.start, line.end) });
            }
            return;
        }
        let block_elisions: Vec<Span> = content
            .iter()
            .filter(|l| is_elision(&markdown[l.start..l.end]))
            .map(|l| Span::new(l.start, l.end))
            .collect();
        // CommonMark strips up to the fence's own indentation from each content line.
        let mut piece = bytes[start..end].to_vec();
        let mut moved = Vec::new();
        for l in content {
            let spaces = bytes[l.start..l.end].iter().take_while(|b| **b == b' ').count();
            let by = spaces.min(fence.indent);
            let (from, to) = (l.start - start, l.end - start);
            piece.copy_within(from + by..to, from);
            piece[to - by..to].fill(b' ');
            moved.push((Span::new(l.start, l.end), by));
        }
        for e in &block_elisions {
            piece[e.start - start..e.end - start].fill(b' ');
        }
        if want == Wanted::IfKubernetes && !holds_kubernetes_objects(&piece, limits) && !looks_like_manifest(&piece) {
            return;
        }
        stream[start..end].copy_from_slice(&piece);
        if let Some(close) = close {
            stream[close.start..close.start + 3].copy_from_slice(b"...");
        }
        if fence.indent > 0 {
            shifts.push_region(Span::new(start, close.map_or(end, |c| c.start)), fence.indent);
            moved.into_iter().for_each(|(line, by)| shifts.push_line(line, by));
        }
        elisions.extend(block_elisions);
        blocks.push(Block { fence: fence_span, content: Span::new(start, end), lang, indent: fence.indent });
    };
    for line in lines(markdown) {
        let text = &markdown[line.start..line.end];
        match &open {
            None => {
                if let Some(fence) = opening_fence(text) {
                    open = Some((fence, line));
                    content_lines.clear();
                } else if names_api_version(text) {
                    loose.push(Span::new(line.start, line.end));
                }
            }
            Some((fence, fence_line)) => {
                if closes(text, fence) {
                    finish(fence, *fence_line, &content_lines, Some(line));
                    open = None;
                } else {
                    content_lines.push(line);
                }
            }
        }
    }
    // An unclosed fence runs to the end of the file, as in CommonMark.
    if let Some((fence, fence_line)) = &open {
        finish(fence, *fence_line, &content_lines, None);
    }
    // Only ASCII spaces, markers and whole copied lines: still UTF-8.
    let stream = String::from_utf8(stream).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Extracted { stream, blocks, elisions, shifts, unread, loose }
}

/// A line that opens a top-level-looking `key:` (YAML, or JSON's `"key":`),
/// whatever whitespace, dash or brace stands before it.
fn names_key(line: &str, key: &str) -> bool {
    let text = line.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '{');
    let text = text.strip_prefix('"').unwrap_or(text);
    text.strip_prefix(key).is_some_and(|rest| rest.trim_start_matches('"').trim_start().starts_with(':'))
}

fn names_api_version(line: &str) -> bool {
    names_key(line, "apiVersion")
}

/// Text that names both an `apiVersion` and a `kind`: meant as a Kubernetes
/// object, whether or not it reads as one.
fn looks_like_manifest(piece: &[u8]) -> bool {
    let text = String::from_utf8_lossy(piece);
    text.lines().any(names_api_version) && text.lines().any(|l| names_key(l, "kind"))
}

fn holds_kubernetes_objects(piece: &[u8], limits: &Limits) -> bool {
    let Ok(text) = std::str::from_utf8(piece) else { return false };
    let loaded = yaml::load(text, limits);
    if loaded.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax) {
        return false;
    }
    loaded.documents.iter().filter_map(|d| d.root.as_ref()).any(|root| {
        let text_of = |key: &str| root.get(key).and_then(Node::as_str).is_some();
        text_of("apiVersion") && text_of("kind")
    })
}

/// The YAML stream the rules read for `text` in `format`: the text itself,
/// or the blocks of a Markdown file in place.
pub fn yaml_stream<'a>(text: &'a str, format: InputFormat, limits: &Limits) -> Cow<'a, str> {
    match format.resolve(text) {
        InputFormat::Markdown => Cow::Owned(extract(text, limits).stream),
        _ => Cow::Borrowed(text),
    }
}

/// Turns the report of `extracted.stream` into the report of the Markdown
/// file `text`: spans and edits back in place, and diagnostics for what the
/// file holds but the stream does not (elisions, unread blocks, loose lines).
pub(crate) fn into_file_report(
    mut report: Report,
    extracted: &Extracted,
    text: &str,
    lang: Lang,
    columns: ColumnUnit,
) -> Report {
    if !extracted.shifts.is_empty() {
        move_into_markdown(&mut report, extracted, text);
    }
    let lines = LineIndex::new(text);
    let line_of = |offset: usize| lines.line_of(offset) + 1;
    for span in &extracted.elisions {
        let shown = text[span.start..span.end].trim();
        let line = line_of(span.start);
        let message = lang.t(
            format_args!("line {line} (`{shown}`) stands for omitted content; what it leaves out was not checked"),
            format_args!("第 {line} 行（`{shown}`）表示省略的内容；省略部分未检查"),
        );
        report.diagnostics.push(diagnostic(DiagnosticKind::Elision, message, *span));
    }
    for unread in &extracted.unread {
        let (line, block) = (line_of(unread.api_version.start), &unread.lang);
        let message = lang.t(
            format_args!("this `{block}` block names an apiVersion at line {line}, but only yaml, yml, json and unlabelled blocks are read: what it holds was not checked"),
            format_args!("此 `{block}` 代码块第 {line} 行有 apiVersion，但只读取 yaml、yml、json 和无标注的代码块：其内容未检查"),
        );
        report.diagnostics.push(diagnostic(DiagnosticKind::NotAResource, message, unread.fence));
    }
    if let (Some(first), count) = (extracted.loose.first(), extracted.loose.len()) {
        let line = line_of(first.start);
        let message = lang.t(
            format_args!("line {line} names an apiVersion outside any fenced code block ({count} such line(s) in the file); only fenced blocks are read, so it was not checked"),
            format_args!("第 {line} 行在围栏代码块之外出现 apiVersion（文件中共 {count} 行）；只读取围栏代码块，因此未检查"),
        );
        report.diagnostics.push(diagnostic(DiagnosticKind::NotAResource, message, *first));
    }
    if extracted.blocks.is_empty() && extracted.unread.is_empty() && extracted.loose.is_empty() {
        let message = lang.t(
            "the Markdown input has no yaml or yml block and no block or line naming an apiVersion",
            "Markdown 输入中没有 yaml 或 yml 代码块，也没有出现 apiVersion 的代码块或行",
        );
        report.diagnostics.push(diagnostic(DiagnosticKind::NotAResource, message, Span::empty(0)));
    }
    report.diagnostics.sort_by_key(|d| (d.location.span.start, d.location.span.end));
    // Shifting spans back into the file keeps their order; sorting again
    // makes that a guarantee rather than a property of the shifts.
    crate::report::sort_findings(&mut report.findings);
    relocate(&mut report, text, &lines, columns);
    report
}

/// Spans and fix edits from the stream's de-indented lines back into the file.
fn move_into_markdown(report: &mut Report, extracted: &Extracted, text: &str) {
    let shifts = &extracted.shifts;
    for finding in &mut report.findings {
        finding.location.span = shifts.span(finding.location.span);
        for related in &mut finding.related {
            related.location.span = shifts.span(related.location.span);
        }
        for fix in &mut finding.fixes {
            for edit in &mut fix.edits {
                *edit = shifts.edit(&extracted.stream, text, edit);
            }
        }
    }
    for d in &mut report.diagnostics {
        d.location.span = shifts.span(d.location.span);
    }
}

fn diagnostic(kind: DiagnosticKind, message: String, span: Span) -> InputDiagnostic {
    let origin = crate::source::Position { line: 1, column: 1 };
    let location = Location { document: None, path: String::new(), span, start: origin, end: origin };
    InputDiagnostic { kind, severity: Severity::Info, message, location }
}

/// Lines and columns from the Markdown text itself: the stream blanks
/// characters outside the blocks, so its columns there are not the file's.
fn relocate(report: &mut Report, text: &str, lines: &LineIndex, columns: ColumnUnit) {
    let at = |offset: usize| lines.position(text, offset, columns);
    for finding in &mut report.findings {
        finding.location.start = at(finding.location.span.start);
        finding.location.end = at(finding.location.span.end);
        for related in &mut finding.related {
            related.location.start = at(related.location.span.start);
            related.location.end = at(related.location.span.end);
        }
    }
    for d in &mut report.diagnostics {
        d.location.start = at(d.location.span.start);
        d.location.end = at(d.location.span.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, fix, FixRequest, Options};

    const FOUNDING_SNIPPET: &str = "如果您不需要源IP：\n\n```yaml\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata:\n  name: ingressgateway\n  namespace: istio-system\n  ....\nspec:\n  externalTrafficPolicy: Local\n....\n```\n";

    fn markdown_options() -> Options {
        Options { format: InputFormat::Markdown, ..Options::default() }
    }

    #[test]
    fn attribute_only_fences_are_unlabelled() {
        assert_eq!(info_lang("{#codeblock_abc}"), "");
        assert_eq!(info_lang("{.yaml #id}"), "yaml");
        assert_eq!(info_lang("YAML title=x"), "yaml");
    }

    #[test]
    fn the_stream_keeps_offsets_and_blanks_prose_fences_and_elisions() {
        let extracted = extract(FOUNDING_SNIPPET, &Limits::default());
        assert_eq!(extracted.stream.len(), FOUNDING_SNIPPET.len());
        assert_eq!(extracted.blocks.len(), 1);
        assert_eq!(extracted.blocks[0].lang, "yaml");
        assert_eq!(extracted.elisions.len(), 2);
        let at = FOUNDING_SNIPPET.find("externalTrafficPolicy").unwrap();
        assert_eq!(&extracted.stream[at..at + 28], "externalTrafficPolicy: Local");
        assert!(!extracted.stream.contains("....") && !extracted.stream.contains("```"));
        assert!(extracted.stream.trim_end().ends_with("..."), "the closing fence ends the document");
    }

    #[test]
    fn findings_point_at_the_markdown_lines_and_elisions_are_reported() {
        let report = engine::check(FOUNDING_SNIPPET, &markdown_options());
        let finding = report.findings.iter().find(|f| f.code == "ASM-LB-001").expect("ASM-LB-001");
        assert_eq!(finding.location.start.line, 11);
        assert_eq!(finding.location.start.column, 26);
        let elisions: Vec<_> = report.diagnostics.iter().filter(|d| d.kind == DiagnosticKind::Elision).collect();
        assert_eq!(elisions.iter().map(|d| d.location.start.line).collect::<Vec<_>>(), [9, 12]);
        assert!(!report.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax));
    }

    /// The file's findings keep the report's one order (document, position,
    /// severity, code) after the spans move back into indented blocks.
    #[test]
    fn findings_keep_the_report_order_in_the_file() {
        let indented = "1. Gateway:\n\n   ```yaml\n   apiVersion: istio.alibabacloud.com/v1beta1\n   kind: IstioGateway\n   metadata: {name: gw, namespace: istio-system}\n   spec:\n     externalTrafficPolicy: Local\n     serviceType: LoadBalancer\n   ```\n";
        for text in [FOUNDING_SNIPPET, indented] {
            let report = engine::check(text, &markdown_options());
            let keys: Vec<_> = report
                .findings
                .iter()
                .map(|f| (f.location.document, f.location.span.start, std::cmp::Reverse(f.severity), f.code))
                .collect();
            assert!(keys.len() > 2, "{keys:?}");
            assert!(keys.is_sorted(), "{keys:?}");
        }
    }

    #[test]
    fn auto_format_finds_markdown_and_columns_count_the_file_characters() {
        // The prose line before the finding holds wide characters; the block line does not.
        let text = "# 网关\n\n```yml\nkind: Service\napiVersion: v1\nmetadata: {name: gw}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local}\n```\n";
        let report = engine::check(text, &Options::default());
        assert_eq!(report.findings.len(), 1);
        let location = &report.findings[0].location;
        assert_eq!(&text[location.span.start..location.span.end], "Local");
        assert_eq!((location.start.line, location.start.column), (7, 51));
    }

    #[test]
    fn unlabelled_blocks_count_only_when_they_hold_kubernetes_objects() {
        let text = "```\nkubectl get svc -n istio-system\n```\n\n```\napiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local}\n```\n\n```shell\napiVersion: v1\n```\n";
        let extracted = extract(text, &Limits::default());
        assert_eq!(extracted.blocks.len(), 1);
        assert_eq!(extracted.blocks[0].lang, "");
        let report = engine::check(text, &markdown_options());
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.summary.resources, 1);
    }

    #[test]
    fn a_broken_yaml_block_is_reported_and_does_not_hide_the_next() {
        let text = "```yaml\na: [\n```\n\n```yaml\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local}\n```\n";
        let report = engine::check(text, &markdown_options());
        let syntax = report.diagnostics.iter().find(|d| d.kind == DiagnosticKind::Syntax).expect("syntax error");
        assert!(syntax.location.start.line <= 3, "the error is in the first block: {syntax:?}");
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].location.start.line, 9);
    }

    #[test]
    fn fixes_edit_inside_the_blocks_and_keep_the_prose() {
        let request = FixRequest { ids: vec!["set-cluster-policy".into()], allow_unsafe: true };
        let outcome = fix(FOUNDING_SNIPPET, &request, &markdown_options());
        assert_eq!(outcome.applied.len(), 1, "{:?}", outcome.skipped);
        assert_eq!(
            outcome.text,
            FOUNDING_SNIPPET.replace("externalTrafficPolicy: Local", "externalTrafficPolicy: Cluster")
        );
        assert!(outcome.report.findings.iter().all(|f| f.code != "ASM-LB-001"));
    }

    #[test]
    fn an_added_annotation_lands_inside_the_fence() {
        let request = FixRequest { ids: vec!["eni-passthrough".into()], allow_unsafe: true };
        let mut options = markdown_options();
        options.context.cni = Some(crate::context::Cni::TerwayEniip);
        let outcome = fix(FOUNDING_SNIPPET, &request, &options);
        assert_eq!(outcome.applied.len(), 1, "{:?}", outcome.skipped);
        let block = extract(&outcome.text, &Limits::default());
        assert_eq!(block.blocks.len(), 1);
        let content = &outcome.text[block.blocks[0].content.start..block.blocks[0].content.end];
        assert!(content.contains("service.beta.kubernetes.io/backend-type"), "{}", outcome.text);
        assert!(outcome.text.starts_with("如果您不需要源IP：\n\n```yaml\n") && outcome.text.ends_with("....\n```\n"));
    }

    #[test]
    fn fences_indented_in_lists_unclosed_fences_and_tilde_fences() {
        let text = "- item\n\n    ```yaml\n    kind: Service\n    apiVersion: v1\n    metadata: {name: c}\n    spec: {type: LoadBalancer, externalTrafficPolicy: Local}\n    ```\n\n~~~yaml\nkind: Service\napiVersion: v1\nmetadata: {name: d}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local}\n";
        let report = engine::check(text, &markdown_options());
        let lines: Vec<_> = report.findings.iter().map(|f| f.location.start.line).collect();
        assert_eq!(lines, [7, 14]);
    }

    #[test]
    fn markdown_without_blocks_says_so() {
        let report = engine::check("# Title\n\nJust prose.\n", &markdown_options());
        assert!(report.findings.is_empty());
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].kind, DiagnosticKind::NotAResource);
    }

    #[test]
    fn elision_lines_are_recognised() {
        for line in ["...", "  ....", "# ...", "  # ... other fields", "…"] {
            assert!(is_elision(line), "{line}");
        }
        for line in ["..", "a: ...", "# note", "---"] {
            assert!(!is_elision(line), "{line}");
        }
    }
}
