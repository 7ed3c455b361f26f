//! A report in LSP's terms: diagnostics, the fixes as code actions, and the
//! rules' docs as hovers. Every range is in UTF-16 code units, as LSP counts
//! columns unless a client negotiates otherwise (LSP 3.17, "Position":
//! https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#position).

use std::collections::HashMap;

use gateway_doctor::report::{rules_doc, Finding, FixOut};
use gateway_doctor::text::{ColumnUnit, LineIndex, Span};
use gateway_doctor::{Applicability, Report, Severity};
use lsp_types::{
    CodeAction, CodeActionDisabled, CodeActionKind, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, Location, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

/// What every diagnostic names as its source.
pub const SOURCE: &str = "gateway-doctor";

/// Byte spans of one text as LSP ranges.
pub struct Ranges<'a> {
    text: &'a str,
    lines: LineIndex,
}

impl<'a> Ranges<'a> {
    pub fn new(text: &'a str) -> Self {
        Ranges { text, lines: LineIndex::new(text) }
    }

    pub fn position(&self, offset: usize) -> Position {
        let p = self.lines.position(self.text, offset, ColumnUnit::Utf16);
        // LineIndex is 1-based; LSP is 0-based.
        Position { line: to_u32(p.line - 1), character: to_u32(p.column - 1) }
    }

    pub fn range(&self, span: Span) -> Range {
        Range { start: self.position(span.start), end: self.position(span.end) }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The diagnostics of a report: its findings, then the input's own
/// diagnostics (syntax errors, duplicate keys, ...), whose kind is the code.
pub fn diagnostics(report: &Report, ranges: &Ranges<'_>, uri: &Uri) -> Vec<Diagnostic> {
    let findings = report.findings.iter().map(|f| finding_diagnostic(f, ranges, uri));
    let inputs = report.diagnostics.iter().map(|d| Diagnostic {
        range: ranges.range(d.location.span),
        severity: Some(severity(d.severity)),
        code: Some(d.kind.as_str().to_owned().into()),
        code_description: None,
        source: Some(SOURCE.to_owned()),
        message: d.message.clone().into(),
        tags: None,
        related_information: None,
        data: None,
    });
    findings.chain(inputs).collect()
}

fn finding_diagnostic(finding: &Finding, ranges: &Ranges<'_>, uri: &Uri) -> Diagnostic {
    // The notes say what the severity assumed about the cluster: part of the message, as in the CLI's text.
    let message = std::iter::once(finding.message.as_str())
        .chain(finding.notes.iter().map(|n| n.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location { uri: uri.clone(), range: ranges.range(r.location.span) },
            message: r.message.clone(),
        })
        .collect();
    Diagnostic {
        range: ranges.range(finding.location.span),
        severity: Some(severity(finding.severity)),
        code: Some(finding.code.to_owned().into()),
        code_description: Some(CodeDescription { href: docs_url(finding.code).into() }),
        source: Some(SOURCE.to_owned()),
        message: message.into(),
        tags: None,
        related_information: (!related.is_empty()).then_some(related),
        data: None,
    }
}

/// The rule's section of docs/rules.md, as SARIF's `helpUri` links it; the
/// reference itself for a code that names no rule.
pub fn docs_url(code: &str) -> String {
    let repository = env!("CARGO_PKG_REPOSITORY");
    match gateway_doctor::find_rule(code) {
        Some(rule) => rules_doc::docs_url(repository, rule.meta()),
        None => format!("{}/blob/main/docs/rules.md", repository.trim_end_matches('/')),
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::Error,
        Severity::Warning => DiagnosticSeverity::Warning,
        Severity::Info => DiagnosticSeverity::Information,
    }
}

/// Whether two ranges share a position (touching counts: a cursor at the
/// end of a finding is on it).
pub fn touches(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The fixes of the findings whose range touches `range`, as code actions:
/// per finding, the recommended fix first. A safe fix is `isPreferred`; an
/// unsafe one says in its title that it changes behaviour; a fix with no text
/// edits (advice only, or a change that could not be written as edits) is a
/// disabled action whose reason carries the advice, when the client shows
/// disabled actions (`codeAction.disabledSupport`), and is left out
/// otherwise, since an action must have an edit or a command (LSP 3.17,
/// "CodeAction": https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#codeAction).
pub fn code_actions(
    report: &Report,
    ranges: &Ranges<'_>,
    uri: &Uri,
    range: Range,
    disabled_support: bool,
) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    for finding in &report.findings {
        if !touches(ranges.range(finding.location.span), range) {
            continue;
        }
        let diagnostic = finding_diagnostic(finding, ranges, uri);
        let mut fixes: Vec<&FixOut> = finding.fixes.iter().collect();
        fixes.sort_by_key(|f| !f.recommended);
        for fix in fixes {
            if let Some(action) = code_action(finding, fix, ranges, uri, &diagnostic, disabled_support) {
                actions.push(action);
            }
        }
    }
    actions
}

fn code_action(
    finding: &Finding,
    fix: &FixOut,
    ranges: &Ranges<'_>,
    uri: &Uri,
    diagnostic: &Diagnostic,
    disabled_support: bool,
) -> Option<CodeAction> {
    let mut labels = Vec::new();
    if fix.recommended {
        labels.push("recommended");
    }
    let (edit, disabled) = if fix.edits.is_empty() {
        if !disabled_support {
            return None;
        }
        labels.push("advice only");
        let reason = fix.unavailable.clone().unwrap_or_else(|| advice(fix));
        (None, Some(CodeActionDisabled { reason }))
    } else {
        if fix.applicability == Applicability::Unsafe {
            labels.push("changes behaviour");
        }
        let edits = fix.edits.iter().map(|e| TextEdit { range: ranges.range(e.span), new_text: e.text.clone() });
        let changes = HashMap::from([(uri.clone(), edits.collect())]);
        (Some(WorkspaceEdit { changes: Some(changes), document_changes: None, change_annotations: None }), None)
    };
    let mut title = format!("{}: {}", finding.code, fix.title);
    if !labels.is_empty() {
        title.push_str(&format!(" ({})", labels.join(", ")));
    }
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QuickFix),
        diagnostics: Some(vec![diagnostic.clone()]),
        is_preferred: Some(fix.applicability == Applicability::Safe && edit.is_some()),
        disabled,
        edit,
        command: None,
        data: None,
        tags: None,
    })
}

/// A fix that the user applies by hand: what it is and what it costs.
fn advice(fix: &FixOut) -> String {
    std::iter::once(fix.title.as_str()).chain(fix.tradeoffs.iter().map(String::as_str)).collect::<Vec<_>>().join("; ")
}

/// The explanation of every rule with a finding at `position`, as Markdown
/// (what `gateway-doctor explain CODE` prints), and the range of the first.
pub fn hover(report: &Report, ranges: &Ranges<'_>, position: Position) -> Option<(String, Range)> {
    let at = Range { start: position, end: position };
    let mut codes: Vec<&str> = Vec::new();
    let mut first = None;
    for finding in &report.findings {
        let range = ranges.range(finding.location.span);
        if touches(range, at) && !codes.contains(&finding.code) {
            codes.push(finding.code);
            first.get_or_insert(range);
        }
    }
    let explanations: Vec<String> =
        codes.iter().filter_map(|code| gateway_doctor::find_rule(code)).map(|r| rules_doc::explain(r.meta())).collect();
    Some((explanations.join("\n---\n\n"), first?))
}
