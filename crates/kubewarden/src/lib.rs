//! gateway-doctor as a Kubewarden admission policy (waPC protocol, built for
//! `wasm32-wasip1`): the same rules, codes, messages and fixes as the CLI,
//! applied to Services and IstioGateways at admission time.

pub mod settings;
pub mod subject;
pub mod verdict;

use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;
use kubewarden_policy_sdk::wapc_guest::{register_function, CallResult};
use serde_json::Value;

use crate::settings::Settings;
use crate::subject::Subject;

/// waPC initialisation: the host calls it once, before any request.
#[no_mangle]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("validate_settings", validate_settings);
    register_function("protocol_version", kubewarden_policy_sdk::protocol_version_guest);
}

/// `validate`: `{"request": <admission request or raw object>, "settings": {...}}`.
pub fn validate(payload: &[u8]) -> CallResult {
    let response = match serde_json::from_slice::<Value>(payload) {
        Ok(payload) => evaluate(&payload),
        Err(e) => rejection(format!("the validation request is not JSON: {e}")),
    };
    Ok(serde_json::to_vec(&response)?)
}

fn evaluate(payload: &Value) -> ValidationResponse {
    let settings = match Settings::from_json(payload.get("settings").unwrap_or(&Value::Null)) {
        Ok(settings) => settings,
        Err(why) => return rejection(format!("invalid settings: {why}")),
    };
    let Some(request) = payload.get("request") else {
        return rejection("the validation request has no `request`".into());
    };
    match subject::subject(request) {
        Ok(Subject::Checked(object)) => verdict::judge(object, &settings),
        Ok(Subject::Skipped(_)) => ValidationResponse {
            accepted: true,
            message: None,
            code: None,
            mutated_object: None,
            audit_annotations: None,
            warnings: None,
        },
        Err(why) => rejection(why),
    }
}

/// `validate_settings`: a bad setting answers `valid: false` with the reason,
/// rather than failing the call as a deserialisation error.
pub fn validate_settings(payload: &[u8]) -> CallResult {
    let result = serde_json::from_slice::<Value>(payload)
        .map_err(|e| format!("the settings are not JSON: {e}"))
        .and_then(|value| Settings::from_json(&value));
    let response = match result {
        Ok(_) => SettingsValidationResponse { valid: true, message: None },
        Err(why) => SettingsValidationResponse { valid: false, message: Some(why) },
    };
    Ok(serde_json::to_vec(&response)?)
}

fn rejection(message: String) -> ValidationResponse {
    ValidationResponse {
        accepted: false,
        message: Some(format!("gateway-doctor: {message}")),
        code: Some(400),
        mutated_object: None,
        audit_annotations: None,
        warnings: None,
    }
}
