//! The human formats: rustc/ruff-style diagnostics with a source snippet and
//! a caret under the span, then the notes, the fixes and a closing summary;
//! or one line per finding (`concise`).
//!
//! The forms follow ruff's `--output-format` values `full` and `concise`
//! (<https://docs.astral.sh/ruff/settings/#output-format>; one line per
//! diagnostic as in astral-sh/ruff
//! `crates/ruff/tests/snapshots/lint__output_format_concise.snap@62e0d477`).
//! The default shows every fix on one line and the trade-offs of the
//! recommended fix only; `--show-fixes` (or `full`) shows every fix's, as
//! rustc keeps detail behind `--explain` (README.md#sample-output).
//!
//! Pure: it renders a [`Report`] and the text it was made from into a string.
//! Colour is plain ANSI SGR, only when asked for; the caller decides whether
//! the terminal wants it.

use std::fmt::Write;

use unicode_width::UnicodeWidthChar;

use crate::diagnostic::{DiagnosticKind, Severity};
use crate::report::{Finding, FixOut, InputDiagnostic, Note, Report};
use crate::rule::{Applicability, Lang, NoteKind};
use crate::source::{LineIndex, Position, Span};

/// The name shown for standard input; the fix hint then reads `-`.
pub const STDIN_LABEL: &str = "<stdin>";

/// Columns a tab takes in a snippet (as rustc shows them).
const TAB_WIDTH: usize = 4;
/// Snippet lines wider than this are cut around the span (minified JSON).
const MAX_SNIPPET_WIDTH: usize = 160;
/// How much of the line before the span a cut snippet keeps.
const CONTEXT_BEFORE_SPAN: usize = 40;

#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// Emit ANSI colours.
    pub colored: bool,
    /// Language of the renderer's own words (the report's messages are
    /// already in the language they were checked in).
    pub lang: Lang,
    pub detail: Detail,
}

/// How much of each finding the text shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Each finding with its snippet and notes; every fix on one line, with
    /// the trade-offs of the recommended fix (or of a finding's only fix).
    #[default]
    Standard,
    /// Every fix with its trade-offs, what it may introduce and why it
    /// cannot be written as a text edit.
    Full,
    /// One line per finding or input diagnostic,
    /// `FILE:LINE:COL: severity[CODE] message`, for grep and editors' error
    /// formats; an input diagnostic has its kind (`syntax`) for CODE.
    Concise,
}

/// Renders the findings and input diagnostics of one file's report, in the
/// order they occur in the file.
pub fn render(report: &Report, source: &str, file: &str, options: &TextOptions) -> String {
    let renderer = Renderer {
        source,
        lines: LineIndex::new(source),
        file,
        paint: Paint(options.colored),
        lang: options.lang,
        detail: options.detail,
    };
    let mut out = String::new();
    for item in in_file_order(report) {
        match (item, options.detail) {
            (Item::Diagnostic(d), Detail::Concise) => {
                renderer.concise(&mut out, d.severity, DiagnosticKind::as_str(d.kind), diagnostic_at(d).1, &d.message)
            }
            (Item::Finding(f), Detail::Concise) => {
                renderer.concise(&mut out, f.severity, f.code, f.location.start, &f.message)
            }
            (Item::Diagnostic(d), _) => {
                renderer.diagnostic(&mut out, d);
                out.push('\n');
            }
            (Item::Finding(f), _) => {
                renderer.finding(&mut out, f);
                out.push('\n');
            }
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Item<'a> {
    Diagnostic(&'a InputDiagnostic),
    Finding(&'a Finding),
}

/// Diagnostics and findings by where they start; at one offset a diagnostic
/// comes first, and findings keep the report's order.
fn in_file_order(report: &Report) -> Vec<Item<'_>> {
    let diagnostics = report.diagnostics.iter().map(|d| (diagnostic_at(d).0.start, 0, Item::Diagnostic(d)));
    let findings = report.findings.iter().map(|f| (f.location.span.start, 1, Item::Finding(f)));
    let mut items: Vec<_> = diagnostics.chain(findings).collect();
    items.sort_by_key(|(offset, kind, _)| (*offset, *kind));
    items.into_iter().map(|(_, _, item)| item).collect()
}

/// Where an input diagnostic sits: its span and its first position. The
/// renderer reads a diagnostic's position only here.
fn diagnostic_at(d: &InputDiagnostic) -> (Span, Position) {
    (d.location.span, d.location.start)
}

/// Whether the standard form shows this fix's trade-offs: the recommended
/// fix's, and the only fix's (it has no alternative to hide behind).
fn shows_details(finding: &Finding, fix: &FixOut) -> bool {
    fix.recommended || finding.fixes.len() == 1
}

/// Whether a fix has lines under its title in the full form.
fn has_details(fix: &FixOut) -> bool {
    !fix.tradeoffs.is_empty() || !fix.introduces.is_empty() || fix.unavailable.is_some()
}

/// Counts over every file of a run, for the closing summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub resources: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub suppressed: usize,
    /// Findings a plain `gateway-doctor fix` (safe fixes only) would fix.
    pub fixable: usize,
    /// Input diagnostics of severity error (syntax errors, limits).
    pub input_errors: usize,
    /// Other input diagnostics (duplicate keys, documents that are not objects).
    pub input_notes: usize,
    /// Fixes whose trade-offs only `--show-fixes` shows.
    pub hidden_fixes: usize,
    /// The first finding's code, for the closing `explain` hint.
    pub first_code: Option<&'static str>,
}

impl Totals {
    pub fn add(&mut self, report: &Report) {
        self.files += 1;
        self.resources += report.summary.resources;
        self.error += report.summary.error;
        self.warning += report.summary.warning;
        self.info += report.summary.info;
        self.suppressed += report.summary.suppressed;
        self.first_code = self.first_code.or(report.findings.first().map(|f| f.code));
        self.fixable += report.findings.iter().filter(|f| f.fixes.iter().any(applies_by_default)).count();
        self.hidden_fixes += report
            .findings
            .iter()
            .flat_map(|f| f.fixes.iter().filter(move |x| !shows_details(f, x) && has_details(x)))
            .count();
        for d in &report.diagnostics {
            if d.severity == Severity::Error {
                self.input_errors += 1;
            } else {
                self.input_notes += 1;
            }
        }
    }
}

/// The closing line: `1 warning, 1 info in 1 file (2 resources checked)`.
pub fn summary(totals: &Totals, options: &TextOptions) -> String {
    let paint = Paint(options.colored);
    let zh = options.lang == Lang::Zh;
    let mut counts = Vec::new();
    for (n, severity) in
        [(totals.error, Severity::Error), (totals.warning, Severity::Warning), (totals.info, Severity::Info)]
    {
        if n > 0 {
            let text = if zh {
                format!("{n} 个{}", severity_word(severity, options.lang))
            } else {
                count(n, severity.as_str(), plural(severity))
            };
            counts.push(paint.paint(severity_style(severity), &text));
        }
    }
    let mut line = if zh {
        let found = match (counts.is_empty(), totals.input_errors) {
            (false, _) => counts.join("，"),
            (true, 0) => "未发现问题".to_owned(),
            (true, _) => "没有发现项".to_owned(),
        };
        let mut extra = format!("检查了 {} 个资源", totals.resources);
        if totals.suppressed > 0 {
            let _ = write!(extra, "，{} 个已抑制", totals.suppressed);
        }
        format!("{found}，共 {} 个文件（{extra}）", totals.files)
    } else {
        let found = match (counts.is_empty(), totals.input_errors) {
            (false, _) => counts.join(", "),
            (true, 0) => "no problems found".to_owned(),
            // The input could not be read whole: do not call it clean.
            (true, _) => "no findings".to_owned(),
        };
        let mut extra = format!("{} checked", count(totals.resources, "resource", "resources"));
        if totals.suppressed > 0 {
            let _ = write!(extra, ", {} suppressed", totals.suppressed);
        }
        format!("{found} in {} ({extra})", count(totals.files, "file", "files"))
    };
    if totals.input_errors > 0 {
        let text = if zh {
            format!("{} 个输入错误", totals.input_errors)
        } else {
            count(totals.input_errors, "input error", "input errors")
        };
        let _ = write!(line, "{}{}", if zh { "；" } else { "; " }, paint.paint(Style::Error, &text));
    }
    if totals.input_notes > 0 {
        let text = if zh {
            format!("{} 个输入提示", totals.input_notes)
        } else {
            count(totals.input_notes, "input note", "input notes")
        };
        let _ = write!(line, "{}{text}", if zh { "；" } else { "; " });
    }
    if totals.fixable > 0 {
        let text = if zh {
            format!("{} 个可用 `gateway-doctor fix` 修复", totals.fixable)
        } else {
            format!("{} fixable with `gateway-doctor fix`", totals.fixable)
        };
        let _ = write!(line, "\n{text}");
    }
    if options.detail == Detail::Standard && totals.hidden_fixes > 0 {
        let n = totals.hidden_fixes;
        let text = if zh {
            format!("`--show-fixes` 可列出另外 {n} 个修复的权衡")
        } else {
            format!("`--show-fixes` lists the trade-offs of {}", count(n, "other fix", "other fixes"))
        };
        let _ = write!(line, "\n{text}");
    }
    // Once, as rustc closes with `rustc --explain`, not under every finding.
    if let (Some(code), false) = (totals.first_code, options.detail == Detail::Concise) {
        let text = options.lang.t(
            format_args!("a rule explained: `gateway-doctor explain {code}`"),
            format_args!("规则说明：`gateway-doctor explain {code}`"),
        );
        let _ = write!(line, "\n{text}");
    }
    line.push('\n');
    line
}

/// Whether `gateway-doctor fix` with no `--fix` would apply this fix.
fn applies_by_default(fix: &FixOut) -> bool {
    fix.applicability == Applicability::Safe && !fix.edits.is_empty() && fix.unavailable.is_none()
}

/// Whether `gateway-doctor fix --fix ID` (with `--unsafe` if needed) can apply it.
fn applicable(fix: &FixOut) -> bool {
    fix.applicability != Applicability::DisplayOnly && !fix.edits.is_empty() && fix.unavailable.is_none()
}

fn plural(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "errors",
        Severity::Warning => "warnings",
        Severity::Info => "info",
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

struct Renderer<'a> {
    source: &'a str,
    lines: LineIndex,
    file: &'a str,
    paint: Paint,
    lang: Lang,
    detail: Detail,
}

impl Renderer<'_> {
    fn finding(&self, out: &mut String, f: &Finding) {
        let code = format!("[{}]", f.code);
        self.heading(out, f.severity, &code, &f.message);
        let gutter = self.gutter_width(f.location.span);
        self.arrow(out, gutter, f.location.start);
        self.snippet(out, gutter, f.location.span, f.severity, f.label.as_deref());
        let _ = writeln!(out, "{} {}", " ".repeat(gutter), self.paint.paint(Style::Gutter, "|"));
        for note in &f.notes {
            self.note_line(out, gutter, &labelled_note(note, self.lang));
        }
        for related in &f.related {
            let at = related.location.start;
            let text = format!(
                "{}{} ({}:{}:{})",
                self.lang.t("related: ", "相关："),
                clean(&related.message),
                self.file,
                at.line,
                at.column
            );
            self.note_line(out, gutter, &text);
        }
        if let [fix] = f.fixes.as_slice() {
            // One fix: nothing to choose, so it sits on its own note line.
            let lead = self.lang.t("fix: ", "修复：");
            self.note_line(out, gutter, &format!("{lead}{}", self.fix_line(fix)));
            self.fix_details(out, gutter + 3, fix);
        } else if !f.fixes.is_empty() {
            self.note_line(out, gutter, &self.lang.t("fixes (choose one):", "修复（任选其一）："));
            let indent = " ".repeat(gutter + 3);
            for (i, fix) in f.fixes.iter().enumerate() {
                let _ = writeln!(out, "{indent}{}. {}", i + 1, self.fix_line(fix));
                if self.detail == Detail::Full || shows_details(f, fix) {
                    self.fix_details(out, gutter + 6, fix);
                }
            }
        }
        if !f.fixes.is_empty() {
            if let Some(hint) = self.fix_hint(f) {
                self.note_line(out, gutter, &hint);
            }
        }
    }

    /// `id (tags): title`.
    fn fix_line(&self, fix: &FixOut) -> String {
        let colon = self.lang.t(": ", "：");
        format!("{}{}{colon}{}", self.paint.paint(Style::Bold, fix.id), self.fix_tags(fix), clean(&fix.title))
    }

    /// A fix's trade-offs, what it may introduce, and why it has no text edit.
    fn fix_details(&self, out: &mut String, indent: usize, fix: &FixOut) {
        let sub = " ".repeat(indent);
        if !fix.tradeoffs.is_empty() {
            let joined: Vec<String> = fix.tradeoffs.iter().map(|t| clean(t)).collect();
            let _ = writeln!(out, "{sub}{}", joined.join(" · "));
        }
        if !fix.introduces.is_empty() {
            let may = self.lang.t("may introduce: ", "可能引入：");
            let _ = writeln!(out, "{sub}{may}{}", fix.introduces.join(", "));
        }
        if let Some(reason) = &fix.unavailable {
            let why = self.lang.t("cannot be written as a text edit: ", "无法写成文本修改：");
            let _ = writeln!(out, "{sub}({why}{})", clean(reason));
        }
    }

    fn diagnostic(&self, out: &mut String, d: &InputDiagnostic) {
        let code = format!("[{}]", DiagnosticKind::as_str(d.kind));
        self.heading(out, d.severity, &code, &d.message);
        let (span, start) = diagnostic_at(d);
        let gutter = self.gutter_width(span);
        self.arrow(out, gutter, start);
        self.snippet(out, gutter, span, d.severity, None);
    }

    /// `FILE:LINE:COL: severity[CODE] message`, on one line whatever the
    /// file name or message holds.
    fn concise(&self, out: &mut String, severity: Severity, code: &str, at: Position, message: &str) {
        let tag = format!("{}[{code}]", severity_word(severity, self.lang));
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}",
            clean(self.file),
            at.line,
            at.column,
            self.paint.paint(severity_style(severity), &tag),
            clean(message)
        );
    }

    fn heading(&self, out: &mut String, severity: Severity, code: &str, message: &str) {
        let style = severity_style(severity);
        let _ = writeln!(
            out,
            "{}{}",
            self.paint.paint(style, &format!("{}{code}", severity_word(severity, self.lang))),
            self.paint.paint(Style::Bold, &format!(": {}", clean(message)))
        );
    }

    fn gutter_width(&self, span: Span) -> usize {
        let line = self.lines.line_of(span.start.min(self.source.len())) + 1;
        line.to_string().len()
    }

    fn arrow(&self, out: &mut String, gutter: usize, at: Position) {
        let _ = writeln!(
            out,
            "{}{} {}:{}:{}",
            " ".repeat(gutter),
            self.paint.paint(Style::Gutter, "-->"),
            self.file,
            at.line,
            at.column
        );
    }

    /// The span's first line with a caret underline and the label.
    fn snippet(&self, out: &mut String, gutter: usize, span: Span, severity: Severity, label: Option<&str>) {
        let start = floor_boundary(self.source, span.start.min(self.source.len()));
        let line = self.lines.line_of(start);
        let (line_start, line_end) = self.lines.line_span(self.source, line);
        let start = start.min(line_end);
        let end = floor_boundary(self.source, span.end.clamp(start, line_end));
        let shown = Window::around(&self.source[line_start..line_end], start - line_start, end - line_start);
        let bar = self.paint.paint(Style::Gutter, "|");
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad} {bar}");
        let number = self.paint.paint(Style::Gutter, &format!("{:>gutter$}", line + 1));
        let _ = writeln!(out, "{number} {bar} {}", shown.text.trim_end());
        let carets = "^".repeat(shown.underline_width.max(1));
        let mut underline = carets;
        if let Some(label) = label {
            underline.push(' ');
            underline.push_str(&clean(label));
        }
        let _ = writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(shown.underline_at),
            self.paint.paint(severity_style(severity), &underline)
        );
    }

    fn note_line(&self, out: &mut String, gutter: usize, text: &str) {
        let _ = writeln!(out, "{} {} {text}", " ".repeat(gutter), self.paint.paint(Style::Gutter, "="));
    }

    fn fix_tags(&self, fix: &FixOut) -> String {
        let zh = self.lang == Lang::Zh;
        let mut tags = Vec::new();
        if fix.recommended {
            tags.push(self.paint.paint(Style::Recommended, if zh { "推荐" } else { "recommended" }));
        }
        tags.push(
            match (fix.applicability, zh) {
                (Applicability::Safe, false) => "safe",
                (Applicability::Safe, true) => "安全",
                (Applicability::Unsafe, false) => "unsafe",
                (Applicability::Unsafe, true) => "不安全",
                (Applicability::DisplayOnly, false) => "advice only",
                (Applicability::DisplayOnly, true) => "仅建议",
            }
            .to_owned(),
        );
        if zh {
            format!("（{}）", tags.join("，"))
        } else {
            format!(" ({})", tags.join(", "))
        }
    }

    /// The command that applies the recommended fix, or the first one that can be applied.
    fn fix_hint(&self, f: &Finding) -> Option<String> {
        let fix = f
            .fixes
            .iter()
            .find(|x| x.recommended && applicable(x))
            .or_else(|| f.fixes.iter().find(|x| applicable(x)))?;
        let unsafe_flag = if fix.applicability == Applicability::Unsafe { " --unsafe" } else { "" };
        let target = if self.file == STDIN_LABEL { "-".to_owned() } else { shell_quote(self.file) };
        let lead = self.lang.t("apply: ", "应用：");
        Some(format!("{lead}gateway-doctor fix --fix {}{unsafe_flag} {target}", fix.id))
    }
}

/// A note as its kind shows it: a plain note gets `note:`, the others
/// already start with their kind's lead word (`assumed: ...`).
fn labelled_note(note: &Note, lang: Lang) -> String {
    let text = clean(&note.text);
    match note.kind {
        NoteKind::Plain => lang.t(format_args!("note: {text}"), format_args!("注：{text}")),
        _ => text,
    }
}

fn severity_word(severity: Severity, lang: Lang) -> String {
    match severity {
        Severity::Error => lang.t("error", "错误"),
        Severity::Warning => lang.t("warning", "警告"),
        Severity::Info => lang.t("info", "提示"),
    }
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => Style::Error,
        Severity::Warning => Style::Warning,
        Severity::Info => Style::Info,
    }
}

/// Control characters from the input would drive the terminal: show them as U+FFFD.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
}

fn shell_quote(path: &str) -> String {
    let plain = !path.is_empty()
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'+' | b'=' | b':' | b','));
    if plain {
        path.to_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Display width of one character in a snippet.
fn char_width(c: char) -> usize {
    match c {
        '\t' => TAB_WIDTH,
        c if c.is_control() => 1,
        c => c.width().unwrap_or(0),
    }
}

/// One snippet line as displayed: tabs expanded, control characters
/// replaced, cut around the span when very long; and where the caret goes.
struct Window {
    text: String,
    underline_at: usize,
    underline_width: usize,
}

impl Window {
    /// `start..end` are byte offsets of the span within `line`.
    fn around(line: &str, start: usize, end: usize) -> Self {
        let cells: Vec<(usize, char, usize)> = line.char_indices().map(|(i, c)| (i, c, char_width(c))).collect();
        let total: usize = cells.iter().map(|c| c.2).sum();
        let col_of = |byte: usize| cells.iter().take_while(|c| c.0 < byte).map(|c| c.2).sum::<usize>();
        let (span_col, span_end_col) = (col_of(start), col_of(end));
        let (from, to) = if total <= MAX_SNIPPET_WIDTH {
            (0, total)
        } else {
            let from = span_col.saturating_sub(CONTEXT_BEFORE_SPAN);
            (from, (from + MAX_SNIPPET_WIDTH).min(total))
        };
        let mut text = String::new();
        let cut_front = from > 0;
        if cut_front {
            text.push_str("...");
        }
        let mut col = 0;
        for &(_, c, w) in &cells {
            if col >= from && col + w <= to {
                match c {
                    '\t' => text.push_str(&" ".repeat(TAB_WIDTH)),
                    c if c.is_control() => text.push('\u{fffd}'),
                    c => text.push(c),
                }
            }
            col += w;
        }
        if to < total {
            text.push_str("...");
        }
        let shift = if cut_front { 3 } else { 0 };
        let underline_at = span_col.max(from) - from + shift;
        let underline_width = span_end_col.min(to).saturating_sub(span_col.max(from));
        Window { text, underline_at, underline_width }
    }
}

#[derive(Clone, Copy)]
enum Style {
    Error,
    Warning,
    Info,
    Gutter,
    Bold,
    Recommended,
}

#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, style: Style, text: &str) -> String {
        if !self.0 {
            return text.to_owned();
        }
        let sgr = match style {
            Style::Error => "1;31",
            Style::Warning => "1;33",
            Style::Info => "1;36",
            Style::Gutter => "1;34",
            Style::Bold => "1",
            Style::Recommended => "1;32",
        };
        format!("\x1b[{sgr}m{text}\x1b[0m")
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::engine::{check, Options};
    use crate::rules::test_support::FOUNDING;

    fn plain(text: &str) -> String {
        rendered(text, Detail::Standard, Lang::En)
    }

    fn rendered(text: &str, detail: Detail, lang: Lang) -> String {
        let report = check(text, &Options { lang, ..Options::default() });
        render(&report, text, "gw.yaml", &TextOptions { detail, lang, ..TextOptions::default() })
    }

    /// The lines of one fix's entry: its title line and the lines under it.
    fn fix_entry<'a>(out: &'a str, id: &str) -> Vec<&'a str> {
        // `1. ID (...)` under `= fixes`, or `= fix: ID (...)` for a finding's only fix.
        let names = |l: &str| l.contains(&format!(". {id} ")) || l.contains(&format!("= fix: {id} "));
        let mut lines = out.lines().skip_while(|l| !names(l));
        let title = lines.next().unwrap_or_else(|| panic!("no fix {id} in\n{out}"));
        let indent = title.len() - title.trim_start().len();
        let under = lines.take_while(|l| l.len() - l.trim_start().len() > indent && !l.trim_start().starts_with('='));
        std::iter::once(title).chain(under).collect()
    }

    /// The column of the first caret on the line after `needle`'s source line.
    fn caret_under(rendered: &str, needle: &str) -> (usize, usize, usize) {
        let lines: Vec<&str> = rendered.lines().collect();
        let at = lines.iter().position(|l| l.contains(needle)).expect("snippet line");
        let source_col = lines[at].find(needle).unwrap();
        let caret_line = lines[at + 1];
        let caret_col = caret_line.find('^').unwrap();
        let carets = caret_line[caret_col..].chars().take_while(|c| *c == '^').count();
        (source_col, caret_col, carets)
    }

    #[test]
    fn a_fix_shows_what_it_may_introduce() {
        let out = rendered(FOUNDING, Detail::Full, Lang::En);
        let entry = fix_entry(&out, "set-cluster-policy");
        assert!(entry.iter().any(|l| l.trim() == "may introduce: ASM-LB-005"), "{out}");
    }

    /// By default every fix is one line and only the recommended fix (or a
    /// finding's only fix) keeps its trade-offs; `Full` shows them all.
    #[test]
    fn only_the_recommended_fix_shows_its_trade_offs_by_default() {
        let out = plain(FOUNDING);
        let recommended = fix_entry(&out, "use-service-dns");
        assert_eq!(recommended.len(), 2, "{out}");
        assert!(recommended[0].contains("use-service-dns (recommended, advice only): "));
        assert!(recommended[1].trim_start().starts_with("no manifest change: "), "{out}");
        for other in ["set-cluster-policy", "eni-passthrough", "lb-hostname", "use-nlb"] {
            assert_eq!(fix_entry(&out, other).len(), 1, "{other}:\n{out}");
        }
        // A finding's only fix is not an alternative: its trade-offs stay.
        assert_eq!(fix_entry(&out, "spread-gateway-pods").len(), 2, "{out}");

        let full = rendered(FOUNDING, Detail::Full, Lang::En);
        for other in ["set-cluster-policy", "eni-passthrough", "lb-hostname", "use-nlb"] {
            assert!(fix_entry(&full, other).len() >= 2, "{other}:\n{full}");
        }
        assert!(full.lines().count() > out.lines().count());
        let strip = |text: &str| text.lines().filter(|l| !l.starts_with("      ")).collect::<Vec<_>>().join("\n");
        assert_eq!(strip(&full), strip(&out), "the two forms differ only in the lines under the fixes");
    }

    #[test]
    fn concise_is_one_line_per_finding_and_diagnostic() {
        let text = format!("{FOUNDING}---\nkind: Service\nmetadata: {{name: [broken\n");
        for lang in [Lang::En, Lang::Zh] {
            let report = check(&text, &Options { lang, ..Options::default() });
            assert!(!report.findings.is_empty() && !report.diagnostics.is_empty());
            let options = TextOptions { detail: Detail::Concise, lang, ..TextOptions::default() };
            let out = render(&report, &text, "gw.yaml", &options);
            let lines: Vec<&str> = out.lines().collect();
            assert_eq!(lines.len(), report.findings.len() + report.diagnostics.len(), "{out}");
            let f = &report.findings[0];
            let expected = format!(
                "gw.yaml:{}:{}: {}[{}] {}",
                f.location.start.line,
                f.location.start.column,
                severity_word(f.severity, lang),
                f.code,
                f.message
            );
            assert!(lines.contains(&expected.as_str()), "{expected}\n{out}");
            let (_, start) = diagnostic_at(&report.diagnostics[0]);
            let syntax = format!("gw.yaml:{}:{}: {}[syntax] ", start.line, start.column, lang.t("error", "错误"));
            assert!(lines.iter().any(|l| l.starts_with(&syntax)), "{syntax}\n{out}");
        }
        // A control character or line break in a file name or message stays on its line.
        let report = check(FOUNDING, &Options::default());
        let options = TextOptions { detail: Detail::Concise, ..TextOptions::default() };
        let out = render(&report, FOUNDING, "a\nb.yaml", &options);
        assert_eq!(out.lines().count(), report.findings.len(), "{out}");
    }

    #[test]
    fn the_summary_points_at_show_fixes_only_when_trade_offs_are_hidden() {
        let mut totals = Totals::default();
        let report = check(FOUNDING, &Options::default());
        totals.add(&report);
        // ASM-LB-001's four alternatives and ASM-HA-042's advice.
        assert_eq!(totals.hidden_fixes, 5);
        let hint = "\n`--show-fixes` lists the trade-offs of 5 other fixes\n";
        let explain = format!("a rule explained: `gateway-doctor explain {}`\n", report.findings[0].code);
        assert!(summary(&totals, &TextOptions::default()).ends_with(&format!("{hint}{explain}")));
        for detail in [Detail::Full, Detail::Concise] {
            assert!(!summary(&totals, &TextOptions { detail, ..TextOptions::default() }).contains("--show-fixes"));
        }
        let zh = summary(&totals, &TextOptions { lang: Lang::Zh, ..TextOptions::default() });
        let zh_explain = format!("规则说明：`gateway-doctor explain {}`\n", report.findings[0].code);
        assert!(zh.ends_with(&format!("\n`--show-fixes` 可列出另外 5 个修复的权衡\n{zh_explain}")), "{zh}");
        let concise = summary(&totals, &TextOptions { detail: Detail::Concise, ..TextOptions::default() });
        assert!(!concise.contains("explain"), "{concise}");
    }

    #[test]
    fn founding_gateway_renders_like_rustc() {
        let all = plain(FOUNDING);
        // Other rules may report on the same line; look at ASM-LB-001's block.
        let out = all.split("\n\n").find(|b| b.starts_with("warning[ASM-LB-001]")).expect(&all).to_owned() + "\n";
        let expected_head = "warning[ASM-LB-001]: pods on nodes without a gateway pod may not reach the load balancer address of istio-system/istio-ingressgateway
 --> gw.yaml:7:26
  |
7 |   externalTrafficPolicy: Local   # keep client IPs
  |                          ^^^^^ only nodes hosting a gateway pod serve in-cluster traffic to the load balancer address
  |
  = assumed: kube-proxy mode and in-cluster clients unknown (--kube-proxy, --in-cluster-clients refine this)
  = fixes (choose one):
    1. use-service-dns (recommended, advice only): call istio-ingressgateway.istio-system.svc.cluster.local";
        assert!(out.starts_with(expected_head), "{out}");
        assert!(out.contains("    2. set-cluster-policy (unsafe): set externalTrafficPolicy: Cluster\n"), "{out}");
        assert!(out.contains("  = apply: gateway-doctor fix --fix set-cluster-policy --unsafe gw.yaml\n"), "{out}");
        assert!(!out.contains("explain"), "the explain hint closes the summary, once: {out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn caret_counts_display_columns_with_tabs_wide_characters_and_crlf() {
        let text = "# 网关配置\r\napiVersion: v1\r\nkind: Service\r\nmetadata: {name: 入口, namespace: default}\r\nspec:\r\n  type: LoadBalancer\r\n  externalTrafficPolicy: Local\r\n";
        let out = plain(text);
        assert!(out.contains(" --> gw.yaml:7:26\n"), "{out}");
        let (source_col, caret_col, carets) = caret_under(&out, "Local");
        assert_eq!((caret_col, carets), (source_col, 5), "{out}");
        assert!(!out.contains('\r'));
        assert!(out.contains("default/入口"), "{out}");

        // A wide character before the span on the same line (flow mapping).
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nspec: {type: LoadBalancer, \"sessionAffinity\": \"宽字符\", externalTrafficPolicy: Local}\n";
        let out = plain(text);
        let line = out.lines().find(|l| l.contains("宽字符")).unwrap();
        let carets = out.lines().skip_while(|l| !l.contains("宽字符")).nth(1).unwrap();
        let width_before = |s: &str, byte: usize| s[..byte].chars().map(char_width).sum::<usize>();
        assert_eq!(width_before(carets, carets.find('^').unwrap()), width_before(line, line.find("Local").unwrap()));
    }

    #[test]
    fn tabs_expand_and_underline_follows() {
        let window = Window::around("a:\tLocal", 3, 8);
        assert_eq!(window.text, "a:    Local");
        assert_eq!((window.underline_at, window.underline_width), (6, 5));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}Local{}", "x".repeat(500), "y".repeat(500));
        let window = Window::around(&line, 500, 505);
        assert!(window.text.starts_with("...") && window.text.ends_with("..."));
        assert!(window.text.chars().count() <= MAX_SNIPPET_WIDTH + 6);
        assert_eq!(&window.text[window.underline_at..window.underline_at + 5], "Local");
        assert_eq!(window.underline_width, 5);
    }

    #[test]
    fn syntax_errors_render_with_their_position() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n";
        let report = check(text, &Options::default());
        assert!(report.has_input_errors());
        let out = render(&report, text, "bad.yaml", &TextOptions::default());
        assert!(out.starts_with("error[syntax]: "), "{out}");
        let d = &report.diagnostics[0];
        assert!(
            out.contains(&format!(" --> bad.yaml:{}:{}\n", d.location.start.line, d.location.start.column)),
            "{out}"
        );
        assert!(out.contains('^'));
    }

    #[test]
    fn multi_line_spans_underline_their_first_line() {
        let window = Window::around("key: |", 5, 6);
        assert_eq!(window.underline_width, 1);
        let text = "a: 1\nb: 2\n";
        let lines = LineIndex::new(text);
        let r = Renderer { source: text, lines, file: "f", paint: Paint(false), lang: Lang::En, detail: Detail::Full };
        let mut out = String::new();
        r.snippet(&mut out, 1, Span::new(3, 9), Severity::Error, None);
        assert!(out.contains("1 | a: 1\n  |    ^\n"), "{out}");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: \"evil\\e[31m\"}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local}\n";
        let out = plain(text);
        assert!(!out.contains('\x1b'), "{out:?}");
    }

    #[test]
    fn colour_only_when_asked() {
        let report = check(FOUNDING, &Options::default());
        let colored = render(&report, FOUNDING, "gw.yaml", &TextOptions { colored: true, ..TextOptions::default() });
        assert!(colored.contains("\x1b[1;33mwarning[ASM-LB-001]\x1b[0m"), "{colored}");
    }

    #[test]
    fn summary_counts_and_pluralises() {
        let options = TextOptions::default();
        let one = Totals { files: 1, resources: 1, warning: 1, ..Totals::default() };
        assert_eq!(summary(&one, &options), "1 warning in 1 file (1 resource checked)\n");
        let many = Totals {
            files: 2,
            resources: 3,
            error: 2,
            warning: 2,
            info: 2,
            suppressed: 2,
            input_errors: 1,
            fixable: 1,
            ..Totals::default()
        };
        assert_eq!(
            summary(&many, &options),
            "2 errors, 2 warnings, 2 info in 2 files (3 resources checked, 2 suppressed); 1 input error\n1 fixable with `gateway-doctor fix`\n"
        );
        let zh = summary(&many, &TextOptions { lang: Lang::Zh, ..TextOptions::default() });
        assert_eq!(
            zh,
            "2 个错误，2 个警告，2 个提示，共 2 个文件（检查了 3 个资源，2 个已抑制）；1 个输入错误\n1 个可用 `gateway-doctor fix` 修复\n"
        );
        assert_eq!(
            summary(&Totals { files: 1, ..Totals::default() }, &options),
            "no problems found in 1 file (0 resources checked)\n"
        );
        let broken = Totals { files: 1, input_errors: 1, ..Totals::default() };
        assert_eq!(summary(&broken, &options), "no findings in 1 file (0 resources checked); 1 input error\n");
    }

    #[test]
    fn totals_add_up_reports() {
        let mut totals = Totals::default();
        let report = check(FOUNDING, &Options::default());
        totals.add(&report);
        totals.add(&check("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n: [\n", &Options::default()));
        assert_eq!((totals.files, totals.resources, totals.input_errors), (2, 2, 1));
        assert_eq!(totals.warning, report.summary.warning);
        assert_eq!(totals.info, report.summary.info);
    }

    #[test]
    fn notes_keep_their_own_lead_word() {
        let note = |kind, text: &str, lang| Note::of(crate::rule::Note { kind, text: text.into() }, lang);
        let shown = |kind, text, lang| labelled_note(&note(kind, text, lang), lang);
        assert_eq!(shown(NoteKind::Assumed, "x", Lang::En), "assumed: x");
        assert_eq!(shown(NoteKind::AssumedLow, "x", Lang::En), "assumed [L]: x");
        assert_eq!(shown(NoteKind::Plain, "IPVS since 1.24: x", Lang::En), "note: IPVS since 1.24: x");
        assert_eq!(shown(NoteKind::Plain, "ccm: x", Lang::En), "note: ccm: x");
        assert_eq!(shown(NoteKind::Assumed, "x", Lang::Zh), "假定：x");
        assert_eq!(shown(NoteKind::Plain, "x", Lang::Zh), "注：x");
        assert_eq!(shell_quote("my dir/gw.yaml"), "'my dir/gw.yaml'");
        assert_eq!(shell_quote("examples/gw.yaml"), "examples/gw.yaml");
    }
}
