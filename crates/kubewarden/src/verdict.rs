//! Runs the core on one object and turns its report into a waPC
//! validation answer: rejection at or above `rejectOn`, warnings below it,
//! codes in the audit annotations, and the fixed object when `mutate` asks.

use gateway_doctor::host::{read_json, Settings};
use gateway_doctor::report::{Finding, Report};
use gateway_doctor::{FixRecord, FixRequest, Options, Severity};
use serde_json::Value;

use crate::response::Validation;

/// The audit annotation that lists the codes found (the API server prefixes it
/// with the webhook's name).
pub const CODES_ANNOTATION: &str = "codes";

/// Judges one Service or IstioGateway.
pub fn judge(object: &Value, settings: &Settings) -> Validation {
    let options = settings.options();
    let text = serde_json::to_string(object).unwrap_or_default();
    let (report, mutated, applied) = match mutate(&text, settings, &options) {
        Some(fixed) => fixed,
        None => (gateway_doctor::check(&text, &options), None, Vec::new()),
    };

    let findings: Vec<&Finding> = report.findings.iter().filter(|f| !settings.ignores(f.code, f.name)).collect();
    let (rejecting, lower): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| settings.reject_on.rejects(f.severity));
    let input_errors: Vec<String> = input_errors(&report);

    let mut warnings: Vec<String> = lower.iter().map(|f| line(f)).collect();
    warnings.extend(applied.iter().map(|a| format!("{}: applied fix {}", a.code, a.id)));
    // In catalogue order, once each.
    let codes: Vec<&str> = gateway_doctor::rules()
        .iter()
        .map(|rule| rule.meta().code)
        .filter(|code| findings.iter().any(|f| f.code == *code))
        .collect();
    let audit_annotations =
        if codes.is_empty() { Vec::new() } else { vec![(CODES_ANNOTATION.to_owned(), codes.join(","))] };

    if !rejecting.is_empty() || !input_errors.is_empty() {
        let reasons: Vec<String> = input_errors.into_iter().chain(rejecting.iter().map(|f| line(f))).collect();
        return Validation {
            message: Some(format!("gateway-doctor: {}", reasons.join("; "))),
            audit_annotations,
            warnings,
            ..Validation::default()
        };
    }
    Validation { accepted: true, mutated_object: mutated, audit_annotations, warnings, ..Validation::default() }
}

/// Applies the fixes `mutate` names: named ids first (naming an unsafe fix is
/// the administrator's consent to it), then every safe fix if `safe` is listed.
/// Returns the report of the fixed object, the object if anything changed, and
/// what was applied; `None` when `mutate` is empty.
fn mutate(text: &str, settings: &Settings, options: &Options) -> Option<(Report, Option<Value>, Vec<FixRecord>)> {
    if settings.mutate.is_empty() {
        return None;
    }
    let named: Vec<String> = settings.mutate.iter().filter(|m| *m != "safe").cloned().collect();
    let mut requests = Vec::new();
    if !named.is_empty() {
        requests.push(FixRequest { ids: named, allow_unsafe: true });
    }
    if settings.mutate.iter().any(|m| m == "safe") {
        requests.push(FixRequest { ids: vec!["safe".into()], allow_unsafe: false });
    }
    let mut current = text.to_owned();
    let mut applied = Vec::new();
    let mut report = None;
    for request in requests {
        let outcome = gateway_doctor::fix(&current, &request, options);
        current = outcome.text;
        applied.extend(outcome.applied);
        report = Some(outcome.report);
    }
    let report = report?;
    if applied.is_empty() {
        return Some((report, None, applied));
    }
    match fixed_object(&current) {
        Ok(object) => Some((report, Some(object), applied)),
        // Never hand the API server an object we could not read back: judge the original.
        Err(_) => None,
    }
}

/// The fixed text as a JSON object. The edits keep the input's JSON style, so
/// the JSON reader reads it back.
fn fixed_object(text: &str) -> Result<Value, String> {
    match read_json(text.as_bytes())? {
        value @ Value::Object(_) => Ok(value),
        _ => Err("the fixed object did not read back as an object".into()),
    }
}

fn input_errors(report: &Report) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("input: {}", d.message))
        .collect()
}

/// `ASM-LB-001: message (fixes: set-cluster-policy, ...)`.
fn line(finding: &Finding) -> String {
    let fixes: Vec<&str> = finding.fixes.iter().filter(|f| f.unavailable.is_none()).map(|f| f.id).collect();
    if fixes.is_empty() {
        format!("{}: {}", finding.code, finding.message)
    } else {
        format!("{}: {} (fixes: {})", finding.code, finding.message, fixes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_text_reads_back_as_json_only() {
        let json = fixed_object(r#"{"kind":"Service","spec":{"externalTrafficPolicy":"Cluster"}}"#).unwrap();
        assert_eq!(json["spec"]["externalTrafficPolicy"], "Cluster");
        // The policy is built without YAML: a YAML flow form is never handed back.
        let flow = fixed_object(r#"{"kind":"Service","metadata":{"annotations":{"a": "eni"}},"spec":{"x":Cluster}}"#);
        assert!(flow.is_err());
        assert!(fixed_object("[1, 2]").is_err());
    }
}
