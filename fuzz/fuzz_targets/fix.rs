//! When the input parses, every fix keeps it parsing, never makes it worse,
//! and checking the fixed text again is stable (a second fix pass changes
//! nothing). "Never worse", as tests/support's `fix_invariants` checks it: the
//! fixed text has no input diagnostic and no error finding the input lacked,
//! and its new warnings and infos are of codes the fix declares (`introduces`).
#![no_main]

use std::collections::HashMap;

use gateway_doctor::text::splice;
use gateway_doctor::report::new_findings;
use gateway_doctor::{fix, FixRequest, Options, Report, Severity};
use libfuzzer_sys::fuzz_target;

const IDS: &[&str] = &["safe", "set-cluster-policy", "eni-passthrough", "lb-hostname"];

fn diagnostic_counts(report: &Report) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for d in &report.diagnostics {
        *counts.entry(d.kind.as_str().to_owned()).or_insert(0) += 1;
    }
    counts
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let options = Options { params: gateway_doctor::FixParams { hostname: Some("gw.example.com".into()) }, ..Options::default() };
    let before = gateway_doctor::check(text, &options);
    let id = IDS[usize::from(selector) % IDS.len()];

    // Each fix of this id on its own: never worse than the input.
    let before_diagnostics = diagnostic_counts(&before);
    for x in before.findings.iter().flat_map(|f| &f.fixes).filter(|x| !x.edits.is_empty()) {
        if id != "safe" && x.id != id {
            continue;
        }
        let mut edits: Vec<_> = x.edits.iter().collect();
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        let fixed = splice(text, &edits);
        let after = gateway_doctor::check(&fixed, &options);
        for (kind, n) in diagnostic_counts(&after) {
            assert!(n <= before_diagnostics.get(&kind).copied().unwrap_or(0), "fix {} adds {kind} diagnostics:\n{fixed}", x.id);
        }
        let new = new_findings(&before, &after);
        for f in &new {
            assert!(f.severity != Severity::Error, "fix {} adds the error {}:\n{fixed}", x.id, f.code);
            assert!(x.introduces.contains(&f.code), "fix {} adds {} without declaring it:\n{fixed}", x.id, f.code);
        }
        for code in &x.introduces {
            assert!(new.iter().any(|f| f.code == *code), "fix {} declares {code}, which does not appear:\n{fixed}", x.id);
        }
    }

    let request = FixRequest { ids: vec![id.into()], allow_unsafe: true };
    let outcome = fix(text, &request, &options);
    let syntax = |r: &Report| r.diagnostics.iter().filter(|d| d.kind == gateway_doctor::DiagnosticKind::Syntax).count();
    assert!(syntax(&outcome.report) <= syntax(&before), "a fix broke the YAML:\n{}", outcome.text);
    let again = fix(&outcome.text, &request, &options);
    assert_eq!(again.text, outcome.text, "fixing did not converge");
});
