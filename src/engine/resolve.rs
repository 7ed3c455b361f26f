//! Drafts into findings: locations resolved to spans, fixes lowered to
//! text edits against the input.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

use std::cell::OnceCell;

use crate::model::Resource;
use crate::patch::{DocumentStyle, Lowering};
use crate::report::{Finding, FixOut, Location, Note, RelatedLocation};
use crate::rule::{Applicability, Draft, Lang, Remedy};
use crate::source::{ColumnUnit, LineIndex, Span};
use crate::yaml::{pointer, Document, Value};

use super::resource_ref;

pub(super) struct Resolver<'a> {
    pub(super) text: &'a str,
    pub(super) documents: &'a [Document],
    pub(super) resources: &'a [Resource<'a>],
    pub(super) lines: &'a LineIndex,
    pub(super) columns: ColumnUnit,
    /// The language notes' lead words are written in.
    pub(super) lang: Lang,
    /// Each document's style, found when a fix first needs it.
    pub(super) styles: Vec<OnceCell<DocumentStyle>>,
}

impl Resolver<'_> {
    pub(super) fn finding(&self, draft: Draft) -> Option<Finding> {
        let resource = self.resources.get(draft.resource)?;
        let location = self.location(resource, &draft.path, draft.on_key);
        let document = self.documents.get(resource.document)?;
        let fixes = draft.remedies.into_iter().map(|remedy| self.lower(resource, document, remedy)).collect();
        let related = draft
            .related
            .into_iter()
            .filter_map(|r| {
                let location = self.location(self.resources.get(r.resource)?, &r.path, false);
                Some(RelatedLocation { message: r.message, location })
            })
            .collect();
        Some(Finding {
            code: draft.rule.code,
            name: draft.rule.name,
            severity: draft.severity,
            message: draft.message,
            resource: resource_ref(resource),
            location,
            label: draft.label,
            notes: draft.notes.into_iter().map(|note| Note::of(note, self.lang)).collect(),
            fixes,
            related,
        })
    }

    /// A fix as edits of the input (or why it cannot be written so); advice
    /// as a display-only entry with no patch.
    fn lower(&self, resource: &Resource<'_>, document: &Document, remedy: Remedy) -> FixOut {
        let fix = match remedy {
            Remedy::Fix(fix) => fix,
            Remedy::Advice(advice) => {
                return FixOut {
                    id: advice.id.as_str(),
                    title: advice.title,
                    applicability: Applicability::DisplayOnly,
                    recommended: advice.recommended,
                    tradeoffs: advice.tradeoffs,
                    introduces: Vec::new(),
                    reveals: false,
                    patch: Vec::new(),
                    edits: Vec::new(),
                    unavailable: None,
                }
            }
        };
        // Valid RFC 6902 against the resource: missing parents are created by the patch itself.
        let patch = crate::patch::normalize(resource.node, &fix.ops);
        let mut ops = patch.clone();
        ops.iter_mut().for_each(|op| op.rebase(&resource.base));
        let lowered = match &document.root {
            Some(root) => {
                let style = self
                    .styles
                    .get(resource.document)
                    .map(|cell| *cell.get_or_init(|| DocumentStyle::of(self.text, root, document.span)));
                let style = style.unwrap_or_else(|| DocumentStyle::of(self.text, root, document.span));
                Lowering::with_style(self.text, root, document.span, style).lower(&ops)
            }
            None => Err(crate::patch::LowerError("the document did not parse".into())),
        };
        let (edits, unavailable) = match lowered {
            Ok(edits) => (edits, None),
            Err(e) => (Vec::new(), Some(e.0)),
        };
        FixOut {
            id: fix.id.as_str(),
            title: fix.title,
            applicability: fix.applicability,
            recommended: fix.recommended,
            tradeoffs: fix.tradeoffs,
            introduces: fix.introduces,
            reveals: fix.reveals,
            patch,
            edits,
            unavailable,
        }
    }

    /// The span of `path`, or of its nearest existing ancestor. A collection
    /// is pointed at by its key, so the caret stays on one line.
    fn location(&self, resource: &Resource<'_>, path: &str, on_key: bool) -> Location {
        let full = resource.document_path(path);
        let span = self.span_of(resource, path, on_key);
        Location {
            document: resource.document,
            start: self.lines.position(self.text, span.start, self.columns),
            end: self.lines.position(self.text, span.end, self.columns),
            path: full,
            span,
        }
    }

    fn span_of(&self, resource: &Resource<'_>, path: &str, on_key: bool) -> Span {
        let mut node = resource.node;
        let mut key_span = None;
        for token in pointer::tokens(path) {
            let entry = node.as_mapping().and_then(|m| m.entry(&token));
            match (entry, node.child(&token)) {
                (Some(entry), _) => {
                    key_span = Some(entry.key.span);
                    node = &entry.value;
                }
                (None, Some(child)) => {
                    key_span = None;
                    node = child;
                }
                (None, None) => break,
            }
        }
        let first_line = |span: Span| {
            let end = self.text[span.start..span.end].find('\n').map_or(span.end, |i| span.start + i);
            Span::new(span.start, end.max(span.start))
        };
        match (&node.value, key_span) {
            (_, Some(key)) if on_key => key,
            (Value::Scalar(_), _) if !node.span.is_empty() => first_line(node.span),
            (_, Some(key)) => key,
            _ => first_line(node.span),
        }
    }
}
