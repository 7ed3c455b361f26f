//! The founding document, as Markdown, checked block by block.

use gateway_doctor::diagnostic::DiagnosticKind;
use gateway_doctor::{check, fix, FixRequest, InputFormat, Options};

const FOUNDING: &str = include_str!("data/markdown/founding.md");

fn line_of(text: &str, needle: &str, nth: usize) -> usize {
    let offset = text.match_indices(needle).nth(nth).expect("needle").0;
    text[..offset].matches('\n').count() + 1
}

#[test]
fn the_founding_snippets_parse_with_their_elisions_and_raise_no_lb_finding() {
    let report = check(FOUNDING, &Options::default());
    assert!(!report.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax), "{:#?}", report.diagnostics);
    assert_eq!(report.summary.resources, 2, "both IstioGateway snippets are read");
    assert!(report.findings.iter().all(|f| f.code != "ASM-LB-001"), "both snippets already say Cluster");
    let elisions: Vec<usize> =
        report.diagnostics.iter().filter(|d| d.kind == DiagnosticKind::Elision).map(|d| d.start.line).collect();
    let expected: Vec<usize> = (0..3).map(|n| line_of(FOUNDING, "....", n)).collect();
    assert_eq!(elisions, expected);
}

#[test]
fn local_in_a_snippet_is_found_at_its_markdown_line_and_fixed_in_place() {
    let text = FOUNDING.replacen("externalTrafficPolicy: Cluster", "externalTrafficPolicy: Local", 1);
    let options = Options { format: InputFormat::Markdown, ..Options::default() };
    let report = check(&text, &options);
    let finding = report.findings.iter().find(|f| f.code == "ASM-LB-001").expect("ASM-LB-001");
    let line = line_of(&text, "  externalTrafficPolicy: Local", 0);
    assert_eq!(finding.location.start.line, line);
    assert_eq!(finding.location.start.column, "      externalTrafficPolicy: ".chars().count() + 1);

    let outcome = fix(&text, &FixRequest { ids: vec!["set-cluster-policy".into()], allow_unsafe: true }, &options);
    assert_eq!(outcome.text, FOUNDING);
}
