//! Runs the rules over a stream and turns their drafts into the report:
//! locations resolved to spans, fixes lowered to text edits, suppressions
//! applied.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

use std::cell::OnceCell;
use std::collections::HashSet;

use crate::context::ClusterContext;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::format::InputFormat;
use crate::model::topology::Topology;
use crate::model::{self, Resource};
use crate::report::{Finding, InputDiagnostic, Location, Report, ResourceInfo, ResourceRef, Summary, REPORT_VERSION};
use crate::rule::{Draft, FixParams, Lang, RuleContext};
use crate::rules;
use crate::source::{ColumnUnit, LineIndex, Span};
use crate::template;
use crate::yaml::{self, Document, Limits, Node, Value};

mod fix_loop;
mod resolve;

pub use fix_loop::{fix, FixOutcome, FixRecord, FixRequest};
use resolve::Resolver;

/// The suppression annotation (docs/architecture.md#suppression).
pub const IGNORE_ANNOTATION: &str = "gateway-doctor.io/ignore";

/// How to check: what the user knows about the cluster, and presentation.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub context: ClusterContext,
    pub lang: Lang,
    pub params: FixParams,
    pub limits: Limits,
    pub columns: ColumnUnit,
    /// What the text is; `Auto` decides from the content.
    pub format: InputFormat,
}

pub fn check(text: &str, options: &Options) -> Report {
    let mut report = check_once(text, options);
    crate::reveal::measure(text, options.lang, &mut report, |fixed| check_once(fixed, options));
    report
}

/// One check, with every fix as its rule declares it.
fn check_once(text: &str, options: &Options) -> Report {
    match options.format.resolve(text) {
        // Markdown is an input format: its code blocks make a YAML stream in
        // place, and the stream's report becomes the file's.
        #[cfg(feature = "yaml")]
        InputFormat::Markdown if text.len() <= options.limits.max_input_bytes => {
            let extracted = crate::markdown::extract(text, &options.limits);
            let report = check_stream(&extracted.stream, InputFormat::Markdown, options);
            crate::markdown::into_file_report(report, &extracted, text, options.lang, options.columns)
        }
        format => check_stream(text, format, options),
    }
}

/// Checks a YAML or JSON stream (`format` as [`yaml::load_stream`] reads it).
pub(crate) fn check_stream(text: &str, format: InputFormat, options: &Options) -> Report {
    let line_index = LineIndex::new(text);
    if text.len() > options.limits.max_input_bytes {
        let diagnostic = yaml::input_too_large(text, &options.limits);
        return Report {
            version: REPORT_VERSION,
            findings: Vec::new(),
            diagnostics: vec![input_diagnostic(text, &line_index, options.columns, diagnostic)],
            resources: Vec::new(),
            summary: Summary::default(),
        };
    }
    let mut loaded = yaml::load_stream(text, format, &options.limits);
    let unreadable = crate::indentation::unreadable_documents(text, &line_index, &mut loaded.documents, options.lang);
    template::markers_as_scalars(text, &mut loaded.documents);
    template::explain_syntax_errors(text, &loaded.documents, &mut loaded.diagnostics, options.lang);
    loaded.diagnostics.extend(unreadable);
    let resources = model::collect(&loaded.documents);
    let templated = template::templated_fields(&resources);
    let services = model::service_views(&resources);
    let schema: Vec<_> = match crate::schema::tables() {
        Some(tables) => resources.iter().map(|r| crate::schema::problems(tables, r)).collect(),
        None => Vec::new(),
    };
    let topology = Topology::new(&resources, &services);
    let cx = RuleContext {
        resources: &resources,
        services: &services,
        cluster: &options.context,
        lang: options.lang,
        params: &options.params,
        snippets: format == InputFormat::Markdown,
        schema: &schema,
        topology: &topology,
    };
    let mut drafts = Vec::new();
    for rule in rules::ALL {
        rule.check(&cx, &mut drafts);
    }
    drop_repeats(&mut drafts);

    // A templated value is unknown: no finding about it (its diagnostic says so).
    drafts.retain(|d| !templated.iter().any(|t| t.covers(d.resource, &d.path)));
    let suppressions: Vec<HashSet<String>> = resources.iter().map(suppressed_rules).collect();
    let before = drafts.len();
    drafts.retain(|d| {
        let set = suppressions.get(d.resource);
        !set.is_some_and(|set| set.contains(d.rule.code) || set.contains(d.rule.name))
    });
    let suppressed = before - drafts.len();

    let resolver = Resolver {
        text,
        documents: &loaded.documents,
        resources: &resources,
        lines: &line_index,
        columns: options.columns,
        lang: options.lang,
        styles: loaded.documents.iter().map(|_| OnceCell::new()).collect(),
    };
    // A draft that names no resource of this stream is a rule bug: it is dropped, not a panic.
    let mut findings: Vec<Finding> = drafts.into_iter().filter_map(|d| resolver.finding(d)).collect();
    crate::report::sort_findings(&mut findings);

    let mut diagnostics: Vec<Diagnostic> = loaded.diagnostics;
    diagnostics.extend(not_resources(&loaded.documents));
    if crate::schema::tables().is_none() && !resources.is_empty() {
        diagnostics.push(schema_unavailable(options.lang));
    }
    diagnostics.extend(
        templated.iter().filter_map(|t| Some(template::diagnostic(t, resources.get(t.resource)?, options.lang))),
    );
    diagnostics.sort_by_key(|d| (d.span.start, d.document));
    let diagnostics =
        diagnostics.into_iter().map(|d| input_diagnostic(text, &line_index, options.columns, d)).collect();

    let mut gateway_reasons = vec![None; resources.len()];
    for view in services {
        if let (Some(reason), Some(slot)) = (view.gateway, gateway_reasons.get_mut(view.resource)) {
            *slot = Some(reason);
        }
    }
    let resource_infos = resources
        .iter()
        .enumerate()
        .map(|(i, r)| ResourceInfo { resource: resource_ref(r), gateway: gateway_reasons.get(i).copied().flatten() })
        .collect();

    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let summary = Summary {
        documents: loaded.documents.len(),
        resources: resources.len(),
        error: count(Severity::Error),
        warning: count(Severity::Warning),
        info: count(Severity::Info),
        suppressed,
    };
    Report { version: REPORT_VERSION, findings, diagnostics, resources: resource_infos, summary }
}

/// Keeps a rule's first draft per resource and path (and `on_key`), or per
/// what [`Draft::once_per`] names. An IstioGateway's base spec and each of its
/// `overrides` are separate Service renderings that share every field an
/// override does not set: a rule that reads a shared field reports it once,
/// for the first rendering, which is the base spec.
fn drop_repeats(drafts: &mut Vec<Draft>) {
    let mut seen = HashSet::new();
    drafts.retain(|d| {
        let key = match &d.once_per {
            Some(parts) => (parts.clone(), None),
            None => (vec![d.path.clone()], Some(d.on_key)),
        };
        seen.insert((d.rule.code, d.resource, key))
    });
}

/// Codes or names listed in `gateway-doctor.io/ignore: "ASM-LB-001,ASM-RES-016 # reason"`.
pub(crate) fn suppressed_rules(resource: &Resource<'_>) -> HashSet<String> {
    let Some(value) = resource.annotation(IGNORE_ANNOTATION).and_then(Node::scalar_text) else {
        return HashSet::new();
    };
    let list = value.split('#').next().unwrap_or("");
    list.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A non-empty document that is not a Kubernetes object is said, not dropped.
fn not_resources(documents: &[Document]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in documents {
        let Some(root) = &doc.root else { continue };
        if root.is_null() {
            continue;
        }
        let has_kind = root.get("kind").and_then(Node::as_str).is_some();
        if !has_kind {
            let what = match &root.value {
                Value::Mapping(_) => "a mapping without `kind`",
                Value::Sequence(_) => "a sequence",
                Value::Scalar(_) => "a scalar",
            };
            out.push(Diagnostic::new(
                DiagnosticKind::NotAResource,
                Severity::Info,
                format!("document {} is {what}, not a Kubernetes object; it was not checked", doc.index),
                Some(doc.index),
                Span::empty(root.span.start),
            ));
        }
    }
    out
}

/// Said once per input, so that ASM-CR-046 and ASM-CR-047 never pass silently
/// where the host has not loaded the field tables (`schema::tables`).
fn schema_unavailable(lang: Lang) -> Diagnostic {
    let message = lang.t(
        "the field tables are not loaded: unknown and mistyped fields (ASM-CR-046, ASM-CR-047) were not checked",
        "字段表未加载：未检查未知字段和类型错误的字段（ASM-CR-046、ASM-CR-047）",
    );
    Diagnostic::new(DiagnosticKind::SchemaUnavailable, Severity::Info, message, None, Span::empty(0))
}

fn input_diagnostic(text: &str, lines: &LineIndex, columns: ColumnUnit, d: Diagnostic) -> InputDiagnostic {
    InputDiagnostic {
        kind: d.kind,
        severity: d.severity,
        message: d.message,
        location: Location {
            document: d.document,
            path: String::new(),
            span: d.span,
            start: lines.position(text, d.span.start, columns),
            end: lines.position(text, d.span.end, columns),
        },
    }
}

pub(crate) fn resource_ref(r: &Resource<'_>) -> ResourceRef {
    ResourceRef {
        document: r.document,
        path: r.base.clone(),
        api_version: r.api_version.to_owned(),
        kind: r.kind.to_owned(),
        namespace: r.namespace.map(str::to_owned),
        name: r.name.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "yaml")]
    use crate::patch::TextEdit;

    /// A rule's first draft per resource and path (and `on_key`), or per
    /// `once_per`, is kept; other rules' drafts are not compared with it.
    #[test]
    fn repeated_drafts_are_dropped() {
        let (meta, other) = (rules::ALL[0].meta(), rules::ALL[1].meta());
        let draft = |resource, path: &str| Draft::new(meta, resource, path, String::new());
        let mut drafts = vec![
            draft(0, "/spec/a"),
            draft(0, "/spec/a"),
            Draft::new(other, 0, "/spec/a", String::new()),
            draft(1, "/spec/a"),
            draft(0, "/spec/a").on_key(),
            draft(0, "/spec/a").once_per(&["/spec/overrides/c1"]),
            draft(0, "/spec/b").once_per(&["/spec/overrides/c1"]),
        ];
        drop_repeats(&mut drafts);
        let kept: Vec<_> =
            drafts.iter().map(|d| (d.rule.code, d.resource, d.path.as_str(), d.on_key, d.once_per.is_some())).collect();
        assert_eq!(
            kept,
            [
                (meta.code, 0, "/spec/a", false, false),
                (other.code, 0, "/spec/a", false, false),
                (meta.code, 1, "/spec/a", false, false),
                (meta.code, 0, "/spec/a", true, false),
                (meta.code, 0, "/spec/a", false, true),
            ]
        );
    }

    /// The founding problem as an API server hands it to an admission policy.
    const JSON_SERVICE: &str = r#"{"apiVersion": "v1", "kind": "Service",
  "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system", "labels": {"istio": "ingressgateway"}},
  "spec": {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "selector": {"istio": "ingressgateway"},
    "ports": [{"name": "http2", "port": 80, "targetPort": 8080}]}}"#;

    /// JSON is checked and fixed in every build, with or without YAML, and
    /// the fixed text is JSON again.
    #[test]
    fn json_is_checked_and_fixed_as_json() {
        let report = check(JSON_SERVICE, &Options::default());
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        let finding = report.findings.iter().find(|f| f.code == "ASM-LB-001").unwrap();
        assert_eq!(&JSON_SERVICE[finding.location.span.start..finding.location.span.end], "\"Local\"");
        let request = FixRequest { ids: vec!["set-cluster-policy".into()], allow_unsafe: true };
        let outcome = fix(JSON_SERVICE, &request, &Options::default());
        assert_eq!(outcome.applied.len(), 1);
        let value: serde_json::Value = serde_json::from_str(&outcome.text).unwrap();
        assert_eq!(value["spec"]["externalTrafficPolicy"], "Cluster");
        let reread = yaml::load_json(&outcome.text, &Limits::default());
        assert!(reread.diagnostics.is_empty());
        assert!(!outcome.report.findings.iter().any(|f| f.code == "ASM-LB-001"));
    }

    /// A build without YAML says so where the input stops being JSON, for
    /// YAML and Markdown alike, and never answers with an empty report.
    #[cfg(not(feature = "yaml"))]
    #[test]
    fn a_json_only_build_refuses_yaml_and_markdown_with_a_diagnostic() {
        for (text, format) in [
            ("apiVersion: v1\nkind: Service\n", InputFormat::Auto),
            ("# Title\n\n```yaml\nkind: Service\n```\n", InputFormat::Markdown),
            ("{kind: Service}", InputFormat::Json),
        ] {
            let report = check(text, &Options { format, ..Options::default() });
            let messages: Vec<_> = report.diagnostics.iter().map(|d| d.message.as_str()).collect();
            assert_eq!(messages.len(), 2, "{text:?}: {messages:?}");
            // Sorted by position: the note at the start of the text comes first.
            assert_eq!(messages[0], yaml::JSON_ONLY);
            assert!(messages[1].starts_with("invalid JSON: "), "{messages:?}");
            assert!(report
                .diagnostics
                .iter()
                .all(|d| d.severity == Severity::Error && d.kind == DiagnosticKind::Syntax));
            assert_eq!(
                (report.diagnostics[0].location.start.line, report.diagnostics[0].location.start.column),
                (1, 1)
            );
        }
        // Blank input is not YAML either: the JSON error alone says it is empty.
        let report = check("\n", &Options::default());
        let messages: Vec<_> = report.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["invalid JSON: the input is empty"]);
    }

    /// A YAML-written `proxy.istio.io/config` is unreadable without YAML:
    /// ASM-PP-007 must say it does not know, not reject the object.
    #[test]
    fn proxy_config_the_build_cannot_read_is_unknown_not_absent() {
        let gateway = |config: &str| {
            serde_json::json!({
                "apiVersion": "istio.alibabacloud.com/v1beta1", "kind": "IstioGateway",
                "metadata": {"name": "ingressgateway", "namespace": "istio-system"},
                "spec": {
                    "serviceType": "LoadBalancer", "externalTrafficPolicy": "Cluster",
                    "serviceAnnotations": {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol": "on"},
                    "podAnnotations": {"proxy.istio.io/config": config},
                    "ports": [{"name": "tcp", "port": 443, "targetPort": 443}]
                }
            })
            .to_string()
        };
        let pp = |config: &str| {
            check(&gateway(config), &Options::default()).findings.into_iter().find(|f| f.code == "ASM-PP-007")
        };
        assert!(pp(r#"{"gatewayTopology":{"proxyProtocol":{}}}"#).is_none());
        assert_eq!(pp(r#"{"gatewayTopology":{"numTrustedProxies":1}}"#).unwrap().severity, Severity::Warning);
        let yaml_config = pp("gatewayTopology:\n  proxyProtocol: {}\n");
        if cfg!(feature = "yaml") {
            assert!(yaml_config.is_none());
        } else {
            let finding = yaml_config.unwrap();
            assert_eq!(finding.severity, Severity::Info);
            assert!(finding.notes.iter().any(|n| n.text.contains("this build reads JSON only")), "{:?}", finding.notes);
        }
        let garbage = pp("{{{").unwrap();
        assert_eq!(garbage.severity, Severity::Info);
    }

    #[cfg(feature = "yaml")]
    const STREAM: &str = "# a clean first document\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: ClusterIP\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: istio.alibabacloud.com/v1beta1\n  kind: IstioGateway\n  metadata:\n    name: ingressgateway\n    namespace: istio-system\n  spec:\n    externalTrafficPolicy: Local  # 保留源IP\n";

    /// Every fix's JSON Patch, applied to the resource, gives what its text
    /// edits give once the text is parsed again.
    #[cfg(feature = "yaml")]
    #[test]
    fn patches_and_edits_agree() {
        let report = check(STREAM, &Options::default());
        assert!(!report.findings.is_empty());
        for finding in &report.findings {
            for fix in finding.fixes.iter().filter(|f| !f.edits.is_empty()) {
                let edits: Vec<&TextEdit> = fix.edits.iter().collect();
                let fixed = crate::patch::splice(STREAM, &edits);
                let loaded = crate::yaml::load(STREAM, &Limits::default());
                let resource = &crate::model::collect(&loaded.documents)[1];
                let mut expected = resource.node.to_json();
                let patch: json_patch::Patch =
                    serde_json::from_value(serde_json::to_value(&fix.patch).unwrap()).unwrap();
                json_patch::patch(&mut expected, &patch).unwrap();
                let reloaded = crate::yaml::load(&fixed, &Limits::default());
                let actual = crate::model::collect(&reloaded.documents)[1].node.to_json();
                assert_eq!(actual, expected, "{} {}", finding.code, fix.id);
                assert!(fixed.contains("# 保留源IP") && fixed.contains("# a clean first document"));
            }
        }
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn list_items_are_resources_with_their_own_route() {
        let report = check(STREAM, &Options::default());
        let f = report.findings.iter().find(|f| f.code == "ASM-LB-001").unwrap();
        assert_eq!(f.resource.path, "/items/0");
        assert_eq!(f.location.path, "/items/0/spec/externalTrafficPolicy");
        assert_eq!(f.location.start.line, 17);
        assert_eq!(report.summary.resources, 2);
        assert_eq!(report.summary.documents, 2);
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn suppression_is_counted_not_dropped_silently() {
        let text = STREAM.replace(
            "    namespace: istio-system\n",
            "    namespace: istio-system\n    annotations:\n      gateway-doctor.io/ignore: \"local-policy-in-cluster-lb-access # reviewed\"\n",
        );
        let report = check(&text, &Options::default());
        assert!(report.findings.iter().all(|f| f.code != "ASM-LB-001"));
        assert_eq!(report.summary.suppressed, 1);
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn fix_refuses_unsafe_without_consent_and_converges_with_it() {
        let request = FixRequest { ids: vec!["set-cluster-policy".into()], allow_unsafe: false };
        let outcome = fix(STREAM, &request, &Options::default());
        assert_eq!(outcome.text, STREAM);
        assert!(outcome.skipped[0].reason.as_deref().unwrap().contains("--unsafe"));
        let request = FixRequest { allow_unsafe: true, ..request };
        let outcome = fix(STREAM, &request, &Options::default());
        assert_eq!(outcome.text, STREAM.replace("Local  #", "Cluster  #"));
        assert_eq!(outcome.applied.len(), 1);
        let again = fix(&outcome.text, &request, &Options::default());
        assert_eq!(again.text, outcome.text);
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn alternatives_are_never_applied_together() {
        let request =
            FixRequest { ids: vec!["eni-passthrough".into(), "set-cluster-policy".into()], allow_unsafe: true };
        let outcome = fix(STREAM, &request, &Options::default());
        assert_eq!(outcome.applied.len(), 1);
        assert_eq!(outcome.applied[0].id, "eni-passthrough");
    }

    #[test]
    fn oversized_input_is_a_diagnostic() {
        let options = Options { limits: Limits { max_input_bytes: 10, ..Limits::default() }, ..Options::default() };
        let report = check(JSON_SERVICE, &options);
        assert_eq!(report.diagnostics[0].kind, DiagnosticKind::Limit);
        assert!(report.findings.is_empty());
    }
}
