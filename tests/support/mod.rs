//! Shared checks for the integration tests: report well-formedness, the
//! invariants every fix must keep, and the plain-text renderings that the
//! fixture snapshots hold.
//!
//! Checks return a list of violations instead of panicking, so one run reports
//! every broken file and fix at once.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use gateway_doctor::report::{new_findings, Finding, Location};
use gateway_doctor::text::{apply_groups, splice, TextEdit};
use gateway_doctor::text::{LineIndex, Span};
use gateway_doctor::yaml::{self, Limits};
use gateway_doctor::Applicability;
use gateway_doctor::{check, fix, FixRequest, Options, Report, Severity};

/// The repository root (where the root Cargo.toml lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Fails with a diff when the committed generated file `relative` differs from
/// `expected`; with `UPDATE_DOCS` set, writes `expected` there instead.
/// `regenerate` is the command that does that, named in the failure.
pub fn assert_generated_file_is_fresh(relative: &str, expected: &str, generated_from: &str, regenerate: &str) {
    let path = repo_root().join(relative);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, expected).unwrap_or_else(|e| panic!("write {relative}: {e}"));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != expected {
        let diff = similar::TextDiff::from_lines(committed.as_str(), expected)
            .unified_diff()
            .context_radius(2)
            .header(&format!("{relative} (committed)"), &format!("{relative} (from {generated_from})"))
            .to_string();
        panic!("{relative} is stale; regenerate it with:\n\n    {regenerate}\n\n{diff}");
    }
}

/// Files under `dir` (not recursive) whose extension is one of `extensions`, sorted.
pub fn files_with_extensions(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e)))
        .collect();
    files.sort();
    files
}

pub fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Options with cluster context keys set as the CLI flags would set them.
pub fn options_with(context: &[(String, String)]) -> Options {
    let mut options = Options::default();
    for (key, value) in context {
        options.context.set(key, value).unwrap_or_else(|e| panic!("bad context {key}={value}: {e}"));
    }
    options
}

/// Runs `check`, turning a panic into an error that names the input.
pub fn check_without_panic(name: &str, text: &str, options: &Options) -> Result<Report, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(text, options)))
        .map_err(|e| format!("{name}: check panicked: {}", panic_message(&e)))
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(non-string panic payload)".into())
}

/// The report serialises to JSON, and that JSON parses back to the same value.
pub fn json_round_trip(name: &str, report: &Report) -> Vec<String> {
    let mut problems = Vec::new();
    let json = match serde_json::to_string(report) {
        Ok(json) => json,
        Err(e) => return vec![format!("{name}: report does not serialise: {e}")],
    };
    let value: serde_json::Value = match serde_json::from_str(&json) {
        Ok(v) => v,
        Err(e) => return vec![format!("{name}: report JSON does not parse: {e}")],
    };
    match serde_json::to_string(&value) {
        Ok(again) if again == json => {}
        Ok(_) => problems.push(format!("{name}: report JSON changes when parsed and written again")),
        Err(e) => problems.push(format!("{name}: parsed report does not serialise: {e}")),
    }
    for key in ["version", "findings", "fixCatalogue", "diagnostics", "summary"] {
        if value.get(key).is_none() {
            problems.push(format!("{name}: report JSON lacks `{key}`"));
        }
    }
    problems.extend(catalogue_problems(name, report, &value));
    problems
}

/// `fixCatalogue` holds each distinct fix description once, every entry is
/// used, and each finding's fix points in range at the entry that says what
/// the in-memory fix says.
pub fn catalogue_problems(name: &str, report: &Report, json: &serde_json::Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(entries) = json["fixCatalogue"].as_array() else {
        return vec![format!("{name}: fixCatalogue is not an array")];
    };
    for (i, entry) in entries.iter().enumerate() {
        if entries[..i].contains(entry) {
            problems.push(format!("{name}: fixCatalogue[{i}] repeats an earlier entry: {entry}"));
        }
    }
    let mut used = vec![false; entries.len()];
    for (f, finding) in report.findings.iter().enumerate() {
        for (x, fix) in finding.fixes.iter().enumerate() {
            let written = &json["findings"][f]["fixes"][x];
            let Some(index) = written["catalogue"].as_u64().map(|i| i as usize) else {
                problems.push(format!("{name}: {} fix {} has no catalogue index", finding.code, fix.id));
                continue;
            };
            let Some(entry) = entries.get(index) else {
                problems
                    .push(format!("{name}: {} fix {}: catalogue index {index} is out of range", finding.code, fix.id));
                continue;
            };
            used[index] = true;
            let mut expected = serde_json::json!({
                "id": fix.id, "title": fix.title, "applicability": fix.applicability, "tradeoffs": fix.tradeoffs,
            });
            if !fix.introduces.is_empty() {
                expected["introduces"] = serde_json::json!(fix.introduces);
            }
            if *entry != expected || written["id"] != fix.id {
                problems.push(format!(
                    "{name}: {} fix {}: catalogue entry {entry} is not {expected}",
                    finding.code, fix.id
                ));
            }
        }
    }
    if let Some(unused) = used.iter().position(|u| !u) {
        problems.push(format!("{name}: fixCatalogue[{unused}] is used by no fix"));
    }
    problems
}

/// Every span in the report lies inside the text, on character boundaries,
/// and agrees with its line and column.
pub fn spans_inside_text(name: &str, text: &str, report: &Report) -> Vec<String> {
    let lines = LineIndex::new(text);
    let mut problems = Vec::new();
    let mut spans: Vec<(String, Span)> = Vec::new();
    let mut located: Vec<(String, &Location)> = Vec::new();
    for f in &report.findings {
        spans.push((format!("{} location", f.code), f.location.span));
        located.push((format!("{} location", f.code), &f.location));
        for r in &f.related {
            spans.push((format!("{} related", f.code), r.location.span));
            located.push((format!("{} related", f.code), &r.location));
        }
        for x in &f.fixes {
            spans.extend(x.edits.iter().map(|e| (format!("{} fix {} edit", f.code, x.id), e.span)));
        }
    }
    spans.extend(report.diagnostics.iter().map(|d| (format!("diagnostic `{}`", d.message), d.location.span)));

    let inside = |span: Span| {
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
    };
    for (what, span) in &spans {
        if !inside(*span) {
            problems.push(format!(
                "{name}: {what}: span {}..{} is not inside the text ({} bytes) on character boundaries",
                span.start,
                span.end,
                text.len()
            ));
        }
    }
    for (what, location) in located {
        if inside(location.span) {
            problems.extend(location_agrees(name, &what, text, &lines, location));
        }
    }
    for d in report.diagnostics.iter().filter(|d| inside(d.location.span)) {
        problems.extend(location_agrees(name, &format!("diagnostic `{}`", d.message), text, &lines, &d.location));
    }
    problems
}

/// Line and column (in characters) computed independently from the byte span.
fn location_agrees<D>(name: &str, what: &str, text: &str, lines: &LineIndex, loc: &Location<D>) -> Vec<String> {
    let mut problems = Vec::new();
    for (label, offset, pos) in [("start", loc.span.start, loc.start), ("end", loc.span.end, loc.end)] {
        let line = lines.line_of(offset);
        let line_start = lines.line_start(line);
        let column = text[line_start..offset].chars().count() + 1;
        if (pos.line, pos.column) != (line + 1, column) {
            problems.push(format!(
                "{name}: {what} {label} is {}:{} but byte {offset} is at {}:{column}",
                pos.line,
                pos.column,
                line + 1
            ));
        }
    }
    problems
}

/// The text after applying one fix's edits.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    splice(text, &sorted)
}

/// Whether the text is a single JSON value (so a fix must keep it JSON).
pub fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}')).is_ok()
}

/// A comment in the text: a whole comment line, or the `# ...` tail of a line.
struct Comment<'t> {
    text: &'t str,
    whole_line: bool,
    /// The line it sits on, without its line break.
    line: Span,
}

fn comments(text: &str) -> Vec<Comment<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches('\n').trim_end_matches('\r');
        let span = Span::new(start, start + line.len());
        start += raw.len();
        if line.trim_start().starts_with('#') {
            out.push(Comment { text: line.trim(), whole_line: true, line: span });
        } else if let Some(i) = trailing_comment(line) {
            out.push(Comment { text: line[i..].trim_end(), whole_line: false, line: span });
        }
    }
    out
}

/// Where a trailing ` #` comment starts, outside quoted scalars (`" # x"` is a value).
fn trailing_comment(line: &str) -> Option<usize> {
    let mut quote = None;
    let mut escaped = false;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'') && matches!(previous, ' ' | ':' | '[' | '{' | ',' | '-') => quote = Some(c),
            None if c == '#' && previous == ' ' => return Some(i),
            None => {}
        }
        previous = c;
    }
    None
}

fn count<'t>(items: impl Iterator<Item = &'t str>) -> HashMap<&'t str, usize> {
    let mut counts = HashMap::new();
    for item in items {
        *counts.entry(item).or_insert(0) += 1;
    }
    counts
}

/// Comments of `before` missing from `after`. Whole comment lines must all
/// survive; a trailing comment may go only with its line, when `removed`
/// (the edits, if known) covers that whole line.
fn lost_comments(before: &str, after: &str, removed: Option<&[TextEdit]>) -> Vec<String> {
    let old = comments(before);
    let kept = count(comments(after).iter().map(|c| c.text));
    let line_removed = |line: Span| removed.is_some_and(|edits| edits.iter().any(|e| e.span.contains(line)));
    let needed = count(old.iter().filter(|c| c.whole_line || !line_removed(c.line)).map(|c| c.text));
    let mut lost: Vec<String> = needed
        .into_iter()
        .filter(|(text, n)| kept.get(text).copied().unwrap_or(0) < *n)
        .map(|(text, _)| text.to_owned())
        .collect();
    if removed.is_none() {
        let whole = count(old.iter().filter(|c| c.whole_line).map(|c| c.text));
        lost.retain(|text| whole.contains_key(text.as_str()));
    }
    lost.sort();
    lost
}

/// How many input diagnostics of each kind a report has.
fn diagnostic_counts(report: &Report) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for d in &report.diagnostics {
        let kind = serde_json::to_string(&d.kind).unwrap_or_default();
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

/// How many findings of `finding`'s code sit at its location (two effective
/// Services of one IstioGateway can share a field).
fn findings_at(report: &Report, finding: &Finding) -> usize {
    let at = |f: &&Finding| {
        f.code == finding.code
            && f.location.document == finding.location.document
            && f.location.path == finding.location.path
    };
    report.findings.iter().filter(at).count()
}

/// A fix never makes a manifest worse: no new error finding, and new warning
/// or info findings of exactly the codes the fix declares in `introduces`
/// (declared but absent is a failure too, so the declaration stays honest).
fn worse_after_fix(what: &str, declared: &[&str], before: &Report, after: &Report) -> Vec<String> {
    let new = new_findings(before, after);
    let mut problems: Vec<String> = new
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            format!(
                "{what}: the fixed text has a new error {} at doc {} {}: {}",
                f.code, f.location.document, f.location.path, f.message
            )
        })
        .collect();
    let appeared: BTreeSet<&str> = new.iter().filter(|f| f.severity != Severity::Error).map(|f| f.code).collect();
    let declared: BTreeSet<&str> = declared.iter().copied().collect();
    for code in appeared.difference(&declared) {
        let at: Vec<String> = new
            .iter()
            .filter(|f| f.code == *code)
            .map(|f| format!("doc {} {}: {}", f.location.document, f.location.path, f.message))
            .collect();
        problems.push(format!("{what}: the fixed text has a new {code} the fix does not declare: {}", at.join("; ")));
    }
    for code in declared.difference(&appeared) {
        problems.push(format!("{what}: declares it introduces {code}, but the fixed text has no new {code}"));
    }
    problems
}

/// How many fixes with text edits a report offers (each one goes through `fix_invariants`).
pub fn fixes_with_edits(report: &Report) -> usize {
    report.findings.iter().flat_map(|f| &f.fixes).filter(|x| !x.edits.is_empty()).count()
}

/// The text the engine's `fix` must give for one fix id, computed from the
/// reported edits alone: the groups that do not clash apply together; those
/// that clash with an earlier one wait, and the re-check of the result offers
/// them again with fresh edits, until none is left or the rounds run out. The
/// same change (finding place, rule, patch) is not applied twice.
fn apply_in_rounds(text: &str, report: &Report, id: &str, options: &Options) -> String {
    let offered = |report: &Report| -> Vec<(String, Vec<TextEdit>)> {
        report
            .findings
            .iter()
            .flat_map(|f| {
                f.fixes.iter().filter(|x| x.id == id && !x.edits.is_empty()).map(move |x| {
                    let patch = serde_json::to_string(&x.patch).unwrap_or_default();
                    (format!("{} {} {} {patch}", f.location.document, f.location.path, f.code), x.edits.clone())
                })
            })
            .collect()
    };
    let mut current = text.to_owned();
    let mut done: Vec<String> = Vec::new();
    // The first round takes the edits as reported, so a report whose edits differ from the engine's shows.
    let mut offers = offered(report);
    for _ in 0..8 {
        let (keys, groups): (Vec<String>, Vec<Vec<TextEdit>>) =
            offers.into_iter().filter(|(k, _)| !done.contains(k)).unzip();
        if groups.is_empty() {
            break;
        }
        let (next, taken) = apply_groups(&current, &groups);
        done.extend(keys.into_iter().zip(taken).filter(|(_, t)| *t).map(|(k, _)| k));
        current = next;
        offers = offered(&check(&current, options));
    }
    current
}

/// Checks every fix of every finding that has text edits:
/// - the edits stay inside the finding's document (other documents are untouched);
/// - the fixed text parses with no new input diagnostics (and stays JSON if it was JSON);
/// - re-checking no longer reports the finding at that location;
/// - re-checking finds no new error, and new warnings or infos of exactly the
///   codes the fix declares (`introduces`);
/// - every comment line of the input survives, and a trailing comment goes only with its line;
/// - through the engine's `fix`: applying the fix id changes exactly the
///   reported edits (every other byte is identical), and applying it again
///   changes nothing (convergence).
pub fn fix_invariants(name: &str, text: &str, report: &Report, options: &Options) -> Vec<String> {
    let mut problems = Vec::new();
    // A Markdown file's YAML stream has the file's own byte offsets.
    let stream = gateway_doctor::text::yaml_stream(text, options.format, &Limits::default());
    let documents = yaml::load(&stream, &Limits::default()).documents;
    let before = diagnostic_counts(report);
    let json = is_json(text);
    let mut fix_ids: Vec<&str> = Vec::new();

    for finding in &report.findings {
        // An id names one remedy of a finding (`--fix ID` picks it): no finding offers it twice.
        for (i, x) in finding.fixes.iter().enumerate() {
            if finding.fixes[..i].iter().any(|y| y.id == x.id) {
                problems.push(format!(
                    "{name}: {} at doc {} {} offers {} twice",
                    finding.code, finding.location.document, finding.location.path, x.id
                ));
            }
        }
        // A fix that is not advice changes the manifest, or says why it cannot.
        for x in finding.fixes.iter().filter(|x| x.applicability != Applicability::DisplayOnly) {
            if x.edits.is_empty() && x.unavailable.is_none() {
                problems.push(format!(
                    "{name}: {} fix {} at doc {} {}: offers a change but has no edits and no reason why",
                    finding.code, x.id, finding.location.document, finding.location.path
                ));
            }
        }
        for x in finding.fixes.iter().filter(|x| !x.edits.is_empty()) {
            let what = format!(
                "{name}: {} fix {} at doc {} {}",
                finding.code, x.id, finding.location.document, finding.location.path
            );
            if !fix_ids.contains(&x.id) {
                fix_ids.push(x.id);
            }
            let doc_span = documents.get(finding.location.document).map(|d| d.span);
            for e in &x.edits {
                if doc_span.is_some_and(|d| !d.contains(e.span)) {
                    problems.push(format!(
                        "{what}: edit {}..{} leaves its document {doc_span:?}",
                        e.span.start, e.span.end
                    ));
                }
                if e.span.end <= text.len() && text.get(e.span.start..e.span.end) == Some(e.text.as_str()) {
                    problems.push(format!("{what}: edit {}..{} changes nothing", e.span.start, e.span.end));
                }
            }
            let fixed = apply_edits(text, &x.edits);
            let Ok(after) = check_without_panic(&what, &fixed, options) else {
                problems.push(format!("{what}: check panicked on the fixed text"));
                continue;
            };
            let after_counts = diagnostic_counts(&after);
            for (kind, n) in &after_counts {
                if *n > before.get(kind).copied().unwrap_or(0) {
                    problems
                        .push(format!("{what}: the fixed text has new {kind} diagnostics: {:?}", after.diagnostics));
                }
            }
            if json && !is_json(&fixed) {
                problems.push(format!("{what}: JSON input is no longer JSON after the fix:\n{fixed}"));
            }
            problems.extend(worse_after_fix(&what, &x.introduces, report, &after));
            if findings_at(&after, finding) >= findings_at(report, finding) {
                problems.push(format!("{what}: the finding is still reported after the fix:\n{fixed}"));
            }
            for lost in lost_comments(text, &fixed, Some(&x.edits)) {
                problems.push(format!("{what}: comment lost: {lost}"));
            }
        }
    }

    for id in fix_ids {
        let what = format!("{name}: fix --fix {id} --unsafe");
        let request = FixRequest { ids: vec![id.to_owned()], allow_unsafe: true };
        let once = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fix(text, &request, options))) {
            Ok(outcome) => outcome,
            Err(e) => {
                problems.push(format!("{what}: panicked: {}", panic_message(&e)));
                continue;
            }
        };
        let expected = apply_in_rounds(text, report, id, options);
        if once.text != expected {
            problems.push(format!(
                "{what}: the engine's output differs from the reported edits\n--- reported edits applied\n{expected}\n--- engine output\n{}",
                once.text
            ));
        }
        let twice = fix(&once.text, &request, options);
        if twice.text != once.text {
            problems.push(format!("{what}: does not converge; a second run changes the text again:\n{}", twice.text));
        }
        for lost in lost_comments(text, &once.text, None) {
            problems.push(format!("{what}: comment lost: {lost}"));
        }
    }

    // Every safe fix together, as `gateway-doctor fix` applies them by default.
    let safe = FixRequest::default();
    let once = fix(text, &safe, options);
    let twice = fix(&once.text, &safe, options);
    if twice.text != once.text {
        problems.push(format!(
            "{name}: fix (all safe fixes): does not converge; a second run changes the text again:\n{}",
            twice.text
        ));
    }
    problems
}

/// The findings of `code` and the input diagnostics of a report, one block per
/// item, for snapshots; other rules' findings are only counted, so a fixture
/// folder's snapshots follow its own rule.
pub fn render_report(report: &Report, code: &str) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "summary: {} documents, {} resources, {} error, {} warning, {} info, {} suppressed",
        s.documents, s.resources, s.error, s.warning, s.info, s.suppressed
    );
    let mut others: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.code != code) {
        *others.entry(f.code).or_insert(0) += 1;
    }
    if !others.is_empty() {
        let list: Vec<String> = others.iter().map(|(c, n)| format!("{c} x{n}")).collect();
        let _ = writeln!(out, "other rules: {}", list.join(", "));
    }
    for f in report.findings.iter().filter(|f| f.code == code) {
        let l = &f.location;
        let _ = writeln!(
            out,
            "\n{} {} {}:{}-{}:{} doc {} {}",
            f.code,
            f.severity.as_str(),
            l.start.line,
            l.start.column,
            l.end.line,
            l.end.column,
            l.document,
            l.path
        );
        let _ = writeln!(out, "  message: {}", f.message);
        for note in &f.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        for x in &f.fixes {
            let applicability = serde_json::to_value(x.applicability).ok();
            let applicability = applicability.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
            let recommended = if x.recommended { ", recommended" } else { "" };
            let _ = writeln!(out, "  fix {} [{applicability}{recommended}]: {}", x.id, x.title);
            if !x.introduces.is_empty() {
                let _ = writeln!(out, "    may introduce: {}", x.introduces.join(", "));
            }
            if let Some(why) = &x.unavailable {
                let _ = writeln!(out, "    unavailable: {why}");
            }
        }
    }
    for d in &report.diagnostics {
        let kind = serde_json::to_value(d.kind).ok();
        let kind = kind.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
        let _ = writeln!(
            out,
            "\ndiagnostic {kind} {} {}:{}: {}",
            d.severity.as_str(),
            d.location.start.line,
            d.location.start.column,
            d.message
        );
    }
    out
}

/// A unified diff of a fix, with carriage returns made visible.
pub fn unified_diff(before: &str, after: &str) -> String {
    let show = |t: &str| t.replace('\r', "␍");
    let (before, after) = (show(before), show(after));
    similar::TextDiff::from_lines(&before, &after).unified_diff().context_radius(2).header("input", "fixed").to_string()
}

/// The diff of every fix with edits of the findings of `code`, headed by finding and fix id.
pub fn render_fix_diffs(text: &str, report: &Report, code: &str) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.code == code) {
        for x in f.fixes.iter().filter(|x| !x.edits.is_empty()) {
            let _ = writeln!(out, "\n=== {} {} (doc {} {})", f.code, x.id, f.location.document, f.location.path);
            out.push_str(&unified_diff(text, &apply_edits(text, &x.edits)));
        }
    }
    out
}
