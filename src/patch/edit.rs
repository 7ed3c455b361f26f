//! Text edits and applying them.

use serde::Serialize;

use crate::source::Span;

/// Replace the bytes of `span` with `text` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub span: Span,
    pub text: String,
}

/// Applies edit groups in order of position; a group that overlaps one
/// already taken is skipped whole. Returns the new text and, per group,
/// whether it was applied.
pub fn apply_groups(text: &str, groups: &[Vec<TextEdit>]) -> (String, Vec<bool>) {
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| groups[g].iter().map(|e| e.span.start).min().unwrap_or(usize::MAX));
    let mut taken: Vec<&TextEdit> = Vec::new();
    let mut applied = vec![false; groups.len()];
    for g in order {
        let group = &groups[g];
        if group.is_empty() {
            continue;
        }
        let clashes = group.iter().any(|e| taken.iter().any(|t| clash(e, t)))
            || group.iter().enumerate().any(|(i, a)| group[i + 1..].iter().any(|b| clash(a, b)));
        if clashes {
            continue;
        }
        taken.extend(group.iter());
        applied[g] = true;
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    (splice(text, &taken), applied)
}

/// Two edits clash when they overlap, or insert at the same point (their
/// order would be arbitrary).
fn clash(a: &TextEdit, b: &TextEdit) -> bool {
    a.span.overlaps(b.span) || (a.span.is_empty() && b.span.is_empty() && a.span.start == b.span.start)
}

/// Applies sorted, non-overlapping edits.
pub fn splice(text: &str, edits: &[&TextEdit]) -> String {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.text);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    out
}
