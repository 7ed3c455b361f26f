//! The browser module does not embed the field tables of ASM-CR-046/047: until
//! the page hands them over (`loadSchema`), a report says so instead of passing
//! silently. A test binary of its own, so that no other test has loaded them:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!  cargo test --target wasm32-unknown-unknown -p gateway-doctor-wasm --test wasm_schema`.
#![cfg(target_arch = "wasm32")]

use gateway_doctor_wasm as wasm;
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const TYPO: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n  ports: [{port: 80, protocoll: TCP}]\n";

fn check(text: &str) -> Value {
    serde_wasm_bindgen::from_value(wasm::check(JsValue::from_str(text), None)).expect("a report")
}

fn codes(report: &Value, key: &str, field: &str) -> Vec<String> {
    report[key].as_array().unwrap().iter().map(|v| v[field].as_str().unwrap().to_owned()).collect()
}

#[wasm_bindgen_test]
fn the_tables_are_said_missing_until_loaded() {
    let before = check(TYPO);
    assert_eq!(codes(&before, "diagnostics", "kind"), ["schema-unavailable"]);
    assert!(!codes(&before, "findings", "code").contains(&"ASM-CR-046".to_owned()));

    let refused: Value = serde_wasm_bindgen::from_value(wasm::load_schema(JsValue::from_str("type\n"))).unwrap();
    assert!(refused["error"].as_str().unwrap().starts_with("the schema does not parse"));
    assert_eq!(wasm::load_schema(JsValue::from_str(include_str!("../../../schema/tables.txt"))), JsValue::TRUE);

    let after = check(TYPO);
    assert!(codes(&after, "diagnostics", "kind").is_empty());
    assert!(codes(&after, "findings", "code").contains(&"ASM-CR-046".to_owned()));
}
