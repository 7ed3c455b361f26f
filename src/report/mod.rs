//! The report contract (README.md#json-report, docs/architecture.md#the-json-report)
//! and its renderers.

pub mod json;
pub mod policyreport;
pub mod rules_doc;
pub mod sarif;
pub mod text;

use std::cmp::Reverse;
use std::collections::HashMap;

use serde::Serialize;

use crate::diagnostic::{DiagnosticKind, Severity};
use crate::model::GatewayReason;
use crate::patch::{Op, TextEdit};
use crate::rule::{Applicability, Lang, NoteKind};
use crate::source::{Position, Span};

pub const REPORT_VERSION: u32 = 2;

/// Serialised in the shape of `json.rs` (version 2, with `fixCatalogue`).
#[derive(Clone, Debug)]
pub struct Report {
    pub version: u32,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<InputDiagnostic>,
    /// Every object checked, and whether it was taken for a gateway Service.
    pub resources: Vec<ResourceInfo>,
    pub summary: Summary,
}

/// A finding; `json.rs` writes it with its fixes' descriptions in the catalogue.
#[derive(Clone, Debug)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub resource: ResourceRef,
    pub location: Location,
    pub label: Option<String>,
    /// What the severity assumes about the cluster, and other context.
    pub notes: Vec<Note>,
    pub fixes: Vec<FixOut>,
    pub related: Vec<RelatedLocation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub document: usize,
    /// Where the object sits in its document (`/items/2` inside a List).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Where a finding, a related location or an input diagnostic is: one
/// shape for all three. `D` is the document index, always known for a
/// finding; an input diagnostic (`Location<Option<usize>>`) may be about the
/// whole input or about text outside every document, and has no `path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(bound(serialize = "D: DocumentIndex"))]
pub struct Location<D = usize> {
    #[serde(skip_serializing_if = "DocumentIndex::is_absent")]
    pub document: D,
    /// JSON Pointer from the document root; left out when empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    pub span: Span,
    pub start: Position,
    pub end: Position,
}

/// A location's document index: `usize`, or `Option<usize>` where there may be none.
pub trait DocumentIndex: Serialize {
    fn is_absent(&self) -> bool;
}

impl DocumentIndex for usize {
    fn is_absent(&self) -> bool {
        false
    }
}

impl DocumentIndex for Option<usize> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RelatedLocation {
    pub message: String,
    pub location: Location,
}

/// A note under a finding: serialised as its text, which starts with its
/// kind's lead word (`assumed: ...`) unless it is a plain note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

impl Note {
    /// The note as the report shows it, in `lang`.
    pub fn of(note: crate::rule::Note, lang: Lang) -> Self {
        let lead = note.kind.lead(lang);
        let text = if lead.is_empty() { note.text } else { format!("{lead}{}", note.text) };
        Note { kind: note.kind, text }
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A fix of one finding. The JSON report writes `id`, `recommended`, `patch`,
/// `edits` and `unavailable` in the finding, and the description (`title`,
/// `applicability`, `tradeoffs`, `introduces`) once in `fixCatalogue`.
#[derive(Clone, Debug)]
pub struct FixOut {
    pub id: &'static str,
    pub title: String,
    pub applicability: Applicability,
    pub recommended: bool,
    pub tradeoffs: Vec<String>,
    /// Rule codes of warnings or infos the fixed manifest may newly carry.
    pub introduces: Vec<&'static str>,
    /// `introduces` is measured by the engine (`Fix::reveals`), not declared.
    pub reveals: bool,
    /// RFC 6902, against the resource.
    pub patch: Vec<Op>,
    /// The same change as edits of the input text.
    pub edits: Vec<TextEdit>,
    /// Why the patch could not be written as text edits, when it could not.
    pub unavailable: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InputDiagnostic {
    pub kind: DiagnosticKind,
    pub severity: Severity,
    pub message: String,
    /// The same shape as a finding's, without `path`.
    pub location: Location<Option<usize>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceInfo {
    #[serde(flatten)]
    pub resource: ResourceRef,
    /// Why it was taken for a gateway Service (or IstioGateway); absent if not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewayReason>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub documents: usize,
    pub resources: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    /// Findings silenced by a `gateway-doctor.io/ignore` annotation.
    pub suppressed: usize,
}

impl Report {
    /// The highest severity among the findings and input errors.
    pub fn max_severity(&self) -> Option<Severity> {
        let findings = self.findings.iter().map(|f| f.severity);
        let inputs = self.diagnostics.iter().map(|d| d.severity);
        findings.chain(inputs).max()
    }

    pub fn has_input_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// The one order of findings in every output (README.md#json-report): by
/// document, then position, then severity (error first), then code.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by_key(|f| (f.location.document, f.location.span.start, Reverse(f.severity), f.code));
}

/// Findings of `after` that `before` does not have, matched by (code,
/// document, path): a finding that moves, or grows more severe than every
/// finding it could match, counts as new; one that keeps or lowers its
/// severity (a warning that a fix turns into an info) does not. A fix must
/// declare these (`FixOut::introduces`).
pub fn new_findings<'a>(before: &Report, after: &'a Report) -> Vec<&'a Finding> {
    let key = |f: &Finding| (f.code, f.location.document, f.location.path.clone());
    let mut old: HashMap<_, Vec<Severity>> = HashMap::new();
    for f in &before.findings {
        old.entry(key(f)).or_default().push(f.severity);
    }
    for severities in old.values_mut() {
        severities.sort_unstable();
    }
    after
        .findings
        .iter()
        .filter(|f| {
            let Some(severities) = old.get_mut(&key(f)) else { return true };
            // Consume the least severe old finding that is at least as severe.
            match severities.iter().position(|s| *s >= f.severity) {
                Some(i) => {
                    severities.remove(i);
                    false
                }
                None => true,
            }
        })
        .collect()
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::engine::{check, Options};
    use crate::rules::test_support::FOUNDING;

    fn order(findings: &[Finding]) -> Vec<(usize, usize, Severity, &'static str)> {
        findings.iter().map(|f| (f.location.document, f.location.span.start, f.severity, f.code)).collect()
    }

    /// At one position a warning comes before an info, whatever the codes:
    /// ASM-LB-001 before ASM-HA-011 on the founding gateway (issue 15).
    #[test]
    fn at_one_position_the_more_severe_finding_comes_first() {
        let report = check(FOUNDING, &Options::default());
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
        let at = |code: &str| codes.iter().position(|c| *c == code).unwrap();
        assert!(at("ASM-LB-001") < at("ASM-HA-011"), "{codes:?}");
        let lb = &report.findings[at("ASM-LB-001")];
        let ha = &report.findings[at("ASM-HA-011")];
        assert_eq!(lb.location.span.start, ha.location.span.start);
    }

    fn keys(value: &serde_json::Value) -> Vec<&str> {
        value.as_object().unwrap().keys().map(String::as_str).collect()
    }

    /// A diagnostic's `location` is a finding's, less the `path` it does not have.
    #[test]
    fn a_diagnostic_location_has_the_shape_of_a_findings() {
        let text = format!("{FOUNDING}  serviceType: LoadBalancer\n");
        let report = serde_json::to_value(check(&text, &Options::default())).unwrap();
        let finding = &report["findings"][0]["location"];
        let diagnostic = &report["diagnostics"][0];
        assert_eq!(diagnostic["kind"], "duplicate-key", "{diagnostic}");
        let location = &diagnostic["location"];
        assert_eq!(keys(finding), ["document", "path", "span", "start", "end"]);
        assert_eq!(keys(location), ["document", "span", "start", "end"]);
        for key in ["span", "start", "end"] {
            assert_eq!(keys(&finding[key]), keys(&location[key]), "{key}");
        }
        assert_eq!(location["start"], serde_json::json!({"line": 9, "column": 3}));
        for gone in ["document", "span", "start", "end"] {
            assert!(diagnostic.get(gone).is_none(), "{gone} is under location now");
        }
        // Outside every document: no `document`.
        let whole = serde_json::to_value(check(
            &"x".repeat(11),
            &Options {
                limits: crate::yaml::Limits { max_input_bytes: 10, ..Default::default() },
                ..Options::default()
            },
        ))
        .unwrap();
        assert_eq!(keys(&whole["diagnostics"][0]["location"]), ["span", "start", "end"]);
    }

    /// Document, then position, then error before warning before info, then code.
    #[test]
    fn findings_sort_by_document_position_severity_then_code() {
        let report = check(FOUNDING, &Options::default());
        let template = report.findings[0].clone();
        let finding = |document, start, severity, code| {
            let mut f = template.clone();
            f.location.document = document;
            f.location.span = Span::new(start, start + 1);
            f.severity = severity;
            f.code = code;
            f
        };
        let mut findings = vec![
            finding(1, 0, Severity::Error, "ASM-A-001"),
            finding(0, 9, Severity::Info, "ASM-A-001"),
            finding(0, 5, Severity::Info, "ASM-A-001"),
            finding(0, 5, Severity::Warning, "ASM-Z-009"),
            finding(0, 5, Severity::Error, "ASM-Z-009"),
            finding(0, 5, Severity::Warning, "ASM-B-002"),
        ];
        sort_findings(&mut findings);
        assert_eq!(
            order(&findings),
            [
                (0, 5, Severity::Error, "ASM-Z-009"),
                (0, 5, Severity::Warning, "ASM-B-002"),
                (0, 5, Severity::Warning, "ASM-Z-009"),
                (0, 5, Severity::Info, "ASM-A-001"),
                (0, 9, Severity::Info, "ASM-A-001"),
                (1, 0, Severity::Error, "ASM-A-001"),
            ]
        );
    }
}
