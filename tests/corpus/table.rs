//! `docs/corpus.md`, rendered from the reviewed expectations, so the table and
//! the test read the same data.

use std::collections::BTreeMap;
use std::fmt::Write;

use gateway_doctor::Severity;

use super::expectations::{ContextCase, FileCase, Note};

/// The CLI flags a context key stands for (`gateway-doctor check --help`).
fn flag(key: &str, value: &str) -> String {
    match (key, value) {
        ("needsSourceIp", "true") => "--needs-source-ip".into(),
        ("needsSourceIp", _) => "--no-source-ip".into(),
        _ => {
            let name = match key {
                "kubeProxyMode" => "kube-proxy",
                "inClusterClients" => "in-cluster-clients",
                "detectLocal" => "detect-local",
                "kubernetesVersion" => "k8s-version",
                "ccmVersion" => "ccm-version",
                other => other,
            };
            format!("--{name} {value}")
        }
    }
}

/// `ASM-LB-001 warning: 493, 532; ASM-HA-011 info: 493, 532`, codes in first-line order.
fn by_code(findings: &[(&str, usize, Severity)]) -> String {
    let mut groups: Vec<((&str, Severity), Vec<usize>)> = Vec::new();
    for &(code, line, severity) in findings {
        match groups.iter_mut().find(|(key, _)| *key == (code, severity)) {
            Some((_, lines)) => lines.push(line),
            None => groups.push(((code, severity), vec![line])),
        }
    }
    if groups.is_empty() {
        return "—".into();
    }
    let shown: Vec<String> = groups
        .iter()
        .map(|((code, severity), lines)| {
            let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
            format!("{code} {}: {}", severity.as_str(), lines.join(", "))
        })
        .collect();
    shown.join("; ")
}

pub fn corpus_markdown(files: &[FileCase], with_context: &[ContextCase], notes: &[Note]) -> String {
    let mut out = String::new();
    out.push_str("# Corpus\n\n");
    out.push_str(
        "<!-- Generated from tests/corpus/expectations.rs by `UPDATE_DOCS=1 cargo test --test corpus`; do not edit. -->\n\n",
    );
    out.push_str(
        "Real manifests written by others (`tests/corpus/SOURCES.md`) and the findings gateway-doctor must \
         report on each, reviewed by reading the file against the rule docs and the primary sources they cite (`src/sources.rs`). \
         `cargo test --test corpus` fails when the tool reports a finding that is not listed, or misses one \
         (the lists are exact for every code). Every file is in the repository (`tests/corpus/files`, \
         Apache-2.0 or MIT), so a clone checks every row.\n\n",
    );
    out.push_str("## Findings with no cluster context\n\n");
    out.push_str("| file | resources | findings (code severity: lines) | input problems |\n|---|---|---|---|\n");
    for case in files {
        let input = by_code(case.input);
        let _ = writeln!(out, "| `{}` | {} | {} | {input} |", case.file, case.resources, by_code(case.findings));
    }

    let mut totals: BTreeMap<(&str, Severity), (usize, usize)> = BTreeMap::new();
    for case in files {
        let mut seen = Vec::new();
        for &(code, _, severity) in case.findings {
            let entry = totals.entry((code, severity)).or_default();
            entry.1 += 1;
            if !seen.contains(&(code, severity)) {
                seen.push((code, severity));
                entry.0 += 1;
            }
        }
    }
    let resources: usize = files.iter().map(|c| c.resources).sum();
    let _ = writeln!(out, "\n{} files, {resources} resources.\n", files.len());
    out.push_str("| code | severity | files | findings |\n|---|---|---|---|\n");
    for ((code, severity), (in_files, count)) in &totals {
        let _ = writeln!(out, "| {code} | {} | {in_files} | {count} |", severity.as_str());
    }

    out.push_str("\n## With cluster context\n\n");
    out.push_str("| file | context | findings (code severity: lines) |\n|---|---|---|\n");
    for case in with_context {
        let flags: Vec<String> = case.context.iter().map(|(k, v)| flag(k, v)).collect();
        let _ = writeln!(out, "| `{}` | `{}` | {} |", case.file, flags.join(" "), by_code(case.findings));
    }

    out.push_str("\n## What the real files changed\n\n");
    for note in notes {
        let _ = writeln!(out, "- `{}` line {}, {}: {}", note.file, note.line, note.code, note.text);
    }
    out
}
