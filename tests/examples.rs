//! The manifests in `examples/` — what a new user runs first — are valid
//! input, say what their header comments promise, and every fix of every
//! finding in them keeps the fix invariants.

mod support;

use gateway_doctor::{check, Options};

use support::*;

/// Where a finding is: document index and JSON Pointer.
type At = (usize, &'static str);

/// What each example shows for the founding rule: (file, ASM-LB-001 locations,
/// findings suppressed by annotation).
const EXAMPLES: &[(&str, &[At], usize)] = &[
    ("founding-istio-gateway.yaml", &[(0, "/spec/externalTrafficPolicy")], 0),
    ("ack-nginx-ingress-lb.yaml", &[(0, "/spec/externalTrafficPolicy")], 0),
    ("terway-eni-gateway.yaml", &[], 0),
    ("mixed-stream.yaml", &[(3, "/spec/overrides/c7f6e5d4c3b2a1/externalTrafficPolicy")], 1),
];

#[test]
fn examples_are_valid_and_show_what_they_say() {
    let dir = repo_root().join("examples");
    let files: Vec<String> =
        files_with_extensions(&dir, &["yaml", "yml", "json"]).iter().map(|p| file_name(p)).collect();
    let listed: Vec<String> = EXAMPLES.iter().map(|(f, _, _)| f.to_string()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(files, sorted, "every example is listed here, and every listed example exists");

    let options = Options::default();
    let mut failures = Vec::new();
    let mut fixes_checked = 0;
    for (file, lb001, suppressed) in EXAMPLES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let report = check(&text, &options);
        if !report.diagnostics.is_empty() {
            failures.push(format!("{file}: input diagnostics: {:?}", report.diagnostics));
        }
        let got: Vec<(usize, &str)> = report
            .findings
            .iter()
            .filter(|f| f.code == "ASM-LB-001")
            .map(|f| (f.location.document, f.location.path.as_str()))
            .collect();
        if got != *lb001 {
            failures.push(format!("{file}: ASM-LB-001 expected at {lb001:?}, found at {got:?}"));
        }
        if report.summary.suppressed != *suppressed {
            failures.push(format!("{file}: {} suppressed, expected {suppressed}", report.summary.suppressed));
        }
        fixes_checked += fixes_with_edits(&report);
        failures.extend(fix_invariants(file, &text, &report, &options));
    }
    // The examples show fixes: if none reached fix_invariants, it proved nothing.
    assert!(fixes_checked >= EXAMPLES.len(), "only {fixes_checked} fixes with edits went through fix_invariants");
    let (failures, _) = without_known_violations(failures);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
