//! Multi-document YAML (and JSON) with a byte span for every node.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

mod loader;
mod node;
pub mod pointer;
pub mod scalar;
mod split;

pub use loader::{load, Document, Loaded};
pub use node::{Entry, Mapping, Node, Scalar, ScalarStyle, Sequence, Value};
pub use scalar::Resolved;

/// Bounds that keep hostile input from exhausting time, memory or the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_input_bytes: usize,
    pub max_documents: usize,
    pub max_depth: usize,
    pub max_alias_nodes: usize,
    pub max_scalar_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 64 * 1024 * 1024,
            max_documents: 100_000,
            max_depth: 128,
            max_alias_nodes: 100_000,
            max_scalar_bytes: 8 * 1024 * 1024,
        }
    }
}
