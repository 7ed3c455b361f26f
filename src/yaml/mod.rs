//! Multi-document YAML (and JSON) with a byte span for every node.
//!
//! [`load_stream`] reads any input. JSON goes through the small JSON reader
//! (`json`); the YAML loader (saphyr-parser, `loader`) is compiled in with
//! the `yaml` feature, which the policy hosts leave out: they only read JSON.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

mod json;
mod loaded;
#[cfg(feature = "yaml")]
mod loader;
mod node;
pub(crate) mod pointer;
pub(crate) mod scalar;
#[cfg(feature = "yaml")]
mod split;
mod stream;

pub use json::{load_json, read_value};
pub use loaded::{input_too_large, Document, Loaded};
#[cfg(feature = "yaml")]
pub use loader::load;
pub use node::{Entry, Mapping, Node, Scalar, ScalarStyle, Sequence, Value};
pub use scalar::Resolved;
#[cfg(not(feature = "yaml"))]
pub use stream::load;
pub use stream::{load_stream, JSON_ONLY};

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
