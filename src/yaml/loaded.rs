//! What a loader returns, and the input problems both loaders (YAML and
//! JSON) report in the same words.

use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::source::Span;

use super::node::Node;
use super::Limits;

/// One document of a stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub index: usize,
    /// The bytes of the stream this document was parsed from.
    pub span: Span,
    /// `None` for an empty document or one that failed to parse.
    pub root: Option<Node>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Loaded {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A collection opened deeper than `limits.max_depth`, at `span`.
pub(super) fn depth_error(limits: &Limits, span: Span) -> (DiagnosticKind, String, Span) {
    (
        DiagnosticKind::Limit,
        format!("nesting deeper than {} levels; the document was not checked", limits.max_depth),
        span,
    )
}

/// A scalar whose content (after unescaping) is `len` bytes, over the limit.
pub(super) fn scalar_limit_error(limits: &Limits, len: usize, span: Span) -> (DiagnosticKind, String, Span) {
    (
        DiagnosticKind::Limit,
        format!("a scalar of {} bytes is over the limit of {} bytes", len, limits.max_scalar_bytes),
        span,
    )
}

/// The key `name` at `span` repeats an earlier key of its mapping.
pub(super) fn duplicate_key(name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::DuplicateKey,
        Severity::Warning,
        format!("duplicate key `{name}`: Kubernetes keeps the last value and ignores the earlier one"),
        None,
        span,
    )
}

/// The stream goes on past `limits.max_documents`, from `from` to `end`.
pub(super) fn too_many_documents(limits: &Limits, from: usize, end: usize) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::Limit,
        Severity::Error,
        format!("the stream has more than {} documents; the rest were not checked", limits.max_documents),
        None,
        Span::new(from, end),
    )
}

/// The input is longer than `limits.max_input_bytes`; the span marks where it crosses the limit.
pub fn input_too_large(text: &str, limits: &Limits) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::Limit,
        Severity::Error,
        format!(
            "the input is {} bytes, over the limit of {} bytes; nothing was checked",
            text.len(),
            limits.max_input_bytes
        ),
        None,
        Span::empty(crate::source::floor_char_boundary(text, limits.max_input_bytes)),
    )
}
