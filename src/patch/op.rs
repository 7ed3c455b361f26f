//! Symbolic fix operations (RFC 6902 subset) that rules emit.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Add,
    Replace,
    Remove,
    /// Renames a key in place when `from` and `path` share a parent.
    Move,
}

impl OpKind {
    /// The name RFC 6902 gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Replace => "replace",
            Self::Remove => "remove",
            Self::Move => "move",
        }
    }
}

/// One JSON Patch operation; `path` is relative to the resource until the
/// engine rebases it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Op {
    pub op: OpKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// Write a new string value quoted even where plain would read back the
    /// same (annotation values: see ASM-ANN-034).
    #[serde(skip)]
    pub quoted: bool,
}

impl Op {
    pub fn add(path: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        Self { op: OpKind::Add, from: None, path: path.into(), value: Some(value.into()), quoted: false }
    }

    pub fn replace(path: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        Self { op: OpKind::Replace, from: None, path: path.into(), value: Some(value.into()), quoted: false }
    }

    pub fn remove(path: impl Into<String>) -> Self {
        Self { op: OpKind::Remove, from: None, path: path.into(), value: None, quoted: false }
    }

    /// Renames the key at `from` to the last token of `path` (same parent).
    pub fn rename(from: impl Into<String>, path: impl Into<String>) -> Self {
        Self { op: OpKind::Move, from: Some(from.into()), path: path.into(), value: None, quoted: false }
    }

    pub fn quoted(mut self) -> Self {
        self.quoted = true;
        self
    }

    /// Puts `base` (the resource's pointer in its document) before the paths.
    pub fn rebase(&mut self, base: &str) {
        self.path.insert_str(0, base);
        if let Some(from) = &mut self.from {
            from.insert_str(0, base);
        }
    }
}
