//! Problems with the input itself, as opposed to findings about resources.

use serde::Serialize;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// The text is not valid YAML or JSON.
    Syntax,
    /// A mapping has the same key twice.
    DuplicateKey,
    /// An alias was expanded beyond the limit (a "billion laughs" document).
    AliasLimit,
    /// The input is larger, deeper or longer than a configured limit.
    Limit,
    /// A document is not a Kubernetes object (no `kind`, or not a mapping).
    NotAResource,
    /// A line of a Markdown snippet that stands for omitted content (`...`, `# ...`).
    Elision,
    /// A line indented with a character YAML does not read as indentation
    /// (a no-break space U+00A0): the document is not checked.
    Indentation,
    /// A value that is an unrendered template marker (`{{ .Values.x }}`):
    /// unknown, and not judged by the rules.
    Template,
    /// The field tables are not loaded (a browser page that has not fetched
    /// them): unknown and mistyped fields were not checked.
    SchemaUnavailable,
}

impl DiagnosticKind {
    /// The kebab-case name used in JSON, SARIF and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticKind::Syntax => "syntax",
            DiagnosticKind::DuplicateKey => "duplicate-key",
            DiagnosticKind::AliasLimit => "alias-limit",
            DiagnosticKind::Limit => "limit",
            DiagnosticKind::NotAResource => "not-a-resource",
            DiagnosticKind::Elision => "elision",
            DiagnosticKind::Indentation => "indentation",
            DiagnosticKind::Template => "template",
            DiagnosticKind::SchemaUnavailable => "schema-unavailable",
        }
    }
}

/// A problem with the input, with the position it was found at.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub severity: Severity,
    pub message: String,
    /// The document index, when the problem belongs to one document.
    pub document: Option<usize>,
    pub span: Span,
}

impl Diagnostic {
    pub fn new(
        kind: DiagnosticKind,
        severity: Severity,
        message: impl Into<String>,
        document: Option<usize>,
        span: Span,
    ) -> Self {
        Self { kind, severity, message: message.into(), document, span }
    }
}
