//! Where the field tables come from: the host decides. Native builds and the
//! policy modules embed `schema/tables.txt`; the browser module has no room
//! for it (BENCHMARKS.md) and is handed the file by the page, which fetches
//! it beside the wasm as it fetches the rules' docs (`loadSchema`).

use super::Schema;

#[cfg(not(feature = "wasm"))]
mod host {
    use std::sync::OnceLock;

    use super::Schema;

    const EMBEDDED: &str = include_str!("../../schema/tables.txt");

    pub fn tables() -> Option<&'static Schema> {
        static PARSED: OnceLock<Option<Schema>> = OnceLock::new();
        // tests/schema_tables.rs generates the table, and the unit test below
        // reads it: a table that does not parse cannot be committed.
        PARSED.get_or_init(|| Schema::parse(EMBEDDED).ok()).as_ref()
    }

    #[cfg(test)]
    #[test]
    fn the_embedded_table_parses() {
        assert!(Schema::parse(EMBEDDED).is_ok());
        assert!(tables().is_some_and(|s| s.root("v1", "Service").is_some()));
    }
}

#[cfg(feature = "wasm")]
mod host {
    use std::sync::OnceLock;

    use super::Schema;

    static LOADED: OnceLock<Schema> = OnceLock::new();

    pub fn tables() -> Option<&'static Schema> {
        LOADED.get()
    }

    /// Takes the text of `schema/tables.txt`; a second call keeps the first table.
    pub fn load(text: &str) -> Result<(), String> {
        let schema = Schema::parse(text)?;
        let _ = LOADED.set(schema);
        Ok(())
    }
}

/// The field tables, or `None` until the host has loaded them (browser only).
pub fn tables() -> Option<&'static Schema> {
    host::tables()
}

#[cfg(feature = "wasm")]
pub use host::load;
