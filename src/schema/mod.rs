//! What the API server accepts in the objects the rules read: the field
//! tables of `schema/tables.txt`, generated from pinned upstream sources
//! (`schema/upstream/SOURCES.md`, `scripts/schema-tables`).
//!
//! Rules ask [`tables`] for the schema; where it comes from is decided at the
//! host edge ([`loading`]): the native builds and the policy modules embed the
//! table, the browser module is handed it by the page (`loadSchema`).

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

mod loading;
mod table;
mod walk;

pub use loading::{load, tables};
pub use table::{FieldKind, ObjectType, Schema, SchemaSource};
pub use walk::{expected_text, found_text, problems, Checked, Problem, Unknown};

/// How close a misspelt key must be to a known field to be suggested: one
/// edit for short names, two from eight characters on.
pub fn is_close(key: &str, field: &str) -> bool {
    let limit = if key.chars().count() >= 8 { 2 } else { 1 };
    strsim::osa_distance(key, field) <= limit
}

/// The known fields of `object` nearest to `key` (the closest distance only).
pub fn suggestions<'s>(object: &'s ObjectType, key: &str) -> Vec<&'s str> {
    let close: Vec<(usize, &str)> = object
        .fields
        .iter()
        .map(|(name, _)| (strsim::osa_distance(key, name), name.as_str()))
        .filter(|(_, name)| is_close(key, name))
        .collect();
    let best = close.iter().map(|(d, _)| *d).min();
    close.into_iter().filter(|(d, _)| Some(*d) == best).map(|(_, name)| name).collect()
}

/// The misspelt key under `parent` whose one suggestion is `field`: what a rule
/// that finds `field` unset names instead of offering to add it a second time
/// (ASM-CR-046 renames it), among a resource's `checked` problems.
pub fn misspelling_of<'a>(checked: &Checked<'a>, parent: &str, field: &str) -> Option<&'a str> {
    checked.problems.iter().find_map(|problem| match problem {
        Problem::Unknown(u) if u.parent == parent && suggestions(u.object, u.key) == [field] => Some(u.key),
        _ => None,
    })
}
