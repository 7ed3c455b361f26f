//! `docs/rules.md` is generated from the rules' own metadata, and the tables of
//! cluster-context keys in the READMEs and docs/architecture.md from the core's
//! `CONTEXT_KEYS`; these tests fail when a committed file is stale. Regenerate
//! them with:
//!
//!     UPDATE_DOCS=1 cargo test --test docs

use gateway_doctor::context::{Values, CONTEXT_KEYS};
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

/// The files that show the cluster-context keys, each between these two markers.
const CONTEXT_TABLES: &[&str] =
    &["README.md", "docs/architecture.md", "crates/kubewarden/README.md", "crates/opa/README.md"];
const TABLE_START: &str = "<!-- context-keys: generated from CONTEXT_KEYS (src/context.rs) by tests/docs.rs -->\n";
const TABLE_END: &str = "<!-- /context-keys -->";

/// The Markdown table of the context keys: JSON key, CLI flag, values, meaning.
fn context_keys_table() -> String {
    let code = |items: &mut dyn Iterator<Item = &str>| items.map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
    let mut table = String::from("| key (JSON, settings) | CLI flag | values | meaning |\n|---|---|---|---|\n");
    for key in CONTEXT_KEYS {
        let (flag, values) = match key.values {
            Values::Names(names) => (format!("`--{}`", key.flag), code(&mut names.iter().copied().chain(["unknown"]))),
            Values::Version(example) => (format!("`--{}`", key.flag), format!("a version such as `{example}`")),
            Values::Bool { off_flag, .. } => {
                (format!("`--{}` / `--{off_flag}`", key.flag), code(&mut ["true", "false"].into_iter()))
            }
        };
        table.push_str(&format!("| `{}` | {flag} | {values} | {} |\n", key.key, key.help));
    }
    table
}

#[test]
fn context_key_tables_are_up_to_date() {
    let table = context_keys_table();
    for relative in CONTEXT_TABLES {
        let committed = std::fs::read_to_string(support::repo_root().join(relative)).unwrap();
        let start = committed.find(TABLE_START).unwrap_or_else(|| panic!("{relative} has no {TABLE_START}"));
        let start = start + TABLE_START.len();
        let end = start + committed[start..].find(TABLE_END).unwrap_or_else(|| panic!("{relative} has no {TABLE_END}"));
        let expected = format!("{}{table}{}", &committed[..start], &committed[end..]);
        support::assert_generated_file_is_fresh(
            relative,
            &expected,
            "CONTEXT_KEYS",
            "UPDATE_DOCS=1 cargo test --test docs",
        );
    }
}

/// Whether `text` names where it can be read: a URL, or a
/// `owner/repo/path@commit` (also `owner/repo@commit`) with 8 to 40 hex digits.
fn has_address(text: &str) -> bool {
    text.contains("https://") || text.contains("http://") || pinned_paths(text).next().is_some()
}

/// The `…/…@commit` references in `text`: each backtick span (paths may hold
/// spaces) and each whitespace-separated word is a candidate.
fn pinned_paths(text: &str) -> impl Iterator<Item = &str> {
    let spans = text.split('`').skip(1).step_by(2);
    spans.chain(text.split_whitespace()).filter(|candidate| is_pinned_path(candidate))
}

fn is_pinned_path(candidate: &str) -> bool {
    let candidate = candidate.trim_matches(|c: char| matches!(c, '`' | '(' | ')' | ',' | ';' | ':' | '"'));
    let Some((path, rest)) = candidate.rsplit_once('@') else { return false };
    let hex = rest.chars().take_while(char::is_ascii_hexdigit).count();
    let after = rest[hex..].chars().next();
    path.contains('/') && (8..=40).contains(&hex) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A primary source has an address and is not marked `Secondary:`.
fn is_primary(text: &str) -> bool {
    has_address(text) && !text.starts_with("Secondary:")
}

#[test]
fn source_addresses_are_recognised() {
    assert!(is_pinned_path("`kubernetes/api@10b39a39bcee995dfe7cd5e8e7b922be5e46f1e2`"));
    assert!(is_pinned_path("kubernetes/kubernetes/pkg/apis/core/validation/validation.go@000f2605,"));
    assert!(is_pinned_path("a/b c/d.md@cb678bc9#L12"));
    assert!(!is_pinned_path("kubernetes/api@HEAD"), "not a commit");
    assert!(!is_pinned_path("kubernetes/api@eeb0ddc"), "7 hex digits are too few");
    assert!(!is_pinned_path("pkg/proxy.go@deadbeefx"), "hex run followed by a letter");
    assert!(!is_pinned_path("user@0123456789"), "no path");
    assert!(has_address("see https://example.com/x"));
    assert!(!has_address("GitHub `kubernetes/api` (HEAD 2026-07): `core/v1/types.go`"));
    assert!(!is_primary("Secondary: a blog post, https://example.com/x"));
}

/// Every rule cites at least one primary source, every cited id exists, and
/// every entry of the source list says where it can be read. All offenders
/// are listed at once.
#[test]
fn every_rule_cites_a_primary_source() {
    use gateway_doctor::{describe_source as describe, SOURCES};

    let mut offenders: Vec<String> = SOURCES
        .iter()
        .filter(|(_, text)| !has_address(text))
        .map(|(id, _)| format!("source {id} has neither a URL nor a path@commit"))
        .collect();
    for rule in gateway_doctor::rules() {
        let meta = rule.meta();
        for id in meta.sources.iter().filter(|id| describe(id).is_none()) {
            offenders.push(format!("{} cites unknown source {id}", meta.code));
        }
        if !meta.sources.iter().filter_map(|id| describe(id)).any(is_primary) {
            offenders.push(format!("{} cites no primary source (sources: {:?})", meta.code, meta.sources));
        }
    }
    assert!(offenders.is_empty(), "{} source problem(s):\n{}", offenders.len(), offenders.join("\n"));
}

/// The page's cluster questions (`www/index.html`, `<select data-key=...>`) ask for keys of
/// `CONTEXT_KEYS` and offer only values the core accepts.
#[test]
fn page_context_selects_use_the_core_table() {
    let page = std::fs::read_to_string(support::repo_root().join("www/index.html")).unwrap();
    let mut selects = 0;
    for select in page.split("<select").skip(1) {
        let select = &select[..select.find("</select>").unwrap()];
        let Some(key) = select.split("data-key=\"").nth(1).and_then(|rest| rest.split('"').next()) else { continue };
        let entry =
            CONTEXT_KEYS.iter().find(|k| k.key == key).unwrap_or_else(|| panic!("`{key}` is not a context key"));
        let accepted: Vec<&str> = match entry.values {
            Values::Names(names) => names.iter().copied().chain(["unknown"]).collect(),
            Values::Bool { .. } => vec!["true", "false", "unknown"],
            Values::Version(_) => panic!("`{key}` is a version: a text field, not a select"),
        };
        for value in select.split("<option value=\"").skip(1).map(|rest| rest.split('"').next().unwrap()) {
            assert!(
                accepted.contains(&value),
                "www/index.html offers `{value}` for `{key}`; the core takes {accepted:?}"
            );
        }
        selects += 1;
    }
    assert!(selects >= 4, "found {selects} context selects in www/index.html");
}
