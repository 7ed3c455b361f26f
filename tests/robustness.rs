//! Fuzz-style property tests: real manifests (the fixtures and the small corpus
//! files) mutated with YAML-significant edits must never make `check` or `fix`
//! panic, and their reports must stay well-formed: spans inside the text, JSON
//! that round-trips, and fixes that keep the fix invariants.

mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use gateway_doctor::{fix, FixRequest, Options};
use proptest::prelude::*;

use support::*;

/// Inputs at most this long are used as seeds, to keep each case fast.
const MAX_SEED_BYTES: usize = 20_000;

/// Text a mutation inserts: YAML structure, quoting, markers, odd whitespace and scalars.
const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "\n",
    "  ",
    "\t",
    "#",
    " # c",
    "\"",
    "'",
    "{",
    "}",
    "[",
    "]",
    ",",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "!!str ",
    "? ",
    "|\n",
    ">-\n",
    "\r\n",
    "\r",
    "\u{feff}",
    "入口网关",
    "on",
    "~",
    "null",
    "Local",
    "Cluster",
    "LoadBalancer",
    "externalTrafficPolicy: Local\n",
    "  serviceAnnotations: {}\n",
    "kind: List\nitems:\n- ",
];

fn seeds() -> &'static [(String, String)] {
    static SEEDS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = repo_root();
        let mut dirs: Vec<PathBuf> = vec![root.join("tests/corpus/files")];
        if let Ok(entries) = std::fs::read_dir(root.join("tests/fixtures")) {
            dirs.extend(entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()));
        }
        dirs.sort();
        let mut seeds = Vec::new();
        for dir in dirs {
            for path in files_with_extensions(&dir, &["yaml", "yml", "json"]) {
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                if !text.is_empty() && text.len() <= MAX_SEED_BYTES {
                    seeds.push((file_name(&path), text));
                }
            }
        }
        assert!(seeds.len() >= 20, "too few seed inputs: {}", seeds.len());
        seeds
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    Insert { at: usize, token: usize },
    Delete { at: usize, len: usize },
    DuplicateLine { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        any::<usize>().prop_map(|at| Mutation::DuplicateLine { at }),
    ]
}

/// The nearest character boundary at or before `at % (len + 1)`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(text: &str, mutation: &Mutation) -> String {
    let mut out = text.to_owned();
    match *mutation {
        Mutation::Insert { at, token } => out.insert_str(boundary(text, at), TOKENS[token]),
        Mutation::Delete { at, len } => {
            let start = boundary(text, at);
            let end = boundary(text, (start + len).min(text.len()));
            out.replace_range(start..end.max(start), "");
        }
        Mutation::DuplicateLine { at } => {
            let start = text[..boundary(text, at)].rfind('\n').map_or(0, |i| i + 1);
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
            out.insert_str(start, &text[start..end]);
        }
    }
    out
}

/// CI runs a fixed sequence of cases, so a red run is reproducible; set
/// `PROPTEST_RNG_SEED` (and `PROPTEST_CASES`) to explore others.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig { cases: 192, ..ProptestConfig::default() };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = prop::test_runner::RngSeed::Fixed(0x6761_7465_7761_7921);
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_manifests_never_panic_and_stay_well_formed(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (name, text) = &seeds()[seed.index(seeds().len())];
        let mut input = text.clone();
        for m in &mutations {
            input = mutate(&input, m);
        }
        let name = format!("{name} mutated by {mutations:?}");
        let options = Options::default();
        let report = check_without_panic(&name, &input, &options).map_err(TestCaseError::fail)?;
        let mut problems = spans_inside_text(&name, &input, &report);
        problems.extend(json_round_trip(&name, &report));
        problems.extend(fix_invariants(&name, &input, &report, &options));
        let everything = FixRequest { ids: Vec::new(), allow_unsafe: true };
        if std::panic::catch_unwind(|| fix(&input, &everything, &options)).is_err() {
            problems.push(format!("{name}: fix of all safe fixes panicked"));
        }
        prop_assert!(problems.is_empty(), "input:\n{}\n\n{}", input, problems.join("\n\n"));
    }
}
