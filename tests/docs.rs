//! `docs/rules.md` is generated from the rules' own metadata; this test fails
//! when the committed file is stale. Regenerate it with:
//!
//!     UPDATE_DOCS=1 cargo test --test docs

use gateway_doctor::report::rules_doc::rules_markdown;

mod support;

#[test]
fn rules_reference_is_up_to_date() {
    support::assert_generated_file_is_fresh(
        "docs/rules.md",
        &rules_markdown(gateway_doctor::rules()),
        "the rules' metadata",
        "UPDATE_DOCS=1 cargo test --test docs",
    );
}
