//! Builds [`Node`] trees with byte spans from saphyr-parser's events.
//!
//! saphyr-parser's markers count characters, not bytes, so every marker goes
//! through a [`CharMap`]. Quoted and block scalars get their spans corrected
//! here (see `exact_quoted_end`, `block_scalar_span`), so that an edit of a
//! value never eats a neighbouring comment.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Span as SaphyrSpan};

use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::source::Span;

use super::loaded::{depth_error, duplicate_key, scalar_limit_error, too_many_documents, Document, Loaded};
use super::node::{Entry, Mapping, Node, Scalar, ScalarStyle, Sequence, Value};
use super::split::{split_documents, Chunk};
use super::Limits;

pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    for chunk in split_documents(&text[bom..]) {
        let chunk = Chunk { start: chunk.start + bom, end: chunk.end + bom };
        if loaded.documents.len() >= limits.max_documents {
            loaded.diagnostics.push(too_many_documents(limits, chunk.start, text.len()));
            break;
        }
        load_chunk(text, chunk, limits, &mut loaded);
    }
    loaded
}

fn load_chunk(text: &str, chunk: Chunk, limits: &Limits, loaded: &mut Loaded) {
    let piece = &text[chunk.start..chunk.end];
    let map = CharMap::new(piece, chunk.start);
    let mut builder = Builder {
        text,
        map: &map,
        limits,
        stack: Vec::new(),
        children: Vec::new(),
        anchors: HashMap::new(),
        expanded: 0,
        duplicates: Vec::new(),
    };
    let mut parser = Parser::new_from_str(piece);
    let mut document: Option<(usize, Option<Node>)> = None;
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(error) => {
                let at = map.byte(error.marker().index());
                let index = document.map_or(loaded.documents.len(), |(i, _)| i);
                // The scanner reads flow collections ahead of the events, so its own
                // depth limit (256) can come before ours: it is a limit, not bad YAML.
                let (kind, message) = if error.info() == PARSER_DEPTH_ERROR {
                    (DiagnosticKind::Limit, PARSER_DEPTH_MESSAGE.to_owned())
                } else {
                    (DiagnosticKind::Syntax, format!("invalid YAML: {}", error.info()))
                };
                loaded.diagnostics.push(Diagnostic::new(kind, Severity::Error, message, Some(index), Span::empty(at)));
                // The document is not checked, but it still counts: later indexes stay stable.
                loaded.documents.push(Document { index, span: Span::new(chunk.start, chunk.end), root: None });
                return;
            }
        };
        match event {
            Event::DocumentStart(_) => document = Some((loaded.documents.len(), None)),
            Event::DocumentEnd => {
                if let Some((index, root)) = document.take() {
                    loaded.documents.push(Document { index, span: Span::new(chunk.start, chunk.end), root });
                }
            }
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => {}
            other => {
                let index = document.as_ref().map_or(loaded.documents.len(), |(i, _)| *i);
                match builder.event(other, span) {
                    Ok(Some(root)) => {
                        if let Some((_, slot)) = document.as_mut() {
                            *slot = Some(root);
                        }
                    }
                    Ok(None) => {}
                    Err((kind, message, at)) => {
                        loaded.diagnostics.push(Diagnostic::new(kind, Severity::Error, message, Some(index), at));
                        loaded.documents.push(Document { index, span: Span::new(chunk.start, chunk.end), root: None });
                        return;
                    }
                }
            }
        }
        if !builder.duplicates.is_empty() {
            let index = document.as_ref().map_or(loaded.documents.len(), |(i, _)| *i);
            loaded.diagnostics.extend(builder.duplicates.drain(..).map(|d| Diagnostic { document: Some(index), ..d }));
        }
    }
}

/// saphyr-parser's error for flow collections nested past its own limit.
const PARSER_DEPTH_ERROR: &str = "recursion limit exceeded";
const PARSER_DEPTH_MESSAGE: &str =
    "nesting deeper than the YAML parser's limit of 256 flow levels; the document was not checked";

/// Converts saphyr's character indexes into byte offsets of the whole stream.
struct CharMap<'a> {
    piece: &'a str,
    base: usize,
    ascii: bool,
    /// The byte offset of every `STRIDE`th character.
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 64;

impl<'a> CharMap<'a> {
    fn new(piece: &'a str, base: usize) -> Self {
        let ascii = piece.is_ascii();
        let checkpoints =
            if ascii { Vec::new() } else { piece.char_indices().step_by(STRIDE).map(|(i, _)| i).collect() };
        Self { piece, base, ascii, checkpoints }
    }

    fn byte(&self, char_index: usize) -> usize {
        let len = self.piece.len();
        if self.ascii {
            return self.base + char_index.min(len);
        }
        let slot = char_index / STRIDE;
        let Some(&from) = self.checkpoints.get(slot) else {
            return self.base + len;
        };
        let rest = char_index - slot * STRIDE;
        // A block of STRIDE characters in STRIDE bytes is ASCII: no need to walk it.
        if self.checkpoints.get(slot + 1).is_some_and(|&next| next - from == STRIDE) {
            return self.base + from + rest;
        }
        let offset = self.piece.get(from..).and_then(|s| s.char_indices().nth(rest)).map_or(len, |(i, _)| from + i);
        self.base + offset
    }
}

type BuildError = (DiagnosticKind, String, Span);

/// A collection still open; its finished children sit on `Builder::children`
/// from `first` on (a mapping's alternate key, value).
struct Frame {
    mapping: bool,
    start: usize,
    flow: bool,
    anchor: usize,
    first: usize,
    /// The keys of a big mapping, so duplicate keys are found without
    /// comparing every key with every other. (Owned: the crate already has
    /// this set type, so it adds no code to the wasm build.)
    keys: Option<HashSet<String>>,
}

/// Mappings with more entries than this keep a set of their keys.
const LINEAR_KEY_SCAN: usize = 16;

/// An anchored node, with what an alias to it would add.
struct Anchored {
    node: Node,
    nodes: usize,
    height: usize,
}

struct Builder<'a> {
    text: &'a str,
    map: &'a CharMap<'a>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// Finished nodes of the open collections, innermost last. Collections
    /// take their children from here in one exact-sized allocation.
    children: Vec<Node>,
    anchors: HashMap<usize, Anchored>,
    /// Nodes copied by alias expansion so far in this document.
    expanded: usize,
    /// Duplicate keys found, not yet tied to a document index.
    duplicates: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn span(&self, span: SaphyrSpan) -> Span {
        Span::new(self.map.byte(span.start.index()), self.map.byte(span.end.index()))
    }

    /// Feeds one event; returns the root node when it is complete.
    fn event(&mut self, event: Event<'_>, raw: SaphyrSpan) -> Result<Option<Node>, BuildError> {
        let span = self.span(raw);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let style = convert_style(style);
                let span = self.scalar_span(skip_properties(self.text, span), style);
                // An empty plain scalar has no text: saphyr's span may cover the `, ` after a key.
                let span = if value.is_empty() && style == ScalarStyle::Plain { Span::empty(span.start) } else { span };
                if value.len() > self.limits.max_scalar_bytes {
                    return Err(scalar_limit_error(self.limits, value.len(), span));
                }
                let tag = tag.map(|t| short_tag(&t.handle, &t.suffix).into_boxed_str());
                // The scanner's buffers are roomy (127 bytes a scalar on average); the tree keeps only the text.
                let mut text = value.into_owned();
                text.shrink_to_fit();
                let node = Node { value: Value::Scalar(Scalar { text, style, tag }), span, aliased: false };
                self.finish(node, anchor)
            }
            Event::MappingStart(anchor, _) => {
                let span = skip_properties(self.text, span);
                let flow = self.text.as_bytes().get(span.start) == Some(&b'{');
                self.push(true, flow, anchor, span)
            }
            Event::SequenceStart(anchor, _) => {
                let span = skip_properties(self.text, span);
                let flow = self.text.as_bytes().get(span.start) == Some(&b'[');
                self.push(false, flow, anchor, span)
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(None);
                };
                // A flow end's span can run on through a trailing comment: stop after the bracket.
                let span = match self.text.as_bytes().get(span.start) {
                    Some(b']' | b'}') => Span::new(span.start, span.start + 1),
                    _ => span,
                };
                let first = frame.first.min(self.children.len());
                let value = if frame.mapping {
                    let mut entries = Vec::with_capacity((self.children.len() - first) / 2);
                    let mut nodes = self.children.drain(first..);
                    while let (Some(key), Some(value)) = (nodes.next(), nodes.next()) {
                        entries.push(Entry { key, value });
                    }
                    Value::Mapping(Mapping { entries, flow: frame.flow })
                } else {
                    Value::Sequence(Sequence { items: self.children.split_off(first), flow: frame.flow })
                };
                let end = if frame.flow {
                    span.end
                } else {
                    match &value {
                        Value::Mapping(m) => {
                            m.entries.last().map_or(frame.start, |e| e.value.span.end.max(e.key.span.end))
                        }
                        Value::Sequence(s) => s.items.last().map_or(frame.start, |n| n.span.end),
                        Value::Scalar(_) => frame.start,
                    }
                };
                let node = Node { value, span: Span::new(frame.start, end), aliased: false };
                self.finish(node, frame.anchor)
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err((DiagnosticKind::Syntax, "alias to an unknown anchor".into(), span));
                };
                self.expanded += target.nodes;
                if self.expanded > self.limits.max_alias_nodes {
                    return Err((
                        DiagnosticKind::AliasLimit,
                        format!(
                            "aliases expand to more than {} nodes (a \"billion laughs\" document?); the document was not checked",
                            self.limits.max_alias_nodes
                        ),
                        span,
                    ));
                }
                // The copy must not make the tree deeper than the limit the parser's events obey.
                if self.stack.len() + target.height > self.limits.max_depth {
                    return Err(depth_error(self.limits, span));
                }
                let mut node = target.node.clone();
                mark_aliased(&mut node);
                node.span = span;
                self.finish(node, 0)
            }
            _ => Ok(None),
        }
    }

    fn push(&mut self, mapping: bool, flow: bool, anchor: usize, span: Span) -> Result<Option<Node>, BuildError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(depth_error(self.limits, span));
        }
        let first = self.children.len();
        self.stack.push(Frame { mapping, start: span.start, flow, anchor, first, keys: None });
        Ok(None)
    }

    fn finish(&mut self, mut node: Node, anchor: usize) -> Result<Option<Node>, BuildError> {
        if anchor != 0 {
            let (nodes, height) = measure(&node);
            self.anchors.insert(anchor, Anchored { node: node.clone(), nodes, height });
        }
        let Some(frame) = self.stack.last() else {
            return Ok(Some(node));
        };
        let is_value = frame.mapping && (self.children.len() - frame.first) % 2 == 1;
        if is_value {
            if let Some(key) = self.children.last() {
                node = fix_empty_value(self.text, key, node);
            }
        }
        self.children.push(node);
        if is_value {
            self.check_duplicate();
        }
        Ok(None)
    }

    /// Called after a mapping entry is complete: reports its key when an
    /// earlier entry of the same mapping has it.
    fn check_duplicate(&mut self) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let Some(entries) = self.children.get(frame.first..) else {
            return;
        };
        let Some(key) = entries.len().checked_sub(2).and_then(|i| entries.get(i)) else {
            return;
        };
        let Some(name) = key.scalar_text() else {
            return;
        };
        if name == "<<" {
            return;
        }
        let earlier = entries.chunks_exact(2).take(entries.len() / 2 - 1).filter_map(<[Node]>::first);
        let count = entries.len() / 2;
        let duplicate = if count <= LINEAR_KEY_SCAN {
            earlier.clone().any(|k| k.scalar_text() == Some(name))
        } else {
            let keys = frame
                .keys
                .get_or_insert_with(|| earlier.clone().filter_map(|k| k.scalar_text()).map(str::to_owned).collect());
            !keys.insert(name.to_owned())
        };
        if duplicate {
            self.duplicates.push(duplicate_key(name, key.span));
        }
    }

    fn scalar_span(&self, span: Span, style: ScalarStyle) -> Span {
        match style {
            ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
                Span::new(span.start, exact_quoted_end(self.text, span.start, style))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => block_scalar_span(self.text, span),
            ScalarStyle::Plain => span,
        }
    }
}

/// saphyr's spans start at a node's properties (`&anchor`, `!tag`): move the
/// start to the node's own text, so an edit keeps the anchor and the tag.
fn skip_properties(text: &str, span: Span) -> Span {
    let bytes = text.as_bytes();
    let mut at = span.start;
    while matches!(bytes.get(at), Some(b'&' | b'!')) {
        while bytes.get(at).is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            at += 1;
        }
        while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            at += 1;
        }
    }
    if at == span.start {
        return span;
    }
    Span::new(at, span.end.max(at))
}

fn convert_style(style: SaphyrStyle) -> ScalarStyle {
    match style {
        SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        SaphyrStyle::Literal => ScalarStyle::Literal,
        SaphyrStyle::Folded => ScalarStyle::Folded,
        _ => ScalarStyle::Plain,
    }
}

fn short_tag(handle: &str, suffix: &str) -> String {
    match handle {
        "tag:yaml.org,2002:" => format!("!!{suffix}"),
        _ => format!("{handle}{suffix}"),
    }
}

/// The byte after a quoted scalar's closing quote. saphyr's span for
/// `"x" # c` runs on through the comment, so the quote is found here.
fn exact_quoted_end(text: &str, start: usize, style: ScalarStyle) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while let Some(&byte) = bytes.get(i) {
        match (style, byte) {
            (ScalarStyle::DoubleQuoted, b'\\') => i += 2,
            (ScalarStyle::DoubleQuoted, b'"') => return i + 1,
            (ScalarStyle::SingleQuoted, b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            (ScalarStyle::SingleQuoted, b'\'') => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A block scalar's span from its `|`/`>` indicator to its last content
/// character (saphyr's starts at the first content line and runs into the
/// next line's indentation).
fn block_scalar_span(text: &str, span: Span) -> Span {
    let bytes = text.as_bytes();
    let mut start = span.start.min(bytes.len());
    while start > 0 && !matches!(bytes.get(start - 1), Some(b'|' | b'>')) {
        start -= 1;
    }
    let start = start.saturating_sub(1);
    let mut end = span.end.min(bytes.len());
    while end > span.start && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        end -= 1;
    }
    Span::new(start, end.max(start + 1))
}

/// saphyr puts the span of an empty value (`key:` and nothing) on the colon;
/// move it just after the colon, where a value would be written.
fn fix_empty_value(text: &str, key: &Node, mut value: Node) -> Node {
    if value.span.is_empty() && value.is_null() && !value.aliased {
        let bytes = text.as_bytes();
        let mut at = key.span.end.max(value.span.start);
        while matches!(bytes.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        if bytes.get(at) == Some(&b':') {
            value.span = Span::empty(at + 1);
        }
    }
    value
}

/// How many nodes a tree has, and how many collections deep it goes.
fn measure(node: &Node) -> (usize, usize) {
    let mut count = 0;
    let mut height = 0;
    let mut stack = vec![(node, 0)];
    while let Some((n, depth)) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Mapping(m) => {
                height = height.max(depth + 1);
                stack.extend(m.entries.iter().flat_map(|e| [(&e.key, depth + 1), (&e.value, depth + 1)]));
            }
            Value::Sequence(s) => {
                height = height.max(depth + 1);
                stack.extend(s.items.iter().map(|i| (i, depth + 1)));
            }
            Value::Scalar(_) => {}
        }
    }
    (count, height)
}

fn mark_aliased(node: &mut Node) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.aliased = true;
        match &mut n.value {
            Value::Mapping(m) => stack.extend(m.entries.iter_mut().flat_map(|e| [&mut e.key, &mut e.value])),
            Value::Sequence(s) => stack.extend(s.items.iter_mut()),
            Value::Scalar(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let loaded = load(text, &Limits::default());
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        loaded.documents.into_iter().next().unwrap().root.unwrap()
    }

    fn spanned<'t>(text: &'t str, node: &Node) -> &'t str {
        &text[node.span.start..node.span.end]
    }

    #[test]
    fn spans_are_bytes_after_non_ascii_comments() {
        let text = "# 中文注释\nspec:\n  externalTrafficPolicy: Local   # 保留源IP\n";
        let root = one(text);
        let etp = root.pointer("/spec/externalTrafficPolicy").unwrap();
        assert_eq!(spanned(text, etp), "Local");
    }

    #[test]
    fn quoted_spans_stop_at_the_closing_quote() {
        let text = "a: \"x\\\"y\" # c\nb: 'it''s' # d\n";
        let root = one(text);
        assert_eq!(spanned(text, root.get("a").unwrap()), "\"x\\\"y\"");
        assert_eq!(spanned(text, root.get("b").unwrap()), "'it''s'");
        assert_eq!(root.get("b").unwrap().scalar_text(), Some("it's"));
    }

    #[test]
    fn block_scalars_span_from_indicator_to_content() {
        let text = "a: |-\n  one\n  two\nb: >\n  x\n\nc: 1\n";
        let root = one(text);
        assert_eq!(spanned(text, root.get("a").unwrap()), "|-\n  one\n  two");
        assert_eq!(spanned(text, root.get("b").unwrap()), ">\n  x");
    }

    #[test]
    fn empty_values_sit_after_the_colon() {
        let text = "a:\nb: 1\n";
        let root = one(text);
        assert_eq!(root.get("a").unwrap().span, Span::empty(2));
    }

    #[test]
    fn block_mapping_spans_cover_first_to_last_entry() {
        let text = "spec:\n  a: 1\n  b: [x, y]  # c\nz: 2\n";
        let root = one(text);
        assert_eq!(spanned(text, root.get("spec").unwrap()), "a: 1\n  b: [x, y]");
    }

    #[test]
    fn a_syntax_error_leaves_other_documents_checkable() {
        let text = "a: 1\n---\nb: [\n---\nc: 3\n";
        let loaded = load(text, &Limits::default());
        assert_eq!(loaded.documents.len(), 3);
        assert!(loaded.documents[1].root.is_none());
        assert_eq!(loaded.diagnostics.len(), 1);
        assert_eq!(loaded.diagnostics[0].document, Some(1));
        assert_eq!(loaded.documents[2].root.as_ref().unwrap().get("c").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_last_wins() {
        let text = "a: 1\na: 2\n";
        let loaded = load(text, &Limits::default());
        assert_eq!(loaded.diagnostics.len(), 1);
        assert_eq!(loaded.diagnostics[0].kind, DiagnosticKind::DuplicateKey);
        assert_eq!(loaded.documents[0].root.as_ref().unwrap().get("a").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn bom_crlf_json_and_empty_documents() {
        let text = "\u{feff}{\"kind\": \"Service\",\r\n \"spec\": {\"type\": \"LoadBalancer\"}}\r\n";
        let root = one(text);
        let ty = root.pointer("/spec/type").unwrap();
        assert_eq!(spanned(text, ty), "\"LoadBalancer\"");
        let loaded = load("---\n---\na: 1\n", &Limits::default());
        assert_eq!(loaded.documents.len(), 2);
        assert!(loaded.documents[0].root.as_ref().is_none_or(Node::is_null));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            text.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let loaded = load(&text, &Limits::default());
        assert_eq!(loaded.diagnostics[0].kind, DiagnosticKind::AliasLimit);
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let text = "[".repeat(100_000);
        let loaded = load(&text, &Limits::default());
        assert!(!loaded.diagnostics.is_empty());
        let mut block = String::new();
        for i in 0..1000 {
            block.push_str(&" ".repeat(i));
            block.push_str("a:\n");
        }
        let loaded = load(&block, &Limits::default());
        assert_eq!(loaded.diagnostics[0].kind, DiagnosticKind::Limit);
    }

    #[test]
    fn anchors_and_tags_stay_outside_node_spans() {
        let text = "a: &x on\nb: *x\nc: !!str 8080\nd: &m {x: 1}\ne: &s\n  k: v\nf: &q \"x\" # c\n";
        let root = one(text);
        assert_eq!(spanned(text, root.get("a").unwrap()), "on");
        assert_eq!(spanned(text, root.get("c").unwrap()), "8080");
        assert_eq!(spanned(text, root.get("d").unwrap()), "{x: 1}");
        assert!(root.get("d").unwrap().as_mapping().unwrap().flow);
        assert_eq!(spanned(text, root.get("e").unwrap()), "k: v");
        assert!(!root.get("e").unwrap().as_mapping().unwrap().flow);
        assert_eq!(spanned(text, root.get("f").unwrap()), "\"x\"");
    }

    #[test]
    fn merge_keys_are_followed() {
        let root = one("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(m.get("y").unwrap().as_i64(), Some(3));
        assert_eq!(m.to_json(), serde_json::json!({"x": 1, "y": 3}));
        assert!(m.get("x").unwrap().aliased);
    }
}
