//! Symbolic fix operations (RFC 6902 subset) that rules emit.
//!
//! One variant per operation the engine uses (RFC 6902 section 4:
//! <https://www.rfc-editor.org/rfc/rfc6902#section-4>); `copy` and `test` are
//! not used. Serialised as RFC 6902 objects: `{"op": "add", "path": ..., "value": ...}`.

use serde::Serialize;
use serde_json::Value as Json;

/// One JSON Patch operation; paths are relative to the resource until the
/// engine rebases them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Op {
    /// Adds `value` at `path` (inserts at an array index).
    Add {
        path: String,
        value: Json,
        /// Write a new string value quoted even where plain would read back
        /// the same (annotation values: see ASM-ANN-034).
        #[serde(skip)]
        quoted: bool,
    },
    /// Replaces the existing value at `path` with `value`.
    Replace {
        path: String,
        value: Json,
        /// As [`Op::Add`]'s.
        #[serde(skip)]
        quoted: bool,
    },
    /// Removes the value at `path`.
    Remove { path: String },
    /// Renames the key at `from` to the last token of `path`, in place; the
    /// engine lowers it only when both share a parent.
    Move { from: String, path: String },
}

impl Op {
    pub fn add(path: impl Into<String>, value: impl Into<Json>) -> Self {
        Self::Add { path: path.into(), value: value.into(), quoted: false }
    }

    pub fn replace(path: impl Into<String>, value: impl Into<Json>) -> Self {
        Self::Replace { path: path.into(), value: value.into(), quoted: false }
    }

    pub fn remove(path: impl Into<String>) -> Self {
        Self::Remove { path: path.into() }
    }

    /// Renames the key at `from` to the last token of `path` (same parent).
    pub fn rename(from: impl Into<String>, path: impl Into<String>) -> Self {
        Self::Move { from: from.into(), path: path.into() }
    }

    /// Writes the new string value quoted; no effect on `remove` and `move`,
    /// which write no value.
    pub fn quoted(mut self) -> Self {
        if let Self::Add { quoted, .. } | Self::Replace { quoted, .. } = &mut self {
            *quoted = true;
        }
        self
    }

    /// The name RFC 6902 gives the operation.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Add { .. } => "add",
            Self::Replace { .. } => "replace",
            Self::Remove { .. } => "remove",
            Self::Move { .. } => "move",
        }
    }

    /// The target of the operation.
    pub fn path(&self) -> &str {
        match self {
            Self::Add { path, .. } | Self::Replace { path, .. } | Self::Remove { path } | Self::Move { path, .. } => {
                path
            }
        }
    }

    /// The key a `move` renames.
    pub fn from(&self) -> Option<&str> {
        match self {
            Self::Move { from, .. } => Some(from),
            _ => None,
        }
    }

    /// The value an `add` or `replace` writes.
    pub fn value(&self) -> Option<&Json> {
        match self {
            Self::Add { value, .. } | Self::Replace { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Puts `base` (the resource's pointer in its document) before the paths.
    pub fn rebase(&mut self, base: &str) {
        match self {
            Self::Add { path, .. } | Self::Replace { path, .. } | Self::Remove { path } => path.insert_str(0, base),
            Self::Move { from, path } => {
                from.insert_str(0, base);
                path.insert_str(0, base);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Op;

    #[test]
    fn serialises_as_rfc_6902() {
        let json = |op: Op| serde_json::to_string(&op).unwrap();
        assert_eq!(json(Op::add("/a", 1).quoted()), r#"{"op":"add","path":"/a","value":1}"#);
        assert_eq!(json(Op::replace("/a", "x")), r#"{"op":"replace","path":"/a","value":"x"}"#);
        assert_eq!(json(Op::remove("/a")), r#"{"op":"remove","path":"/a"}"#);
        assert_eq!(json(Op::rename("/a", "/b")), r#"{"op":"move","from":"/a","path":"/b"}"#);
    }

    #[test]
    fn rebases_every_path() {
        let mut op = Op::rename("/a", "/b");
        op.rebase("/items/0");
        assert_eq!(op, Op::rename("/items/0/a", "/items/0/b"));
        assert_eq!((op.from(), op.path()), (Some("/items/0/a"), "/items/0/b"));
    }
}
