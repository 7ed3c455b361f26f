//! Real manifests written by others (tests/corpus/SOURCES.md):
//! - every input file is checked without a panic, its report's JSON round-trips,
//!   every span lies inside the text, and every fix keeps the fix invariants;
//! - every finding on every file, reviewed by hand (`corpus/expectations.rs`),
//!   with no cluster context and with some; `docs/corpus.md` is rendered from
//!   the same tables.
//!
//! Files come from `tests/corpus/files` only (licensed copies in the repository),
//! so a fresh clone runs exactly what CI runs: every reviewed row names a file
//! that is there.

mod support;

#[path = "corpus/expectations.rs"]
mod expectations;
#[path = "corpus/table.rs"]
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gateway_doctor::InputFormat;
use gateway_doctor::{Options, Report, Severity};
use sha2::{Digest, Sha256};

use expectations::{FILES, NOTES, WITH_CONTEXT};
use support::*;

/// Input formats the checker reads today.
const INPUT_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "md"];

fn local_corpus() -> PathBuf {
    repo_root().join("tests/corpus/files")
}

/// Every corpus input by file name.
fn corpus_inputs() -> BTreeMap<String, PathBuf> {
    files_with_extensions(&local_corpus(), INPUT_EXTENSIONS).into_iter().map(|path| (file_name(&path), path)).collect()
}

/// Options for a corpus file: its format from its name, as the CLI decides it.
fn options_for(name: &str, mut options: Options) -> Options {
    options.format = InputFormat::from_path(name).unwrap_or_default();
    options
}

fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", path.display()))
}

#[test]
fn every_corpus_file_is_checked_without_panic_with_sound_spans_and_fixes() {
    let inputs = corpus_inputs();
    assert!(inputs.len() >= 30, "expected the corpus, found {} files", inputs.len());
    let mut failures = Vec::new();
    let mut fixes_checked = 0;
    for (name, path) in &inputs {
        let text = read(path);
        let options = options_for(name, Options::default());
        let report = match check_without_panic(name, &text, &options) {
            Ok(report) => report,
            Err(panic) => {
                failures.push(panic);
                continue;
            }
        };
        failures.extend(json_round_trip(name, &report));
        failures.extend(spans_inside_text(name, &text, &report));
        fixes_checked += fixes_with_edits(&report);
        failures.extend(fix_invariants(name, &text, &report, &options));
    }
    // Real files carry fixable findings: a corpus whose fixes never reach
    // fix_invariants would make this test pass without checking a fix.
    assert!(fixes_checked >= inputs.len(), "only {fixes_checked} fixes with edits went through fix_invariants");
    assert!(failures.is_empty(), "{} problem(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Findings, resources and input problems of one report, in the order the
/// expectation lists use.
type Found = Vec<(String, usize, Severity)>;

fn findings_of(report: &Report) -> Found {
    let mut found: Found =
        report.findings.iter().map(|f| (f.code.to_string(), f.location.start.line, f.severity)).collect();
    found.sort();
    found
}

fn input_problems_of(report: &Report) -> Found {
    let mut found: Found = report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| (d.kind.as_str().to_owned(), d.location.start.line, d.severity))
        .collect();
    found.sort();
    found
}

fn expected(list: &[(&str, usize, Severity)]) -> Found {
    let mut want: Found = list.iter().map(|&(code, line, severity)| (code.to_owned(), line, severity)).collect();
    want.sort();
    want
}

/// `what` differs: the findings the tool adds and the ones it misses.
fn difference(name: &str, what: &str, want: &Found, got: &Found) -> Option<String> {
    let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
    let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
    (want != got).then(|| format!("{name}: {what}: not expected {extra:?}, missing {missing:?}"))
}

/// Each reviewed row with its file; a row whose file is missing fails, never
/// drops out.
fn present<T>(rows: &[T], file: impl Fn(&T) -> &str) -> Vec<(&T, PathBuf)> {
    let inputs = corpus_inputs();
    rows.iter()
        .map(|row| match inputs.get(file(row)) {
            Some(path) => (row, path.clone()),
            None => panic!("{}: a reviewed row names a file tests/corpus/files does not hold", file(row)),
        })
        .collect()
}

#[test]
fn every_corpus_file_has_one_reviewed_row() {
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    for case in FILES {
        *rows.entry(case.file).or_default() += 1;
    }
    let twice: Vec<_> = rows.iter().filter(|(_, n)| **n > 1).map(|(f, _)| *f).collect();
    assert!(twice.is_empty(), "files with more than one row in FILES: {twice:?}");
    let missing: Vec<String> = corpus_inputs().into_keys().filter(|f| !rows.contains_key(f.as_str())).collect();
    assert!(
        missing.is_empty(),
        "corpus files without reviewed expectations in tests/corpus/expectations.rs: {missing:?}"
    );
    for case in WITH_CONTEXT {
        assert!(rows.contains_key(case.file), "{}: a context row needs the file's FILES row", case.file);
    }
}

#[test]
fn reviewed_findings_on_real_files() {
    let cases = present(FILES, |c| c.file);
    assert!(cases.len() >= 30, "expected the reviewed corpus, found {} files", cases.len());
    let mut failures = Vec::new();
    for (case, path) in cases {
        let report = gateway_doctor::check(&read(&path), &options_for(case.file, Options::default()));
        failures.extend(difference(case.file, "findings", &expected(case.findings), &findings_of(&report)));
        failures.extend(difference(case.file, "input problems", &expected(case.input), &input_problems_of(&report)));
        if report.summary.resources != case.resources {
            failures.push(format!(
                "{}: {} resources read, {} expected",
                case.file, report.summary.resources, case.resources
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn reviewed_findings_with_cluster_context() {
    let mut failures = Vec::new();
    for (case, path) in present(WITH_CONTEXT, |c| c.file) {
        let context: Vec<(String, String)> =
            case.context.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let report = gateway_doctor::check(&read(&path), &options_for(case.file, options_with(&context)));
        let name = format!("{} with {:?}", case.file, case.context);
        failures.extend(difference(&name, "findings", &expected(case.findings), &findings_of(&report)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `docs/corpus.md` is rendered from the expectations; regenerate it with
/// `UPDATE_DOCS=1 cargo test --test corpus`.
#[test]
fn corpus_doc_is_up_to_date() {
    let expected = table::corpus_markdown(FILES, WITH_CONTEXT, NOTES);
    support::assert_generated_file_is_fresh(
        "docs/corpus.md",
        &expected,
        "tests/corpus/expectations.rs",
        "UPDATE_DOCS=1 cargo test --test corpus",
    );
}

/// The repository's copies are listed in tests/corpus/SOURCES.md with their
/// size and the first 16 hex digits of their SHA-256: byte-for-byte the files
/// the rows describe.
#[test]
fn local_corpus_matches_its_sources() {
    let sources = read(&repo_root().join("tests/corpus/SOURCES.md"));
    let mut listed: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for row in sources.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let bytes = cells[1].parse().unwrap_or_else(|_| panic!("bad size in row: {row}"));
        listed.insert(cells[0].trim_matches('`').to_owned(), (bytes, cells[2].trim_matches('`').to_owned()));
    }
    let mut present = BTreeMap::new();
    for entry in std::fs::read_dir(local_corpus()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let digest: String = Sha256::digest(&bytes).iter().take(8).map(|b| format!("{b:02x}")).collect();
        present.insert(file_name(&path), (bytes.len(), digest));
    }
    assert_eq!(present, listed, "tests/corpus/files and the rows of tests/corpus/SOURCES.md differ");
}
