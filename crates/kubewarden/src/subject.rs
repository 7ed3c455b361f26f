//! What a `validate` call is about: the object inside an admission request
//! (`policyType: kubernetes`) or a raw object (`policyType: raw`), found as
//! every host finds it (`gateway_doctor::host::request`), and whether it is a
//! kind this policy checks at admission (`metadata.yml` selects the same kinds).

use gateway_doctor::host::{self, Subject as Found};
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
    match host::request(request)?.subject {
        Found::Nothing(reason) => Ok(Subject::Skipped(reason)),
        Found::Object(object) => {
            let (group, kind) = host::group_kind(request, object);
            if CHECKED.iter().any(|(g, k)| *g == group && *k == kind) {
                Ok(Subject::Checked(object))
            } else {
                let group = if group.is_empty() { "core" } else { group };
                Ok(Subject::Skipped(format!("{kind} ({group}) is not a kind gateway-doctor checks at admission")))
            }
        }
    }
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
        assert!(subject(&json!({"hello": "world"})).unwrap_err().contains("neither a Kubernetes object"));
        let no_object = json!({"uid": "1", "operation": "UPDATE", "kind": {"group": "", "kind": "Service"}});
        assert!(subject(&no_object).unwrap_err().contains("has no `object`"));
    }
}
