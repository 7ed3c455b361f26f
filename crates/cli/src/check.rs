//! `gateway-doctor check`: report findings in text, JSON, SARIF or as a PolicyReport.

use gateway_doctor::report::text::Detail;
use gateway_doctor::report::{policyreport, sarif, text};
use gateway_doctor::{Options, Report, Severity};
use serde_json::{Map, Value};

use crate::args::{CheckArgs, CheckFormat, FailOn};
use crate::inputs::{self, Loaded};
use crate::ui::{emit, exit, Ui};

pub fn run(args: &CheckArgs, options: &Options, ui: &Ui) -> u8 {
    let (found, mut errors) = inputs::collect(&args.inputs, args.stdin_filename.as_deref());
    let mut loaded = Vec::new();
    for input in found {
        match inputs::read(&input) {
            Ok(text) => loaded.push(Loaded { input, text }),
            Err(e) => errors.push(e),
        }
    }
    let reports: Vec<Report> = loaded
        .iter()
        .map(|l| gateway_doctor::check(&l.text, &Options { format: l.input.format(), ..options.clone() }))
        .collect();
    for e in &errors {
        ui.error(e);
    }
    match args.format {
        CheckFormat::Text if args.show_fixes => emit(&render_text(&loaded, &reports, Detail::Full, ui)),
        CheckFormat::Text => emit(&render_text(&loaded, &reports, Detail::Standard, ui)),
        CheckFormat::Full => emit(&render_text(&loaded, &reports, Detail::Full, ui)),
        CheckFormat::Concise => render_concise(&loaded, &reports, ui),
        CheckFormat::Json => emit(&render_json(&loaded, &reports)),
        CheckFormat::Sarif => emit(&render_sarif(&loaded, &reports)),
        CheckFormat::Policyreport => emit(&render_policy_reports(&loaded, &reports)),
    }
    exit_status(&reports, !errors.is_empty() || loaded.is_empty(), args.fail_on)
}

/// 2 for input errors (they win: an input that could not be read never
/// passes), else 1 when a finding or input warning reaches `fail_on`.
fn exit_status(reports: &[Report], unreadable: bool, fail_on: FailOn) -> u8 {
    if unreadable || reports.iter().any(Report::has_input_errors) {
        return exit::ERROR;
    }
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
        FailOn::Never => return exit::OK,
    };
    if reports.iter().filter_map(Report::max_severity).any(|s| s >= threshold) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn render_text(loaded: &[Loaded], reports: &[Report], detail: Detail, ui: &Ui) -> String {
    let options = text::TextOptions { colored: ui.stdout_color, lang: ui.lang, detail };
    let mut out = render_findings(loaded, reports, &options);
    if !loaded.is_empty() {
        out.push_str(&text::summary(&totals(reports), &options));
    }
    out
}

/// One line per finding on standard output and nothing else, so that every
/// line parses as `FILE:LINE:COL: ...`; the summary goes to standard error
/// (ruff prints its `Found N errors.` after the lines, on standard output).
fn render_concise(loaded: &[Loaded], reports: &[Report], ui: &Ui) {
    let options = text::TextOptions { colored: ui.stdout_color, lang: ui.lang, detail: Detail::Concise };
    emit(&render_findings(loaded, reports, &options));
    if !loaded.is_empty() {
        let options = text::TextOptions { colored: ui.stderr_color, ..options };
        ui.note(text::summary(&totals(reports), &options).trim_end());
    }
}

fn render_findings(loaded: &[Loaded], reports: &[Report], options: &text::TextOptions) -> String {
    loaded.iter().zip(reports).map(|(l, report)| text::render(report, &l.text, &l.input.label, options)).collect()
}

fn totals(reports: &[Report]) -> text::Totals {
    let mut totals = text::Totals::default();
    reports.iter().for_each(|report| totals.add(report));
    totals
}

/// One report object with `file` for one input; an array of them for several.
fn render_json(loaded: &[Loaded], reports: &[Report]) -> String {
    let mut values: Vec<Value> = loaded
        .iter()
        .zip(reports)
        .map(|(l, report)| {
            let mut object = Map::new();
            object.insert("file".into(), Value::String(l.input.label.clone()));
            if let Ok(Value::Object(fields)) = serde_json::to_value(report) {
                object.extend(fields);
            }
            Value::Object(object)
        })
        .collect();
    let value = if values.len() == 1 { values.remove(0) } else { Value::Array(values) };
    let mut out = serde_json::to_string_pretty(&value).expect("a JSON value serialises");
    out.push('\n');
    out
}

/// One `PolicyReport` for one input; a `v1 List` of them for several, which
/// `kubectl apply -f` takes as it is.
fn render_policy_reports(loaded: &[Loaded], reports: &[Report]) -> String {
    let mut items: Vec<Value> =
        loaded.iter().zip(reports).map(|(l, report)| policyreport::policy_report(report, &l.input.label)).collect();
    let value = if items.len() == 1 {
        items.remove(0)
    } else {
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items})
    };
    let mut out = serde_json::to_string_pretty(&value).expect("a JSON value serialises");
    out.push('\n');
    out
}

fn render_sarif(loaded: &[Loaded], reports: &[Report]) -> String {
    let cwd = std::env::current_dir().ok();
    let uris: Vec<(String, bool)> = loaded
        .iter()
        .map(|l| match &cwd {
            Some(cwd) => inputs::sarif_uri(&l.input, cwd),
            None => (l.input.label.clone(), true),
        })
        .collect();
    let sarif_inputs: Vec<sarif::SarifInput<'_>> = loaded
        .iter()
        .zip(reports)
        .zip(&uris)
        .map(|((l, report), (uri, relative))| sarif::SarifInput { uri, relative: *relative, source: &l.text, report })
        .collect();
    let tool = sarif::Tool {
        name: "gateway-doctor",
        version: env!("CARGO_PKG_VERSION"),
        information_uri: Some(env!("CARGO_PKG_REPOSITORY")).filter(|s| !s.is_empty()),
    };
    let srcroot = cwd.as_deref().map(inputs::directory_uri);
    let log = sarif::log(&sarif_inputs, gateway_doctor::rules(), &tool, srcroot.as_deref());
    let mut out = serde_json::to_string_pretty(&log).expect("the SARIF log serialises");
    out.push('\n');
    out
}
