//! Runs the rules over a stream and turns their drafts into the report:
//! locations resolved to spans, fixes lowered to text edits, suppressions
//! applied.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

use std::cell::OnceCell;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::context::ClusterContext;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::format::InputFormat;
use crate::model::{self, Resource};
use crate::patch::{apply_groups, DocumentStyle, Lowering, TextEdit};
use crate::report::{
    Finding, FixOut, InputDiagnostic, Location, RelatedLocation, Report, ResourceInfo, ResourceRef, Summary,
    REPORT_VERSION,
};
use crate::rule::{Applicability, Draft, FixParams, Lang, RuleContext};
use crate::rules;
use crate::source::{ColumnUnit, LineIndex, Span};
use crate::template;
use crate::yaml::{self, pointer, Document, Limits, Node, Value};

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
    let cx = RuleContext {
        resources: &resources,
        services: &services,
        cluster: &options.context,
        lang: options.lang,
        params: &options.params,
        snippets: format == InputFormat::Markdown,
    };
    let mut drafts = Vec::new();
    for rule in rules::ALL {
        rule.check(&cx, &mut drafts);
    }

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
        styles: loaded.documents.iter().map(|_| OnceCell::new()).collect(),
    };
    // A draft that names no resource of this stream is a rule bug: it is dropped, not a panic.
    let mut findings: Vec<Finding> = drafts.into_iter().filter_map(|d| resolver.finding(d)).collect();
    crate::order::sort_by_key(&mut findings, |f| (f.location.document, f.location.span.start, f.code));

    let mut diagnostics: Vec<Diagnostic> = loaded.diagnostics;
    diagnostics.extend(not_resources(&loaded.documents));
    if crate::schema::tables().is_none() && !resources.is_empty() {
        diagnostics.push(schema_unavailable(options.lang));
    }
    diagnostics.extend(
        templated.iter().filter_map(|t| Some(template::diagnostic(t, resources.get(t.resource)?, options.lang))),
    );
    crate::order::sort_by_key(&mut diagnostics, |d| (d.span.start, d.document));
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
    let message = match lang {
        Lang::En => {
            "the field tables are not loaded: unknown and mistyped fields (ASM-CR-046, ASM-CR-047) were not checked"
        }
        Lang::Zh => "字段表未加载：未检查未知字段和类型错误的字段（ASM-CR-046、ASM-CR-047）",
    };
    Diagnostic::new(DiagnosticKind::SchemaUnavailable, Severity::Info, message.to_owned(), None, Span::empty(0))
}

fn input_diagnostic(text: &str, lines: &LineIndex, columns: ColumnUnit, d: Diagnostic) -> InputDiagnostic {
    InputDiagnostic {
        kind: d.kind,
        severity: d.severity,
        message: d.message,
        document: d.document,
        span: d.span,
        start: lines.position(text, d.span.start, columns),
        end: lines.position(text, d.span.end, columns),
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

struct Resolver<'a> {
    text: &'a str,
    documents: &'a [Document],
    resources: &'a [Resource<'a>],
    lines: &'a LineIndex,
    columns: ColumnUnit,
    /// Each document's style, found when a fix first needs it.
    styles: Vec<OnceCell<DocumentStyle>>,
}

impl Resolver<'_> {
    fn finding(&self, draft: Draft) -> Option<Finding> {
        let resource = self.resources.get(draft.resource)?;
        let location = self.location(resource, &draft.path, draft.on_key);
        let document = self.documents.get(resource.document)?;
        let fixes = draft
            .fixes
            .into_iter()
            .map(|fix| {
                // Valid RFC 6902 against the resource: missing parents are created by the patch itself.
                let patch = crate::patch::normalize(resource.node, &fix.ops);
                let mut ops = patch.clone();
                ops.iter_mut().for_each(|op| op.rebase(&resource.base));
                let lowered = match (&document.root, ops.is_empty()) {
                    (_, true) => Ok(Vec::new()),
                    (Some(root), false) => {
                        let style = self
                            .styles
                            .get(resource.document)
                            .map(|cell| *cell.get_or_init(|| DocumentStyle::of(self.text, document.span)));
                        let style = style.unwrap_or_else(|| DocumentStyle::of(self.text, document.span));
                        Lowering::with_style(self.text, root, document.span, style).lower(&ops)
                    }
                    (None, false) => Err(crate::patch::LowerError("the document did not parse".into())),
                };
                let (edits, unavailable) = match lowered {
                    Ok(edits) => (edits, None),
                    Err(e) => (Vec::new(), Some(e.0)),
                };
                FixOut {
                    id: fix.id,
                    title: fix.title,
                    applicability: fix.applicability,
                    recommended: fix.recommended,
                    tradeoffs: fix.tradeoffs,
                    introduces: fix.introduces,
                    reveals: fix.reveals,
                    patch,
                    edits,
                    unavailable,
                }
            })
            .collect();
        let related = draft
            .related
            .into_iter()
            .filter_map(|r| {
                let location = self.location(self.resources.get(r.resource)?, &r.path, false);
                Some(RelatedLocation { message: r.message, location })
            })
            .collect();
        Some(Finding {
            code: draft.rule.code,
            name: draft.rule.name,
            severity: draft.severity,
            message: draft.message,
            resource: resource_ref(resource),
            location,
            label: draft.label,
            notes: draft.notes,
            fixes,
            related,
        })
    }

    /// The span of `path`, or of its nearest existing ancestor. A collection
    /// is pointed at by its key, so the caret stays on one line.
    fn location(&self, resource: &Resource<'_>, path: &str, on_key: bool) -> Location {
        let full = resource.document_path(path);
        let span = self.span_of(resource, path, on_key);
        Location {
            document: resource.document,
            start: self.lines.position(self.text, span.start, self.columns),
            end: self.lines.position(self.text, span.end, self.columns),
            path: full,
            span,
        }
    }

    fn span_of(&self, resource: &Resource<'_>, path: &str, on_key: bool) -> Span {
        let mut node = resource.node;
        let mut key_span = None;
        for token in pointer::tokens(path) {
            let entry = node.as_mapping().and_then(|m| m.entry(&token));
            match (entry, node.child(&token)) {
                (Some(entry), _) => {
                    key_span = Some(entry.key.span);
                    node = &entry.value;
                }
                (None, Some(child)) => {
                    key_span = None;
                    node = child;
                }
                (None, None) => break,
            }
        }
        let first_line = |span: Span| {
            let end = self.text[span.start..span.end].find('\n').map_or(span.end, |i| span.start + i);
            Span::new(span.start, end.max(span.start))
        };
        match (&node.value, key_span) {
            (_, Some(key)) if on_key => key,
            (Value::Scalar(_), _) if !node.span.is_empty() => first_line(node.span),
            (_, Some(key)) => key,
            _ => first_line(node.span),
        }
    }
}

/// Which fixes to apply.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixRequest {
    /// Fix ids (`set-cluster-policy`), or `safe` for every safe fix; empty
    /// means every safe fix.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Allow fixes that change behaviour.
    #[serde(default)]
    pub allow_unsafe: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixRecord {
    pub code: &'static str,
    pub id: &'static str,
    pub resource: ResourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FixOutcome {
    /// The whole input with the fixes applied.
    pub text: String,
    pub applied: Vec<FixRecord>,
    pub skipped: Vec<FixRecord>,
    /// The check of the fixed text.
    pub report: Report,
}

/// Rounds of apply-and-recheck before giving up on convergence.
const MAX_ROUNDS: usize = 8;

/// Applies the requested fixes, re-checking after each round until nothing
/// more applies (docs/architecture.md#fixes). Every round costs one check of the
/// edited text, which is also the next round's starting report.
pub fn fix(text: &str, request: &FixRequest, options: &Options) -> FixOutcome {
    let mut current = text.to_owned();
    let mut report = check(&current, options);
    let mut applied: Vec<FixRecord> = Vec::new();
    let mut skipped = Skipped::default();
    // Keys are single strings so the sets share one instantiation (a smaller wasm build).
    let mut done: HashSet<String> = HashSet::new();
    let wants = |id: &str| {
        if request.ids.is_empty() || request.ids.iter().any(|i| i == "safe") {
            None
        } else {
            Some(request.ids.iter().position(|i| i == id))
        }
    };
    for _ in 0..MAX_ROUNDS {
        let mut groups: Vec<Vec<TextEdit>> = Vec::new();
        let mut records: Vec<(FixRecord, String)> = Vec::new();
        for finding in &report.findings {
            let chosen = finding
                .fixes
                .iter()
                .filter_map(|f| match wants(f.id) {
                    None => (f.applicability == Applicability::Safe).then_some((0, f)),
                    Some(Some(rank)) => Some((rank, f)),
                    Some(None) => None,
                })
                .min_by_key(|(rank, _)| *rank)
                .map(|(_, f)| f);
            let Some(fix) = chosen else { continue };
            let record = |reason: Option<String>| FixRecord {
                code: finding.code,
                id: fix.id,
                resource: finding.resource.clone(),
                reason,
            };
            // The patch is part of the key: two findings at one place (a base spec and an
            // override) can offer the same fix id with different changes.
            let key = format!(
                "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
                finding.location.document,
                finding.location.path,
                finding.code,
                fix.id,
                patch_text(&fix.patch)
            );
            let refusal = match fix.applicability {
                _ if fix.unavailable.is_some() => fix.unavailable.clone(),
                Applicability::DisplayOnly => Some(tr(options.lang, "display-only: ", "仅为建议：") + &fix.title),
                Applicability::Unsafe if !request.allow_unsafe => Some(tr(
                    options.lang,
                    "changes behaviour: applied only when unsafe fixes are allowed (CLI --unsafe, API allowUnsafe)",
                    "会改变行为：仅在允许不安全修复时应用（命令行 --unsafe，API allowUnsafe）",
                )),
                _ if done.contains(&key) => Some(tr(
                    options.lang,
                    "applied once already, but the finding remains",
                    "已应用过一次，但问题仍然存在",
                )),
                _ => None,
            };
            if let Some(reason) = refusal {
                skipped.push(record(Some(reason)));
                continue;
            }
            groups.push(fix.edits.clone());
            records.push((record(None), key));
        }
        if groups.is_empty() {
            break;
        }
        let (next, taken) = apply_groups(&current, &groups);
        let next_report = check(&next, options);
        let broken = documents_broken(&report, &next_report);
        if !broken.iter().any(|b| *b) {
            take_applied(records, &taken, &mut applied, &mut done);
            current = next;
            report = next_report;
            continue;
        }
        // Documents parse on their own: fixes in the documents that stayed
        // valid go ahead; those in a broken document wait for the next round,
        // without the others. When every fix is in a broken document, none applies.
        let (mut going, mut going_records) = (Vec::new(), Vec::new());
        let mut held = Vec::new();
        for (group, (record, key)) in groups.into_iter().zip(records) {
            if broken.get(record.resource.document).copied().unwrap_or(true) {
                held.push(record);
            } else {
                going.push(group);
                going_records.push((record, key));
            }
        }
        if going.is_empty() {
            for r in held {
                let reason = tr(options.lang, "the edit would make the YAML invalid", "该修改会使 YAML 无效");
                skipped.push(FixRecord { reason: Some(reason), ..r });
            }
            break;
        }
        let (groups, records) = (going, going_records);
        let (next, taken) = apply_groups(&current, &groups);
        take_applied(records, &taken, &mut applied, &mut done);
        current = next;
        report = check(&current, options);
    }
    let applied_keys: HashSet<String> = applied.iter().map(record_key).collect();
    let skipped = skipped.list.into_iter().filter(|s| !applied_keys.contains(&record_key(s))).collect();
    FixOutcome { text: current, applied, skipped, report }
}

/// Records the fixes whose edits were taken; only those count as done.
fn take_applied(
    records: Vec<(FixRecord, String)>,
    taken: &[bool],
    applied: &mut Vec<FixRecord>,
    done: &mut HashSet<String>,
) {
    for ((record, key), taken) in records.into_iter().zip(taken) {
        if *taken {
            applied.push(record);
            done.insert(key);
        }
    }
}

/// Per document: whether it has more syntax errors after the edits than before.
fn documents_broken(before: &Report, after: &Report) -> Vec<bool> {
    let documents = before.summary.documents.max(after.summary.documents);
    // One slot per document, and the last for errors outside any document.
    let count = |report: &Report| {
        let mut by_document = vec![0usize; documents + 1];
        for d in report.diagnostics.iter().filter(|d| d.kind == DiagnosticKind::Syntax) {
            if let Some(slot) = by_document.get_mut(d.document.unwrap_or(documents).min(documents)) {
                *slot += 1;
            }
        }
        by_document
    };
    let (before, after) = (count(before), count(after));
    let mut broken: Vec<bool> = after.iter().zip(&before).map(|(a, b)| a > b).collect();
    // A syntax error outside any document breaks them all.
    if broken.last().copied().unwrap_or(false) {
        broken.iter_mut().for_each(|b| *b = true);
    }
    broken
}

fn tr(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
    .to_owned()
}

/// A patch as text to compare by: per operation, its kind, then its paths and value as JSON.
fn patch_text(patch: &[crate::patch::Op]) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    for op in patch {
        let (path, from) = (serde_json::Value::from(op.path.as_str()), serde_json::Value::from(op.from.as_deref()));
        let value = op.value.as_ref().map_or(String::new(), serde_json::Value::to_string);
        let _ = writeln!(text, "{} {path} {from} {value}", op.op.name());
    }
    text
}

/// One fix of one rule on one resource.
fn record_key(r: &FixRecord) -> String {
    format!("{}\u{0}{}\u{0}{}\u{0}{}", r.code, r.id, r.resource.document, r.resource.path)
}

/// Skipped fixes, each listed once per reason, in the order first met; kept
/// in a set as well, so that large inputs stay linear.
#[derive(Default)]
struct Skipped {
    list: Vec<FixRecord>,
    seen: HashSet<String>,
}

impl Skipped {
    fn push(&mut self, record: FixRecord) {
        let key = format!("{}\u{0}{}", record_key(&record), record.reason.as_deref().unwrap_or(""));
        if self.seen.insert(key) {
            self.list.push(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "yaml")]
    use crate::patch::TextEdit;

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
            assert_eq!((report.diagnostics[0].start.line, report.diagnostics[0].start.column), (1, 1));
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
            assert!(finding.notes.iter().any(|n| n.contains("this build reads JSON only")), "{:?}", finding.notes);
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
