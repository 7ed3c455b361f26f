//! The SDK's `Testcase` harness over the `test_data/` AdmissionReview fixtures,
//! run natively against the policy's own `validate` and `validate_settings`.

use gateway_doctor_kubewarden::{validate, validate_settings};
use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;
use kubewarden_policy_sdk::test::Testcase;
use serde_json::{json, Value};

fn run(name: &str, fixture: &str, settings: Value, accepted: bool) -> ValidationResponse {
    let case = Testcase {
        name: name.to_owned(),
        fixture_file: format!("test_data/{fixture}"),
        expected_validation_result: accepted,
        settings,
    };
    case.eval(validate).expect("the policy answers with a ValidationResponse")
}

fn codes(response: &ValidationResponse) -> String {
    response.audit_annotations.as_ref().and_then(|a| a.get("codes")).cloned().unwrap_or_default()
}

#[test]
fn founding_gateway_is_accepted_with_a_warning_by_default() {
    let response = run("warn", "istiogateway-local-create.json", json!({}), true);
    let warnings = response.warnings.clone().unwrap_or_default();
    assert!(warnings.iter().any(|w| w.starts_with("ASM-LB-001: ")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("set-cluster-policy")), "warnings name the fixes: {warnings:?}");
    assert!(codes(&response).split(',').any(|c| c == "ASM-LB-001"));
    assert!(response.mutated_object.is_none());
}

#[test]
fn reject_on_warning_rejects_the_founding_gateway() {
    let response = run("reject on warning", "istiogateway-local-create.json", json!({"rejectOn": "warning"}), false);
    let message = response.message.unwrap();
    assert!(message.contains("ASM-LB-001: pods on nodes without a gateway pod"), "{message}");
}

#[test]
fn context_raises_the_severity_to_a_rejection() {
    let settings = json!({"kubeProxyMode": "ipvs", "inClusterClients": "pods", "kubernetesVersion": "1.22"});
    let response = run("ipvs error", "service-local-update.json", settings, false);
    assert!(response.message.as_deref().unwrap_or("").contains("ASM-LB-001"));
    assert!(codes(&response).contains("ASM-LB-001"));
}

#[test]
fn context_lowers_the_severity_and_never_does_not_reject() {
    let quiet = run("no clients", "service-local-update.json", json!({"inClusterClients": "none"}), true);
    assert!(quiet.warnings.unwrap_or_default().iter().any(|w| w.starts_with("ASM-LB-001")));
    let settings = json!({"kubeProxyMode": "ipvs", "inClusterClients": "pods", "rejectOn": "never"});
    run("never", "service-local-update.json", settings, true);
}

#[test]
fn ignore_drops_a_finding_by_code_or_name() {
    for ignore in ["ASM-LB-001", "local-policy-in-cluster-lb-access"] {
        let response = run("ignore", "istiogateway-local-create.json", json!({"ignore": [ignore]}), true);
        assert!(!codes(&response).contains("ASM-LB-001"));
        assert!(!response.warnings.unwrap_or_default().iter().any(|w| w.starts_with("ASM-LB-001")));
    }
}

#[test]
fn mutate_applies_the_named_fix_and_the_result_rechecks_clean() {
    let settings = json!({"rejectOn": "warning", "mutate": ["set-cluster-policy"]});
    let response = run("mutate", "istiogateway-local-create.json", settings.clone(), true);
    let object = response.mutated_object.expect("a mutated object");
    assert_eq!(object["spec"]["externalTrafficPolicy"], "Cluster");
    assert_eq!(object["spec"]["ports"][1]["port"], 80, "everything else is kept");
    assert_eq!(object["metadata"]["name"], "ingressgateway");
    let warnings = response.warnings.unwrap_or_default();
    assert!(warnings.iter().any(|w| w == "ASM-LB-001: applied fix set-cluster-policy"), "{warnings:?}");

    // The mutated object, sent back through the policy, no longer has the finding.
    let recheck = validate(json!({"request": object, "settings": settings}).to_string().as_bytes()).unwrap();
    let recheck: ValidationResponse = serde_json::from_slice(&recheck).unwrap();
    assert!(recheck.accepted);
    assert!(!codes(&recheck).contains("ASM-LB-001"));
    assert!(recheck.mutated_object.is_none());
}

#[test]
fn mutate_safe_applies_the_safe_fix_and_leaves_the_unsafe_ones() {
    let response = run("safe only", "istiogateway-local-create.json", json!({"mutate": ["safe"]}), true);
    let object = response.mutated_object.expect("the safe fix set-wrr-scheduler mutates the object");
    assert_eq!(object["spec"]["externalTrafficPolicy"], "Local", "set-cluster-policy is unsafe and was not named");
    assert_eq!(
        object["spec"]["serviceAnnotations"],
        json!({"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler": "wrr"})
    );
    let warnings = response.warnings.unwrap_or_default();
    let applied: Vec<&String> = warnings.iter().filter(|w| w.contains(": applied fix ")).collect();
    assert_eq!(applied, ["ASM-LB-010: applied fix set-wrr-scheduler"]);
}

#[test]
fn clean_service_and_other_kinds_are_accepted_untouched() {
    for fixture in ["service-clean-create.json", "pod-create.json"] {
        let response = run(fixture, fixture, json!({"rejectOn": "warning"}), true);
        assert!(response.warnings.is_none() && response.mutated_object.is_none(), "{fixture}: {response:?}");
    }
}

#[test]
fn raw_objects_are_checked_too() {
    let response = run("raw", "raw-istiogateway.json", json!({"rejectOn": "warning"}), false);
    assert!(response.message.unwrap().contains("ASM-LB-001"));
}

#[test]
fn bad_settings_fail_validation_with_the_reason() {
    let check = |settings: Value| -> SettingsValidationResponse {
        serde_json::from_slice(&validate_settings(settings.to_string().as_bytes()).unwrap()).unwrap()
    };
    let ok = check(json!({"cni": "terway-eniip", "rejectOn": "warning", "mutate": ["safe"]}));
    assert!(ok.valid && ok.message.is_none());
    for (settings, why) in [
        (json!({"rejectOn": "sometimes"}), "`rejectOn` takes error, warning, info or never"),
        (json!({"kubeProxy": "ipvs"}), "unknown setting `kubeProxy`"),
        (json!({"kubernetesVersion": "latest"}), "is not a version"),
        (json!({"ignore": ["ASM-XX-000"]}), "is not a rule code or name"),
    ] {
        let response = check(settings);
        assert!(!response.valid);
        assert!(response.message.as_deref().unwrap_or("").contains(why), "{:?}", response.message);
    }
    // Settings that fail validation also reject at `validate`, rather than being ignored.
    let response = run("bad settings", "service-clean-create.json", json!({"rejectOn": 3}), false);
    assert!(response.message.unwrap().contains("invalid settings"));
}

#[test]
fn payloads_that_are_not_json_are_answered_with_the_place() {
    let answer: ValidationResponse = serde_json::from_slice(&validate(b"{\"request\": {\"kind\": }").unwrap()).unwrap();
    assert!(!answer.accepted);
    assert_eq!(answer.code, Some(400));
    let message = answer.message.unwrap();
    assert!(message.starts_with("gateway-doctor: the validation request is not JSON: invalid JSON"), "{message}");
    assert!(
        message
            .ends_with("expected a value (an object, array, string, number, true, false or null) at line 1 column 22"),
        "{message}"
    );

    let settings: SettingsValidationResponse = serde_json::from_slice(&validate_settings(b"[1,]").unwrap()).unwrap();
    assert!(!settings.valid);
    let message = settings.message.unwrap();
    assert!(
        message.starts_with("the settings are not JSON: invalid JSON") && message.ends_with("line 1 column 4"),
        "{message}"
    );
}
