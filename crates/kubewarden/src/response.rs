//! The waPC answers, written as serde_json values. The SDK's
//! `ValidationResponse` and `SettingsValidationResponse` would bring serde
//! code of their own and a `HashMap<String, String>` instance into a module
//! that already writes `Value`s (about 5 KB, BENCHMARKS.md "Policy hosts").
//! The wire form is the SDK's, with absent fields left out; the tests read
//! every answer back into the SDK's types.

use serde_json::{Map, Value};

/// The answer to `validate`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Validation {
    pub accepted: bool,
    /// Shown to the user when the request is rejected.
    pub message: Option<String>,
    pub code: Option<u16>,
    /// The object with the fixes `mutate` asked for applied.
    pub mutated_object: Option<Value>,
    /// Keys and values; the API server prefixes each key with the webhook's name.
    pub audit_annotations: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

impl Validation {
    /// Accepted untouched, with nothing to say.
    pub fn accept() -> Self {
        Validation { accepted: true, ..Validation::default() }
    }

    /// Rejected before any rule ran: the request itself or the settings are wrong.
    pub fn bad_request(message: &str) -> Self {
        Validation { message: Some(format!("gateway-doctor: {message}")), code: Some(400), ..Validation::default() }
    }

    pub fn to_json(self) -> Vec<u8> {
        let mut answer = Map::new();
        answer.insert("accepted".into(), self.accepted.into());
        if let Some(message) = self.message {
            answer.insert("message".into(), message.into());
        }
        if let Some(code) = self.code {
            answer.insert("code".into(), code.into());
        }
        if let Some(object) = self.mutated_object {
            answer.insert("mutated_object".into(), object);
        }
        if !self.audit_annotations.is_empty() {
            let annotations = self.audit_annotations.into_iter().map(|(k, v)| (k, Value::String(v)));
            answer.insert("audit_annotations".into(), Value::Object(annotations.collect()));
        }
        if !self.warnings.is_empty() {
            answer.insert("warnings".into(), self.warnings.into());
        }
        to_vec(&Value::Object(answer))
    }
}

/// The answer to `validate_settings`.
pub fn settings_validation(result: Result<(), String>) -> Vec<u8> {
    let mut answer = Map::new();
    answer.insert("valid".into(), result.is_ok().into());
    if let Err(why) = result {
        answer.insert("message".into(), why.into());
    }
    to_vec(&Value::Object(answer))
}

/// Writing a `Value` to memory cannot fail: its keys are strings.
pub fn to_vec(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubewarden_policy_sdk::response::ValidationResponse;
    use kubewarden_policy_sdk::settings::SettingsValidationResponse;
    use serde_json::json;

    #[test]
    fn answers_read_back_into_the_sdk_types() {
        let full = Validation {
            accepted: true,
            message: Some("m".into()),
            code: Some(400),
            mutated_object: Some(json!({"kind": "Service"})),
            audit_annotations: vec![("codes".into(), "ASM-LB-001".into())],
            warnings: vec!["w".into()],
        };
        let sdk: ValidationResponse = serde_json::from_slice(&full.to_json()).unwrap();
        assert!(sdk.accepted);
        assert_eq!((sdk.message.as_deref(), sdk.code), (Some("m"), Some(400)));
        assert_eq!(sdk.mutated_object, Some(json!({"kind": "Service"})));
        assert_eq!(sdk.audit_annotations.unwrap()["codes"], "ASM-LB-001");
        assert_eq!(sdk.warnings.unwrap(), ["w"]);

        let bare: Value = serde_json::from_slice(&Validation::accept().to_json()).unwrap();
        assert_eq!(bare, json!({"accepted": true}));
        let sdk: ValidationResponse = serde_json::from_value(bare).unwrap();
        assert!(sdk.message.is_none() && sdk.mutated_object.is_none() && sdk.warnings.is_none());

        let invalid: SettingsValidationResponse =
            serde_json::from_slice(&settings_validation(Err("why".into()))).unwrap();
        assert_eq!((invalid.valid, invalid.message.as_deref()), (false, Some("why")));
        let valid: Value = serde_json::from_slice(&settings_validation(Ok(()))).unwrap();
        assert_eq!(valid, json!({"valid": true}));
    }
}
