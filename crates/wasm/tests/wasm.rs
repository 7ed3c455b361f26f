//! The JavaScript API, run in Node by wasm-bindgen-test:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!  cargo test --target wasm32-unknown-unknown -p gateway-doctor-wasm --test wasm`.
#![cfg(target_arch = "wasm32")]

use gateway_doctor_wasm as wasm;
use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const FOUNDING: &str = include_str!("../../../tests/data/founding.yaml");
const FOUNDING_MD: &str = include_str!("../../../tests/data/markdown/founding.md");

fn js(value: Value) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap()
}

fn rust(value: JsValue) -> Value {
    serde_wasm_bindgen::from_value(value).expect("a JSON-shaped value")
}

/// The ASM-LB-001 finding of a report (other rules may fire on the same input).
fn lb001(report: &Value) -> &Value {
    report["findings"].as_array().unwrap().iter().find(|f| f["code"] == "ASM-LB-001").expect("ASM-LB-001")
}

/// Checks as the page does: with the field tables loaded (crates/wasm/tests/wasm_schema.rs
/// covers a module that has not loaded them).
fn check(text: &str, options: Value) -> Value {
    assert_eq!(wasm::load_schema(JsValue::from_str(include_str!("../../../schema/tables.txt"))), JsValue::TRUE);
    rust(wasm::check(JsValue::from_str(text), Some(js(options))))
}

#[wasm_bindgen_test]
fn check_reports_the_founding_finding_with_utf16_columns() {
    let report = check(FOUNDING, json!({}));
    assert_eq!(report["version"], 2);
    let finding = lb001(&report);
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["location"]["path"], "/spec/externalTrafficPolicy");
    assert_eq!(finding["location"]["start"], json!({"line": 5, "column": 26}));
    let ids: Vec<&str> = finding["fixes"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"set-cluster-policy") && ids.contains(&"use-service-dns"), "{ids:?}");

    // An astral character before the value on its line counts as two UTF-16 units.
    let line = "spec: {n😀: 1, serviceType: LoadBalancer, externalTrafficPolicy: Local}";
    let text = format!("apiVersion: v1\nkind: Service\nmetadata: {{name: gw}}\n{line}\n");
    let text =
        text.replace("apiVersion: v1\nkind: Service", "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway");
    let report = check(&text, json!({}));
    let prefix = &line[..line.find("Local").unwrap()];
    let column = lb001(&report)["location"]["start"]["column"].as_u64().unwrap() as usize;
    assert_eq!(column, prefix.encode_utf16().count() + 1, "{report}");
    assert_ne!(column, prefix.chars().count() + 1);
}

#[wasm_bindgen_test]
fn context_and_lang_change_the_report() {
    let report = check(FOUNDING, json!({"kubeProxyMode": "ipvs", "inClusterClients": "host-network"}));
    assert_eq!(lb001(&report)["severity"], "error");
    let report = check(FOUNDING, json!({"inClusterClients": "none"}));
    assert_eq!(lb001(&report)["severity"], "info");
    let report = check(FOUNDING, json!({"lang": "zh", "cni": "unknown"}));
    let message = lb001(&report)["message"].as_str().unwrap();
    assert!(message.contains("网关"), "{message}");
}

#[wasm_bindgen_test]
fn bad_arguments_are_error_values() {
    for options in [json!({"cni": "weave"}), json!({"cnii": "flannel"}), json!({"lang": "fr"}), json!(3)] {
        let result = check(FOUNDING, options.clone());
        assert!(result["error"].as_str().is_some_and(|e| !e.is_empty()), "{options}: {result}");
    }
    let result = rust(wasm::check(JsValue::from_f64(1.0), None));
    assert_eq!(result["error"], "text must be a string");
    let result = rust(wasm::fix(
        JsValue::from_str(FOUNDING),
        Some(JsValue::from_str("set-cluster-policy")),
        Some(JsValue::NULL),
    ));
    assert!(result["error"].as_str().unwrap().starts_with("fixIds"), "{result}");
}

#[wasm_bindgen_test]
fn arguments_cross_as_json() {
    // `undefined` members drop out, as `JSON.stringify` leaves them: an optional key not set.
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"hostname".into(), &JsValue::UNDEFINED).unwrap();
    js_sys::Reflect::set(&options, &"inClusterClients".into(), &"none".into()).unwrap();
    let report = rust(wasm::check(JsValue::from_str(FOUNDING), Some(options.into())));
    assert_eq!(lb001(&report)["severity"], "info", "{report}");
    // What JSON cannot carry is an error value, not a trap.
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"cni".into(), &js_sys::BigInt::from(1u32).into()).unwrap();
    let result = rust(wasm::check(JsValue::from_str(FOUNDING), Some(options.into())));
    assert!(result["error"].as_str().is_some_and(|e| !e.is_empty()), "{result}");
    let result = rust(wasm::fix(JsValue::from_str(FOUNDING), Some(js(json!(["safe", 3]))), None));
    assert!(result["error"].as_str().unwrap().starts_with("fixIds"), "{result}");
}

#[wasm_bindgen_test]
fn hostile_input_gives_diagnostics_not_traps() {
    let deep_flow = "[".repeat(100_000);
    let deep_block: String = (0..3_000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
    let aliases = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]\n";
    // (input, the diagnostics it must give: kind and line). The limits refuse
    // the document before it is expanded; the same inputs give the same
    // diagnostics natively (`gateway-doctor check --format json -`).
    let cases: [(&str, &[(&str, u64)]); 6] = [
        (&deep_flow, &[("limit", 1)]),
        (&deep_block, &[("limit", 129)]),
        (aliases, &[("alias-limit", 6)]),
        ("\u{0}\u{feff}```\n\t: -", &[("syntax", 1)]),
        ("kind: [", &[("syntax", 1)]),
        // Read as Markdown: a fence left open runs to the end (CommonMark), and it is empty.
        ("```yaml\n", &[]),
    ];
    for (text, want) in cases {
        let report = check(text, json!({}));
        assert!(report["error"].is_null(), "{report}");
        let got: Vec<(&str, u64)> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| (d["kind"].as_str().unwrap(), d["location"]["start"]["line"].as_u64().unwrap()))
            .collect();
        let start: String = text.chars().take(40).collect();
        assert_eq!(got, want, "{start:?}: {report}");
        assert_eq!(report["findings"], json!([]), "nothing is checked in a refused document");
    }
    let nesting = check(&deep_block, json!({}));
    assert!(nesting["diagnostics"][0]["message"].as_str().unwrap().starts_with("nesting deeper than 128 levels"));
}

#[wasm_bindgen_test]
fn fix_returns_the_corrected_text_and_its_report() {
    let options = js(json!({"allowUnsafe": true}));
    let ids = js(json!(["set-cluster-policy"]));
    let result = rust(wasm::fix(JsValue::from_str(FOUNDING), Some(ids), Some(options)));
    assert_eq!(result["text"], FOUNDING.replace("externalTrafficPolicy: Local", "externalTrafficPolicy: Cluster"));
    assert_eq!(result["applied"][0]["id"], "set-cluster-policy");
    assert!(result["report"]["findings"].as_array().unwrap().iter().all(|f| f["code"] != "ASM-LB-001"));

    // Without allowUnsafe the fix is skipped with a reason, and the text is unchanged.
    let result = rust(wasm::fix(JsValue::from_str(FOUNDING), Some(js(json!(["set-cluster-policy"]))), None));
    assert_eq!(result["text"], FOUNDING);
    assert!(result["skipped"][0]["reason"].as_str().unwrap().contains("allowUnsafe"));
}

#[wasm_bindgen_test]
fn markdown_is_checked_by_content_or_by_option() {
    let text = FOUNDING_MD.replacen("externalTrafficPolicy: Cluster", "externalTrafficPolicy: Local", 1);
    for options in [json!({}), json!({"format": "markdown"})] {
        let report = check(&text, options);
        assert_eq!(lb001(&report)["location"]["path"], "/spec/externalTrafficPolicy");
        let kinds: Vec<&str> =
            report["diagnostics"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["elision", "elision", "elision"]);
    }
}

#[wasm_bindgen_test]
fn rules_version_and_gateways_describe_themselves() {
    let rules = rust(wasm::rules());
    let lb = rules.as_array().unwrap().iter().find(|r| r["code"] == "ASM-LB-001").expect("ASM-LB-001");
    assert_eq!(lb["name"], "local-policy-in-cluster-lb-access");
    assert!(lb["docs"].as_str().unwrap().contains("## Why is this bad?"));
    assert!(lb["sources"].as_array().unwrap().iter().any(|s| s["id"] == "S6"));
    assert!(!lb["titleZh"].as_str().unwrap().is_empty());
    assert_eq!(wasm::version(), env!("CARGO_PKG_VERSION"));

    let gateways = rust(wasm::gateways(JsValue::from_str(FOUNDING), None));
    assert_eq!(
        gateways[0],
        json!({
            "resource": {"document": 0, "apiVersion": "istio.alibabacloud.com/v1beta1", "kind": "IstioGateway",
                         "namespace": "istio-system", "name": "ingressgateway"},
            "specPath": "/spec", "service": "istio-system/istio-ingressgateway", "type": "LoadBalancer",
            "externalTrafficPolicy": "Local", "replicas": {"count": 2, "min": 2, "max": 5}
        })
    );
}
