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
    // By first edit, then by index: the order of groups that start together.
    let mut order: Vec<(usize, usize)> = groups
        .iter()
        .enumerate()
        .map(|(g, edits)| (edits.iter().map(|e| e.span.start).min().unwrap_or(usize::MAX), g))
        .collect();
    order.sort_unstable();
    // Taken edits sorted by position: they never clash with each other, so
    // only the ones around a new edit can clash with it. Groups come in
    // order of position, so insertions are mostly at the end.
    let mut taken: Vec<&TextEdit> = Vec::new();
    let mut applied = vec![false; groups.len()];
    for (_, g) in order {
        let Some(group) = groups.get(g).filter(|group| !group.is_empty()) else { continue };
        let clashes = group.iter().any(|e| clashes_with_taken(&taken, e))
            || group.iter().enumerate().any(|(i, a)| group.iter().skip(i + 1).any(|b| clash(a, b)));
        if clashes {
            continue;
        }
        for edit in group {
            let at = position(&taken, key(edit));
            taken.insert(at, edit);
        }
        if let Some(slot) = applied.get_mut(g) {
            *slot = true;
        }
    }
    (splice(text, &taken), applied)
}

fn key(edit: &TextEdit) -> (usize, usize) {
    (edit.span.start, edit.span.end)
}

/// The index of the first taken edit that does not sort before `at`.
fn position(taken: &[&TextEdit], at: (usize, usize)) -> usize {
    taken.partition_point(|t| key(t) < at)
}

/// Whether `edit` clashes with an edit already taken (sorted by position):
/// only the last one starting before it and those starting inside it can.
fn clashes_with_taken(taken: &[&TextEdit], edit: &TextEdit) -> bool {
    let from = position(taken, (edit.span.start, edit.span.start));
    let before = from.checked_sub(1).and_then(|i| taken.get(i));
    let inside = taken.get(from..).unwrap_or_default().iter().take_while(|t| t.span.start <= edit.span.end);
    before.into_iter().chain(inside).any(|t| clash(edit, t))
}

/// Two edits clash when they overlap, or when one inserts at the other's
/// start or end: two insertions at one point have no order, and an insertion
/// next to a replacement may repeat what the replacement writes there (two
/// fixes adding the same key).
fn clash(a: &TextEdit, b: &TextEdit) -> bool {
    let touches = |x: Span, y: Span| x.is_empty() && (x.start == y.start || x.start == y.end);
    a.span.overlaps(b.span) || touches(a.span, b.span) || touches(b.span, a.span)
}

/// Applies sorted, non-overlapping edits; an edit that does not fit the
/// text (out of range, inside a character, before the previous one) is left
/// out rather than panicking.
pub fn splice(text: &str, edits: &[&TextEdit]) -> String {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in edits {
        let Some(before) = text.get(at..edit.span.start) else { continue };
        if edit.span.end < edit.span.start || !text.is_char_boundary(edit.span.end) {
            continue;
        }
        out.push_str(before);
        out.push_str(&edit.text);
        at = edit.span.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> TextEdit {
        TextEdit { span: Span::new(start, end), text: text.into() }
    }

    #[test]
    fn overlapping_groups_are_skipped_whole() {
        let text = "0123456789";
        let groups = vec![
            vec![edit(2, 4, "ab")],
            vec![edit(3, 5, "X"), edit(8, 9, "Y")],
            vec![edit(4, 4, "+")],
            vec![edit(4, 4, "-")],
            vec![edit(0, 1, "z"), edit(9, 10, "w")],
            vec![edit(6, 6, "!")],
            vec![edit(6, 7, "6")],
        ];
        let (out, applied) = apply_groups(text, &groups);
        // An insertion at a replacement's edge waits, like two at one point.
        assert_eq!(applied, [true, false, false, false, true, true, false]);
        assert_eq!(out, "z1ab45!678w");
    }

    #[test]
    fn splice_skips_edits_that_do_not_fit() {
        let text = "a中b";
        assert_eq!(splice(text, &[&edit(2, 3, "x")]), text);
        assert_eq!(splice(text, &[&edit(0, 1, "x"), &edit(0, 1, "y")]), "x中b");
        assert_eq!(splice(text, &[&edit(4, 9, "x")]), text);
    }
}
