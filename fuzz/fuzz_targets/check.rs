//! `check` never panics and always accounts for its input: a report with
//! findings, diagnostics or at least the documents it saw.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let report = gateway_doctor::check(text, &Default::default());
    for finding in &report.findings {
        assert!(finding.location.span.end <= text.len());
        assert!(text.is_char_boundary(finding.location.span.start));
        for fix in &finding.fixes {
            for edit in &fix.edits {
                assert!(edit.span.start <= edit.span.end && edit.span.end <= text.len());
            }
        }
    }
    for diagnostic in &report.diagnostics {
        assert!(diagnostic.span.end <= text.len());
    }
    serde_json::to_string(&report).expect("the report serialises");
});
