//! `docs/rules.md` is generated from the rules' own metadata; this test fails
//! when the committed file is stale. Regenerate it with:
//!
//!     UPDATE_DOCS=1 cargo test --test docs

use gateway_doctor::report::rules_doc::rules_markdown;

#[test]
fn rules_reference_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let expected = rules_markdown(gateway_doctor::rules());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/rules.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != expected {
        let diff = similar::TextDiff::from_lines(&committed, &expected)
            .unified_diff()
            .context_radius(2)
            .header("docs/rules.md (committed)", "docs/rules.md (from the rules' metadata)")
            .to_string();
        panic!("docs/rules.md is stale; regenerate it with:\n\n    UPDATE_DOCS=1 cargo test --test docs\n\n{diff}");
    }
}
