//! When the input parses, every fix keeps it parsing, and checking the fixed
//! text again is stable (a second fix pass changes nothing).
#![no_main]

use gateway_doctor::{fix, FixRequest, Options};
use libfuzzer_sys::fuzz_target;

const IDS: &[&str] = &["safe", "set-cluster-policy", "eni-passthrough", "lb-hostname"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let options = Options { params: gateway_doctor::rule::FixParams { hostname: Some("gw.example.com".into()) }, ..Options::default() };
    let before = gateway_doctor::check(text, &options);
    let syntax = |r: &gateway_doctor::Report| {
        r.diagnostics.iter().filter(|d| d.kind == gateway_doctor::diagnostic::DiagnosticKind::Syntax).count()
    };
    let request = FixRequest { ids: vec![IDS[usize::from(selector) % IDS.len()].into()], allow_unsafe: true };
    let outcome = fix(text, &request, &options);
    assert!(syntax(&outcome.report) <= syntax(&before), "a fix broke the YAML:\n{}", outcome.text);
    let again = fix(&outcome.text, &request, &options);
    assert_eq!(again.text, outcome.text, "fixing did not converge");
});
