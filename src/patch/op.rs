//! Symbolic fix operations (RFC 6902 subset) that rules emit.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Add,
    Replace,
    Remove,
}

/// One JSON Patch operation; `path` is relative to the resource until the
/// engine rebases it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Op {
    pub op: OpKind,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// Write a new string value quoted even where plain would read back the
    /// same (annotation values, domain.md 6.3).
    #[serde(skip)]
    pub quoted: bool,
}

impl Op {
    pub fn add(path: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        Self { op: OpKind::Add, path: path.into(), value: Some(value.into()), quoted: false }
    }

    pub fn replace(path: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        Self { op: OpKind::Replace, path: path.into(), value: Some(value.into()), quoted: false }
    }

    pub fn remove(path: impl Into<String>) -> Self {
        Self { op: OpKind::Remove, path: path.into(), value: None, quoted: false }
    }

    pub fn quoted(mut self) -> Self {
        self.quoted = true;
        self
    }

    pub fn rebased(&self, base: &str) -> Self {
        Self { path: format!("{base}{}", self.path), ..self.clone() }
    }
}
