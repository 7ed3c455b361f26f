//! A JSON reader that builds the tree the YAML loader builds for the same
//! text: strings are double-quoted scalars whose span holds the quotes,
//! numbers, `true`, `false` and `null` are plain scalars as written, objects
//! and arrays are flow collections from bracket to bracket, and the whole
//! text is document 0. Hosts that only ever receive JSON (an AdmissionReview)
//! read it with this and leave the YAML parser out of their build.
//!
//! The reader keeps its open collections on a heap stack, so nesting is
//! bounded by `Limits::max_depth`, never by the call stack.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::source::{ColumnUnit, LineIndex, Span};

use super::loaded::{depth_error, duplicate_key, scalar_limit_error, too_many_documents, Document, Loaded};
use super::node::{Entry, Mapping, Node, Scalar, ScalarStyle, Sequence, Value};
use super::Limits;

/// Reads `text` as one JSON value. A syntax error is a `Syntax` diagnostic
/// at the byte where the text stops being JSON; the document is then kept,
/// with no root, as the YAML loader keeps a document it could not read.
pub fn load_json(text: &str, limits: &Limits) -> Loaded {
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut loaded = Loaded::default();
    if limits.max_documents == 0 {
        loaded.diagnostics.push(too_many_documents(limits, bom, text.len()));
        return loaded;
    }
    let mut reader = Reader { text, at: bom, limits, duplicates: Vec::new() };
    let root = reader.document();
    loaded.diagnostics.extend(reader.duplicates.into_iter().map(|d| Diagnostic { document: Some(0), ..d }));
    let root = match root {
        Ok(root) => Some(root),
        Err((kind, message, span)) => {
            loaded.diagnostics.push(Diagnostic::new(kind, Severity::Error, message, Some(0), span));
            None
        }
    };
    loaded.documents.push(Document { index: 0, span: Span::new(bom, text.len()), root });
    loaded
}

/// Reads `bytes` as one JSON value, for hosts that receive JSON requests
/// (waPC payloads, OPA inputs): through this reader, so that their builds
/// carry no second JSON parser. The error is the first problem, placed by
/// line and column. A duplicate key keeps its last value, as in serde_json.
pub fn read_value(bytes: &[u8], limits: &Limits) -> Result<serde_json::Value, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {} (JSON text is UTF-8)", e.valid_up_to()))?;
    let loaded = load_json(text, limits);
    // The reader stops at its first error; the other diagnostics are duplicate-key warnings.
    if let Some(error) = loaded.diagnostics.iter().find(|d| d.severity == Severity::Error) {
        let at = LineIndex::new(text).position(text, error.span.start, ColumnUnit::Char);
        return Err(format!("{} at line {} column {}", error.message, at.line, at.column));
    }
    match loaded.documents.first().and_then(|d| d.root.as_ref()) {
        Some(root) => Ok(root.to_json()),
        None => Err("invalid JSON: the input is empty".to_owned()),
    }
}

type ReadError = (DiagnosticKind, String, Span);

/// A collection still open, with what it holds so far.
enum Open {
    Object {
        start: usize,
        entries: Vec<Entry>,
        /// The key read last, waiting for its value.
        key: Option<Node>,
        /// The keys of a big object, so duplicates are found without
        /// comparing every key with every other.
        keys: Option<HashSet<String>>,
    },
    Array {
        start: usize,
        items: Vec<Node>,
    },
}

/// Objects with more entries than this keep a set of their keys.
const LINEAR_KEY_SCAN: usize = 16;

struct Reader<'a> {
    text: &'a str,
    /// The next byte to read.
    at: usize,
    limits: &'a Limits,
    /// Duplicate keys found so far, in the order they were read.
    duplicates: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A syntax error at the current byte: `expected` says what should be there.
    fn expected(&self, expected: &str) -> ReadError {
        let message = match self.peek() {
            None if self.text.trim_start_matches('\u{feff}').trim().is_empty() => {
                "invalid JSON: the input is empty".to_owned()
            }
            None => format!("invalid JSON: the text ends where {expected} should follow"),
            Some(_) => format!("invalid JSON: expected {expected}"),
        };
        syntax(message, self.at)
    }

    /// The whole document: one value and nothing after it but whitespace.
    fn document(&mut self) -> Result<Node, ReadError> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let Some(mut node) = self.value(&mut stack)? else { continue };
            // Hand the finished node to the collections that hold it, closing
            // each one that ends right after it.
            loop {
                match stack.last_mut() {
                    None => {
                        self.skip_whitespace();
                        if self.peek().is_some() {
                            return Err(syntax("invalid JSON: unexpected text after the value", self.at));
                        }
                        return Ok(node);
                    }
                    Some(Open::Object { entries, key, keys, .. }) => {
                        let Some(key) = key.take() else {
                            return Err(syntax("invalid JSON: an object value without a key", node.span.start));
                        };
                        entries.push(Entry { key, value: node });
                        if let Some(duplicate) = find_duplicate(entries, keys) {
                            self.duplicates.push(duplicate);
                        }
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => {
                                self.at += 1;
                                let next = self.key()?;
                                if let Some(Open::Object { key, .. }) = stack.last_mut() {
                                    *key = Some(next);
                                }
                                break;
                            }
                            Some(b'}') => node = self.close(&mut stack)?,
                            _ => return Err(self.expected("',' or '}' after an object entry")),
                        }
                    }
                    Some(Open::Array { items, .. }) => {
                        items.push(node);
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => {
                                self.at += 1;
                                break;
                            }
                            Some(b']') => node = self.close(&mut stack)?,
                            _ => return Err(self.expected("',' or ']' after an array item")),
                        }
                    }
                }
            }
        }
    }

    /// Reads a value: a finished node, or `None` when it opened a collection
    /// whose first value is to be read next.
    fn value(&mut self, stack: &mut Vec<Open>) -> Result<Option<Node>, ReadError> {
        self.skip_whitespace();
        let start = self.at;
        match self.peek() {
            Some(open @ (b'{' | b'[')) => {
                if stack.len() >= self.limits.max_depth {
                    return Err(depth_error(self.limits, Span::new(start, start + 1)));
                }
                self.at += 1;
                self.skip_whitespace();
                if open == b'{' {
                    stack.push(Open::Object { start, entries: Vec::new(), key: None, keys: None });
                    if self.peek() == Some(b'}') {
                        return self.close(stack).map(Some);
                    }
                    let first = self.key()?;
                    if let Some(Open::Object { key, .. }) = stack.last_mut() {
                        *key = Some(first);
                    }
                } else {
                    stack.push(Open::Array { start, items: Vec::new() });
                    if self.peek() == Some(b']') {
                        return self.close(stack).map(Some);
                    }
                }
                Ok(None)
            }
            Some(b'"') => self.string().map(Some),
            Some(b'-' | b'0'..=b'9') => self.number().map(Some),
            Some(b't' | b'f' | b'n') => self.word().map(Some),
            _ => Err(self.expected("a value (an object, array, string, number, true, false or null)")),
        }
    }

    /// An object key and the colon after it.
    fn key(&mut self) -> Result<Node, ReadError> {
        self.skip_whitespace();
        if self.peek() != Some(b'"') {
            return Err(self.expected("an object key in double quotes"));
        }
        let key = self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.expected("':' after an object key"));
        }
        self.at += 1;
        Ok(key)
    }

    /// Closes the innermost collection at its closing bracket (the current byte).
    fn close(&mut self, stack: &mut Vec<Open>) -> Result<Node, ReadError> {
        self.at += 1;
        let end = self.at;
        let (value, start) = match stack.pop() {
            Some(Open::Object { start, entries, .. }) => (Value::Mapping(Mapping { entries, flow: true }), start),
            Some(Open::Array { start, items }) => (Value::Sequence(Sequence { items, flow: true }), start),
            None => return Err(syntax("invalid JSON: a closing bracket without an opening one", end - 1)),
        };
        Ok(Node { value, span: Span::new(start, end), aliased: false })
    }

    fn scalar(&self, text: String, style: ScalarStyle, span: Span) -> Result<Node, ReadError> {
        if text.len() > self.limits.max_scalar_bytes {
            return Err(scalar_limit_error(self.limits, text.len(), span));
        }
        Ok(Node { value: Value::Scalar(Scalar { text, style, tag: None }), span, aliased: false })
    }

    /// A string from its opening quote (the current byte), escapes decoded.
    fn string(&mut self) -> Result<Node, ReadError> {
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = self.text.get(self.at..).unwrap_or_default();
            let Some(run) = rest.bytes().position(|b| b == b'"' || b == b'\\' || b < 0x20) else {
                return Err(syntax("invalid JSON: the text ends inside a string", self.text.len()));
            };
            // The run ends at an ASCII byte, so it ends on a character boundary.
            out.push_str(rest.get(..run).unwrap_or_default());
            self.at += run;
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    out.shrink_to_fit();
                    return self.scalar(out, ScalarStyle::DoubleQuoted, Span::new(start, self.at));
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(control) => {
                    return Err(syntax(
                        format!(
                            "invalid JSON: control character U+{control:04X} in a string; JSON writes it as an escape"
                        ),
                        self.at,
                    ))
                }
                None => return Err(syntax("invalid JSON: the text ends inside a string", self.at)),
            }
        }
    }

    /// One escape sequence from its backslash (the current byte).
    fn escape(&mut self, out: &mut String) -> Result<(), ReadError> {
        let backslash = self.at;
        let Some(letter) = self.text.as_bytes().get(backslash + 1).copied() else {
            return Err(syntax("invalid JSON: the text ends inside a string", self.text.len()));
        };
        self.at += 2;
        let decoded = match letter {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape(backslash)?,
            _ => {
                let shown = self.text.get(backslash..).and_then(|s| s.chars().nth(1)).unwrap_or('?');
                return Err(syntax(
                    format!(
                        "invalid JSON: unknown escape `\\{shown}`; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"
                    ),
                    backslash,
                ));
            }
        };
        out.push(decoded);
        Ok(())
    }

    /// `\uXXXX` (the `\u` is read), with a surrogate pair as one character.
    fn unicode_escape(&mut self, backslash: usize) -> Result<char, ReadError> {
        let high = self.hex4(backslash)?;
        if !(0xD800..0xE000).contains(&high) {
            return char::from_u32(high).ok_or_else(|| syntax("invalid JSON: bad \\u escape", backslash));
        }
        if high >= 0xDC00 {
            return Err(syntax(
                format!("invalid JSON: \\u{high:04X} is a low surrogate with no high surrogate before it"),
                backslash,
            ));
        }
        let low_at = self.at;
        let bytes = self.text.as_bytes();
        if bytes.get(low_at) != Some(&b'\\') || bytes.get(low_at + 1) != Some(&b'u') {
            return Err(syntax(
                format!("invalid JSON: \\u{high:04X} is a high surrogate not followed by a low surrogate escape"),
                backslash,
            ));
        }
        self.at += 2;
        let low = self.hex4(low_at)?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(syntax(
                format!("invalid JSON: \\u{high:04X} is a high surrogate not followed by a low surrogate escape"),
                backslash,
            ));
        }
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        char::from_u32(code).ok_or_else(|| syntax("invalid JSON: bad \\u escape", backslash))
    }

    /// The four hex digits of a `\u` escape that starts at `backslash`.
    fn hex4(&mut self, backslash: usize) -> Result<u32, ReadError> {
        let digits = self.text.as_bytes().get(self.at..self.at + 4);
        let value = digits
            .and_then(|d| d.iter().try_fold(0u32, |acc, &b| char::from(b).to_digit(16).map(|digit| acc * 16 + digit)));
        match value {
            Some(value) => {
                self.at += 4;
                Ok(value)
            }
            None => Err(syntax("invalid JSON: `\\u` must be followed by four hex digits", backslash)),
        }
    }

    /// A number, kept as written: `-`? int frac? exp?.
    fn number(&mut self) -> Result<Node, ReadError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.at += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(syntax("invalid JSON: a number cannot have a leading zero", start));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.expected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.expected("a digit after the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.expected("a digit in the exponent"));
            }
            self.digits();
        }
        self.plain(start)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// `true`, `false` or `null`.
    fn word(&mut self) -> Result<Node, ReadError> {
        let start = self.at;
        let rest = self.text.get(start..).unwrap_or_default();
        let Some(word) = ["true", "false", "null"].into_iter().find(|w| rest.starts_with(w)) else {
            return Err(self.expected("a value (an object, array, string, number, true, false or null)"));
        };
        self.at += word.len();
        self.plain(start)
    }

    /// A plain scalar from `start` to the current byte.
    fn plain(&self, start: usize) -> Result<Node, ReadError> {
        let text = self.text.get(start..self.at).unwrap_or_default().to_owned();
        self.scalar(text, ScalarStyle::Plain, Span::new(start, self.at))
    }
}

fn syntax(message: impl Into<String>, at: usize) -> ReadError {
    (DiagnosticKind::Syntax, message.into(), Span::empty(at))
}

/// Reports the last entry's key when an earlier entry of the object has it,
/// as the YAML loader does (a `<<` key is a merge key there, never a duplicate).
fn find_duplicate(entries: &[Entry], keys: &mut Option<HashSet<String>>) -> Option<Diagnostic> {
    let (last, earlier) = entries.split_last()?;
    let name = last.key.scalar_text()?;
    if name == "<<" {
        return None;
    }
    let duplicate = if entries.len() <= LINEAR_KEY_SCAN {
        earlier.iter().any(|e| e.key.scalar_text() == Some(name))
    } else {
        let keys =
            keys.get_or_insert_with(|| earlier.iter().filter_map(|e| e.key.scalar_text()).map(str::to_owned).collect());
        !keys.insert(name.to_owned())
    };
    duplicate.then(|| duplicate_key(name, last.key.span))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one syntax error of `text`: its message and byte position.
    fn error(text: &str) -> (String, usize) {
        let loaded = load_json(text, &Limits::default());
        assert_eq!(loaded.documents.len(), 1);
        assert!(loaded.documents[0].root.is_none(), "{text:?} read as a value");
        let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.kind == DiagnosticKind::Syntax).collect();
        assert_eq!(errors.len(), 1, "{text:?}: {:?}", loaded.diagnostics);
        assert_eq!(errors[0].severity, Severity::Error);
        assert_eq!(errors[0].document, Some(0));
        assert!(errors[0].span.is_empty());
        (errors[0].message.clone(), errors[0].span.start)
    }

    fn root(text: &str) -> Node {
        let loaded = load_json(text, &Limits::default());
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        loaded.documents.into_iter().next().unwrap().root.unwrap()
    }

    fn said(message: &str, at: usize) -> (String, usize) {
        (message.to_owned(), at)
    }

    #[test]
    fn empty_input() {
        assert_eq!(error(""), said("invalid JSON: the input is empty", 0));
        assert_eq!(error(" \n\t"), said("invalid JSON: the input is empty", 3));
        assert_eq!(error("\u{feff}"), said("invalid JSON: the input is empty", 3));
    }

    #[test]
    fn truncated_input() {
        let ends =
            |expected: &str, at| said(&format!("invalid JSON: the text ends where {expected} should follow"), at);
        assert_eq!(error("{"), ends("an object key in double quotes", 1));
        assert_eq!(error("{\"a\""), ends("':' after an object key", 4));
        assert_eq!(error("{\"a\":"), ends("a value (an object, array, string, number, true, false or null)", 5));
        assert_eq!(error("{\"a\": 1"), ends("',' or '}' after an object entry", 7));
        assert_eq!(error("[1, 2"), ends("',' or ']' after an array item", 5));
        assert_eq!(error("[1,"), ends("a value (an object, array, string, number, true, false or null)", 3));
        assert_eq!(error("{\"a\": \"xy"), said("invalid JSON: the text ends inside a string", 9));
        assert_eq!(error("\"x\\"), said("invalid JSON: the text ends inside a string", 3));
        assert_eq!(error("-"), ends("a digit", 1));
        assert_eq!(error("1."), ends("a digit after the decimal point", 2));
        assert_eq!(error("1e+"), ends("a digit in the exponent", 3));
    }

    #[test]
    fn trailing_and_misplaced_text() {
        assert_eq!(error("{} x"), said("invalid JSON: unexpected text after the value", 3));
        assert_eq!(error("{}\n{}"), said("invalid JSON: unexpected text after the value", 3));
        assert_eq!(error("1 2"), said("invalid JSON: unexpected text after the value", 2));
        assert_eq!(error("{\"a\": 1 \"b\": 2}"), said("invalid JSON: expected ',' or '}' after an object entry", 8));
        assert_eq!(error("[1 2]"), said("invalid JSON: expected ',' or ']' after an array item", 3));
        assert_eq!(error("{\"a\" 1}"), said("invalid JSON: expected ':' after an object key", 5));
        assert_eq!(error("{a: 1}"), said("invalid JSON: expected an object key in double quotes", 1));
        assert_eq!(error("{\"a\": 1,}"), said("invalid JSON: expected an object key in double quotes", 8));
        let value = "invalid JSON: expected a value (an object, array, string, number, true, false or null)";
        assert_eq!(error("[1,]"), said(value, 3));
        assert_eq!(error("[tru]"), said(value, 1));
        assert_eq!(error("{\"a\": 'x'}"), said(value, 6));
        assert_eq!(error("[nan]"), said(value, 1));
        assert_eq!(error("[01]"), said("invalid JSON: a number cannot have a leading zero", 1));
        assert_eq!(error("[-01]"), said("invalid JSON: a number cannot have a leading zero", 1));
        assert_eq!(error("[+1]"), said(value, 1));
        assert_eq!(error("[.5]"), said(value, 1));
        assert_eq!(error("[truex]"), said("invalid JSON: expected ',' or ']' after an array item", 5));
        assert_eq!(error("]"), said(value, 0));
    }

    #[test]
    fn escapes_are_decoded() {
        let node = root(r#"["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "\u0000", "a\u0041"]"#);
        let texts: Vec<_> = node.items().iter().map(|n| n.scalar_text().unwrap()).collect();
        assert_eq!(texts, ["\"\\/\u{8}\u{c}\n\r\t", "é中", "😀", "\u{0}", "aA"]);
        assert!(node.items().iter().all(|n| n.as_scalar().unwrap().style == ScalarStyle::DoubleQuoted));
        assert_eq!(node.items()[2].span, Span::new(37, 51));
    }

    #[test]
    fn bad_escapes() {
        assert_eq!(
            error(r#"["ok", "a\x"]"#),
            said(r#"invalid JSON: unknown escape `\x`; JSON knows \" \\ \/ \b \f \n \r \t and \uXXXX"#, 9)
        );
        assert_eq!(
            error(r#"["\é"]"#),
            said(r#"invalid JSON: unknown escape `\é`; JSON knows \" \\ \/ \b \f \n \r \t and \uXXXX"#, 2)
        );
        assert_eq!(error(r#"["\u12"]"#), said("invalid JSON: `\\u` must be followed by four hex digits", 2));
        assert_eq!(error(r#"["\u12G4"]"#), said("invalid JSON: `\\u` must be followed by four hex digits", 2));
        assert_eq!(error(r#"["\u+123"]"#), said("invalid JSON: `\\u` must be followed by four hex digits", 2));
    }

    #[test]
    fn lone_surrogates() {
        let high = "invalid JSON: \\uD83D is a high surrogate not followed by a low surrogate escape";
        assert_eq!(error(r#"["\ud83d"]"#), said(high, 2));
        assert_eq!(error(r#"["x\ud83dy"]"#), said(high, 3));
        assert_eq!(error(r#"["\ud83d\u0041"]"#), said(high, 2));
        assert_eq!(error(r#"["\ud83d\ud83d"]"#), said(high, 2));
        assert_eq!(error(r#"["\ud83d\n"]"#), said(high, 2));
        assert_eq!(
            error(r#"["\ude00"]"#),
            said("invalid JSON: \\uDE00 is a low surrogate with no high surrogate before it", 2)
        );
        assert_eq!(error(r#"["\ud83d\u12"]"#), said("invalid JSON: `\\u` must be followed by four hex digits", 8));
    }

    #[test]
    fn control_characters_in_strings() {
        let control =
            |c: &str| format!("invalid JSON: control character U+{c} in a string; JSON writes it as an escape");
        assert_eq!(error("[\"a\tb\"]"), (control("0009"), 3));
        assert_eq!(error("{\"a\nb\": 1}"), (control("000A"), 3));
        assert_eq!(error("[\"\u{0}\"]"), (control("0000"), 2));
        // DEL and C1 controls are allowed by JSON.
        assert_eq!(root("\"\u{7f}\u{85}\"").scalar_text(), Some("\u{7f}\u{85}"));
    }

    #[test]
    fn depth_over_the_limit() {
        let limits = Limits { max_depth: 3, ..Limits::default() };
        let loaded = load_json("{\"a\": [[{\"b\": 1}]]}", &limits);
        assert!(loaded.documents[0].root.is_none());
        assert_eq!(loaded.diagnostics.len(), 1);
        let d = &loaded.diagnostics[0];
        assert_eq!(d.kind, DiagnosticKind::Limit);
        assert_eq!(d.message, "nesting deeper than 3 levels; the document was not checked");
        assert_eq!(d.span, Span::new(8, 9));
        assert!(load_json("{\"a\": [[1]]}", &limits).diagnostics.is_empty());
        // Far past any call stack: the reader's stack is on the heap.
        let deep = "[".repeat(1_000_000);
        let limits = Limits { max_depth: usize::MAX, ..Limits::default() };
        let d = &load_json(&deep, &limits).diagnostics[0];
        assert_eq!(d.span, Span::empty(1_000_000));
    }

    #[test]
    fn scalars_over_the_limit() {
        let limits = Limits { max_scalar_bytes: 3, ..Limits::default() };
        let loaded = load_json("[\"abc\", \"\\u00e9\\u00e9\"]", &limits);
        assert_eq!(loaded.diagnostics.len(), 1);
        let d = &loaded.diagnostics[0];
        assert_eq!(
            (d.kind, d.message.as_str()),
            (DiagnosticKind::Limit, "a scalar of 4 bytes is over the limit of 3 bytes")
        );
        assert_eq!(d.span, Span::new(8, 22));
    }

    #[test]
    fn duplicate_keys_warn_and_the_last_wins() {
        let text = "{\"a\": 1, \"b\": {\"a\": 0}, \"a\": 2}";
        let loaded = load_json(text, &Limits::default());
        assert_eq!(loaded.diagnostics.len(), 1);
        let d = &loaded.diagnostics[0];
        assert_eq!((d.kind, d.severity, d.document), (DiagnosticKind::DuplicateKey, Severity::Warning, Some(0)));
        assert_eq!(d.message, "duplicate key `a`: Kubernetes keeps the last value and ignores the earlier one");
        assert_eq!(d.span, Span::new(24, 27));
        assert_eq!(loaded.documents[0].root.as_ref().unwrap().get("a").unwrap().as_i64(), Some(2));
        // Duplicates found before a syntax error are still reported.
        let loaded = load_json("{\"a\": 1, \"a\": 2,", &Limits::default());
        let kinds: Vec<_> = loaded.diagnostics.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, [DiagnosticKind::DuplicateKey, DiagnosticKind::Syntax]);
    }

    #[test]
    fn bom_and_spans() {
        let text = "\u{feff} {\"a\": [1, -2.5e3, true, null], \"s\": \"x\"} \n";
        let loaded = load_json(text, &Limits::default());
        assert!(loaded.diagnostics.is_empty());
        let document = &loaded.documents[0];
        assert_eq!((document.index, document.span), (0, Span::new(3, text.len())));
        let root = document.root.as_ref().unwrap();
        let spanned = |n: &Node| &text[n.span.start..n.span.end];
        assert_eq!(spanned(root), "{\"a\": [1, -2.5e3, true, null], \"s\": \"x\"}");
        assert!(root.as_mapping().unwrap().flow);
        let a = root.get("a").unwrap();
        assert_eq!(spanned(a), "[1, -2.5e3, true, null]");
        assert_eq!(a.items().iter().map(spanned).collect::<Vec<_>>(), ["1", "-2.5e3", "true", "null"]);
        assert!(a.items().iter().all(|n| n.as_scalar().unwrap().style == ScalarStyle::Plain));
        assert_eq!(spanned(root.get("s").unwrap()), "\"x\"");
        assert_eq!(spanned(&root.as_mapping().unwrap().entries[1].key), "\"s\"");
        // A BOM anywhere else is not whitespace.
        let value = "invalid JSON: expected a value (an object, array, string, number, true, false or null)";
        assert_eq!(error("\u{feff}\u{feff}{}"), said(value, 3));
    }

    #[test]
    fn read_value_places_the_first_problem() {
        let read = |text: &str| read_value(text.as_bytes(), &Limits::default());
        assert_eq!(read("{\"a\": [1, \"x\"]}"), Ok(serde_json::json!({"a": [1, "x"]})));
        assert_eq!(read("18446744073709551615"), Ok(serde_json::json!(u64::MAX)));
        assert_eq!(
            read("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            Err("invalid JSON: expected ':' after an object key at line 3 column 7".to_owned())
        );
        // A duplicate key keeps its last value, as in serde_json and Kubernetes.
        assert_eq!(read("{\"a\": 1, \"a\": 2}"), Ok(serde_json::json!({"a": 2})));
        assert_eq!(read(" "), Err("invalid JSON: the input is empty at line 1 column 2".to_owned()));
        assert_eq!(
            read_value(b"{\"a\": \"\xff\"}", &Limits::default()),
            Err("invalid UTF-8 at byte 7 (JSON text is UTF-8)".to_owned())
        );
        let limits = Limits { max_depth: 2, ..Limits::default() };
        assert!(read_value(b"[[[1]]]", &limits).unwrap_err().starts_with("nesting deeper than 2 levels"));
    }
}
