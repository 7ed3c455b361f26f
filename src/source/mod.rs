//! Byte spans over the input text and their conversion to lines and columns.
//!
//! Everything inside the engine works with byte offsets; lines and columns are
//! computed at the edge, in characters for terminals or UTF-16 code units for
//! JavaScript and editors.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

mod line_index;

pub(crate) use line_index::floor_char_boundary;
pub use line_index::{line_start, next_line_start, ColumnUnit, LineIndex, Position};

use serde::Serialize;

/// A half-open byte range `[start, end)` into the input text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Self { start: at, end: at }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub const fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether two spans share at least one byte, or an insertion point lies
    /// strictly inside the other span.
    pub const fn overlaps(self, other: Span) -> bool {
        if self.is_empty() || other.is_empty() {
            let (point, range) = if self.is_empty() { (self.start, other) } else { (other.start, self) };
            return range.start < point && point < range.end;
        }
        self.start < other.end && other.start < self.end
    }

    pub fn shifted(self, by: usize) -> Self {
        Self::new(self.start + by, self.end + by)
    }

    /// The span relative to a point at or before its start.
    pub fn shifted_back(self, by: usize) -> Self {
        Self::new(self.start.saturating_sub(by), self.end.saturating_sub(by))
    }
}
