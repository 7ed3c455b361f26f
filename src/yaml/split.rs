//! Cuts a YAML stream into documents at `---` and `...` lines.
//!
//! A document marker at column 0 ends any scalar or collection in YAML 1.2, so
//! cutting the text there is exact; parsing each piece on its own lets a syntax
//! error in one document leave the others checkable.

/// A byte range of the stream holding at most one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
}

pub fn split_documents(text: &str) -> Vec<Chunk> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut chunk_start = 0;
    let mut line_start = 0;
    // Whether the current chunk already holds a `---` or any content.
    let mut started = false;
    while line_start < bytes.len() {
        // `str::find` of a char is core's vectorised memchr.
        let rest = text.get(line_start..).unwrap_or_default();
        let line_end = rest.find('\n').map_or(bytes.len(), |i| line_start + i + 1);
        let line = bytes.get(line_start..line_end).unwrap_or_default();
        if is_marker(line, b"---") {
            if started && line_start > chunk_start {
                chunks.push(Chunk { start: chunk_start, end: line_start });
                chunk_start = line_start;
            }
            started = true;
        } else if is_marker(line, b"...") {
            chunks.push(Chunk { start: chunk_start, end: line_end });
            chunk_start = line_end;
            started = false;
        } else if !started && has_content(line) {
            started = true;
        }
        line_start = line_end;
    }
    if chunk_start < bytes.len() || chunks.is_empty() {
        chunks.push(Chunk { start: chunk_start, end: bytes.len() });
    }
    chunks
}

fn is_marker(line: &[u8], marker: &[u8]) -> bool {
    line.starts_with(marker) && line.get(3).is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Anything but blank lines, comments and directives.
fn has_content(line: &[u8]) -> bool {
    let trimmed = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    match trimmed {
        None => false,
        Some(i) => line.get(i) != Some(&b'#') && !(i == 0 && line.first() == Some(&b'%')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        split_documents(text).iter().map(|c| &text[c.start..c.end]).collect()
    }

    #[test]
    fn splits_at_markers_keeping_leading_comments() {
        assert_eq!(pieces("# c\n---\na: 1\n---\nb: 2\n"), ["# c\n---\na: 1\n", "---\nb: 2\n"]);
        assert_eq!(pieces("a: 1\n...\n---\nb: 2\n"), ["a: 1\n...\n", "---\nb: 2\n"]);
        assert_eq!(pieces("a: 1\n---\n---\n"), ["a: 1\n", "---\n", "---\n"]);
        assert_eq!(pieces(""), [""]);
        assert_eq!(pieces("a: '---'\nb: ---x\n"), ["a: '---'\nb: ---x\n"]);
    }
}
