//! The fix loop: apply the chosen fixes in rounds, re-checking after each.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::diagnostic::DiagnosticKind;
use crate::patch::{apply_groups, TextEdit};
use crate::report::{Report, ResourceRef};
use crate::rule::Applicability;

use super::{check, Options};

/// Which fixes to apply.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixRequest {
    /// Fix ids (`set-cluster-policy`), or `safe` for every safe fix; empty
    /// means every safe fix.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Allow fixes that change behaviour.
    #[serde(default)]
    pub allow_unsafe: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixRecord {
    pub code: &'static str,
    pub id: &'static str,
    pub resource: ResourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FixOutcome {
    /// The whole input with the fixes applied.
    pub text: String,
    pub applied: Vec<FixRecord>,
    pub skipped: Vec<FixRecord>,
    /// The check of the fixed text.
    pub report: Report,
}

/// Rounds of apply-and-recheck before giving up on convergence.
const MAX_ROUNDS: usize = 8;

/// Applies the requested fixes, re-checking after each round until nothing
/// more applies (docs/architecture.md#fixes). Every round costs one check of the
/// edited text, which is also the next round's starting report.
pub fn fix(text: &str, request: &FixRequest, options: &Options) -> FixOutcome {
    let mut current = text.to_owned();
    let mut report = check(&current, options);
    let mut applied: Vec<FixRecord> = Vec::new();
    let mut skipped = Skipped::default();
    // Keys are single strings so the sets share one instantiation (a smaller wasm build).
    let mut done: HashSet<String> = HashSet::new();
    let wants = |id: &str| {
        if request.ids.is_empty() || request.ids.iter().any(|i| i == "safe") {
            None
        } else {
            Some(request.ids.iter().position(|i| i == id))
        }
    };
    for _ in 0..MAX_ROUNDS {
        let mut groups: Vec<Vec<TextEdit>> = Vec::new();
        let mut records: Vec<(FixRecord, String)> = Vec::new();
        for finding in &report.findings {
            let chosen = finding
                .fixes
                .iter()
                .filter_map(|f| match wants(f.id) {
                    None => (f.applicability == Applicability::Safe).then_some((0, f)),
                    Some(Some(rank)) => Some((rank, f)),
                    Some(None) => None,
                })
                .min_by_key(|(rank, _)| *rank)
                .map(|(_, f)| f);
            let Some(fix) = chosen else { continue };
            let record = |reason: Option<String>| FixRecord {
                code: finding.code,
                id: fix.id,
                resource: finding.resource.clone(),
                reason,
            };
            // The patch is part of the key: two findings at one place (a base spec and an
            // override) can offer the same fix id with different changes.
            let key = format!(
                "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
                finding.location.document,
                finding.location.path,
                finding.code,
                fix.id,
                patch_text(&fix.patch)
            );
            let refusal = match fix.applicability {
                _ if fix.unavailable.is_some() => fix.unavailable.clone(),
                Applicability::DisplayOnly => Some(options.lang.t("display-only: ", "仅为建议：") + &fix.title),
                Applicability::Unsafe if !request.allow_unsafe => Some(options.lang.t(
                    "changes behaviour: applied only when unsafe fixes are allowed (CLI --unsafe, API allowUnsafe)",
                    "会改变行为：仅在允许不安全修复时应用（命令行 --unsafe，API allowUnsafe）",
                )),
                _ if done.contains(&key) => Some(
                    options.lang.t("applied once already, but the finding remains", "已应用过一次，但问题仍然存在"),
                ),
                _ => None,
            };
            if let Some(reason) = refusal {
                skipped.push(record(Some(reason)));
                continue;
            }
            groups.push(fix.edits.clone());
            records.push((record(None), key));
        }
        if groups.is_empty() {
            break;
        }
        let (next, taken) = apply_groups(&current, &groups);
        let next_report = check(&next, options);
        let broken = documents_broken(&report, &next_report);
        if !broken.iter().any(|b| *b) {
            take_applied(records, &taken, &mut applied, &mut done);
            current = next;
            report = next_report;
            continue;
        }
        // Documents parse on their own: fixes in the documents that stayed
        // valid go ahead; those in a broken document wait for the next round,
        // without the others. When every fix is in a broken document, none applies.
        let (mut going, mut going_records) = (Vec::new(), Vec::new());
        let mut held = Vec::new();
        for (group, (record, key)) in groups.into_iter().zip(records) {
            if broken.get(record.resource.document).copied().unwrap_or(true) {
                held.push(record);
            } else {
                going.push(group);
                going_records.push((record, key));
            }
        }
        if going.is_empty() {
            for r in held {
                let reason = options.lang.t("the edit would make the YAML invalid", "该修改会使 YAML 无效");
                skipped.push(FixRecord { reason: Some(reason), ..r });
            }
            break;
        }
        let (groups, records) = (going, going_records);
        let (next, taken) = apply_groups(&current, &groups);
        take_applied(records, &taken, &mut applied, &mut done);
        current = next;
        report = check(&current, options);
    }
    let applied_keys: HashSet<String> = applied.iter().map(record_key).collect();
    let skipped = skipped.list.into_iter().filter(|s| !applied_keys.contains(&record_key(s))).collect();
    FixOutcome { text: current, applied, skipped, report }
}

/// Records the fixes whose edits were taken; only those count as done.
fn take_applied(
    records: Vec<(FixRecord, String)>,
    taken: &[bool],
    applied: &mut Vec<FixRecord>,
    done: &mut HashSet<String>,
) {
    for ((record, key), taken) in records.into_iter().zip(taken) {
        if *taken {
            applied.push(record);
            done.insert(key);
        }
    }
}

/// Per document: whether it has more syntax errors after the edits than before.
fn documents_broken(before: &Report, after: &Report) -> Vec<bool> {
    let documents = before.summary.documents.max(after.summary.documents);
    // One slot per document, and the last for errors outside any document.
    let count = |report: &Report| {
        let mut by_document = vec![0usize; documents + 1];
        for d in report.diagnostics.iter().filter(|d| d.kind == DiagnosticKind::Syntax) {
            if let Some(slot) = by_document.get_mut(d.location.document.unwrap_or(documents).min(documents)) {
                *slot += 1;
            }
        }
        by_document
    };
    let (before, after) = (count(before), count(after));
    let mut broken: Vec<bool> = after.iter().zip(&before).map(|(a, b)| a > b).collect();
    // A syntax error outside any document breaks them all.
    if broken.last().copied().unwrap_or(false) {
        broken.iter_mut().for_each(|b| *b = true);
    }
    broken
}

/// A patch as text to compare by: per operation, its kind, then its paths and value as JSON.
fn patch_text(patch: &[crate::patch::Op]) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    for op in patch {
        let (path, from) = (serde_json::Value::from(op.path()), serde_json::Value::from(op.from()));
        let value = op.value().map_or(String::new(), serde_json::Value::to_string);
        let _ = writeln!(text, "{} {path} {from} {value}", op.name());
    }
    text
}

/// One fix of one rule on one resource.
fn record_key(r: &FixRecord) -> String {
    format!("{}\u{0}{}\u{0}{}\u{0}{}", r.code, r.id, r.resource.document, r.resource.path)
}

/// Skipped fixes, each listed once per reason, in the order first met; kept
/// in a set as well, so that large inputs stay linear.
#[derive(Default)]
struct Skipped {
    list: Vec<FixRecord>,
    seen: HashSet<String>,
}

impl Skipped {
    fn push(&mut self, record: FixRecord) {
        let key = format!("{}\u{0}{}", record_key(&record), record.reason.as_deref().unwrap_or(""));
        if self.seen.insert(key) {
            self.list.push(record);
        }
    }
}
