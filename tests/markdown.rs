//! The founding document, as Markdown, checked block by block.

use gateway_doctor::DiagnosticKind;
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
    let elisions: Vec<usize> = report
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::Elision)
        .map(|d| d.location.start.line)
        .collect();
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

const LIST_ITEMS: &str = include_str!("data/markdown/list-items.md");

fn markdown() -> Options {
    Options { format: InputFormat::Markdown, ..Options::default() }
}

/// Line and 1-based column of the `nth` `needle` in `text`.
fn position_of(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let offset = text.match_indices(needle).nth(nth).expect("needle").0;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (line_of(text, needle, nth), text[line_start..offset].chars().count() + 1)
}

#[test]
fn fences_indented_in_list_items_are_read_with_their_separators_in_their_own_lines() {
    let report = check(LIST_ITEMS, &markdown());
    assert!(report.diagnostics.iter().all(|d| d.kind != DiagnosticKind::Syntax), "{:#?}", report.diagnostics);
    let kinds: Vec<_> = report.resources.iter().map(|r| r.resource.kind.as_str()).collect();
    assert_eq!(kinds, ["Service", "Deployment", "IstioGateway", "ConfigMap"]);
    let lb001: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == "ASM-LB-001")
        .map(|f| (f.location.start.line, f.location.start.column))
        .collect();
    assert_eq!(lb001, [position_of(LIST_ITEMS, "Local", 0), position_of(LIST_ITEMS, "Local", 1)]);
    for finding in &report.findings {
        let span = finding.location.span;
        assert!(LIST_ITEMS.is_char_boundary(span.start) && span.end <= LIST_ITEMS.len());
    }
    // The bash block names no apiVersion: no note about it.
    assert!(report.diagnostics.iter().all(|d| d.kind != DiagnosticKind::NotAResource), "{:#?}", report.diagnostics);
}

#[test]
fn fixes_inside_indented_fences_reindent_the_lines_they_add_and_touch_nothing_else() {
    let mut options = markdown();
    options.context.cni = Some(gateway_doctor::context::Cni::TerwayEniip);
    let outcome = fix(LIST_ITEMS, &FixRequest { ids: vec!["eni-passthrough".into()], allow_unsafe: true }, &options);
    assert_eq!(outcome.applied.len(), 2, "{:?}", outcome.skipped);
    let expected = LIST_ITEMS
        .replacen(
            "      namespace: istio-system\n    spec:",
            "      namespace: istio-system\n      annotations:\n        service.beta.kubernetes.io/backend-type: \"eni\"\n    spec:",
            1,
        )
        .replace("Local   # keep", "Cluster   # keep")
        .replace("        externalTrafficPolicy: Local\n", "        externalTrafficPolicy: Cluster\n")
        .replace(
            "          targetPort: 80\n      ---",
            "          targetPort: 80\n        serviceAnnotations:\n          service.beta.kubernetes.io/backend-type: \"eni\"\n      ---",
        );
    assert_eq!(outcome.text, expected);
    let again = check(&outcome.text, &options);
    assert!(again.diagnostics.iter().all(|d| d.kind != DiagnosticKind::Syntax));
    assert_eq!(again.summary.resources, 4);
    assert!(again.findings.iter().all(|f| f.code != "ASM-LB-001"));
}

#[test]
fn an_unlabelled_manifest_that_does_not_parse_is_reported_at_its_line() {
    let text =
        "Steps:\n\n- Apply:\n\n  ```\n  apiVersion: v1\n  kind: Service\n  metadata:\n    name: a\n  EOF\n  ```\n";
    let report = check(text, &markdown());
    let syntax = report.diagnostics.iter().find(|d| d.kind == DiagnosticKind::Syntax).expect("a syntax error");
    assert!((6..=11).contains(&syntax.location.start.line), "{syntax:?}");
    assert!(report.diagnostics.iter().all(|d| d.kind != DiagnosticKind::NotAResource), "{:#?}", report.diagnostics);
}

#[test]
fn no_break_space_indentation_is_named_with_its_line_not_repaired() {
    let text = "```\napiVersion: v1\nkind: Service\nmetadata:\n\u{a0}\u{a0}name: a\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n```\n";
    let report = check(text, &markdown());
    let d = report.diagnostics.iter().find(|d| d.kind == DiagnosticKind::Indentation).expect("indentation");
    assert!(d.message.starts_with("no-break space U+00A0 used as indentation at line 5"), "{}", d.message);
    assert_eq!((d.location.start.line, d.location.start.column), (5, 1));
    assert!(report.findings.is_empty(), "a document misread is not checked");
    assert!(report.has_input_errors());
}

#[test]
fn a_shell_block_holding_a_manifest_is_named_and_the_note_does_not_deny_it() {
    let text = "# Apply\n\n```bash\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Service\nEOF\n```\n";
    let report = check(text, &markdown());
    let messages: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::NotAResource)
        .map(|d| (d.location.start.line, d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [(
            3,
            "this `bash` block names an apiVersion at line 5, but only yaml, yml, json and unlabelled blocks are read: what it holds was not checked"
        )]
    );
}

#[test]
fn templated_namespace_is_named_and_never_default() {
    let text = "```yaml\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata:\n  name: ingressgateway\n  namespace: {{ .Values.namespace }}\nspec:\n  serviceType: LoadBalancer\n  externalTrafficPolicy: Local\n```\n";
    let report = check(text, &markdown());
    let template = report.diagnostics.iter().find(|d| d.kind == DiagnosticKind::Template).expect("template");
    assert!(template
        .message
        .starts_with("metadata.namespace is an unrendered template marker `{{ .Values.namespace }}`"));
    assert_eq!((template.location.start.line, template.location.start.column), (6, 14));
    assert!(report.findings.iter().all(|f| f.code != "ASM-CR-020"), "no verdict on an unknown namespace");
    assert!(report.findings.iter().all(|f| !f.message.contains("default/")), "{:#?}", report.findings);
    assert_eq!(report.resources[0].resource.namespace.as_deref(), Some("{{ .Values.namespace }}"));
}
