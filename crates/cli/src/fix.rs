//! `gateway-doctor fix`: the corrected manifest on standard output, a diff,
//! or the files rewritten in place; what was applied or skipped on standard error.

use std::collections::BTreeSet;

use gateway_doctor::report::ResourceRef;
use gateway_doctor::{FixOutcome, FixRecord, FixRequest, Options};

use crate::args::FixArgs;
use crate::inputs::{self, Source};
use crate::ui::{did_you_mean, emit, exit, Ui};

pub fn run(args: &FixArgs, options: &Options, ui: &Ui) -> u8 {
    if let Err(message) = check_usage(args, ui) {
        ui.error(&message);
        return exit::ERROR;
    }
    let (found, errors) = inputs::collect(&args.inputs, None);
    let mut status = if errors.is_empty() { exit::OK } else { exit::ERROR };
    for e in &errors {
        ui.error(e);
    }
    let request = FixRequest { ids: args.fixes.clone(), allow_unsafe: args.allow_unsafe };
    let mut applied_ids = BTreeSet::new();
    let mut skipped_requested = false;
    let mut offered_ids = BTreeSet::new();
    for input in found {
        let text = match inputs::read(&input) {
            Ok(text) => text,
            Err(e) => {
                ui.error(&e);
                status = exit::ERROR;
                continue;
            }
        };
        let outcome = gateway_doctor::fix(&text, &request, &Options { format: input.format(), ..options.clone() });
        describe(&input.label, &outcome, ui);
        applied_ids.extend(outcome.applied.iter().map(|r| r.id));
        offered_ids.extend(outcome.applied.iter().chain(&outcome.skipped).map(|r| r.id));
        offered_ids.extend(outcome.report.findings.iter().flat_map(|f| f.fixes.iter().map(|x| x.id)));
        skipped_requested |= outcome.skipped.iter().any(|r| args.fixes.iter().any(|id| id == r.id));
        if outcome.report.has_input_errors() {
            ui.error(&format!(
                "{}: {}",
                input.label,
                ui.t(
                    "the input has errors; documents that could not be read were left as they are (`gateway-doctor check` shows them)",
                    "输入有错误；无法读取的文档保持原样（`gateway-doctor check` 可查看）"
                )
            ));
            status = exit::ERROR;
        }
        if let Err(e) = deliver(args, &input, &text, &outcome, ui) {
            ui.error(&e);
            status = exit::ERROR;
        }
    }

    let mut missing_requested = false;
    for id in args.fixes.iter().filter(|id| *id != "safe") {
        if applied_ids.contains(id.as_str()) || offered_ids.contains(id.as_str()) {
            continue;
        }
        missing_requested = true;
        let mut message = format!("{} `{id}`", ui.t("no finding offers the fix", "没有发现项提供修复"));
        if let Some(close) = did_you_mean(id, offered_ids.iter().copied()) {
            message.push_str(&format!("; {} `{close}`?", ui.t("did you mean", "是否想用")));
        }
        ui.warn(&message);
    }
    if status == exit::OK && (skipped_requested || missing_requested) {
        status = exit::FINDINGS;
    }
    status
}

fn check_usage(args: &FixArgs, ui: &Ui) -> Result<(), String> {
    if args.write {
        if args.inputs.iter().any(|i| i == "-") {
            return Err(ui.t("--write cannot rewrite standard input", "--write 无法改写标准输入").into());
        }
        return Ok(());
    }
    let single_file = args.inputs.len() == 1 && !std::path::Path::new(&args.inputs[0]).is_dir();
    if !single_file {
        return Err(ui
            .t(
                "without --write, fix prints one manifest: give one FILE or `-` (or pass --write to fix several files in place)",
                "不带 --write 时 fix 只输出一个清单：请给出一个 FILE 或 `-`（或用 --write 就地修复多个文件）",
            )
            .into());
    }
    Ok(())
}

/// Prints the result, its diff, or rewrites the file.
fn deliver(args: &FixArgs, input: &inputs::Input, text: &str, outcome: &FixOutcome, ui: &Ui) -> Result<(), String> {
    if args.diff {
        let diff = similar::TextDiff::from_lines(text, &outcome.text);
        let old = format!("a/{}", input.label);
        let new = format!("b/{}", input.label);
        emit(&diff.unified_diff().context_radius(3).header(&old, &new).to_string());
        return Ok(());
    }
    if !args.write {
        emit(&outcome.text);
        return Ok(());
    }
    let Source::File(path) = &input.source else { unreachable!("--write with stdin is refused before") };
    if outcome.text != text {
        std::fs::write(path, &outcome.text)
            .map_err(|e| format!("{}: {} ({e})", input.label, ui.t("cannot write", "无法写入")))?;
        ui.note(&format!("{}: {}", input.label, ui.t("rewritten", "已改写")));
    }
    Ok(())
}

fn describe(label: &str, outcome: &FixOutcome, ui: &Ui) {
    for record in &outcome.applied {
        ui.note(&format!("{label}: {} {}", ui.t("fixed", "已修复"), what(record)));
    }
    for record in &outcome.skipped {
        let reason = record.reason.as_deref().unwrap_or("");
        ui.note(&format!("{label}: {} {}: {reason}", ui.t("skipped", "已跳过"), what(record)));
    }
    let remaining = outcome.report.findings.len();
    if outcome.applied.is_empty() && outcome.skipped.is_empty() {
        ui.note(&format!("{label}: {}", ui.t("nothing to fix", "没有可修复的内容")));
    }
    if remaining > 0 {
        let message = match (ui.lang, remaining) {
            (gateway_doctor::Lang::Zh, n) => format!("还有 {n} 个发现项（`gateway-doctor check` 可查看）"),
            (_, 1) => "1 finding remains (`gateway-doctor check` shows it)".to_owned(),
            (_, n) => format!("{n} findings remain (`gateway-doctor check` shows them)"),
        };
        ui.note(&format!("{label}: {message}"));
    }
}

/// `ASM-LB-001 set-cluster-policy on IstioGateway istio-system/ingressgateway`.
fn what(record: &FixRecord) -> String {
    format!("{} {} ({})", record.code, record.id, resource_name(&record.resource))
}

fn resource_name(r: &ResourceRef) -> String {
    match (&r.namespace, &r.name) {
        (Some(ns), Some(name)) => format!("{} {ns}/{name}", r.kind),
        (None, Some(name)) => format!("{} {name}", r.kind),
        _ => format!("{} #{}", r.kind, r.document),
    }
}
