//! Fenced blocks indented in a list item are read de-indented: CommonMark
//! strips up to the opening fence's indentation from each content line
//! (<https://spec.commonmark.org/0.31.2/#fenced-code-blocks>), so `---`
//! separators and top-level keys stand at column 0 as the YAML reader needs.
//! Each line moves left in the stream by the spaces stripped and is padded at
//! its end by as many, so lines and the stream's length stay the Markdown
//! file's. [`Shifts`] maps stream offsets back into the file and re-indents
//! the lines a fix inserts.

use crate::patch::TextEdit;
use crate::source::Span;

/// A content line of an indented block, moved left by `by` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LineShift {
    /// The line in the Markdown file, without its line break.
    line: Span,
    by: usize,
}

/// An indented block: from its first content line to the start of its
/// closing fence (or the end of the file), and the indentation stripped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Region {
    span: Span,
    indent: usize,
}

/// Where the lines of indented blocks moved in the stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shifts {
    /// Sorted by position: blocks are found in file order.
    lines: Vec<LineShift>,
    regions: Vec<Region>,
}

impl Shifts {
    pub(super) fn push_region(&mut self, span: Span, indent: usize) {
        self.regions.push(Region { span, indent });
    }

    pub(super) fn push_line(&mut self, line: Span, by: usize) {
        if by > 0 {
            self.lines.push(LineShift { line, by });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    fn line_at(&self, offset: usize) -> Option<&LineShift> {
        let i = self.lines.partition_point(|l| l.line.end < offset);
        self.lines.get(i).filter(|l| l.line.start <= offset)
    }

    fn region_at(&self, offset: usize) -> Option<&Region> {
        let i = self.regions.partition_point(|r| r.span.end < offset);
        self.regions.get(i).filter(|r| r.span.start <= offset)
    }

    /// The Markdown offset of a stream offset: on a moved line, past the
    /// stripped indentation; in the padding at its end, the line's end.
    pub fn offset(&self, offset: usize) -> usize {
        match self.line_at(offset) {
            Some(l) if offset - l.line.start <= l.line.len() - l.by => offset + l.by,
            Some(l) => l.line.end,
            None => offset,
        }
    }

    pub fn span(&self, span: Span) -> Span {
        Span::new(self.offset(span.start), self.offset(span.end).max(self.offset(span.start)))
    }

    /// A fix's edit of the stream as an edit of the Markdown file: the lines
    /// it writes get the block's indentation back, and an edit that starts
    /// or ends at the start of a line keeps that line's own indentation.
    pub fn edit(&self, stream: &str, markdown: &str, edit: &TextEdit) -> TextEdit {
        let Some(region) = self.region_at(edit.span.start) else {
            return TextEdit { span: self.span(edit.span), text: edit.text.clone() };
        };
        let at_line_start = |o: usize| o == 0 || stream.as_bytes().get(o.wrapping_sub(1)) == Some(&b'\n');
        let (s, e, text) = (edit.span.start, edit.span.end, edit.text.as_str());
        let starts_line = at_line_start(s);
        // Whole lines out, or lines in before a line: the next line keeps its indentation.
        let keeps_next = at_line_start(e) && (text.ends_with('\n') || (text.is_empty() && starts_line));
        let start = if starts_line { s } else { self.offset(s) };
        // An edit that starts in a line's padding (after `key:` and the
        // spaces the stream moved there) keeps the spaces before it that are
        // the stream's only: written after the line's content, they separate.
        let lead = match self.line_at(s) {
            Some(l) if !starts_line => s.saturating_sub(l.line.start + l.line.len() - l.by),
            _ => 0,
        };
        let end = if keeps_next { e } else { self.offset(e) }.max(start);
        let rest_of_line = markdown.get(end..).and_then(|r| r.lines().next()).unwrap_or("");
        let pad = " ".repeat(region.indent);
        let segments: Vec<&str> = text.split('\n').collect();
        let last = segments.len() - 1;
        let mut out = " ".repeat(lead);
        out.reserve(text.len() + segments.len() * pad.len());
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let blank = segment.trim_end_matches('\r').is_empty();
            let opens_line = i > 0 || starts_line;
            let indent = if i == last {
                opens_line && !keeps_next && !(blank && rest_of_line.trim().is_empty())
            } else {
                opens_line && !blank
            };
            if indent {
                out.push_str(&pad);
            }
            // A fix of several operations is one edit that copies the stream's
            // lines between them, padding included: the padding is not the file's.
            match i < last {
                true => out.push_str(&without_padding(segment, region.indent)),
                false => out.push_str(segment),
            }
        }
        minimal(markdown, Span::new(start, end), out)
    }
}

/// `line` without up to `most` spaces before its end (and its `\r`).
fn without_padding(line: &str, most: usize) -> String {
    let (body, cr) = line.strip_suffix('\r').map_or((line, ""), |b| (b, "\r"));
    let trimmed = body.trim_end_matches(' ');
    let keep = trimmed.len() + (body.len() - trimmed.len()).saturating_sub(most);
    format!("{}{cr}", &body[..keep])
}

/// The edit of `span` to `text`, without the bytes it leaves as they are.
fn minimal(markdown: &str, span: Span, text: String) -> TextEdit {
    let old = markdown.get(span.start..span.end).unwrap_or_default();
    let prefix = old.bytes().zip(text.bytes()).take_while(|(a, b)| a == b).count();
    let (old_rest, new_rest) = (&old.as_bytes()[prefix..], &text.as_bytes()[prefix..]);
    let suffix = old_rest.iter().rev().zip(new_rest.iter().rev()).take_while(|(a, b)| a == b).count();
    // Whole characters only: back off to a boundary on both sides.
    let (mut prefix, mut suffix) = (prefix, suffix);
    while !(old.is_char_boundary(prefix) && text.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    while !(old.is_char_boundary(old.len() - suffix) && text.is_char_boundary(text.len() - suffix)) {
        suffix -= 1;
    }
    TextEdit {
        span: Span::new(span.start + prefix, span.end - suffix),
        text: text[prefix..text.len() - suffix].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKDOWN: &str = "- item\n  ```yaml\n  a:\n    b: 1\n  c: 2\n  ```\n";

    fn extracted() -> (String, Shifts) {
        let extracted = super::super::extract(MARKDOWN, &crate::yaml::Limits::default());
        (extracted.stream, extracted.shifts)
    }

    fn apply(edit: &TextEdit) -> String {
        let mut out = MARKDOWN.to_owned();
        out.replace_range(edit.span.start..edit.span.end, &edit.text);
        out
    }

    #[test]
    fn offsets_move_past_the_stripped_indentation() {
        let (stream, shifts) = extracted();
        let b = stream.find("b: 1").unwrap();
        assert_eq!(&MARKDOWN[shifts.offset(b)..shifts.offset(b) + 4], "b: 1");
        let padding = stream.find("c: 2").unwrap() + 5;
        assert_eq!(shifts.offset(padding), MARKDOWN.find("c: 2").unwrap() + 4, "padding maps to the line end");
        assert_eq!(shifts.offset(3), 3, "outside the block nothing moves");
    }

    #[test]
    fn inserted_lines_get_the_block_indentation() {
        let (stream, shifts) = extracted();
        // A key added after `b: 1`, at the start of the next line.
        let at = stream.find("c: 2").unwrap();
        let edit = shifts.edit(&stream, MARKDOWN, &TextEdit { span: Span::empty(at), text: "  d: 3\n".into() });
        assert_eq!(apply(&edit), "- item\n  ```yaml\n  a:\n    b: 1\n    d: 3\n  c: 2\n  ```\n");
        // A value rewritten as a block after its colon.
        let at = stream.find(": 2").unwrap() + 1;
        let edit =
            shifts.edit(&stream, MARKDOWN, &TextEdit { span: Span::new(at, at + 2), text: "\n  e: 4\n  f: 5".into() });
        assert_eq!(apply(&edit), "- item\n  ```yaml\n  a:\n    b: 1\n  c:\n    e: 4\n    f: 5\n  ```\n");
        // Before the closing fence.
        let at = stream.find("...").unwrap();
        let edit = shifts.edit(&stream, MARKDOWN, &TextEdit { span: Span::empty(at), text: "g: 6\n".into() });
        assert_eq!(apply(&edit), "- item\n  ```yaml\n  a:\n    b: 1\n  c: 2\n  g: 6\n  ```\n");
    }

    #[test]
    fn removed_lines_take_their_indentation_with_them() {
        let (stream, shifts) = extracted();
        let start = stream.find("  b: 1").unwrap();
        let end = stream.find("c: 2").unwrap();
        let edit = shifts.edit(&stream, MARKDOWN, &TextEdit { span: Span::new(start, end), text: String::new() });
        assert_eq!(apply(&edit), "- item\n  ```yaml\n  a:\n  c: 2\n  ```\n");
        // A value replaced in the middle of a line.
        let at = stream.find('1').unwrap();
        let edit = shifts.edit(&stream, MARKDOWN, &TextEdit { span: Span::new(at, at + 1), text: "9".into() });
        assert_eq!(apply(&edit), MARKDOWN.replace("b: 1", "b: 9"));
    }
}
