//! `check` never panics and always accounts for its input: a report with
//! findings, diagnostics or at least the documents it saw. The JSON reader
//! alone never panics, keeps its spans in the text, and reads exactly what
//! serde_json reads.
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
        assert!(diagnostic.location.span.end <= text.len());
    }
    serde_json::to_string(&report).expect("the report serialises");
    json_reader(text);
});

fn json_reader(text: &str) {
    use gateway_doctor::DiagnosticKind;
    let loaded = gateway_doctor::yaml::load_json(text, &Default::default());
    for diagnostic in &loaded.diagnostics {
        assert!(diagnostic.span.end <= text.len() && text.is_char_boundary(diagnostic.span.start));
    }
    let mut nodes: Vec<_> = loaded.documents.iter().filter_map(|d| d.root.as_ref()).collect();
    while let Some(node) = nodes.pop() {
        assert!(node.span.end <= text.len() && text.is_char_boundary(node.span.start));
        match &node.value {
            gateway_doctor::yaml::Value::Mapping(m) => nodes.extend(m.entries.iter().flat_map(|e| [&e.key, &e.value])),
            gateway_doctor::yaml::Value::Sequence(s) => nodes.extend(s.items.iter()),
            gateway_doctor::yaml::Value::Scalar(_) => {}
        }
    }
    // serde_json has a nesting limit of its own: compare only shallow texts.
    let shallow = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() < 100;
    if shallow && !loaded.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Limit) {
        let json = serde_json::from_str::<serde_json::Value>(text.strip_prefix('\u{feff}').unwrap_or(text)).is_ok();
        let read = !loaded.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax);
        assert_eq!(json, read, "serde_json and the JSON reader disagree");
    }
}
