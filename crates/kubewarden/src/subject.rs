//! What a `validate` call is about: the object inside an admission request
//! (`policyType: kubernetes`) or a raw object (`policyType: raw`), and whether
//! it is a kind gateway-doctor checks at admission.

use serde_json::Value;

/// The kinds this policy checks; every other kind is accepted untouched.
const CHECKED: &[(&str, &str)] = &[("", "Service"), ("istio.alibabacloud.com", "IstioGateway")];

#[derive(Debug, PartialEq)]
pub enum Subject<'a> {
    /// A Service or IstioGateway being created or updated, or sent raw.
    Checked(&'a Value),
    /// Nothing to check: another kind, or an operation without a new object.
    Skipped(String),
}

/// Finds the object to check in the `request` of a waPC `ValidationRequest`.
pub fn subject(request: &Value) -> Result<Subject<'_>, String> {
    // An AdmissionReview envelope (as `kwctl run --request-path` fixtures hold it).
    let request = match request.get("kind").and_then(Value::as_str) {
        Some("AdmissionReview") => request.get("request").ok_or("the AdmissionReview has no `request`")?,
        _ => request,
    };
    if request.get("operation").is_some() || request.get("uid").is_some() {
        admission(request)
    } else if request.get("kind").is_some_and(Value::is_string) {
        Ok(object(request))
    } else {
        Err("the request is neither an admission request (with `operation` and `object`) \
             nor a Kubernetes object (with `apiVersion` and `kind`)"
            .into())
    }
}

fn admission(request: &Value) -> Result<Subject<'_>, String> {
    let operation = request.get("operation").and_then(Value::as_str).unwrap_or("");
    if !matches!(operation, "CREATE" | "UPDATE") {
        return Ok(Subject::Skipped(format!("operation `{operation}` has no new object to check")));
    }
    let Some(object) = request.get("object").filter(|o| o.is_object()) else {
        return Err(format!("the {operation} request has no `object`"));
    };
    let kind = request.get("kind");
    let group = kind.and_then(|k| k.get("group")).and_then(Value::as_str);
    let name = kind.and_then(|k| k.get("kind")).and_then(Value::as_str);
    match (group, name) {
        (Some(group), Some(name)) if is_checked(group, name) => Ok(Subject::Checked(object)),
        (Some(group), Some(name)) => Ok(Subject::Skipped(skip_reason(group, name))),
        // Without a request kind, judge by the object itself.
        _ => Ok(self::object(object)),
    }
}

fn object(object: &Value) -> Subject<'_> {
    let api_version = object.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    if is_checked(group, kind) {
        Subject::Checked(object)
    } else {
        Subject::Skipped(skip_reason(group, kind))
    }
}

fn is_checked(group: &str, kind: &str) -> bool {
    CHECKED.iter().any(|(g, k)| *g == group && *k == kind)
}

fn skip_reason(group: &str, kind: &str) -> String {
    let group = if group.is_empty() { "core" } else { group };
    format!("{kind} ({group}) is not a kind gateway-doctor checks at admission")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service() -> Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "gw"}})
    }

    #[test]
    fn admission_request_of_a_checked_kind() {
        let request = json!({"uid": "1", "operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Service"},
                             "object": service()});
        assert_eq!(subject(&request).unwrap(), Subject::Checked(&service()));
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request});
        assert_eq!(subject(&review).unwrap(), Subject::Checked(&service()));
    }

    #[test]
    fn other_kinds_and_operations_are_skipped() {
        let pod = json!({"uid": "1", "operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                         "object": {"apiVersion": "v1", "kind": "Pod"}});
        assert!(matches!(subject(&pod).unwrap(), Subject::Skipped(reason) if reason.contains("Pod (core)")));
        let delete = json!({"uid": "1", "operation": "DELETE", "kind": {"group": "", "version": "v1", "kind": "Service"},
                            "object": null});
        assert!(matches!(subject(&delete).unwrap(), Subject::Skipped(_)));
        let gateway_api = json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway"});
        assert!(matches!(subject(&gateway_api).unwrap(), Subject::Skipped(_)));
    }

    #[test]
    fn raw_objects_are_checked_by_their_own_kind() {
        let gateway = json!({"apiVersion": "istio.alibabacloud.com/v1beta1", "kind": "IstioGateway"});
        assert_eq!(subject(&gateway).unwrap(), Subject::Checked(&gateway));
    }

    #[test]
    fn unrecognisable_requests_are_errors() {
        assert!(subject(&json!({"hello": "world"})).unwrap_err().contains("neither an admission request"));
        let no_object = json!({"uid": "1", "operation": "UPDATE", "kind": {"group": "", "kind": "Service"}});
        assert!(subject(&no_object).unwrap_err().contains("has no `object`"));
    }
}
