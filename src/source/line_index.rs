use serde::Serialize;

/// How columns are counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColumnUnit {
    /// Unicode scalar values, as rustc and terminals count them.
    #[default]
    Char,
    /// UTF-16 code units, as JavaScript and LSP editors count them.
    Utf16,
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The byte offset of the start of every line.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(line_breaks(text.as_bytes()));
        Self { line_starts }
    }

    /// The 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte range of a 0-based line without its line break.
    pub fn line_span(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.line_start(line);
        let mut end = self.line_starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end)
    }

    pub fn position(&self, text: &str, offset: usize, unit: ColumnUnit) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let prefix = &text[start..offset];
        let column = match unit {
            ColumnUnit::Char => prefix.chars().count(),
            ColumnUnit::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        };
        Position { line: line + 1, column: column + 1 }
    }
}

/// Where each line after a break starts. YAML breaks lines at `\n`, `\r\n`
/// and a lone `\r` (old Mac files), so all three count.
fn line_breaks(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter_map(|(i, b)| match b {
        b'\n' => Some(i + 1),
        b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
        _ => None,
    })
}

/// The offset just after the first line break at or after `from`.
pub fn next_line_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let i = from + bytes.get(from..)?.iter().position(|b| matches!(b, b'\n' | b'\r'))?;
    Some(if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 })
}

/// The start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset].iter().rposition(|b| matches!(b, b'\n' | b'\r')).map_or(0, |i| i + 1)
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_utf16() {
        let text = "a: 1\n# 注释 😀\nb: x\n";
        let index = LineIndex::new(text);
        let b = text.find("b:").unwrap();
        assert_eq!(index.position(text, b, ColumnUnit::Char), Position { line: 3, column: 1 });
        let smile = text.find('😀').unwrap();
        assert_eq!(index.position(text, smile + 4, ColumnUnit::Char).column, 7);
        assert_eq!(index.position(text, smile + 4, ColumnUnit::Utf16).column, 8);
    }

    #[test]
    fn a_lone_carriage_return_breaks_lines() {
        let text = "a: 1\rb: 2\r\nc: 3";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.position(text, text.find('c').unwrap(), ColumnUnit::Char), Position { line: 3, column: 1 });
        assert_eq!(next_line_start(text, 0), Some(5));
        assert_eq!(next_line_start(text, 5), Some(11));
        assert_eq!(line_start(text, 7), 5);
    }

    #[test]
    fn crlf_lines_exclude_the_break() {
        let text = "a: 1\r\nb: 2\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_span(text, 0), (0, 4));
        assert_eq!(index.position(text, 6, ColumnUnit::Char), Position { line: 2, column: 1 });
    }
}
