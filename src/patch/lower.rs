//! Lowers fix operations to the smallest text edits that carry them out,
//! keeping comments, quoting, key order and indentation everywhere else.

use serde_json::Value as Json;

use crate::source::Span;
use crate::yaml::scalar::{double_quoted, emit_string, plain_safe, Context};
use crate::yaml::{pointer, Entry, Mapping, Node, ScalarStyle, Value};

use super::edit::TextEdit;
use super::op::Op;

/// Why an operation could not be written as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerError(pub String);

impl std::fmt::Display for LowerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, LowerError>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(LowerError(message.into()))
}

/// Lowers operations (document-level paths) against one document's tree.
pub struct Lowering<'a> {
    text: &'a str,
    root: &'a Node,
    /// The document is JSON: write JSON. Read through [`Lowering::json`].
    json: bool,
    newline: &'static str,
    /// The document's bytes within `text`.
    document: Span,
    /// A key somewhere in the document is a collection or empty.
    collection_key: bool,
}

/// How a document is written, which decides how new text is written into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentStyle {
    /// The document is JSON: write JSON.
    pub json: bool,
    pub newline: &'static str,
    /// A key somewhere in the document is a collection or empty: Kubernetes
    /// cannot read it, so no fix is lowered into it.
    pub collection_key: bool,
}

impl DocumentStyle {
    /// Looks at the document's start, its first line break and every key: a
    /// walk of the whole document, so callers lowering many fixes into one
    /// document compute it once.
    pub fn of(text: &str, root: &Node, document: Span) -> Self {
        let own = text.get(document.start..document.end).unwrap_or("");
        let json = own.trim_start_matches('\u{feff}').trim_start().starts_with(['{', '[']);
        // The document's first line break says which kind it uses.
        let newline = match own.find(['\n', '\r']).and_then(|i| own.as_bytes().get(i..)) {
            Some([b'\r', b'\n', ..]) => "\r\n",
            Some([b'\r', ..]) => "\r",
            _ => "\n",
        };
        Self { json, newline, collection_key: has_collection_key(root) }
    }
}

impl<'a> Lowering<'a> {
    #[cfg(test)]
    pub fn new(text: &'a str, root: &'a Node, document: Span) -> Self {
        Self::with_style(text, root, document, DocumentStyle::of(text, root, document))
    }

    /// With the document's style already known (see [`DocumentStyle::of`]).
    pub fn with_style(text: &'a str, root: &'a Node, document: Span, style: DocumentStyle) -> Self {
        Self { text, root, json: style.json, newline: style.newline, document, collection_key: style.collection_key }
    }

    /// Whether to write JSON. A build without the `yaml` feature reads JSON
    /// only, so there every document is JSON (never written to as YAML) and
    /// the block-style writing below drops out of that build.
    fn json(&self) -> bool {
        !cfg!(feature = "yaml") || self.json
    }

    /// One edit per operation when there is one; several operations are
    /// applied in order (RFC 6902 semantics), each against the document as the
    /// previous one left it, and returned as one edit covering what changed.
    pub fn lower(&self, ops: &[Op]) -> Result<Vec<TextEdit>> {
        // A collection as a key (`? spec:`, `{a: b}: c`) has no JSON form, so
        // Kubernetes cannot read the document, and its layout is not ours to guess.
        if !ops.is_empty() && self.collection_key {
            return fail("the document has a key that is not a string; Kubernetes cannot read it, edit it by hand");
        }
        match ops {
            [] => Ok(Vec::new()),
            [op] => Ok(vec![self.lower_op(op)?]),
            _ => self.lower_in_sequence(ops).map(|edit| vec![edit]),
        }
    }

    fn lower_in_sequence(&self, ops: &[Op]) -> Result<TextEdit> {
        if let Some((scope, text)) = self.lower_independent(ops) {
            return Ok(self.edit_for(scope, &text));
        }
        // One item of a `kind: List` is re-read after each operation, not the
        // whole List: a cluster dump is one document of thousands of items.
        // Whatever fails there is tried on the whole document, as before.
        if let Some((scope, rebased)) = self.list_item_scope(ops) {
            if let Ok(text) = self.apply_in_sequence(scope, &rebased) {
                return Ok(self.edit_for(scope, &text));
            }
        }
        let text = self.apply_in_sequence(self.document, ops)?;
        Ok(self.edit_for(self.document, &text))
    }

    /// The text of `scope` after each operation in turn, each lowered against
    /// that text as the previous one left it (re-read).
    fn apply_in_sequence(&self, scope: Span, ops: &[Op]) -> Result<String> {
        let mut current = self.text.get(scope.start..scope.end).unwrap_or_default().to_owned();
        for op in ops {
            let format = if self.json() { crate::InputFormat::Json } else { crate::InputFormat::Yaml };
            let loaded = crate::yaml::load_stream(&current, format, &crate::yaml::Limits::default());
            let root = match (loaded.diagnostics.is_empty(), loaded.documents.first().and_then(|d| d.root.as_ref())) {
                (true, Some(root)) => root,
                _ => return fail("an earlier operation of this fix left the document unreadable"),
            };
            let step = Lowering {
                text: &current,
                root,
                json: self.json,
                newline: self.newline,
                document: Span::new(0, current.len()),
                // `lower` checked the whole document; the steps call `lower_op`.
                collection_key: false,
            };
            let edit = step.lower_op(op)?;
            current = super::splice(&current, &[&edit]);
        }
        Ok(current)
    }

    /// The edit that turns the document into the document with the bytes of
    /// `scope` replaced by `text`: what lies between the longest common prefix
    /// and suffix of the two documents.
    fn edit_for(&self, scope: Span, text: &str) -> TextEdit {
        let original = self.text.get(scope.start..scope.end).unwrap_or_default();
        let prefix = common_prefix(original, text);
        // Outside the scope the documents are the same bytes, so where the two
        // scopes differ inside both, the documents differ at the same place.
        // When one scope starts the other, the documents' common prefix may run
        // on past the scope: compare the whole documents.
        if scope != self.document && prefix == original.len().min(text.len()) {
            let before = self.text.get(self.document.start..scope.start).unwrap_or_default();
            let after = self.text.get(scope.end..self.document.end).unwrap_or_default();
            return self.edit_for(self.document, &format!("{before}{text}{after}"));
        }
        let suffix = common_suffix(original.get(prefix..).unwrap_or_default(), text.get(prefix..).unwrap_or_default());
        TextEdit {
            span: Span::new(scope.start + prefix, scope.end - suffix),
            text: text.get(prefix..text.len() - suffix).unwrap_or_default().to_owned(),
        }
    }

    /// When every operation edits inside one item of a block `items:`
    /// sequence (`/items/3/spec/...`): the item's lines, and the operations
    /// with paths into them read as a one-item sequence (`/0/spec/...`). The
    /// lines keep their indentation and the item's `- `, so each operation is
    /// lowered as it is in the whole document.
    fn list_item_scope(&self, ops: &[Op]) -> Option<(Span, Vec<Op>)> {
        if self.json() {
            return None;
        }
        let index = list_item(ops.first()?.path())?;
        let base = format!("/items/{index}/");
        let rebased = ops.iter().map(|op| reroot(op, &base, "/0/")).collect::<Option<Vec<_>>>()?;
        let items = self.root.get("items")?.as_sequence().filter(|s| !s.flow)?;
        let item = items.items.get(index.parse::<usize>().ok()?)?;
        let start = self.line_start_of(item.span.start);
        if self.text.get(start..item.span.start)?.trim_start_matches(' ') != "- " {
            return None;
        }
        let end = crate::source::next_line_start(self.text, item.span.end).unwrap_or(self.document.end);
        Some((Span::new(start, end.min(self.document.end)), rebased))
    }

    /// Operations that cannot change what another one reads: replacements of
    /// scalar values by scalars, plus at most one other operation, none at or
    /// under another's path. Lowered against the loaded tree at once, they
    /// give the text the sequence gives, without re-reading the document
    /// after each (the common "set the policy and add an annotation" fix).
    /// `None` when that does not hold, or an edit fails or clashes.
    fn lower_independent(&self, ops: &[Op]) -> Option<(Span, String)> {
        let scalar_replace = |op: &Op| match op {
            Op::Replace { path, value, .. } => {
                !value.is_object()
                    && !value.is_array()
                    && self.root.pointer(path).is_some_and(|n| n.as_scalar().is_some() && !n.aliased)
            }
            _ => false,
        };
        if ops.iter().filter(|op| !scalar_replace(op)).count() > 1 || ops.iter().any(|op| matches!(op, Op::Move { .. }))
        {
            return None;
        }
        let nested = |a: &str, b: &str| b == a || b.strip_prefix(a).is_some_and(|rest| rest.starts_with('/'));
        for (i, a) in ops.iter().enumerate() {
            if ops.iter().skip(i + 1).any(|b| nested(a.path(), b.path()) || nested(b.path(), a.path())) {
                return None;
            }
        }
        let mut edits = Vec::with_capacity(ops.len());
        for op in ops {
            edits.push(self.lower_op(op).ok()?);
        }
        // A handful of edits: an insertion sort is all they need (and small in the wasm build).
        for i in 1..edits.len() {
            let mut j = i;
            while j > 0
                && edits.get(j - 1).map(|e| (e.span.start, e.span.end))
                    > edits.get(j).map(|e| (e.span.start, e.span.end))
            {
                edits.swap(j - 1, j);
                j -= 1;
            }
        }
        let clash = edits.windows(2).any(|pair| match pair {
            [a, b] => {
                a.span.end > b.span.start || (a.span.is_empty() && b.span.is_empty() && a.span.start == b.span.start)
            }
            _ => false,
        });
        let inside = edits.iter().all(|e| self.document.contains(e.span));
        if clash || !inside {
            return None;
        }
        // The text from the first edit to the last, with the edits made.
        let scope = Span::new(edits.first()?.span.start, edits.last()?.span.end.max(edits.first()?.span.end));
        for edit in &mut edits {
            edit.span = edit.span.shifted_back(scope.start);
        }
        let original = self.text.get(scope.start..scope.end)?;
        Some((scope, super::splice(original, &edits.iter().collect::<Vec<_>>())))
    }

    fn lower_op(&self, op: &Op) -> Result<TextEdit> {
        match op {
            Op::Remove { path } => self.remove(path),
            Op::Move { from, path } => self.rename(from, path),
            // `add` at an array index inserts (RFC 6902), it never replaces.
            Op::Add { path, value, quoted } if self.parent_is_sequence(path) => self.add(path, value.clone(), *quoted),
            Op::Add { path, value, quoted } | Op::Replace { path, value, quoted } => match self.root.pointer(path) {
                Some(node) => self.replace(path, node, value, *quoted),
                None if matches!(op, Op::Replace { .. }) => fail(format!("nothing to replace at {path}")),
                None => self.add(path, value.clone(), *quoted),
            },
        }
    }

    fn parent_is_sequence(&self, path: &str) -> bool {
        pointer::split_last(path).and_then(|(p, _)| self.root.pointer(p)).is_some_and(|p| p.as_sequence().is_some())
    }

    fn parent(&self, path: &str) -> Result<(&'a Node, String, String)> {
        let (parent_path, key) = pointer::split_last(path).ok_or_else(|| LowerError("cannot edit the root".into()))?;
        let parent = self.root.pointer(parent_path).ok_or_else(|| LowerError(format!("{parent_path} not found")))?;
        Ok((parent, parent_path.to_owned(), key.into_owned()))
    }

    fn context(&self, parent: Option<&Node>) -> Context {
        let flow = self.json()
            || parent
                .is_some_and(|p| p.as_mapping().is_some_and(|m| m.flow) || p.as_sequence().is_some_and(|s| s.flow));
        if flow {
            Context::Flow
        } else {
            Context::Block
        }
    }

    fn replace(&self, path: &str, node: &Node, value: &Json, quoted: bool) -> Result<TextEdit> {
        not_aliased(node, path)?;
        let parent = pointer::split_last(path).and_then(|(p, _)| self.root.pointer(p));
        let context = self.context(parent);
        if node.as_scalar().is_some() && !matches!(value, Json::Object(_) | Json::Array(_)) {
            let prefer = node.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
            let text = self.scalar(value, prefer, context, quoted);
            return Ok(TextEdit { span: node.span, text: self.in_place_of(node, text) });
        }
        if context == Context::Flow {
            return Ok(TextEdit { span: node.span, text: self.in_place_of(node, self.flow(value, quoted)) });
        }
        // Block style with a collection on either side: rewrite everything after the colon.
        let (parent, _, key) = self.parent(path)?;
        let Some(entry) = parent.as_mapping().and_then(|m| m.entry(&key)) else {
            return fail(format!("{path} is a block sequence item; replace it by hand"));
        };
        let after_colon = self.after_colon(entry)?;
        let indent = self.indent_of(entry.key.span.start);
        let text = self.after_key(value, indent, quoted);
        Ok(TextEdit { span: Span::new(after_colon, node.span.end.max(after_colon)), text })
    }

    fn add(&self, path: &str, value: Json, quoted: bool) -> Result<TextEdit> {
        let (parent_path, key) = match pointer::split_last(path) {
            Some((p, k)) => (p.to_owned(), k.into_owned()),
            None => return fail("cannot add the root"),
        };
        let Some(parent) = self.root.pointer(&parent_path) else {
            // Create the missing parent with this key inside it.
            let mut wrapped = serde_json::Map::new();
            wrapped.insert(key, value);
            return self.add(&parent_path, Json::Object(wrapped), quoted);
        };
        not_aliased(parent, &parent_path)?;
        if parent.is_null() {
            let mut wrapped = serde_json::Map::new();
            wrapped.insert(key, value);
            return self.replace(&parent_path, parent, &Json::Object(wrapped), quoted);
        }
        if let Some(sequence) = parent.as_sequence() {
            if key != "-" && key.parse::<usize>().ok() != Some(sequence.items.len()) {
                return fail(format!("only appending to {parent_path} is supported"));
            }
            return self.append(parent, &value, quoted);
        }
        let Some(mapping) = parent.as_mapping() else {
            return fail(format!("{parent_path} is not a mapping"));
        };
        if let Some(existing) = mapping.get(&key) {
            return self.replace(path, existing, &value, quoted);
        }
        let Some(last) = mapping.entries.last() else {
            // `{}`: write inside the braces.
            return Ok(TextEdit {
                span: Span::empty(parent.span.start + 1),
                text: self.flow_entry(&key, &value, quoted),
            });
        };
        if mapping.flow || self.json() {
            let end = last.value.span.end.max(last.key.span.end);
            let mut text = self.flow_separator(parent.span.start, last.key.span.start);
            self.write_flow_entry(&mut text, &key, &value, quoted);
            return Ok(TextEdit { span: Span::empty(end), text });
        }
        let first = mapping.entries.first().unwrap_or(last);
        let indent = self.indent_of(self.entry_start(first.key.span.start));
        let end = last.value.span.end.max(last.key.span.end);
        let (at, lead) = self.next_line_start(end);
        let text = format!(
            "{lead}{}{}:{}{}",
            " ".repeat(indent),
            self.key(&key, Context::Block),
            self.after_key(&value, indent, quoted),
            // Text that ended without a line break still does.
            if lead.is_empty() { self.newline } else { "" }
        );
        Ok(TextEdit { span: Span::empty(at), text })
    }

    fn remove(&self, path: &str) -> Result<TextEdit> {
        let (parent, parent_path, key) = self.parent(path)?;
        not_aliased(parent, &parent_path)?;
        let mapping = parent.as_mapping().ok_or_else(|| LowerError(format!("{parent_path} is not a mapping")))?;
        let Some((index, entry)) =
            mapping.entries.iter().enumerate().rfind(|(_, e)| e.key.scalar_text() == Some(key.as_str()))
        else {
            return fail(format!("nothing to remove at {path}"));
        };
        unique_key(mapping, &key, path)?;
        let end = entry.value.span.end.max(entry.key.span.end);
        if mapping.flow || self.json() {
            if let Some(next) = mapping.entries.get(index + 1) {
                return Ok(TextEdit {
                    span: Span::new(entry.key.span.start, next.key.span.start),
                    text: String::new(),
                });
            }
            if let Some(prev) = index.checked_sub(1).and_then(|i| mapping.entries.get(i)) {
                let from = prev.value.span.end.max(prev.key.span.end);
                return Ok(TextEdit { span: Span::new(from, end), text: String::new() });
            }
            return Ok(TextEdit { span: Span::new(entry.key.span.start, end), text: String::new() });
        }
        if mapping.entries.len() == 1 {
            // Removing the last entry must leave `{}`, not a null.
            let line_end = end + self.text[end..].find(['\r', '\n']).unwrap_or(self.text.len() - end);
            let holder = pointer::split_last(&parent_path)
                .and_then(|(gp, k)| self.root.pointer(gp)?.as_mapping()?.entry(&k).map(|e| self.after_colon(e)));
            return Ok(match holder {
                Some(after_colon) => {
                    let after_colon = after_colon?;
                    // Whole-line comments between the holder's key and the entry stay.
                    let colon_line_end = after_colon
                        + self.text[after_colon..].find(['\r', '\n']).unwrap_or(self.text.len() - after_colon);
                    let entry_line = self.line_start_of(entry.key.span.start);
                    let between = self.text.get(colon_line_end..entry_line).unwrap_or("");
                    // Only comments may sit there: an anchor or tag (`&a`) would be left dangling.
                    let holds_more = |text: &str| {
                        text.lines().any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
                    };
                    let before_key = self.text.get(entry_line..entry.key.span.start).unwrap_or("");
                    if holds_more(between)
                        || holds_more(self.text.get(after_colon..colon_line_end).unwrap_or(""))
                        || !before_key.trim().is_empty()
                    {
                        return fail(format!(
                            "{path} is the last entry of a mapping with an anchor or tag; remove it by hand"
                        ));
                    }
                    let kept = between.trim_end_matches(['\r', '\n']);
                    let kept = if kept.trim().is_empty() { "" } else { kept };
                    TextEdit { span: Span::new(after_colon, line_end), text: format!(" {{}}{kept}") }
                }
                None => TextEdit { span: Span::new(entry.key.span.start, line_end), text: "{}".into() },
            });
        }
        let line_start = self.line_start_of(entry.key.span.start);
        if !self.text[line_start..entry.key.span.start].trim().is_empty() {
            return fail(format!("{path} shares its line with other content; remove it by hand"));
        }
        let (to, _) = self.next_line_start(end);
        Ok(TextEdit { span: Span::new(line_start, to), text: String::new() })
    }

    /// Appends an item to a sequence, in its own style.
    fn append(&self, parent: &Node, value: &Json, quoted: bool) -> Result<TextEdit> {
        let Some(sequence) = parent.as_sequence() else { return fail("not a sequence") };
        let Some(last) = sequence.items.last() else {
            // `[]`: write inside the brackets.
            return Ok(TextEdit { span: Span::empty(parent.span.start + 1), text: self.flow(value, quoted) });
        };
        if sequence.flow || self.json() {
            let mut text = self.flow_separator(parent.span.start, last.span.start);
            self.write_flow(&mut text, value, quoted);
            return Ok(TextEdit { span: Span::empty(last.span.end), text });
        }
        // The dash of the last item sets the column; the item's text follows "- ".
        let line_start = self.line_start_of(last.span.start);
        let dash = self.text[line_start..last.span.start]
            .rfind('-')
            .map(|i| line_start + i)
            .ok_or_else(|| LowerError("could not find the dash of the last item".into()))?;
        let indent = self.indent_of(dash);
        let (at, lead) = self.next_line_start(last.span.end);
        let item = self.after_key(value, indent, quoted);
        let text = format!(
            "{lead}{}- {}{}",
            " ".repeat(indent),
            item.trim_start(),
            if lead.is_empty() { self.newline } else { "" }
        );
        Ok(TextEdit { span: Span::empty(at), text })
    }

    /// Rewrites a key's text, keeping its value, comments and position.
    fn rename(&self, from: &str, path: &str) -> Result<TextEdit> {
        let (Some((from_parent, old)), Some((to_parent, new))) = (pointer::split_last(from), pointer::split_last(path))
        else {
            return fail("a rename needs two keys");
        };
        if from_parent != to_parent {
            return fail("only renames within one mapping can keep the text in place");
        }
        let parent = self.root.pointer(from_parent).ok_or_else(|| LowerError(format!("{from_parent} not found")))?;
        not_aliased(parent, from_parent)?;
        if parent.get(&new).is_some() {
            return fail(format!("{path} exists already"));
        }
        let entry = parent
            .as_mapping()
            .and_then(|m| m.entry(&old))
            .ok_or_else(|| LowerError(format!("nothing to rename at {from}")))?;
        if let Some(mapping) = parent.as_mapping() {
            unique_key(mapping, &old, from)?;
        }
        let context = self.context(Some(parent));
        let style = entry.key.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
        let text = if self.json() { double_quoted(&new) } else { emit_string(&new, style, context) };
        Ok(TextEdit { span: entry.key.span, text })
    }

    // --- rendering ---------------------------------------------------------

    fn scalar(&self, value: &Json, prefer: ScalarStyle, context: Context, quoted: bool) -> String {
        match value {
            Json::String(s) if self.json() => double_quoted(s),
            Json::String(s) if quoted => match prefer {
                ScalarStyle::SingleQuoted => emit_string(s, prefer, context),
                _ => double_quoted(s),
            },
            Json::String(s) => emit_string(s, prefer, context),
            other => other.to_string(),
        }
    }

    fn key(&self, key: &str, context: Context) -> String {
        if self.json() || !plain_safe(key, context) {
            double_quoted(key)
        } else {
            key.to_owned()
        }
    }

    /// A value in flow style (valid JSON when the document is JSON).
    fn flow(&self, value: &Json, quoted: bool) -> String {
        let mut out = String::new();
        self.write_flow(&mut out, value, quoted);
        out
    }

    fn write_flow(&self, out: &mut String, value: &Json, quoted: bool) {
        match value {
            Json::Object(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    out.push_str(if i == 0 { "" } else { ", " });
                    self.write_flow_entry(out, k, v, quoted);
                }
                out.push('}');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "" } else { ", " });
                    self.write_flow(out, v, quoted);
                }
                out.push(']');
            }
            scalar => out.push_str(&self.scalar(scalar, ScalarStyle::Plain, Context::Flow, quoted)),
        }
    }

    fn flow_entry(&self, key: &str, value: &Json, quoted: bool) -> String {
        let mut out = String::new();
        self.write_flow_entry(&mut out, key, value, quoted);
        out
    }

    fn write_flow_entry(&self, out: &mut String, key: &str, value: &Json, quoted: bool) {
        out.push_str(&self.key(key, Context::Flow));
        out.push_str(": ");
        self.write_flow(out, value, quoted);
    }

    /// What goes between the last item of a flow collection opened at `open`
    /// and a new item: on a line of its own, at the last item's indent, when
    /// the collection spans lines.
    fn flow_separator(&self, open: usize, last: usize) -> String {
        if self.text[open..last].contains(['\n', '\r']) {
            format!(",{}{}", self.newline, " ".repeat(self.indent_of(last)))
        } else {
            ", ".into()
        }
    }

    /// What follows `key:` in block style, for a key indented by `indent`.
    fn after_key(&self, value: &Json, indent: usize, quoted: bool) -> String {
        match value {
            Json::Object(map) if !map.is_empty() => {
                let mut out = String::new();
                for (k, v) in map {
                    out.push_str(self.newline);
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(&self.key(k, Context::Block));
                    out.push(':');
                    out.push_str(&self.after_key(v, indent + 2, quoted));
                }
                out
            }
            Json::Array(items) if !items.is_empty() => {
                let mut out = String::new();
                for item in items {
                    out.push_str(self.newline);
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str("- ");
                    // An object's first key goes on the dash's line, the rest align under it.
                    out.push_str(self.after_key(item, indent + 2, quoted).trim_start());
                }
                out
            }
            Json::Object(_) => " {}".into(),
            Json::Array(_) => " []".into(),
            scalar => format!(" {}", self.scalar(scalar, ScalarStyle::Plain, Context::Block, quoted)),
        }
    }

    // --- positions ---------------------------------------------------------

    fn line_start_of(&self, offset: usize) -> usize {
        crate::source::line_start(self.text, offset)
    }

    /// Where a block mapping entry whose key starts at `key` begins: before
    /// the key's anchor and tag (`&a !!str key:`) and an explicit key's `?`,
    /// which the key's span leaves out.
    fn entry_start(&self, key: usize) -> usize {
        let line = &self.text[self.line_start_of(key)..key];
        let mut start = line.len();
        loop {
            let before = line[..start].trim_end_matches(' ');
            let token = before.rfind(' ').map_or(0, |i| i + 1);
            if !(before[token..].starts_with(['&', '!']) || &before[token..] == "?") {
                break;
            }
            start = token;
        }
        key - (line.len() - start)
    }

    /// Columns (in characters) from the start of the line to `offset`.
    fn indent_of(&self, offset: usize) -> usize {
        self.text[self.line_start_of(offset)..offset].chars().count()
    }

    /// Where the line after the one holding `end` starts; with a line break to
    /// write first when the text ends without one.
    fn next_line_start(&self, end: usize) -> (usize, &'static str) {
        match crate::source::next_line_start(self.text, end) {
            Some(at) => (at, ""),
            None => (self.text.len(), self.newline),
        }
    }

    /// `text` written over `node`: a value read from no text gets its colon.
    fn in_place_of(&self, node: &Node, text: String) -> String {
        // Only the YAML loader reads a value from no text: JSON values always have some.
        if !(cfg!(feature = "yaml") && node.span.is_empty()) {
            return text;
        }
        // `key:` with nothing after it, or a flow entry with no colon at all (`{key}`).
        if self.text[..node.span.start].trim_end_matches([' ', '\t']).ends_with(':') {
            format!(" {text}")
        } else {
            format!(": {text}")
        }
    }

    fn after_colon(&self, entry: &Entry) -> Result<usize> {
        let bytes = self.text.as_bytes();
        let mut at = entry.key.span.end;
        if matches!(bytes.get(at), Some(b'"' | b'\'')) {
            at += 1;
        }
        while matches!(bytes.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        if bytes.get(at) == Some(&b':') {
            Ok(at + 1)
        } else {
            fail("could not find the colon after a key")
        }
    }
}

/// Removing or renaming one of a duplicated key's entries would only bring
/// another into effect (the last one wins): the duplicate is for a person.
fn unique_key(mapping: &Mapping, key: &str, path: &str) -> Result<()> {
    if mapping.entries.iter().filter(|e| e.key.scalar_text() == Some(key)).count() > 1 {
        return fail(format!("{path} appears more than once; remove the duplicate by hand"));
    }
    Ok(())
}

/// A node read through a YAML alias shares its text with the anchor: editing
/// it there would change every alias of it too. (JSON has no aliases.)
fn not_aliased(node: &Node, path: &str) -> Result<()> {
    if cfg!(feature = "yaml") && node.aliased {
        return fail(format!("{path} comes from a YAML alias; edit its anchor instead"));
    }
    Ok(())
}

/// The index of the `items` entry a path points into (`/items/3/...`).
fn list_item(path: &str) -> Option<&str> {
    let (index, rest) = path.strip_prefix("/items/")?.split_once('/')?;
    (!index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()).then_some(index)
}

/// `op` with `base` at the start of its paths replaced by `new_base`; `None`
/// when a path does not start with `base`.
fn reroot(op: &Op, base: &str, new_base: &str) -> Option<Op> {
    let path = |p: &str| Some(format!("{new_base}{}", p.strip_prefix(base)?));
    Some(match op {
        Op::Add { path: p, value, quoted } => Op::Add { path: path(p)?, value: value.clone(), quoted: *quoted },
        Op::Replace { path: p, value, quoted } => Op::Replace { path: path(p)?, value: value.clone(), quoted: *quoted },
        Op::Remove { path: p } => Op::Remove { path: path(p)? },
        Op::Move { from, path: p } => Op::Move { from: path(from)?, path: path(p)? },
    })
}

/// Bytes two strings share at the start, cut back to a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !(a.is_char_boundary(n) && b.is_char_boundary(n)) {
        n -= 1;
    }
    n
}

fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().rev().zip(b.bytes().rev()).take_while(|(x, y)| x == y).count();
    while !(a.is_char_boundary(a.len() - n) && b.is_char_boundary(b.len() - n)) {
        n -= 1;
    }
    n
}

/// Whether a key anywhere under `node` is a collection or empty.
fn has_collection_key(node: &Node) -> bool {
    match &node.value {
        Value::Scalar(_) => false,
        Value::Sequence(seq) => seq.items.iter().any(has_collection_key),
        // An empty key (`? # note` on its own, `: v`) is as unreadable.
        Value::Mapping(m) => m
            .entries
            .iter()
            .any(|e| e.key.as_scalar().is_none() || e.key.span.is_empty() || has_collection_key(&e.value)),
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::patch::{apply_groups, Op};
    use crate::yaml::{load, Limits};

    /// Lowers `ops`, applies them, and checks the text against `expected`
    /// and the parsed result against the same patch applied to the JSON.
    fn edit(text: &str, ops: Vec<Op>) -> String {
        let loaded = load(text, &Limits::default());
        let doc = &loaded.documents[0];
        let root = doc.root.as_ref().unwrap();
        let ops = crate::patch::normalize(root, &ops);
        let edits = Lowering::new(text, root, doc.span).lower(&ops).unwrap();
        let (out, applied) = apply_groups(text, &[edits]);
        assert!(applied[0]);
        let reparsed = load(&out, &Limits::default());
        assert!(reparsed.diagnostics.is_empty(), "{out}\n{:?}", reparsed.diagnostics);
        let mut expected = root.to_json();
        let patch: json_patch::Patch = serde_json::from_value(serde_json::to_value(&ops).unwrap()).unwrap();
        json_patch::patch(&mut expected, &patch).unwrap();
        assert_eq!(reparsed.documents[0].root.as_ref().unwrap().to_json(), expected, "{out}");
        out
    }

    fn lower_err(text: &str, op: Op) -> String {
        let loaded = load(text, &Limits::default());
        let doc = &loaded.documents[0];
        Lowering::new(text, doc.root.as_ref().unwrap(), doc.span).lower(&[op]).unwrap_err().0
    }

    #[test]
    fn replace_keeps_quote_style_and_comment() {
        let text = "a: 'Local'  # why\nb: \"x\" # c\nc: Local\n";
        assert_eq!(edit(text, vec![Op::replace("/a", "Cluster")]), "a: 'Cluster'  # why\nb: \"x\" # c\nc: Local\n");
        assert_eq!(edit(text, vec![Op::replace("/b", "on")]), "a: 'Local'  # why\nb: \"on\" # c\nc: Local\n");
        assert_eq!(edit(text, vec![Op::replace("/c", "on")]), "a: 'Local'  # why\nb: \"x\" # c\nc: \"on\"\n");
    }

    #[test]
    fn empty_values_get_a_colon_when_they_have_none() {
        assert_eq!(edit("m: {a, b: 1}\n", vec![Op::replace("/m/a", "x")]), "m: {a: x, b: 1}\n");
        assert_eq!(edit("m: {a: , b: 1}\n", vec![Op::replace("/m/a", "x")]), "m: {a: x , b: 1}\n");
        assert_eq!(edit("a:\nb: 1\n", vec![Op::replace("/a", "x")]), "a: x\nb: 1\n");
    }

    #[test]
    fn add_to_block_mapping_at_sibling_indent() {
        let text = "spec:\n    a: 1   # one\n    b: 2\nother: x\n";
        let out = edit(text, vec![Op::add("/spec/c", "eni").quoted()]);
        assert_eq!(out, "spec:\n    a: 1   # one\n    b: 2\n    c: \"eni\"\nother: x\n");
    }

    #[test]
    fn add_to_block_mapping_whose_first_key_has_an_anchor() {
        // The entry starts at the anchor, not at the key after it.
        let text = "spec:\n  &a !!str type: LoadBalancer\n  ports: []\n";
        let out = edit(text, vec![Op::add("/spec/externalTrafficPolicy", "Local")]);
        assert_eq!(out, "spec:\n  &a !!str type: LoadBalancer\n  ports: []\n  externalTrafficPolicy: Local\n");
    }

    #[test]
    fn add_creates_missing_parents() {
        let text = "metadata:\n  name: x\nspec:\n  type: LoadBalancer\n";
        let out =
            edit(text, vec![Op::add("/metadata/annotations/service.beta.kubernetes.io~1backend-type", "eni").quoted()]);
        assert_eq!(
            out,
            "metadata:\n  name: x\n  annotations:\n    service.beta.kubernetes.io/backend-type: \"eni\"\nspec:\n  type: LoadBalancer\n"
        );
    }

    #[test]
    fn add_into_flow_and_empty_and_null_mappings() {
        assert_eq!(edit("a: {x: 1}\n", vec![Op::add("/a/k", "on").quoted()]), "a: {x: 1, k: \"on\"}\n");
        // `y` is a YAML 1.1 boolean: as a key it must be quoted.
        assert_eq!(edit("a: {x: 1}\n", vec![Op::add("/a/y", 1)]), "a: {x: 1, \"y\": 1}\n");
        assert_eq!(edit("a: {}\n", vec![Op::add("/a/k", "z")]), "a: {k: z}\n");
        // A duplicated key is left to a person.
        let twice = "a:\n  k: 1\n  k: 2\n";
        let loaded = load(twice, &Limits::default());
        let root = loaded.documents[0].root.as_ref().unwrap();
        let lowering = Lowering::new(twice, root, loaded.documents[0].span);
        assert!(lowering.lower(&[Op::remove("/a/k")]).is_err());
        assert!(lowering.lower(&[Op::rename("/a/k", "/a/j")]).is_err());
        // Removing the only entry keeps the comment lines above it.
        assert_eq!(edit("m:\n  a:\n    # why\n    k: v\n", vec![Op::remove("/m/a/k")]), "m:\n  a: {}\n    # why\n");
        // An anchored mapping is left to the user rather than dangling its anchor.
        let anchored = "m:\n  a:\n    &x # why\n    k: v\n";
        let loaded = load(anchored, &Limits::default());
        let doc = &loaded.documents[0];
        let refused =
            Lowering::new(anchored, doc.root.as_ref().unwrap(), doc.span).lower(&[Op::remove("/m/a/k")]).unwrap_err();
        assert!(refused.0.contains("anchor or tag"), "{}", refused.0);
        assert_eq!(edit("a:\nb: 1\n", vec![Op::add("/a/k", "z")]), "a:\n  k: z\nb: 1\n");
        assert_eq!(edit("a: ~\n", vec![Op::add("/a/k", "z")]), "a:\n  k: z\n");
    }

    #[test]
    fn add_in_sequence_items_aligns_with_the_first_key() {
        let text = "ports:\n- name: a\n  port: 80\n";
        assert_eq!(
            edit(text, vec![Op::add("/ports/0/targetPort", 80)]),
            "ports:\n- name: a\n  port: 80\n  targetPort: 80\n"
        );
    }

    #[test]
    fn json_documents_get_json_edits() {
        let text =
            "{\n  \"spec\": {\n    \"type\": \"LoadBalancer\",\n    \"externalTrafficPolicy\": \"Local\"\n  }\n}\n";
        let out = edit(
            text,
            vec![Op::replace("/spec/externalTrafficPolicy", "Cluster"), Op::add("/metadata/annotations/k", "eni")],
        );
        serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
        assert!(out.contains("\"externalTrafficPolicy\": \"Cluster\""));
        assert!(out.contains("  \"metadata\": {\"annotations\": {\"k\": \"eni\"}}"), "{out}");
    }

    #[test]
    fn remove_block_and_flow_entries() {
        assert_eq!(edit("a: 1\nb: 2 # c\nd: 3\n", vec![Op::remove("/b")]), "a: 1\nd: 3\n");
        assert_eq!(edit("m: {a: 1, b: 2}\n", vec![Op::remove("/m/a")]), "m: {b: 2}\n");
        assert_eq!(edit("m: {a: 1, b: 2}\n", vec![Op::remove("/m/b")]), "m: {a: 1}\n");
    }

    #[test]
    fn crlf_and_missing_final_newline_are_respected() {
        assert_eq!(edit("a:\r\n  b: 1\r\n", vec![Op::add("/a/c", 2)]), "a:\r\n  b: 1\r\n  c: 2\r\n");
        assert_eq!(edit("a:\n  b: 1", vec![Op::add("/a/c", 2)]), "a:\n  b: 1\n  c: 2");
    }

    #[test]
    fn replace_with_a_mapping_in_block_style() {
        let out = edit(
            "spec:\n  affinity: {}\n",
            vec![Op::replace("/spec/affinity", serde_json::json!({"a": {"b": [1, 2]}}))],
        );
        assert_eq!(out, "spec:\n  affinity:\n    a:\n      b:\n        - 1\n        - 2\n");
        let out = edit(
            "spec:\n  affinity: none\n",
            vec![Op::replace("/spec/affinity", serde_json::json!({"a": [{"x": 1, "z": 2}]}))],
        );
        assert_eq!(out, "spec:\n  affinity:\n    a:\n      - x: 1\n        z: 2\n");
    }

    #[test]
    fn rename_rewrites_only_the_key() {
        let text = "metadata:\n  annotations:\n    a/schedular: wrr  # typo\n    b: c\n";
        let out =
            edit(text, vec![Op::rename("/metadata/annotations/a~1schedular", "/metadata/annotations/a~1scheduler")]);
        assert_eq!(out, "metadata:\n  annotations:\n    a/scheduler: wrr  # typo\n    b: c\n");
        let json = "{\"a\": {\"k1\": \"v\"}}";
        assert_eq!(edit(json, vec![Op::rename("/a/k1", "/a/k2")]), "{\"a\": {\"k2\": \"v\"}}");
    }

    #[test]
    fn several_operations_apply_in_order() {
        let text = "metadata:\n  annotations:\n    k: v  # only\nspec:\n  a: 1\n";
        let out =
            edit(text, vec![Op::remove("/metadata/annotations/k"), Op::add("/metadata/annotations/k2", "v").quoted()]);
        assert_eq!(out, "metadata:\n  annotations: {k2: \"v\"}\nspec:\n  a: 1\n");
        let out = edit(text, vec![Op::replace("/spec/a", 2), Op::add("/metadata/annotations/x", "z")]);
        assert_eq!(out, "metadata:\n  annotations:\n    k: v  # only\n    x: z\nspec:\n  a: 2\n");
    }

    #[test]
    fn append_to_sequences_in_their_style() {
        let block = "ports:\n  - name: http\n    port: 80  # web\nx: 1\n";
        let port = serde_json::json!({"name": "status-port", "port": 15021});
        assert_eq!(
            edit(block, vec![Op::add("/ports/-", port.clone())]),
            "ports:\n  - name: http\n    port: 80  # web\n  - name: status-port\n    port: 15021\nx: 1\n"
        );
        assert_eq!(edit("a: [1, 2]\n", vec![Op::add("/a/-", 3)]), "a: [1, 2, 3]\n");
        assert_eq!(edit("a: []\n", vec![Op::add("/a/-", "x")]), "a: [x]\n");
        assert_eq!(edit("a:\n- x\n", vec![Op::add("/a/1", "on")]), "a:\n- x\n- \"on\"\n");
    }

    #[test]
    fn aliased_values_are_not_edited_in_place() {
        let err = lower_err("base: &b {x: 1}\nm: *b\n", Op::replace("/m/x", 2));
        assert!(err.contains("alias"), "{err}");
    }
}

#[cfg(all(test, feature = "yaml"))]
mod properties {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::patch::{apply_groups, normalize, Op};
    use crate::yaml::{load, Limits};

    const DOCUMENTS: &[&str] = &[
        "metadata:\n  name: gw  # name\n  annotations:\n    a: \"1\"\nspec:\n  externalTrafficPolicy: Local   # keep\n  ports:\n  - name: http\n    port: 80\n",
        "metadata: {name: gw, annotations: {a: '1'}}\nspec: {externalTrafficPolicy: Local, ports: [{name: http, port: 80}]}\n",
        "{\n  \"metadata\": {\"name\": \"gw\", \"annotations\": {\"a\": \"1\"}},\n  \"spec\": {\n    \"externalTrafficPolicy\": \"Local\",\n    \"ports\": [{\"name\": \"http\", \"port\": 80}]\n  }\n}",
        "# 注释\r\nmetadata:\r\n  name: gw\r\nspec:\r\n  externalTrafficPolicy: 'Local'\r\n  ports:\r\n    - name: http\r\n      port: 80\r\n",
        "metadata:\n  name: gw\n  annotations:\nspec:\n  externalTrafficPolicy: |\n    Local\n  ports: []\n",
    ];

    const PATHS: &[&str] = &[
        "/metadata/name",
        "/metadata/annotations/a",
        "/metadata/annotations/service.beta.kubernetes.io~1backend-type",
        "/metadata/labels/app",
        "/spec/externalTrafficPolicy",
        "/spec/serviceAnnotations/k",
        "/spec/ports/0/name",
        "/spec/ports/0/targetPort",
        "/spec/ports/-",
        "/status/x/y",
    ];

    fn value() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            "\\PC{0,8}".prop_map(serde_json::Value::from),
            Just(json!("on")),
            Just(json!("a: b # c")),
            Just(json!("line\nbreak")),
            any::<i32>().prop_map(serde_json::Value::from),
            any::<bool>().prop_map(serde_json::Value::from),
            Just(json!({"nested": {"k": "v", "n": 1}})),
            Just(json!(["x", {"y": 1}])),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        (0..3u8, 0..PATHS.len(), value(), any::<bool>()).prop_map(|(kind, path, value, quoted)| {
            let path = PATHS[path];
            let op = match kind {
                0 => Op::add(path, value),
                1 => Op::replace(path, value),
                _ => Op::remove(path),
            };
            if quoted {
                op.quoted()
            } else {
                op
            }
        })
    }

    /// Replaces one of the scalars every document has with a scalar.
    fn scalar_replace() -> impl Strategy<Value = Op> {
        const SCALARS: &[&str] =
            &["/metadata/name", "/spec/externalTrafficPolicy", "/spec/ports/0/name", "/spec/ports/0/port"];
        let scalar =
            prop_oneof!["\\PC{0,8}".prop_map(serde_json::Value::from), any::<i32>().prop_map(serde_json::Value::from)];
        (0..SCALARS.len(), scalar, any::<bool>()).prop_map(|(path, value, quoted)| {
            let op = Op::replace(SCALARS[path], value);
            if quoted {
                op.quoted()
            } else {
                op
            }
        })
    }

    /// Removing a duplicated key would bring back the earlier value: refused.
    #[test]
    fn a_duplicated_key_is_not_removed() {
        let text = "spec:\n  nodePort: 8080\n  nodePort: 8080\n  port: 80\n";
        let loaded = load(text, &Limits::default());
        let doc = &loaded.documents[0];
        let lowering = Lowering::new(text, doc.root.as_ref().unwrap(), doc.span);
        let refused = lowering.lower(&[Op::remove("/spec/nodePort")]).unwrap_err();
        assert!(refused.0.contains("appears more than once"), "{}", refused.0);
        assert!(lowering.lower(&[Op::remove("/spec/port")]).is_ok());
    }

    /// The usual two-operation fix (set the policy, add an annotation) takes
    /// the path that does not re-read the document.
    #[test]
    fn policy_and_annotation_are_lowered_at_once() {
        let text = DOCUMENTS[0];
        let loaded = load(text, &Limits::default());
        let root = loaded.documents[0].root.as_ref().unwrap();
        let ops = [
            Op::replace("/spec/externalTrafficPolicy", "Cluster"),
            Op::add("/metadata/annotations/service.beta.kubernetes.io~1backend-type", "eni").quoted(),
        ];
        let document = loaded.documents[0].span;
        let lowering = Lowering::new(text, root, document);
        let at_once = in_document(text, document, lowering.lower_independent(&ops).expect("independent"));
        assert_eq!(Ok(at_once.clone()), lowering.apply_in_sequence(document, &ops));
        assert!(at_once.contains("externalTrafficPolicy: Cluster   # keep"), "{at_once}");
        assert!(at_once.contains("service.beta.kubernetes.io/backend-type: \"eni\""), "{at_once}");
        // Two additions to one mapping insert at one point: one after the other instead.
        let both = [Op::add("/metadata/annotations/x", "1"), Op::add("/metadata/annotations/y", "2")];
        assert!(lowering.lower_independent(&both).is_none());
    }

    /// Runs `case` over generated (document, operations) pairs and fails
    /// when fewer than a quarter of the cases were really exercised (`case`
    /// returns false for a refusal): a property that refuses almost every input
    /// passes without testing anything. Both properties exercise about a
    /// third of their cases, so a quarter leaves room for the random seed.
    fn run_counted(
        name: &str,
        ops: impl Strategy<Value = Vec<Op>>,
        case: impl Fn(usize, Vec<Op>) -> std::result::Result<bool, TestCaseError>,
    ) {
        use std::cell::Cell;
        let (total, exercised) = (Cell::new(0usize), Cell::new(0usize));
        let strategy = (0..DOCUMENTS.len(), ops);
        let mut runner = proptest::test_runner::TestRunner::default();
        let result = runner.run(&strategy, |(doc, ops)| {
            total.set(total.get() + 1);
            if case(doc, ops)? {
                exercised.set(exercised.get() + 1);
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
        let (total, exercised) = (total.get(), exercised.get());
        eprintln!("{name}: {exercised} of {total} cases exercised");
        assert!(exercised * 4 >= total, "{name}: only {exercised} of {total} cases were exercised; refusals dominate");
    }

    /// Lowered text edits and the JSON Patch describe the same change,
    /// and bytes outside the edit stay as they were.
    #[test]
    fn lowering_agrees_with_json_patch() {
        run_counted("lowering_agrees_with_json_patch", proptest::collection::vec(op(), 1..4), |doc, ops| {
            let text = DOCUMENTS[doc];
            let loaded = load(text, &Limits::default());
            let document = &loaded.documents[0];
            let root = document.root.as_ref().unwrap();
            let ops = normalize(root, &ops);
            let mut expected = root.to_json();
            let patch: json_patch::Patch = serde_json::from_value(serde_json::to_value(&ops).unwrap()).unwrap();
            let patch_ok = json_patch::patch(&mut expected, &patch).is_ok();
            let Ok(edits) = Lowering::new(text, root, document.span).lower(&ops) else {
                // Refusing is allowed; writing something different from the patch is not.
                return Ok(false);
            };
            prop_assert!(patch_ok, "lowered an op JSON Patch rejects: {ops:?}");
            let (out, _) = apply_groups(text, std::slice::from_ref(&edits));
            let reparsed = load(&out, &Limits::default());
            prop_assert!(reparsed.diagnostics.is_empty(), "{out}\n{:?}", reparsed.diagnostics);
            prop_assert_eq!(reparsed.documents[0].root.as_ref().unwrap().to_json(), expected, "{}", out);
            let edit = &edits[0];
            prop_assert_eq!(&out[..edit.span.start], &text[..edit.span.start]);
            prop_assert_eq!(&out[edit.span.start + edit.text.len()..], &text[edit.span.end..]);
            Ok(true)
        });
    }

    /// Operations lowered at once against the loaded tree give the text
    /// that lowering them one after the other gives.
    #[test]
    fn independent_operations_agree_with_the_sequence() {
        // The at-once path takes at most one structural operation beside scalar
        // replacements; arbitrary operations would almost never reach it.
        let ops = (op(), proptest::collection::vec(scalar_replace(), 1..3)).prop_map(|(first, mut rest)| {
            rest.insert(0, first);
            rest
        });
        run_counted("independent_operations_agree_with_the_sequence", ops, |doc, ops| {
            let text = DOCUMENTS[doc];
            let loaded = load(text, &Limits::default());
            let document = &loaded.documents[0];
            let root = document.root.as_ref().unwrap();
            let ops = normalize(root, &ops);
            let lowering = Lowering::new(text, root, document.span);
            let Some(at_once) = lowering.lower_independent(&ops) else { return Ok(false) };
            let sequence = lowering.apply_in_sequence(document.span, &ops);
            prop_assert_eq!(Ok(in_document(text, document.span, at_once)), sequence, "{:?}", ops);
            Ok(true)
        });
    }

    /// The document's text with the bytes of `scope` replaced.
    fn in_document(text: &str, document: Span, (scope, new): (Span, String)) -> String {
        format!("{}{new}{}", &text[document.start..scope.start], &text[scope.end..document.end])
    }

    /// Operations into one item of a `kind: List`, re-read item by item, give
    /// the text and the edit that re-reading the whole List gives.
    #[test]
    fn list_items_are_lowered_as_in_the_whole_list() {
        run_counted(
            "list_items_are_lowered_as_in_the_whole_list",
            proptest::collection::vec(op(), 2..3),
            |doc, ops| {
                // Block and flow YAML: a JSON List keeps the whole-document path, and
                // the CRLF document would mix line breaks with the List around it.
                let item = DOCUMENTS[[0, 1, 4][doc % 3]].trim_end().replace('\n', "\n  ");
                let text = format!(
                "apiVersion: v1\nitems:\n- {{kind: ConfigMap, metadata: {{name: a}}}}\n- {item}\n# between\n- kind: ConfigMap\n  data: {{}}\nkind: List\n"
            );
                let loaded = load(&text, &Limits::default());
                let document = &loaded.documents[0];
                let Some(root) = document.root.as_ref() else { return Ok(false) };
                let mut ops = normalize(root.pointer("/items/1").unwrap(), &ops);
                ops.iter_mut().for_each(|op| op.rebase("/items/1"));
                let lowering = Lowering::new(&text, root, document.span);
                let Some((scope, rebased)) = lowering.list_item_scope(&ops) else { return Ok(false) };
                let whole = lowering.apply_in_sequence(document.span, &ops);
                // A failure in the item is tried on the whole List (`lower_in_sequence`).
                let Ok(item) = lowering.apply_in_sequence(scope, &rebased) else { return Ok(false) };
                let whole =
                    whole.map_err(|e| TestCaseError::fail(format!("{ops:?}: only the whole List failed: {e}")))?;
                prop_assert_eq!(in_document(&text, document.span, (scope, item)), whole.clone(), "{:?}", ops);
                // The edit as the List lowering finds it, and as the full texts give it.
                let edit = lowering.lower(&ops).unwrap();
                let (out, _) = apply_groups(&text, std::slice::from_ref(&edit));
                prop_assert_eq!(out, format!("{}{whole}{}", &text[..document.span.start], &text[document.span.end..]));
                Ok(true)
            },
        );
    }
}
