//! Fixes as symbolic operations, lowered to minimal text edits.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

mod edit;
mod lower;
mod normalize;
mod op;

pub use edit::{apply_groups, splice, TextEdit};
pub use lower::{DocumentStyle, LowerError, Lowering};
pub use normalize::normalize;
pub use op::Op;
