//! gateway-doctor as a Kubewarden admission policy (waPC protocol, built for
//! `wasm32-wasip1`): the same rules, codes, messages and fixes as the CLI,
//! applied to Services and IstioGateways at admission time.

pub mod allocator;
pub mod response;
pub mod subject;
pub mod verdict;

use gateway_doctor::host::{read_json, Settings};
use kubewarden_policy_sdk::wapc_guest::{register_function, CallResult};
use serde_json::Value;

use crate::response::Validation;
use crate::subject::Subject;

/// waPC initialisation: the host calls it once, before any request.
#[no_mangle]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("validate_settings", validate_settings);
    register_function("protocol_version", kubewarden_policy_sdk::protocol_version_guest);
}

/// `validate`: `{"request": <admission request or raw object>, "settings": {...}}`.
/// The settings are the hosts' shared ones (`gateway_doctor::host::Settings`).
pub fn validate(payload: &[u8]) -> CallResult {
    let answer = match read_json(payload) {
        Ok(payload) => evaluate(&payload),
        Err(e) => Validation::bad_request(&format!("the validation request is not JSON: {e}")),
    };
    Ok(answer.to_json())
}

fn evaluate(payload: &Value) -> Validation {
    let settings = match Settings::from_json(payload.get("settings").unwrap_or(&Value::Null)) {
        Ok(settings) => settings,
        Err(why) => return Validation::bad_request(&format!("invalid settings: {why}")),
    };
    let Some(request) = payload.get("request") else {
        return Validation::bad_request("the validation request has no `request`");
    };
    match subject::subject(request) {
        Ok(Subject::Checked(object)) => verdict::judge(object, &settings),
        Ok(Subject::Skipped(_)) => Validation::accept(),
        Err(why) => Validation::bad_request(&why),
    }
}

/// `validate_settings`: a bad setting answers `valid: false` with the reason,
/// rather than failing the call as a deserialisation error.
pub fn validate_settings(payload: &[u8]) -> CallResult {
    let result = read_json(payload)
        .map_err(|e| format!("the settings are not JSON: {e}"))
        .and_then(|value| Settings::from_json(&value));
    Ok(response::settings_validation(result.map(drop)))
}
