//! The manifests in `examples/` — what a new user runs first — are valid
//! input, report exactly what their header comments promise, and every fix of
//! every finding in them keeps the fix invariants.
//!
//! The promise is written in the header (the comment lines before the first
//! other line) as `# expect:` lines:
//!
//! ```text
//! # expect: ASM-LB-001 warning line 20    one finding: code, severity, line
//! # expect: suppressed 1                  findings suppressed by annotation (0 when absent)
//! ```
//!
//! The finding lines are the whole list: a finding the header does not name,
//! or a named one the report lacks, fails the test.

mod support;

use gateway_doctor::{check, Options, Report};

use support::*;

/// One finding a header promises.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    code: String,
    severity: String,
    line: usize,
}

/// Everything a header promises.
#[derive(Debug, Default, PartialEq)]
struct Promise {
    findings: Vec<Expected>,
    suppressed: usize,
}

/// The `# expect:` lines of the header comment. Any other form of an
/// `# expect:` line is an error, so a typo cannot drop a promise.
fn promise(text: &str) -> Result<Promise, String> {
    let mut promise = Promise::default();
    let header = text.lines().take_while(|line| line.starts_with('#'));
    for line in header {
        let Some(rest) = line.strip_prefix("# expect:") else { continue };
        let words: Vec<&str> = rest.split_whitespace().collect();
        match words.as_slice() {
            ["suppressed", n] => promise.suppressed = n.parse().map_err(|_| format!("not a count: {line}"))?,
            [code, severity @ ("error" | "warning" | "info"), "line", n] if is_code(code) => {
                let line = n.parse().map_err(|_| format!("not a line number: {line}"))?;
                promise.findings.push(Expected { code: (*code).into(), severity: (*severity).into(), line });
            }
            _ => {
                return Err(format!(
                    "expected `# expect: CODE error|warning|info line N` or `# expect: suppressed N`, found `{line}`"
                ))
            }
        }
    }
    promise.findings.sort();
    Ok(promise)
}

/// `ASM-LB-001`: the form of every rule code.
fn is_code(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    matches!(parts.as_slice(), ["ASM", area, number]
        if !area.is_empty() && area.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()))
}

fn reported(report: &Report) -> Promise {
    let mut findings: Vec<Expected> = report
        .findings
        .iter()
        .map(|f| Expected {
            code: f.code.to_string(),
            severity: f.severity.as_str().into(),
            line: f.location.start.line,
        })
        .collect();
    findings.sort();
    Promise { findings, suppressed: report.summary.suppressed }
}

/// What the report adds to the promise, and what it misses.
fn broken_promise(file: &str, want: &Promise, got: &Promise) -> Option<String> {
    let extra: Vec<_> = got.findings.iter().filter(|g| !want.findings.contains(g)).collect();
    let missing: Vec<_> = want.findings.iter().filter(|w| !got.findings.contains(w)).collect();
    let mut problems = Vec::new();
    if want.findings != got.findings {
        problems.push(format!("findings not promised {extra:?}, promised but missing {missing:?}"));
    }
    if want.suppressed != got.suppressed {
        problems.push(format!("{} suppressed, the header promises {}", got.suppressed, want.suppressed));
    }
    (!problems.is_empty()).then(|| format!("{file}: {}", problems.join("; ")))
}

#[test]
fn examples_report_what_their_headers_promise() {
    let dir = repo_root().join("examples");
    let files = files_with_extensions(&dir, &["yaml", "yml", "json"]);
    assert!(files.len() >= 4, "expected the examples, found {files:?}");

    let options = Options::default();
    let mut failures = Vec::new();
    let mut fixes_checked = 0;
    for path in &files {
        let file = file_name(path);
        let text = std::fs::read_to_string(path).unwrap();
        let want = match promise(&text) {
            Ok(want) if want.findings.is_empty() => {
                failures.push(format!("{file}: the header has no `# expect:` finding line"));
                continue;
            }
            Ok(want) => want,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        let report = check(&text, &options);
        if !report.diagnostics.is_empty() {
            failures.push(format!("{file}: input diagnostics: {:?}", report.diagnostics));
        }
        failures.extend(broken_promise(&file, &want, &reported(&report)));
        failures.extend(fix_invariants(&file, &text, &report, &options));
        fixes_checked += fixes_with_edits(&report);
    }
    // The examples show fixes: if none reached fix_invariants, it proved nothing.
    assert!(fixes_checked >= files.len(), "only {fixes_checked} fixes with edits went through fix_invariants");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn expect_lines_are_read_from_the_header_only_and_strictly() {
    let text = "# a gateway\n# expect: ASM-LB-001 warning line 5\n# expect: suppressed 2\n\
                # expect: ASM-HA-011 info line 5\nkind: Service\n# expect: ASM-LB-010 warning line 9\n";
    let got = promise(text).unwrap();
    assert_eq!(got.suppressed, 2);
    let codes: Vec<&str> = got.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["ASM-HA-011", "ASM-LB-001"], "a comment after the header promises nothing");

    for bad in [
        "# expect: ASM-LB-001 warning",
        "# expect: ASM-LB-001 warn line 5",
        "# expect: ASM-LB-1 warning line 5",
        "# expect: ASM-LB-001 warning line five",
        "# expect: suppressed some",
        "# expect: no ASM-LB-001",
    ] {
        assert!(promise(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_broken_promise_names_what_differs() {
    let finding = |code: &str, line| Expected { code: code.into(), severity: "warning".into(), line };
    let want = Promise { findings: vec![finding("ASM-LB-001", 5)], suppressed: 0 };
    assert_eq!(broken_promise("f", &want, &Promise { findings: vec![finding("ASM-LB-001", 5)], suppressed: 0 }), None);
    let got = Promise { findings: vec![finding("ASM-LB-001", 6), finding("ASM-LB-010", 5)], suppressed: 1 };
    let message = broken_promise("f", &want, &got).unwrap();
    assert!(message.contains("ASM-LB-010") && message.contains("line: 6"), "{message}");
    assert!(message.contains("1 suppressed, the header promises 0"), "{message}");
}
