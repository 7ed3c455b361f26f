//! What renaming a misspelt key would make the other rules report: the API
//! server starts reading the value, so a rule that saw the field as unset now
//! judges it. `rename-key` uses this to declare the warnings it brings out
//! (`Fix::introduces`) and to step back to advice when it would bring out an
//! error: a fix never leaves a manifest with a new error.

use std::cell::Cell;

use crate::diagnostic::Severity;
use crate::model::{self, Resource};
use crate::rule::{Draft, RuleContext};
use crate::yaml::{pointer, Node, Value};

pub enum Outcome {
    /// Codes of the errors the renamed document would carry that it does not now.
    Errors(Vec<&'static str>),
    /// Codes of the new warnings and infos (for `Fix::introduces`).
    Introduces(Vec<&'static str>),
}

/// Runs every rule on the stream with `parent/from` renamed to `parent/to` in
/// resource `index`, and compares with the stream as it is.
pub fn rename_outcome(
    cx: &RuleContext<'_>,
    index: usize,
    resource: &Resource<'_>,
    parent: &str,
    from: &str,
    to: &str,
) -> Outcome {
    // The rules run below may ask for a rename's outcome themselves
    // (ASM-ANN-036); only the findings count here, not their fixes.
    if SIMULATING.with(Cell::get) {
        return Outcome::Introduces(Vec::new());
    }
    /// Clears the flag however `simulate` ends.
    struct Simulating;
    impl Drop for Simulating {
        fn drop(&mut self) {
            SIMULATING.with(|s| s.set(false));
        }
    }
    SIMULATING.with(|s| s.set(true));
    let _simulating = Simulating;
    simulate(cx, index, resource, parent, from, to)
}

thread_local! {
    static SIMULATING: Cell<bool> = const { Cell::new(false) };
}

fn simulate(
    cx: &RuleContext<'_>,
    index: usize,
    resource: &Resource<'_>,
    parent: &str,
    from: &str,
    to: &str,
) -> Outcome {
    let mut renamed_root = resource.node.clone();
    if !rename_in_place(&mut renamed_root, parent, from, to) {
        return Outcome::Errors(vec![super::UnknownField::META.code]);
    }
    let Some(renamed) = Resource::from_node(resource.document, resource.base.clone(), &renamed_root) else {
        return Outcome::Errors(vec![super::UnknownField::META.code]);
    };
    let mut resources = cx.resources.to_vec();
    if let Some(slot) = resources.get_mut(index) {
        *slot = renamed;
    }
    let services = model::service_views(&resources);
    let after_cx = RuleContext { resources: &resources, services: &services, ..*cx };
    let before = findings(cx);
    let mut after = findings(&after_cx);
    // Unknown keys inside the renamed subtree (ASM-CR-046 reads no further
    // than an unknown key) come out too.
    after.extend(unknown_fields(&after_cx, index));
    let mut remaining = before;
    remaining.extend(unknown_fields(cx, index));
    let mut errors = Vec::new();
    let mut introduced = Vec::new();
    for (key, severity) in after {
        // The renamed key's own finding is gone; match the rest one to one.
        match remaining.iter().position(|(k, s)| *k == key && *s >= severity) {
            Some(i) => {
                remaining.swap_remove(i);
            }
            None if severity == Severity::Error => errors.push(key.0),
            None => introduced.push(key.0),
        }
    }
    let dedup = |mut codes: Vec<&'static str>| {
        codes.sort_unstable();
        codes.dedup();
        codes
    };
    if errors.is_empty() {
        Outcome::Introduces(dedup(introduced))
    } else {
        Outcome::Errors(dedup(errors))
    }
}

type Key = (&'static str, usize, String);

/// The findings of every other rule, as the engine keeps them (suppressions applied).
fn findings(cx: &RuleContext<'_>) -> Vec<(Key, Severity)> {
    let mut drafts: Vec<Draft> = Vec::new();
    for rule in super::ALL {
        if rule.meta().code != super::UnknownField::META.code {
            rule.check(cx, &mut drafts);
        }
    }
    let templated = crate::template::templated_fields(cx.resources);
    drafts
        .into_iter()
        .filter(|d| !templated.iter().any(|t| t.covers(d.resource, &d.path)))
        .filter_map(|d| {
            let resource = cx.resources.get(d.resource)?;
            let suppressed = crate::engine::suppressed_rules(resource);
            if suppressed.contains(d.rule.code) || suppressed.contains(d.rule.name) {
                return None;
            }
            Some(((d.rule.code, resource.document, resource.document_path(&d.path)), d.severity))
        })
        .collect()
}

/// ASM-CR-046's findings on one resource, by path (a key with a close
/// candidate is an error, one without a warning).
fn unknown_fields(cx: &RuleContext<'_>, index: usize) -> Vec<(Key, Severity)> {
    let (Some(tables), Some(resource)) = (crate::schema::tables(), cx.resources.get(index)) else { return Vec::new() };
    let Some(checked) = crate::schema::problems(tables, resource) else { return Vec::new() };
    checked
        .problems
        .iter()
        .filter_map(|p| match p {
            crate::schema::Problem::Unknown(u) => {
                let close = !crate::schema::suggestions(u.object, u.key).is_empty();
                let severity = if close { Severity::Error } else { Severity::Warning };
                Some(((super::UnknownField::META.code, resource.document, resource.document_path(&u.path)), severity))
            }
            crate::schema::Problem::Mistyped { .. } => None,
        })
        .collect()
}

/// Renames the last `from` key of the mapping at `parent` (the one Kubernetes keeps).
fn rename_in_place(root: &mut Node, parent: &str, from: &str, to: &str) -> bool {
    let mut node = root;
    for token in pointer::tokens(parent) {
        let next = match &mut node.value {
            Value::Mapping(m) => {
                m.entries.iter_mut().rev().find(|e| e.key.scalar_text() == Some(&token)).map(|e| &mut e.value)
            }
            Value::Sequence(s) => token.parse::<usize>().ok().and_then(|i| s.items.get_mut(i)),
            Value::Scalar(_) => None,
        };
        let Some(next) = next else { return false };
        node = next;
    }
    let Value::Mapping(map) = &mut node.value else { return false };
    let Some(entry) = map.entries.iter_mut().rev().find(|e| e.key.scalar_text() == Some(from)) else { return false };
    let Value::Scalar(key) = &mut entry.key.value else { return false };
    key.text = to.to_owned();
    true
}
