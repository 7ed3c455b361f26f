//! The two entrypoints as pure functions of (input JSON, data JSON): what the
//! ABI layer evaluates, kept free of wasm so it is unit-tested natively.

use gateway_doctor::host::{self, Settings, Subject};
use gateway_doctor::report::{Finding, Report};
use serde_json::{json, Map, Value};

/// The deepest JSON nesting the module parses. serde_json and the core recurse
/// once per level, and the module runs on a 64 KiB stack inside the host's
/// memory: deeper input is refused before parsing, with a message, rather
/// than overflowing the stack. Kubernetes objects nest about 15 levels.
pub const MAX_DEPTH: usize = 64;

/// Fails if `json` nests arrays and objects deeper than [`MAX_DEPTH`]. A byte
/// scan that skips strings; it does not validate the JSON.
pub fn check_depth(json: &[u8]) -> Result<(), String> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("the input is nested deeper than {MAX_DEPTH} levels"));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Entrypoint names in id order: the id is the index.
pub const ENTRYPOINTS: [&str; 2] = ["gateway_doctor/findings", "gateway_doctor/violations"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entrypoint {
    /// The JSON report (README.md#json-report).
    Findings,
    /// Gatekeeper-style `[{"msg": ..., "details": {...}}]`, one per finding at
    /// or above `rejectOn`.
    Violations,
}

impl Entrypoint {
    pub fn from_id(id: i32) -> Option<Self> {
        match id {
            0 => Some(Entrypoint::Findings),
            1 => Some(Entrypoint::Violations),
            _ => None,
        }
    }
}

/// Evaluates one entrypoint. `input` is `None` when the host gave no input.
/// Always returns a value: bad input gives `{"error": ...}` (findings) or a
/// single violation saying what is wrong (violations), so a host that denies
/// on any violation fails closed.
pub fn evaluate(entrypoint: Entrypoint, input: Option<&Value>, data: Option<&Value>) -> Value {
    match run(input, data) {
        Ok((report, settings)) => match entrypoint {
            Entrypoint::Findings => {
                serde_json::to_value(&report).unwrap_or_else(|e| error_value(entrypoint, &e.to_string()))
            }
            Entrypoint::Violations => violations(&report, &settings),
        },
        Err(message) => error_value(entrypoint, &message),
    }
}

/// The error result of an entrypoint.
pub fn error_value(entrypoint: Entrypoint, message: &str) -> Value {
    match entrypoint {
        Entrypoint::Findings => json!({ "error": message }),
        Entrypoint::Violations => json!([{
            "msg": format!("gateway-doctor could not check the input: {message}"),
            "details": { "error": message },
        }]),
    }
}

fn run(input: Option<&Value>, data: Option<&Value>) -> Result<(Report, Settings), String> {
    let input = input.ok_or("no input: pass a Kubernetes object, an AdmissionReview or {\"object\", \"context\"}")?;
    let request = host::request(input)?;
    // `data.context` holds the defaults; the input's own context overrides them key by key.
    let mut layers = Map::new();
    for layer in [data.and_then(|d| d.get("context")), request.settings] {
        match layer {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => layers.extend(map.clone()),
            Some(_) => return Err("`context` must be an object".into()),
        }
    }
    let settings = Settings::from_map(&layers).map_err(|why| format!("bad context: {why}"))?;
    if !settings.mutate.is_empty() {
        return Err("bad context: `mutate` needs a host that can change the object (the Kubewarden policy); \
                    this module only reports"
            .into());
    }
    let options = settings.options();
    let report = match request.subject {
        Subject::Object(object) => gateway_doctor::check(&object.to_string(), &options),
        Subject::Nothing(_) => gateway_doctor::check("", &options),
    };
    Ok((report, settings))
}

/// The findings at or above `rejectOn` that `ignore` does not name, after
/// the input's own problems at or above it.
fn violations(report: &Report, settings: &Settings) -> Value {
    let rejects = |severity| settings.reject_on.rejects(severity);
    let mut out: Vec<Value> = report
        .diagnostics
        .iter()
        .filter(|d| rejects(d.severity))
        .map(|d| json!({"msg": format!("input: {}", d.message), "details": {"severity": d.severity, "kind": d.kind}}))
        .collect();
    out.extend(
        report.findings.iter().filter(|f| rejects(f.severity) && !settings.ignores(f.code, f.name)).map(violation),
    );
    Value::Array(out)
}

fn violation(finding: &Finding) -> Value {
    let fixes: Vec<Value> = finding
        .fixes
        .iter()
        .map(|f| json!({"id": f.id, "title": f.title, "applicability": f.applicability, "patch": f.patch}))
        .collect();
    json!({
        "msg": format!("{}: {}", finding.code, finding.message),
        "details": {
            "code": finding.code,
            "name": finding.name,
            "severity": finding.severity,
            "resource": finding.resource,
            "path": finding.location.path,
            "notes": finding.notes,
            "fixes": fixes,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn founding() -> Value {
        json!({"apiVersion": "istio.alibabacloud.com/v1beta1", "kind": "IstioGateway",
               "metadata": {"name": "ingressgateway", "namespace": "istio-system"},
               "spec": {"externalTrafficPolicy": "Local", "serviceType": "LoadBalancer"}})
    }

    fn codes(report: &Value) -> Vec<&str> {
        report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect()
    }

    fn lb001(list: &Value, code_at: &str) -> Option<Value> {
        list.as_array().unwrap().iter().find(|f| f.pointer(code_at) == Some(&json!("ASM-LB-001"))).cloned()
    }

    #[test]
    fn object_admission_review_and_wrapped_inputs_agree() {
        let object = founding();
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                            "request": {"operation": "CREATE", "object": object}});
        let wrapped = json!({"object": object, "context": {}});
        let expected = codes(&evaluate(Entrypoint::Findings, Some(&object), None)).join(",");
        assert!(expected.contains("ASM-LB-001"), "{expected}");
        for input in [&review, &wrapped] {
            let report = evaluate(Entrypoint::Findings, Some(input), None);
            assert_eq!(codes(&report).join(","), expected, "{input}");
        }
    }

    #[test]
    fn context_from_data_and_input_sets_severity_and_violations() {
        let data = json!({"context": {"kubeProxyMode": "ipvs", "inClusterClients": "pods"}});
        let input = json!({"object": founding(), "context": {"kubernetesVersion": "1.20"}});
        let report = evaluate(Entrypoint::Findings, Some(&input), Some(&data));
        assert_eq!(lb001(&report["findings"], "/code").unwrap()["severity"], "error");
        let violations = evaluate(Entrypoint::Violations, Some(&input), Some(&data));
        let violation = lb001(&violations, "/details/code").expect("an ASM-LB-001 violation");
        assert!(violation["msg"].as_str().unwrap().starts_with("ASM-LB-001: "));
        // With nothing known it is a warning: no violation at the default threshold.
        assert!(lb001(&evaluate(Entrypoint::Violations, Some(&founding()), None), "/details/code").is_none());
        let warn = json!({"object": founding(), "context": {"rejectOn": "warning"}});
        assert!(lb001(&evaluate(Entrypoint::Violations, Some(&warn), None), "/details/code").is_some());
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        for (input, why) in [
            (json!(42), "the input is a number"),
            (json!({"hello": 1}), "neither a Kubernetes object"),
            (json!({"object": [1]}), "the object is an array"),
            (json!({"object": founding(), "context": {"cni": "weave"}}), "bad context"),
        ] {
            let error = evaluate(Entrypoint::Findings, Some(&input), None);
            assert!(error["error"].as_str().unwrap().contains(why), "{error}");
            let violation = evaluate(Entrypoint::Violations, Some(&input), None);
            assert!(violation[0]["msg"].as_str().unwrap().contains(why));
        }
        assert!(evaluate(Entrypoint::Findings, None, None)["error"].as_str().unwrap().starts_with("no input"));
    }

    #[test]
    fn ignore_drops_violations_and_mutate_is_refused() {
        let warn = json!({"object": founding(), "context": {"rejectOn": "warning"}});
        assert!(lb001(&evaluate(Entrypoint::Violations, Some(&warn), None), "/details/code").is_some());
        let ignored = json!({"object": founding(), "context": {"rejectOn": "warning", "ignore": ["ASM-LB-001"]}});
        assert!(lb001(&evaluate(Entrypoint::Violations, Some(&ignored), None), "/details/code").is_none());
        // The report itself still holds the finding.
        assert!(lb001(&evaluate(Entrypoint::Findings, Some(&ignored), None)["findings"], "/code").is_some());
        let mutate = json!({"object": founding(), "context": {"mutate": ["safe"]}});
        let error = evaluate(Entrypoint::Findings, Some(&mutate), None);
        assert!(error["error"].as_str().unwrap().contains("`mutate` needs a host"), "{error}");
        let unknown = json!({"object": founding(), "context": {"rejectOn": "often"}});
        let error = evaluate(Entrypoint::Findings, Some(&unknown), None);
        assert!(error["error"]
            .as_str()
            .unwrap()
            .contains("bad context: `rejectOn` takes error, warning, info or never"));
    }

    #[test]
    fn depth_is_counted_outside_strings() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(check_depth(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert!(check_depth(nested(MAX_DEPTH + 1).as_bytes()).unwrap_err().contains("deeper than 64"));
        let in_string = format!(r#"{{"a": "{}\\\"{}"}}"#, "[".repeat(100), "{".repeat(100));
        assert!(check_depth(in_string.as_bytes()).is_ok(), "{in_string}");
        assert!(serde_json::from_str::<Value>(&in_string).is_ok());
    }

    #[test]
    fn delete_requests_have_nothing_to_check() {
        let review = json!({"request": {"operation": "DELETE", "object": null, "oldObject": founding()}});
        let report = evaluate(Entrypoint::Findings, Some(&review), None);
        assert_eq!(report["findings"], json!([]));
    }
}
