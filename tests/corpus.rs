//! Real manifests written by others (tests/corpus/SOURCES.md):
//! - every input file is checked without a panic, its report's JSON round-trips,
//!   every span lies inside the text, and every fix keeps the fix invariants;
//! - specific findings on files verified by hand (`corpus/expectations.rs`).
//!
//! Files come from `tests/corpus/files` (licensed copies in the repository) and,
//! when present, from the project's shared corpus: `$GATEWAY_DOCTOR_CORPUS`, or
//! `../shared/corpus/files` next to the repository (CI has it; a clone may not).

mod support;

#[path = "corpus/expectations.rs"]
mod expectations;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gateway_doctor::{Options, Severity};

use expectations::EXPECTATIONS;
use support::*;

/// Input formats the checker reads today.
const INPUT_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

fn local_corpus() -> PathBuf {
    repo_root().join("tests/corpus/files")
}

fn shared_corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("GATEWAY_DOCTOR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("../shared/corpus/files"),
    };
    dir.is_dir().then_some(dir)
}

/// Every corpus input by file name; the repository's copy wins over the shared one.
fn corpus_inputs() -> BTreeMap<String, PathBuf> {
    let mut inputs = BTreeMap::new();
    for dir in shared_corpus().into_iter().chain([local_corpus()]) {
        for path in files_with_extensions(&dir, INPUT_EXTENSIONS) {
            inputs.insert(file_name(&path), path);
        }
    }
    inputs
}

fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", path.display()))
}

#[test]
fn every_corpus_file_is_checked_without_panic_with_sound_spans_and_fixes() {
    let inputs = corpus_inputs();
    assert!(inputs.len() >= 30, "expected the corpus, found {} files", inputs.len());
    let options = Options::default();
    let mut failures = Vec::new();
    for (name, path) in &inputs {
        let text = read(path);
        let report = match check_without_panic(name, &text, &options) {
            Ok(report) => report,
            Err(panic) => {
                failures.push(panic);
                continue;
            }
        };
        failures.extend(json_round_trip(name, &report));
        failures.extend(spans_inside_text(name, &text, &report));
        failures.extend(fix_invariants(name, &text, &report, &options));
    }
    let (failures, _) = without_known_violations(failures);
    assert!(failures.is_empty(), "{} problem(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn asserted_findings_on_real_files() {
    // (file, code) -> expected (line, severity) set.
    let mut expected: BTreeMap<(&str, &str), BTreeSet<(usize, Severity)>> = BTreeMap::new();
    for e in EXPECTATIONS {
        let set = expected.entry((e.file, e.code)).or_default();
        set.extend(e.at);
    }
    let files: BTreeSet<&str> = expected.keys().map(|(f, _)| *f).collect();
    assert!(files.len() >= 10, "assert findings on at least ten files");

    let mut failures = Vec::new();
    for ((file, code), want) in &expected {
        let path = local_corpus().join(file);
        assert!(path.is_file(), "{file} is not in tests/corpus/files");
        let text = read(&path);
        let report = gateway_doctor::check(&text, &Options::default());
        let got: BTreeSet<(usize, Severity)> =
            report.findings.iter().filter(|f| f.code == *code).map(|f| (f.location.start.line, f.severity)).collect();
        if &got != want {
            failures.push(format!("{file}: {code}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The repository's copies are listed in tests/corpus/SOURCES.md with their
/// size, and are identical to the shared corpus when it is present.
#[test]
fn local_corpus_matches_its_sources() {
    let sources = read(&repo_root().join("tests/corpus/SOURCES.md"));
    let mut listed: BTreeMap<String, usize> = BTreeMap::new();
    for row in sources.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let bytes = cells[1].parse().unwrap_or_else(|_| panic!("bad size in row: {row}"));
        listed.insert(cells[0].trim_matches('`').to_owned(), bytes);
    }
    let mut present = BTreeMap::new();
    for entry in std::fs::read_dir(local_corpus()).unwrap() {
        let path = entry.unwrap().path();
        present.insert(file_name(&path), std::fs::metadata(&path).unwrap().len() as usize);
    }
    assert_eq!(present, listed, "tests/corpus/files and the rows of tests/corpus/SOURCES.md differ");
    if let Some(shared) = shared_corpus() {
        for name in present.keys() {
            let theirs = shared.join(name);
            if theirs.is_file() {
                assert!(
                    std::fs::read(&theirs).unwrap() == std::fs::read(local_corpus().join(name)).unwrap(),
                    "{name} differs from the shared corpus"
                );
            }
        }
    }
}
