//! Fixes as symbolic operations, lowered to minimal text edits.

mod edit;
mod lower;
mod normalize;
mod op;

pub use edit::{apply_groups, splice, TextEdit};
pub use lower::{DocumentStyle, LowerError, Lowering};
pub use normalize::normalize;
pub use op::{Op, OpKind};
