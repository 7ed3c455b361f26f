//! Indentation that YAML does not read as indentation. A no-break space
//! (U+00A0, common in text copied from web pages) or another Unicode space
//! before a key looks like nesting to a reader, but YAML indents with ASCII
//! spaces only (YAML 1.2.2, 6.1 "Indentation Spaces":
//! <https://yaml.org/spec/1.2.2/#61-indentation-spaces>): the line reads as a
//! key at another level whose name starts with that space. Such a document
//! is said to be unreadable with the line, and not checked; it is not
//! repaired behind the author's back.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::rule::Lang;
use crate::source::{LineIndex, Span};
use crate::yaml::Document;

/// A Unicode space that YAML does not count as indentation, and its name.
fn foreign_space(c: char) -> Option<&'static str> {
    match c {
        '\u{a0}' => Some("no-break space"),
        '\u{3000}' => Some("ideographic space"),
        '\u{200b}' => Some("zero-width space"),
        '\u{feff}' => Some("zero-width no-break space"),
        '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{1680}' => Some("Unicode space"),
        _ => None,
    }
}

/// The first foreign space in the indentation of a line that holds content
/// (not a comment): its span and its character.
fn foreign_indentation(line: &str, at: usize) -> Option<(Span, char)> {
    let mut first = None;
    for (i, c) in line.char_indices() {
        match (c, foreign_space(c)) {
            (' ' | '\t', _) => {}
            (_, Some(_)) => {
                first = first.or(Some((Span::new(at + i, at + i + c.len_utf8()), c)));
            }
            ('#', None) => return None,
            (_, None) => return first,
        }
    }
    None
}

/// Takes every document whose lines are indented with foreign spaces out of
/// the check (its root becomes `None`) and says why, with the line; a
/// document that did not parse gets the reason next to its syntax error.
pub fn unreadable_documents(text: &str, lines: &LineIndex, documents: &mut [Document], lang: Lang) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in documents.iter_mut() {
        let Some(piece) = text.get(doc.span.start..doc.span.end) else { continue };
        let mut found = Vec::new();
        let mut at = doc.span.start;
        for line in piece.split_inclusive('\n') {
            found.extend(foreign_indentation(line, at));
            at += line.len();
        }
        let Some(&(span, c)) = found.first() else { continue };
        let name = foreign_space(c).unwrap_or("Unicode space");
        let line = lines.line_of(span.start) + 1;
        let code = format!("U+{:04X}", u32::from(c));
        let more = found.len() - 1;
        let more = match more {
            0 => String::new(),
            n => lang.t(format_args!(" (and {n} more line(s))"), format_args!("（另有 {n} 行）")),
        };
        let index = doc.index;
        let message = lang.t(
            format_args!("{name} {code} used as indentation at line {line}{more}: YAML indents with ASCII spaces only, so the line does not nest as it appears to; document {index} was not checked"),
            format_args!("第 {line} 行用 {code}（{name}）缩进{more}：YAML 只把 ASCII 空格当作缩进，该行的层级与看上去不同；文档 {index} 未检查"),
        );
        out.push(Diagnostic::new(DiagnosticKind::Indentation, Severity::Error, message, Some(doc.index), span));
        doc.root = None;
    }
    out
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::yaml::{self, Limits};

    fn diagnostics(text: &str) -> (Vec<Diagnostic>, Vec<Document>) {
        let mut loaded = yaml::load(text, &Limits::default());
        let found = unreadable_documents(text, &LineIndex::new(text), &mut loaded.documents, Lang::En);
        (found, loaded.documents)
    }

    #[test]
    fn a_no_break_space_indentation_is_named_with_its_line_and_the_document_is_not_checked() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nspec:\n\u{a0}\u{a0}type: LoadBalancer\n\u{a0}\u{a0}externalTrafficPolicy: Local\n";
        let (found, documents) = diagnostics(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "no-break space U+00A0 used as indentation at line 8 (and 1 more line(s)): YAML indents with ASCII spaces only, so the line does not nest as it appears to; document 1 was not checked");
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(&text[found[0].span.start..found[0].span.end], "\u{a0}");
        assert!(documents[0].root.is_some() && documents[1].root.is_none());
    }

    #[test]
    fn ideographic_spaces_count_and_comments_and_text_after_content_do_not() {
        let (found, _) = diagnostics("kind: Service\nspec:\n \u{3000}type: LoadBalancer\n");
        assert!(found[0].message.starts_with("ideographic space U+3000 used as indentation at line 3:"), "{found:?}");
        for clean in ["kind: Service\n\u{a0}# a comment\nspec: {type: \u{a0}x}\n", "kind: Service\nname: a\u{a0}b\n"] {
            assert!(diagnostics(clean).0.is_empty(), "{clean:?}");
        }
    }
}
