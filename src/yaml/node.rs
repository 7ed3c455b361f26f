//! The YAML tree the engine reads: every node keeps the byte span of its text.

use crate::source::Span;

use super::pointer;
use super::scalar::{resolve, Resolved};

/// How a scalar was written, which decides how an edit may rewrite it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The scalar's content after unescaping and folding.
    pub text: String,
    pub style: ScalarStyle,
    /// An explicit tag such as `!!str`, in its short form.
    pub tag: Option<Box<str>>,
}

impl Scalar {
    /// What Kubernetes' YAML reader (YAML 1.1 rules) makes of this scalar.
    pub fn resolve(&self) -> Resolved {
        resolve(self)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    pub entries: Vec<Entry>,
    /// Written as `{ ... }` rather than as an indented block.
    pub flow: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    pub items: Vec<Node>,
    pub flow: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Mapping(Mapping),
    Sequence(Sequence),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// The node's own text: for a quoted scalar, the quotes included and no
    /// trailing comment; for a block collection, its first to its last entry.
    pub span: Span,
    /// The node was copied from an anchor by an alias: its spans point at the
    /// anchor, so it must never be edited in place.
    pub aliased: bool,
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&Sequence> {
        match &self.value {
            Value::Sequence(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text when Kubernetes reads it as a string.
    pub fn as_str(&self) -> Option<&str> {
        let scalar = self.as_scalar()?;
        matches!(scalar.resolve(), Resolved::Str).then_some(scalar.text.as_str())
    }

    /// The scalar's text whatever type it resolves to (`8080`, `true`, `Local`).
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.as_scalar()?.resolve() {
            Resolved::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.as_scalar()?.resolve() {
            Resolved::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.as_scalar().map(Scalar::resolve), Some(Resolved::Null))
    }

    /// The value of `key` in a mapping; the last one wins, as in Kubernetes.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_mapping()?.get(key)
    }

    /// Follows a JSON Pointer (`/spec/ports/0/name`).
    pub fn pointer(&self, path: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer::tokens(path) {
            node = node.child(&token)?;
        }
        Some(node)
    }

    /// One step of a JSON Pointer: a mapping key or a sequence index.
    pub fn child(&self, token: &str) -> Option<&Node> {
        match &self.value {
            Value::Mapping(m) => m.get(token),
            Value::Sequence(s) => token.parse::<usize>().ok().and_then(|i| s.items.get(i)),
            Value::Scalar(_) => None,
        }
    }

    /// A mapping's keys with their effective values, as Kubernetes reads them:
    /// a duplicated key once, with its last value, and merge keys (`<<`) resolved.
    pub fn string_map(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.as_mapping().map(Mapping::merged_entries).unwrap_or_default().into_iter()
    }

    pub fn items(&self) -> &[Node] {
        self.as_sequence().map(|s| s.items.as_slice()).unwrap_or(&[])
    }

    /// Converts to JSON the way Kubernetes would read the YAML.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Scalar(s) => match s.resolve() {
                Resolved::Null => serde_json::Value::Null,
                Resolved::Bool(b) => serde_json::Value::Bool(b),
                Resolved::Int(i) => serde_json::Value::from(i),
                Resolved::Float(f) => match s.text.parse::<u64>() {
                    // Integers between i64::MAX and u64::MAX stay exact, as serde_json reads them.
                    Ok(n) => serde_json::Value::from(n),
                    Err(_) => serde_json::Number::from_f64(f)
                        .map(serde_json::Value::Number)
                        .unwrap_or_else(|| serde_json::Value::String(s.text.clone())),
                },
                Resolved::Str => serde_json::Value::String(s.text.clone()),
            },
            Value::Sequence(seq) => seq.items.iter().map(Node::to_json).collect(),
            Value::Mapping(m) => {
                let mut object = serde_json::Map::new();
                m.insert_json(&mut object);
                serde_json::Value::Object(object)
            }
        }
    }
}

impl Mapping {
    /// The value of `key`; the last occurrence wins, then merge keys (`<<`).
    pub fn get(&self, key: &str) -> Option<&Node> {
        let own = self.entries.iter().rev().find(|e| e.key.scalar_text() == Some(key) && !is_merge_key(&e.key));
        own.map(|e| &e.value).or_else(|| self.merged().find_map(|m| m.get(key)))
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key.scalar_text() == Some(key) && !is_merge_key(&e.key))
    }

    /// Mappings merged in with `<<: *anchor` or `<<: [*a, *b]`.
    fn merged(&self) -> impl Iterator<Item = &Mapping> {
        self.entries.iter().filter(|e| is_merge_key(&e.key)).flat_map(|e| match &e.value.value {
            Value::Mapping(m) => vec![m],
            Value::Sequence(s) => s.items.iter().filter_map(Node::as_mapping).collect(),
            Value::Scalar(_) => Vec::new(),
        })
    }

    /// Every key with its effective value, in first-seen order. Each key is
    /// looked up among those before it: fine for a resource's mappings;
    /// `to_json` does not use it, so huge mappings convert in linear time.
    pub fn merged_entries(&self) -> Vec<(&str, &Node)> {
        fn put<'m>(out: &mut Vec<(&'m str, &'m Node)>, key: &'m str, value: &'m Node) {
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
        let mut out = Vec::with_capacity(self.entries.len());
        // Merged keys first, so that the mapping's own keys override them.
        for merged in self.merged() {
            for (k, v) in merged.merged_entries() {
                put(&mut out, k, v);
            }
        }
        for e in &self.entries {
            if let (false, Some(k)) = (is_merge_key(&e.key), e.key.scalar_text()) {
                put(&mut out, k, &e.value);
            }
        }
        out
    }

    /// `merged_entries` into a JSON object: its insertion-ordered map keeps a
    /// key's first place and takes its last value, in constant time.
    fn insert_json(&self, object: &mut serde_json::Map<String, serde_json::Value>) {
        for merged in self.merged() {
            merged.insert_json(object);
        }
        for e in &self.entries {
            if let (false, Some(k)) = (is_merge_key(&e.key), e.key.scalar_text()) {
                object.insert(k.to_owned(), e.value.to_json());
            }
        }
    }
}

fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Scalar(s) if s.text == "<<" && s.style == ScalarStyle::Plain)
}
