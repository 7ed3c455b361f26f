//! The report as a `wgpolicyk8s.io/v1alpha2` `PolicyReport`, the object
//! Kyverno and Kubewarden's audit scanner write, so findings from files land
//! in the same dashboards (Policy Reporter, `kubectl get polr`).
//!
//! One result per finding: `policy` is `gateway-doctor`, `rule` the code,
//! `resources` the object the finding is about. Severity maps error → `high`,
//! warning → `medium`, info → `info`; the result is `fail` for an error and
//! `warn` for a warning or an info note. Input errors (a YAML syntax error, an
//! input over a limit) are `error` results with the diagnostic kind as rule.
//! The renderer is pure: no timestamp, so the same input gives the same bytes.

use serde_json::{json, Map, Value};

use super::{Finding, InputDiagnostic, Report, ResourceRef};
use crate::diagnostic::Severity;

pub const API_VERSION: &str = "wgpolicyk8s.io/v1alpha2";
pub const POLICY: &str = "gateway-doctor";

/// Renders the report of `file` as one `PolicyReport` object.
pub fn policy_report(report: &Report, file: &str) -> Value {
    let mut results: Vec<Value> =
        report.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| input_result(d, file)).collect();
    results.extend(report.findings.iter().map(|f| finding_result(f, file)));
    let count = |result: &str| results.iter().filter(|r| r["result"] == result).count();
    let summary = json!({"pass": 0, "fail": count("fail"), "warn": count("warn"), "error": count("error"), "skip": 0});

    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::String(report_name(file)));
    if let Some(namespace) = common_namespace(report) {
        metadata.insert("namespace".into(), Value::String(namespace.to_owned()));
    }
    metadata.insert("labels".into(), json!({"app.kubernetes.io/managed-by": POLICY}));
    metadata.insert("annotations".into(), json!({"gateway-doctor.io/file": file}));
    json!({
        "apiVersion": API_VERSION,
        "kind": "PolicyReport",
        "metadata": metadata,
        "summary": summary,
        "results": results,
    })
}

fn finding_result(finding: &Finding, file: &str) -> Value {
    let (severity, result) = match finding.severity {
        Severity::Error => ("high", "fail"),
        Severity::Warning => ("medium", "warn"),
        Severity::Info => ("info", "warn"),
    };
    let mut properties = Map::new();
    properties.insert("name".into(), finding.name.into());
    properties.insert("file".into(), file.into());
    properties.insert("path".into(), finding.location.path.clone().into());
    properties.insert("line".into(), finding.location.start.line.to_string().into());
    let fixes: Vec<&str> = finding.fixes.iter().map(|f| f.id).collect();
    if !fixes.is_empty() {
        properties.insert("fixes".into(), fixes.join(",").into());
    }
    json!({
        "policy": POLICY,
        "rule": finding.code,
        "source": POLICY,
        "severity": severity,
        "result": result,
        "scored": true,
        "message": finding.message,
        "resources": [object_reference(&finding.resource)],
        "properties": properties,
    })
}

fn input_result(diagnostic: &InputDiagnostic, file: &str) -> Value {
    json!({
        "policy": POLICY,
        "rule": diagnostic.kind.as_str(),
        "source": POLICY,
        "severity": "high",
        "result": "error",
        "scored": true,
        "message": diagnostic.message,
        "properties": {"file": file, "line": diagnostic.location.start.line.to_string()},
    })
}

/// A `corev1.ObjectReference`; no `uid`, as a file has none.
fn object_reference(resource: &ResourceRef) -> Value {
    let mut reference = Map::new();
    reference.insert("apiVersion".into(), resource.api_version.clone().into());
    reference.insert("kind".into(), resource.kind.clone().into());
    if let Some(namespace) = &resource.namespace {
        reference.insert("namespace".into(), namespace.clone().into());
    }
    if let Some(name) = &resource.name {
        reference.insert("name".into(), name.clone().into());
    }
    Value::Object(reference)
}

/// The namespace every checked resource shares, if they share one.
fn common_namespace(report: &Report) -> Option<&str> {
    let mut namespaces = report.resources.iter().map(|r| r.resource.namespace.as_deref());
    let first = namespaces.next()??;
    namespaces.all(|n| n == Some(first)).then_some(first)
}

/// `gateway-doctor-<file>` as a DNS-1123 subdomain: lowercase alphanumerics and
/// `-`/`.`, at most 253 characters, starting and ending alphanumeric.
fn report_name(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let mut name = String::from("gateway-doctor-");
    for c in base.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    name.truncate(253);
    let trimmed = name.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    match trimmed {
        "gateway-doctor" => "gateway-doctor-stdin".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::{check, ClusterContext, Options};

    const FOUNDING: &str = "\
apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  externalTrafficPolicy: Local
  serviceType: LoadBalancer
";

    #[test]
    fn one_result_per_finding_with_the_resource_reference() {
        let report = check(FOUNDING, &Options::default());
        let value = policy_report(&report, "manifests/Gateway.yaml");
        assert_eq!(value["apiVersion"], "wgpolicyk8s.io/v1alpha2");
        assert_eq!(value["kind"], "PolicyReport");
        assert_eq!(value["metadata"]["name"], "gateway-doctor-gateway.yaml");
        assert_eq!(value["metadata"]["namespace"], "istio-system");
        let results = value["results"].as_array().unwrap();
        assert_eq!(results.len(), report.findings.len());
        let lb = results.iter().find(|r| r["rule"] == "ASM-LB-001").expect("ASM-LB-001");
        assert_eq!(lb["policy"], "gateway-doctor");
        assert_eq!(lb["severity"], "medium");
        assert_eq!(lb["result"], "warn");
        assert_eq!(
            lb["resources"],
            json!([{"apiVersion": "istio.alibabacloud.com/v1beta1", "kind": "IstioGateway",
                    "namespace": "istio-system", "name": "ingressgateway"}])
        );
        assert_eq!(lb["properties"]["path"], "/spec/externalTrafficPolicy");
        assert_eq!(lb["properties"]["line"], "5");
        assert!(lb["properties"]["fixes"].as_str().unwrap().contains("set-cluster-policy"));
        let warn = results.iter().filter(|r| r["result"] == "warn").count();
        assert_eq!(value["summary"]["warn"], warn);
    }

    /// Results follow the report's one order (ASM-LB-001 before ASM-HA-011).
    #[test]
    fn results_follow_the_report_order() {
        let report = check(FOUNDING, &Options::default());
        let value = policy_report(&report, "gw.yaml");
        let rules: Vec<&str> =
            value["results"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
        assert_eq!(rules, codes);
        let at = |code: &str| rules.iter().position(|r| *r == code).unwrap();
        assert!(at("ASM-LB-001") < at("ASM-HA-011"), "{rules:?}");
    }

    #[test]
    fn errors_fail_with_high_severity() {
        let mut context = ClusterContext::default();
        context.set("kubeProxyMode", "ipvs").unwrap();
        context.set("inClusterClients", "host-network").unwrap();
        let report = check(FOUNDING, &Options { context, ..Options::default() });
        let value = policy_report(&report, "-");
        let lb = value["results"].as_array().unwrap().iter().find(|r| r["rule"] == "ASM-LB-001").unwrap();
        assert_eq!((lb["severity"].as_str(), lb["result"].as_str()), (Some("high"), Some("fail")));
        assert!(value["summary"]["fail"].as_u64().unwrap() >= 1);
        assert_eq!(value["metadata"]["name"], "gateway-doctor-stdin");
    }

    #[test]
    fn input_errors_are_error_results() {
        let report = check("kind: [unclosed", &Options::default());
        let value = policy_report(&report, "broken.yaml");
        let results = value["results"].as_array().unwrap();
        assert_eq!(results[0]["result"], "error");
        assert_eq!(results[0]["rule"], "syntax");
        assert_eq!(value["summary"]["error"], 1);
        assert!(value["metadata"].get("namespace").is_none());
    }

    #[test]
    fn names_are_dns_subdomains() {
        assert_eq!(report_name("a/B c__d.YAML"), "gateway-doctor-b-c-d.yaml");
        assert_eq!(report_name("-"), "gateway-doctor-stdin");
        assert!(report_name(&"x".repeat(400)).len() <= 253);
    }
}
