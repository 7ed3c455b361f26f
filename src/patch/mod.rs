//! Fixes as symbolic operations, lowered to minimal text edits.

mod edit;
mod lower;
mod op;

pub use edit::{apply_groups, splice, TextEdit};
pub use lower::{LowerError, Lowering};
pub use op::{Op, OpKind};
