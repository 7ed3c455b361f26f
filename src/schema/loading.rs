//! Where the field tables come from: the host decides. Native builds and the
//! policy modules embed `schema/tables.txt` (feature `embedded-schema`); the
//! browser module has no room for it (BENCHMARKS.md) and is handed the file by
//! the page, which fetches it beside the wasm as it fetches the rules' docs
//! (`loadSchema`, through [`load`]).

use std::sync::OnceLock;

use super::Schema;

static TABLES: OnceLock<Option<Schema>> = OnceLock::new();

#[cfg(feature = "embedded-schema")]
const EMBEDDED: &str = include_str!("../../schema/tables.txt");

/// The field tables, or `None` until the host has loaded them (browser only).
pub fn tables() -> Option<&'static Schema> {
    // tests/schema_tables.rs generates the table, and the unit test below
    // reads it: a table that does not parse cannot be committed.
    #[cfg(feature = "embedded-schema")]
    let tables = TABLES.get_or_init(|| Schema::parse(EMBEDDED).ok());
    #[cfg(not(feature = "embedded-schema"))]
    let tables = TABLES.get().unwrap_or(&None);
    tables.as_ref()
}

/// Takes the text of `schema/tables.txt` for a build without the embedded
/// table; the first table loaded (or embedded) stays.
pub fn load(text: &str) -> Result<(), String> {
    let schema = Schema::parse(text)?;
    let _ = TABLES.set(Some(schema));
    Ok(())
}

#[cfg(all(test, feature = "embedded-schema"))]
#[test]
fn the_embedded_table_parses() {
    assert!(Schema::parse(EMBEDDED).is_ok());
    assert!(tables().is_some_and(|s| s.root("v1", "Service").is_some()));
}
