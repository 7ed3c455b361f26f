//! Loads the built Kubewarden policy (`dist/policy-kubewarden.wasm`, from
//! `scripts/build-policies`) into the waPC host runtime that Kubewarden's
//! policy evaluator uses (`wapc` + `wasmtime-provider`, with WASI) and calls
//! the three guest functions the way policy-server does.
//!
//! Set `GATEWAY_DOCTOR_KUBEWARDEN_WASM` to test another build.

use std::path::PathBuf;

use serde_json::{json, Value};
use wapc::WapcHost;
use wasmtime_provider::{ResourceLimits, WasmtimeEngineProviderBuilder};

fn wasm_path() -> PathBuf {
    match std::env::var_os("GATEWAY_DOCTOR_KUBEWARDEN_WASM") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist/policy-kubewarden.wasm"),
    }
}

fn host() -> WapcHost {
    host_with(ResourceLimits::default())
}

fn host_with(limits: ResourceLimits) -> WapcHost {
    let path = wasm_path();
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); run scripts/build-policies first", path.display()));
    let engine = WasmtimeEngineProviderBuilder::new()
        .module_bytes(&bytes)
        .enable_resource_limits(limits)
        .build()
        .expect("wasmtime loads the module");
    WapcHost::new(Box::new(engine), None).expect("the waPC host initialises the guest")
}

fn fixture_request(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kubewarden/test_data").join(name);
    let review: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // policy-server hands the guest the AdmissionReview's `request`.
    review.get("request").cloned().unwrap_or(review)
}

fn call(host: &WapcHost, op: &str, payload: &Value) -> Value {
    let out = host.call(op, payload.to_string().as_bytes()).unwrap_or_else(|e| panic!("{op} failed: {e}"));
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{op} did not answer JSON ({e})"))
}

fn validate(host: &WapcHost, fixture: &str, settings: Value) -> Value {
    call(host, "validate", &json!({"request": fixture_request(fixture), "settings": settings}))
}

#[test]
fn protocol_version_is_v1() {
    let host = host();
    let out = host.call("protocol_version", b"").unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), json!("v1"));
}

#[test]
fn validate_settings_accepts_good_and_explains_bad() {
    let host = host();
    let good =
        call(&host, "validate_settings", &json!({"cni": "terway-eniip", "rejectOn": "warning", "mutate": ["safe"]}));
    assert_eq!(good["valid"], true);
    let bad = call(&host, "validate_settings", &json!({"rejectOn": "often"}));
    assert_eq!(bad["valid"], false);
    assert!(bad["message"].as_str().unwrap().contains("`rejectOn` takes error, warning, info or never"));
    let unknown = call(&host, "validate_settings", &json!({"kubeproxy": "ipvs"}));
    assert!(unknown["message"].as_str().unwrap().contains("unknown setting `kubeproxy`"));
}

#[test]
fn validate_accepts_warns_rejects_and_mutates() {
    let host = host();

    let warned = validate(&host, "istiogateway-local-create.json", json!({}));
    assert_eq!(warned["accepted"], true);
    let warnings = warned["warnings"].as_array().expect("warnings");
    assert!(warnings.iter().any(|w| w.as_str().unwrap().starts_with("ASM-LB-001: ")), "{warnings:?}");
    assert!(warned["audit_annotations"]["codes"].as_str().unwrap().contains("ASM-LB-001"));

    let rejected = validate(&host, "istiogateway-local-create.json", json!({"rejectOn": "warning"}));
    assert_eq!(rejected["accepted"], false);
    assert!(rejected["message"].as_str().unwrap().contains("ASM-LB-001: pods on nodes without a gateway pod"));

    let context = json!({"kubeProxyMode": "ipvs", "inClusterClients": "host-network"});
    let error = validate(&host, "service-local-update.json", context);
    assert_eq!(error["accepted"], false, "hostNetwork clients on IPVS make ASM-LB-001 an error: {error}");

    let settings = json!({"rejectOn": "warning", "mutate": ["set-cluster-policy"]});
    let mutated = validate(&host, "istiogateway-local-create.json", settings.clone());
    assert_eq!(mutated["accepted"], true, "{mutated}");
    let object = mutated["mutated_object"].clone();
    assert_eq!(object["spec"]["externalTrafficPolicy"], "Cluster");
    let recheck = call(&host, "validate", &json!({"request": object, "settings": settings}));
    assert_eq!(recheck["accepted"], true);
    assert!(recheck.get("mutated_object").is_none_or(Value::is_null), "nothing left to fix: {recheck}");

    for untouched in ["pod-create.json", "service-clean-create.json"] {
        let response = validate(&host, untouched, json!({"rejectOn": "warning"}));
        assert_eq!(response["accepted"], true);
        assert!(response.get("mutated_object").is_none_or(Value::is_null));
    }
}

#[test]
fn an_unknown_function_is_a_guest_error_not_a_crash() {
    let host = host();
    let error = host.call("nope", b"{}").unwrap_err().to_string();
    assert!(error.contains("nope"), "{error}");
    // The instance still serves after the error.
    assert_eq!(validate(&host, "pod-create.json", json!({}))["accepted"], true);
}

/// `mutate: ["safe"]` applies the one safe fix of the founding gateway
/// (ASM-LB-010's `set-wrr-scheduler`) and nothing else: the mutated object is
/// the request's object plus that annotation, so the JSON patch Kubewarden
/// derives from it is that one addition. The unsafe fixes (`set-cluster-policy`
/// for ASM-LB-001, ...) are not named, so `Local` stays.
#[test]
fn mutate_safe_applies_the_safe_fix_and_nothing_else() {
    let host = host();
    let response = validate(&host, "istiogateway-local-create.json", json!({"mutate": ["safe"]}));
    assert_eq!(response["accepted"], true, "{response}");

    let mut expected = fixture_request("istiogateway-local-create.json")["object"].clone();
    assert_eq!(expected["spec"]["serviceAnnotations"], json!({}));
    expected["spec"]["serviceAnnotations"] =
        json!({"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler": "wrr"});
    assert_eq!(response["mutated_object"], expected);

    let applied: Vec<&str> = response["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(Value::as_str)
        .filter(|w| w.contains(": applied fix "))
        .collect();
    assert_eq!(applied, ["ASM-LB-010: applied fix set-wrr-scheduler"]);
    // The fixed object is judged again: ASM-LB-010 is gone, ASM-LB-001 stays.
    let codes = response["audit_annotations"]["codes"].as_str().unwrap();
    assert!(codes.split(',').any(|c| c == "ASM-LB-001") && !codes.split(',').any(|c| c == "ASM-LB-010"), "{codes}");
}

/// Naming an unsafe fix is the administrator's consent to it (crates/kubewarden/README.md):
/// `set-cluster-policy` is applied next to the safe fix.
#[test]
fn mutate_applies_a_named_unsafe_fix_with_the_safe_ones() {
    let host = host();
    let response = validate(&host, "istiogateway-local-create.json", json!({"mutate": ["safe", "set-cluster-policy"]}));
    assert_eq!(response["accepted"], true, "{response}");
    let mut expected = fixture_request("istiogateway-local-create.json")["object"].clone();
    expected["spec"]["externalTrafficPolicy"] = json!("Cluster");
    // With Cluster, ASM-LB-010 (Local with the rr scheduler) no longer applies: only the named fix changes the object.
    assert_eq!(response["mutated_object"], expected);
    let warnings = response["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w == "ASM-LB-001: applied fix set-cluster-policy"), "{warnings:?}");
}

/// One instance serves many requests (policy-server keeps it): every request
/// gives its memory back. Under an 8 MiB cap on linear memory (the module
/// starts at about 1.2 MiB), a leak of 1.5 KB per request would fail a
/// `memory.grow` within these 5,000 requests, and the guest would trap.
#[test]
fn memory_stays_bounded_over_many_requests() {
    let host = host_with(ResourceLimits { max_memory_size: Some(8 << 20), max_table_elements: None });
    let mutate = json!({"rejectOn": "never", "mutate": ["safe", "set-cluster-policy"]});
    for round in 0..5_000 {
        let (fixture, settings) = match round % 3 {
            0 => ("istiogateway-local-create.json", json!({})),
            1 => ("istiogateway-local-create.json", mutate.clone()),
            _ => ("service-local-update.json", json!({"rejectOn": "warning"})),
        };
        let payload = json!({"request": fixture_request(fixture), "settings": settings}).to_string();
        host.call("validate", payload.as_bytes()).unwrap_or_else(|e| panic!("request {round}: {e}"));
    }
}
