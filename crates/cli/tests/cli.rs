//! Runs the built `gateway-doctor` binary on small fixtures: exit statuses,
//! the text format, JSON, SARIF (validated against the 2.1.0 schema), fix
//! output, --write, stdin and directory walking.
//!
//! Other rules are being added in parallel; content assertions look at
//! ASM-LB-001 only, so a new rule firing on a fixture does not break them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gateway-doctor");

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(data().join(name)).unwrap()
}

/// Runs the binary in the fixture directory, so paths print relative.
fn run(args: &[&str]) -> Run {
    run_with(args, None, &data())
}

fn run_with(args: &[&str], stdin: Option<&str>, cwd: &Path) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The ASM-LB-001 findings of one report object.
fn lb001(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "ASM-LB-001").collect()
}

// --- check: exit statuses -------------------------------------------------

#[test]
fn exit_status_follows_fail_on() {
    // Founding gateway: ASM-LB-001 is a warning with nothing known.
    assert_eq!(run(&["check", "founding-gateway.yaml", "--fail-on", "warning"]).status, 1);
    assert_eq!(run(&["check", "founding-gateway.yaml", "--fail-on", "never"]).status, 0);
    // No in-cluster clients: the same finding is info.
    let info = ["check", "tree/a-gateway.yml", "--in-cluster-clients", "none"];
    assert_eq!(run(&[&info[..], &["--fail-on", "warning"]].concat()).status, 0);
    assert_eq!(run(&[&info[..], &["--fail-on", "info"]].concat()).status, 1);
    // Pods on IPVS before 1.24: an error, so the default threshold fails.
    let error = run(&["check", "tree/a-gateway.yml", "--in-cluster-clients", "pods", "--kube-proxy", "ipvs"]);
    assert_eq!(error.status, 1, "{}", error.stdout);
    assert!(error.stdout.contains("error[ASM-LB-001]"), "{}", error.stdout);
}

#[test]
fn a_clean_manifest_passes() {
    let r = run(&["check", "clean-service.yaml", "--fail-on", "info"]);
    assert_eq!(r.status, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "no problems found in 1 file (1 resource checked)\n");
}

#[test]
fn a_syntax_error_is_exit_2_even_with_fail_on_never() {
    for fail_on in ["error", "never"] {
        let r = run(&["check", "syntax-error.yaml", "--fail-on", fail_on]);
        assert_eq!(r.status, 2, "{}", r.stdout);
        assert!(r.stdout.starts_with("error[syntax]: "), "{}", r.stdout);
        assert!(r.stdout.contains(" --> syntax-error.yaml:"), "{}", r.stdout);
        assert!(r.stdout.contains("1 input error"), "{}", r.stdout);
    }
    // The input error wins over findings in other files.
    let r = run(&["check", "founding-gateway.yaml", "syntax-error.yaml", "--fail-on", "warning"]);
    assert_eq!(r.status, 2);
}

#[test]
fn usage_and_unreadable_inputs_are_exit_2() {
    let missing = run(&["check", "no-such-file.yaml"]);
    assert_eq!(missing.status, 2);
    assert!(missing.stderr.contains("no-such-file.yaml: no such file or directory"), "{}", missing.stderr);
    // A missing file does not stop the others from being checked.
    let both = run(&["check", "no-such-file.yaml", "founding-gateway.yaml"]);
    assert_eq!(both.status, 2);
    assert!(both.stdout.contains("warning[ASM-LB-001]"));
    assert_eq!(run(&["check"]).status, 2);
    // An unknown format is a usage error on a file that exists: nothing is checked.
    let xml = run(&["check", "founding-gateway.yaml", "--format", "xml"]);
    assert_eq!(xml.status, 2);
    assert!(xml.stderr.contains("invalid value 'xml' for '--format <FORMAT>'"), "{}", xml.stderr);
    assert!(xml.stderr.contains("[possible values: text, full, concise, json, sarif, policyreport]"), "{}", xml.stderr);
    assert!(xml.stdout.is_empty(), "{}", xml.stdout);
    assert_eq!(run(&["check", "founding-gateway.yaml", "--cni", "weave"]).status, 2);
    let version = run(&["check", "founding-gateway.yaml", "--k8s-version", "latest"]);
    assert_eq!(version.status, 2);
    assert!(version.stderr.contains("not a version"), "{}", version.stderr);
    assert_eq!(run(&["check", "founding-gateway.yaml", "--needs-source-ip", "--no-source-ip"]).status, 2);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("latin1.yaml"), b"kind: Service\nmetadata: {name: caf\xe9}\n").unwrap();
    let latin1 = run_with(&["check", "latin1.yaml"], None, dir.path());
    assert_eq!(latin1.status, 2);
    assert!(latin1.stderr.contains("not UTF-8"), "{}", latin1.stderr);
    let empty = run(&["check", "tree/empty"]);
    assert_eq!(empty.status, 2);
    assert!(empty.stderr.contains("no *.yaml"), "{}", empty.stderr);
}

// --- check: the text format ---------------------------------------------

#[test]
fn text_output_points_a_caret_at_local() {
    let r = run(&["check", "founding-gateway.yaml"]);
    let block = finding_block(&r.stdout, "warning[ASM-LB-001]");
    let expected = "\
warning[ASM-LB-001]: pods on nodes without a gateway pod may not reach the load balancer address of istio-system/istio-ingressgateway
 --> founding-gateway.yaml:8:26
  |
8 |   externalTrafficPolicy: Local   # keep client IPs for the WAF
  |                          ^^^^^ ";
    assert!(block.starts_with(expected), "{}", r.stdout);
    assert!(block.contains("\n  = assumed: kube-proxy mode and in-cluster clients unknown"), "{block}");
    assert!(
        block.contains("\n  = fixes (choose one):\n    1. use-service-dns (recommended, advice only): "),
        "{block}"
    );
    // The alternatives are one line each: their trade-offs wait for --show-fixes.
    assert!(block
        .contains("\n    2. set-cluster-policy (unsafe): set externalTrafficPolicy: Cluster\n    3. eni-passthrough "));
    assert!(
        block.ends_with("\n  = apply: gateway-doctor fix --fix set-cluster-policy --unsafe founding-gateway.yaml\n"),
        "{block}"
    );
    // The explain hint closes the output once, naming the first finding's rule.
    assert!(r.stdout.ends_with("\na rule explained: `gateway-doctor explain ASM-HA-042`\n"), "{}", r.stdout);
    assert!(r.stdout.contains(" in 1 file (1 resource checked)\n"), "{}", r.stdout);
    assert!(!r.stdout.contains('\x1b'), "piped output has no colour");
}

/// One finding's block of the text output (other rules may report on the same line).
fn finding_block<'a>(output: &'a str, heading: &str) -> &'a str {
    let start = output.find(&format!("{heading}: ")).unwrap_or_else(|| panic!("no {heading} in\n{output}"));
    let end = output[start..].find("\n\n").map_or(output.len(), |i| start + i + 1);
    &output[start..end]
}

/// The caret's display column equals the display column of `word` in the source line above it.
fn assert_caret_under(output: &str, source_line_marker: &str, word: &str) {
    let lines: Vec<&str> = output.lines().collect();
    let at = lines.iter().position(|l| l.contains(source_line_marker)).unwrap_or_else(|| panic!("{output}"));
    let width = |s: &str| s.chars().map(|c| if c.len_utf8() == 3 { 2 } else { 1 }).sum::<usize>();
    let source = lines[at];
    let carets = lines[at + 1];
    let source_col = width(&source[..source.find(word).unwrap()]);
    let caret_col = width(&carets[..carets.find('^').unwrap()]);
    assert_eq!(caret_col, source_col, "\n{source}\n{carets}");
    assert_eq!(carets[carets.find('^').unwrap()..].chars().take_while(|c| *c == '^').count(), word.chars().count());
}

#[test]
fn carets_survive_crlf_bom_and_chinese() {
    let r = run(&["check", "chinese-comments.yaml"]);
    assert!(r.stdout.contains(" --> chinese-comments.yaml:10:26\n"), "{}", r.stdout);
    assert!(r.stdout.contains("default/入口网关-lb"), "{}", r.stdout);
    assert_caret_under(&r.stdout, "本地策略", "Local");

    let dir = tempfile::tempdir().unwrap();
    let crlf = format!("\u{feff}{}", fixture("chinese-comments.yaml").replace('\n', "\r\n"));
    std::fs::write(dir.path().join("crlf.yaml"), &crlf).unwrap();
    let r = run_with(&["check", "crlf.yaml"], None, dir.path());
    assert!(r.stdout.contains(" --> crlf.yaml:10:26\n"), "{}", r.stdout);
    assert!(!r.stdout.contains('\r'));
    assert_caret_under(&r.stdout, "本地策略", "Local");
}

#[test]
fn chinese_output_with_lang_zh() {
    let r = run(&["check", "founding-gateway.yaml", "--lang", "zh"]);
    let block = finding_block(&r.stdout, "警告[ASM-LB-001]");
    assert!(block.starts_with("警告[ASM-LB-001]: 没有网关 Pod 的节点上的 Pod"), "{block}");
    assert!(block.contains("= 修复（任选其一）："), "{block}");
    assert!(block.contains("（推荐，仅建议）"), "{block}");
    assert!(r.stdout.contains("共 1 个文件（检查了 1 个资源）\n"), "{}", r.stdout);
    let missing = run(&["check", "nope.yaml", "--lang", "zh"]);
    assert!(missing.stderr.starts_with("错误: "), "{}", missing.stderr);
}

#[test]
fn colour_when_forced_and_never_when_refused() {
    let always = run(&["check", "founding-gateway.yaml", "--color", "always"]);
    assert!(always.stdout.contains("\x1b[1;33mwarning[ASM-LB-001]\x1b[0m"), "{}", always.stdout);
    let never = run(&["check", "founding-gateway.yaml", "--color", "never"]);
    assert!(!never.stdout.contains('\x1b'));
}

#[test]
fn multi_document_streams_report_the_later_document() {
    let r = run(&["check", "multi-doc.yaml", "--format", "json"]);
    let report = json(&r);
    let found = lb001(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["location"]["document"], 1);
    assert_eq!(found[0]["location"]["start"]["line"], 16);
    assert_eq!(report["summary"]["documents"], 3);
    assert_eq!(report["summary"]["resources"], 3);
}

// --- check: how much the text shows -------------------------------------------

/// The lines under one fix's title line in a finding block.
fn lines_under_fix<'a>(block: &'a str, id: &str) -> Vec<&'a str> {
    let names = |l: &str| {
        l.split_once(". ")
            .is_some_and(|(_, rest)| rest.strip_prefix(id).is_some_and(|after| after.starts_with([' ', '\u{ff08}'])))
    };
    let mut lines = block.lines().skip_while(|l| !names(l));
    let title = lines.next().unwrap_or_else(|| panic!("no fix {id} in\n{block}"));
    let indent = title.len() - title.trim_start().len();
    lines.take_while(|l| l.len() - l.trim_start().len() > indent && !l.trim_start().starts_with('=')).collect()
}

const LB001_ALTERNATIVES: [&str; 4] = ["set-cluster-policy", "eni-passthrough", "lb-hostname", "use-nlb"];

#[test]
fn by_default_only_the_recommended_fix_shows_its_trade_offs() {
    for (lang, heading, hint) in [
        ("en", "warning[ASM-LB-001]", "`--show-fixes` lists the trade-offs of "),
        ("zh", "警告[ASM-LB-001]", "`--show-fixes` 可列出另外 "),
    ] {
        let r = run(&["check", "founding-gateway.yaml", "--lang", lang]);
        let block = finding_block(&r.stdout, heading);
        let recommended = lines_under_fix(block, "use-service-dns");
        assert_eq!(recommended.len(), 1, "{block}");
        assert!(recommended[0].contains(" · "), "the trade-offs, joined: {block}");
        for id in LB001_ALTERNATIVES {
            assert!(lines_under_fix(block, id).is_empty(), "{id}:\n{block}");
        }
        let closing: Vec<&str> = r.stdout.lines().rev().take(2).collect();
        assert!(closing[1].starts_with(hint) && closing[0].contains("gateway-doctor explain"), "{}", r.stdout);
    }
}

#[test]
fn show_fixes_and_full_show_every_fix_s_trade_offs() {
    for (lang, heading) in [("en", "warning[ASM-LB-001]"), ("zh", "警告[ASM-LB-001]")] {
        let shown = run(&["check", "founding-gateway.yaml", "--show-fixes", "--lang", lang]);
        assert_eq!(shown.status, 0, "{}", shown.stderr);
        let block = finding_block(&shown.stdout, heading);
        for id in LB001_ALTERNATIVES {
            assert!(!lines_under_fix(block, id).is_empty(), "{id}:\n{block}");
        }
        assert!(!shown.stdout.contains("--show-fixes"), "no hint when nothing is hidden:\n{}", shown.stdout);
        for spelling in [&["--format", "full"], &["--output-format", "full"]] {
            let full = run(&[&["check", "founding-gateway.yaml", "--lang", lang][..], spelling].concat());
            assert_eq!(full.stdout, shown.stdout);
        }
    }
    let default = run(&["check", "founding-gateway.yaml"]).stdout;
    let full = run(&["check", "founding-gateway.yaml", "--format", "full"]).stdout;
    assert!(default.lines().count() < full.lines().count());
    // --show-fixes means nothing to the other formats: a usage error, not silence.
    for format in ["concise", "json", "sarif", "policyreport"] {
        let r = run(&["check", "founding-gateway.yaml", "--show-fixes", "--format", format]);
        assert_eq!(r.status, 2, "{format}");
        assert!(r.stderr.contains("--show-fixes applies to the text format"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}

/// `FILE:LINE:COL: severity[CODE] message`, read as a regular expression
/// would: `^(.+):(\d+):(\d+): (error|warning|info|错误|警告|提示)\[([A-Za-z0-9-]+)\] (.+)$`.
fn parse_concise(line: &str) -> Option<(String, u64, u64, String)> {
    let (place, rest) = line.split_once(": ")?;
    let mut parts = place.rsplitn(3, ':');
    let column: u64 = parts.next()?.parse().ok()?;
    let line_number: u64 = parts.next()?.parse().ok()?;
    let file = parts.next().filter(|f| !f.is_empty())?;
    let (tag, message) = rest.split_once(' ')?;
    let (severity, code) = tag.strip_suffix(']')?.split_once('[')?;
    let known = ["error", "warning", "info", "错误", "警告", "提示"].contains(&severity);
    let code_ok = !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (known && code_ok && !message.trim().is_empty() && line_number > 0 && column > 0)
        .then(|| (file.to_owned(), line_number, column, code.to_owned()))
}

/// A diagnostic's start in the JSON report, wherever the report keeps it.
fn diagnostic_start(d: &Value) -> &Value {
    d.get("location").unwrap_or(d).get("start").expect("a diagnostic has a start")
}

#[test]
fn concise_is_one_line_per_finding_and_diagnostic() {
    let inputs = ["founding-gateway.yaml", "multi-doc.yaml", "syntax-error.yaml"];
    let reports = json(&run(&[&["check", "--format", "json"][..], &inputs].concat()));
    let mut expected: Vec<(String, u64, u64, String)> = Vec::new();
    for report in reports.as_array().unwrap() {
        let file = report["file"].as_str().unwrap();
        for f in report["findings"].as_array().unwrap() {
            let start = &f["location"]["start"];
            let code = f["code"].as_str().unwrap().to_owned();
            expected.push((file.to_owned(), start["line"].as_u64().unwrap(), start["column"].as_u64().unwrap(), code));
        }
        for d in report["diagnostics"].as_array().unwrap() {
            let start = diagnostic_start(d);
            let kind = d["kind"].as_str().unwrap().to_owned();
            expected.push((file.to_owned(), start["line"].as_u64().unwrap(), start["column"].as_u64().unwrap(), kind));
        }
    }
    expected.sort();
    assert!(expected.iter().any(|e| e.3 == "syntax"), "{expected:?}");
    for lang in ["en", "zh"] {
        let r = run(&[&["check", "--output-format", "concise", "--lang", lang][..], &inputs].concat());
        assert_eq!(r.status, 2, "the syntax error still decides the exit status");
        let mut parsed: Vec<_> = r
            .stdout
            .lines()
            .map(|line| {
                parse_concise(line).unwrap_or_else(|| panic!("not FILE:LINE:COL: severity[CODE] message: {line}"))
            })
            .collect();
        parsed.sort();
        assert_eq!(parsed, expected, "{}", r.stdout);
        // The summary is on standard error, so standard output is only the lines.
        let summary = if lang == "en" { " in 3 files (" } else { "共 3 个文件" };
        assert!(r.stderr.contains(summary), "{}", r.stderr);
    }
    let out = run(&["check", "--format", "concise", "founding-gateway.yaml"]).stdout;
    let lb001 = "founding-gateway.yaml:8:26: warning[ASM-LB-001] pods on nodes without a gateway pod may not reach";
    assert!(out.lines().any(|l| l.starts_with(lb001)), "{out}");
    let clean = run(&["check", "--format", "concise", "clean-service.yaml"]);
    assert_eq!((clean.status, clean.stdout.as_str()), (0, ""));
    assert_eq!(clean.stderr, "no problems found in 1 file (1 resource checked)\n");
}

/// README.md's sample output is the binary's real output: each block after a
/// `<!-- sample: ARGS -->` line, cut at `...` lines, is a part of what
/// `gateway-doctor ARGS` prints in the repository's root.
#[test]
fn readme_samples_are_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut samples = 0;
    for after in readme.split("<!-- sample: ").skip(1) {
        let (args, rest) = after.split_once(" -->").unwrap();
        let block = rest.split("```\n").nth(1).expect("a code block follows the marker");
        let args: Vec<&str> = args.split_whitespace().collect();
        let out = run_with(&args, None, &root).stdout;
        for part in block.split("\n...\n") {
            assert!(
                out.contains(part),
                "README.md's sample of `gateway-doctor {}` is not its output:\n{part}\n--- the output ---\n{out}",
                args.join(" ")
            );
        }
        samples += 1;
    }
    assert_eq!(samples, 2);
}

// --- check: JSON and SARIF ------------------------------------------------

#[test]
fn json_is_the_report_contract_with_a_file_field() {
    let r = run(&["check", "founding-gateway.yaml", "--format", "json"]);
    let report = json(&r);
    assert_eq!(report.as_object().unwrap().keys().next().unwrap(), "file", "file comes first");
    assert_eq!(report["file"], "founding-gateway.yaml");
    assert_eq!(report["version"], 2);
    let keys: Vec<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["file", "version", "findings", "fixCatalogue", "diagnostics", "resources", "summary"]);
    let f = lb001(&report)[0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["resource"]["kind"], "IstioGateway");
    assert_eq!(f["location"]["path"], "/spec/externalTrafficPolicy");
    let (start, end) =
        (f["location"]["span"]["start"].as_u64().unwrap(), f["location"]["span"]["end"].as_u64().unwrap());
    assert_eq!(&fixture("founding-gateway.yaml")[start as usize..end as usize], "Local");
    assert_eq!(f["location"]["start"], serde_json::json!({"line": 8, "column": 26}));
    let fix = f["fixes"].as_array().unwrap().iter().find(|x| x["id"] == "set-cluster-policy").unwrap();
    // Version 2: what the fix is lives in the catalogue; the finding keeps what it changes.
    let keys: Vec<&str> = fix.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "catalogue", "patch", "edits"]);
    let entry = &report["fixCatalogue"][fix["catalogue"].as_u64().unwrap() as usize];
    assert_eq!(entry["id"], "set-cluster-policy");
    assert_eq!(entry["title"], "set externalTrafficPolicy: Cluster");
    assert_eq!(entry["applicability"], "unsafe");
    assert!(!entry["tradeoffs"].as_array().unwrap().is_empty(), "{entry}");
    assert_eq!(entry["introduces"], serde_json::json!(["ASM-LB-005"]));
    assert_eq!(fix["patch"][0]["op"], "replace");
    assert_eq!(fix["edits"][0]["text"], "Cluster");

    let several = json(&run(&["check", "founding-gateway.yaml", "clean-service.yaml", "--format", "json"]));
    let files: Vec<_> = several.as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["founding-gateway.yaml", "clean-service.yaml"]);

    let zh = json(&run(&["check", "founding-gateway.yaml", "--format", "json", "--lang", "zh"]));
    assert!(lb001(&zh)[0]["message"].as_str().unwrap().contains("负载均衡地址"));
}

#[test]
fn policyreport_has_one_result_per_finding() {
    let r = run(&["check", "founding-gateway.yaml", "--format", "policyreport"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let report = json(&r);
    assert_eq!(report["apiVersion"], "wgpolicyk8s.io/v1alpha2");
    assert_eq!(report["kind"], "PolicyReport");
    assert_eq!(report["metadata"]["name"], "gateway-doctor-founding-gateway.yaml");
    let findings =
        json(&run(&["check", "founding-gateway.yaml", "--format", "json"]))["findings"].as_array().unwrap().len();
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), findings);
    let lb = results.iter().find(|x| x["rule"] == "ASM-LB-001").expect("ASM-LB-001 result");
    assert_eq!(
        (lb["policy"].as_str(), lb["severity"].as_str(), lb["result"].as_str()),
        (Some("gateway-doctor"), Some("medium"), Some("warn"))
    );
    assert_eq!(lb["resources"][0]["kind"], "IstioGateway");

    let several = json(&run(&["check", "founding-gateway.yaml", "clean-service.yaml", "--format", "policyreport"]));
    assert_eq!(several["kind"], "List");
    assert_eq!(several["items"].as_array().unwrap().len(), 2);
}

fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(&fixture("sarif-2.1.0-rtm.5.json")).unwrap();
    // The published schema's pattern for the `language` properties (which this
    // tool never writes) has a stray `]` that the validator's meta-schema check
    // rejects as a regex; give them the pattern they mean, and change nothing else.
    let fixed = repair_language_patterns(&mut schema);
    assert_eq!(fixed, 2, "the schema file changed");
    jsonschema::draft4::new(&schema).expect("the SARIF schema compiles")
}

fn repair_language_patterns(node: &mut Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match node {
        Value::Object(map) => {
            let mut fixed = 0;
            if map.get("pattern").and_then(Value::as_str) == Some(BROKEN) {
                map.insert("pattern".into(), Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"));
                fixed += 1;
            }
            fixed + map.values_mut().map(repair_language_patterns).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(repair_language_patterns).sum(),
        _ => 0,
    }
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let r =
        run(&["check", "founding-gateway.yaml", "multi-doc.yaml", "syntax-error.yaml", "tree", "--format", "sarif"]);
    assert_eq!(r.status, 2, "the syntax error still counts");
    let log = json(&r);
    assert_valid_sarif(&log);

    let run0 = &log["runs"][0];
    let uris: Vec<_> =
        run0["artifacts"].as_array().unwrap().iter().map(|a| a["location"]["uri"].as_str().unwrap()).collect();
    assert_eq!(
        uris,
        [
            "founding-gateway.yaml",
            "multi-doc.yaml",
            "syntax-error.yaml",
            "tree/a-gateway.yml",
            "tree/nested/b-clean.yaml",
            "tree/nested/c-service.json"
        ]
    );
    assert!(run0["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap().starts_with("file:///"));
    let result = run0["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "ASM-LB-001").unwrap();
    assert_eq!(result["level"], "warning");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64(), region["endColumn"].as_u64()),
        (Some(8), Some(26), Some(31))
    );
    assert!(result["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "Cluster"));
    let notifications = run0["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notifications.iter().any(|n| n["descriptor"]["id"] == "syntax"));
    assert_eq!(run0["invocations"][0]["executionSuccessful"], false);

    // The validator is not a rubber stamp.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("warn");
    assert!(!sarif_validator().is_valid(&broken));
}

#[test]
fn sarif_of_stdin_and_of_a_clean_file_validate() {
    let stdin = run_with(
        &["check", "-", "--format", "sarif", "--stdin-filename", "k8s/gw.yaml"],
        Some(&fixture("founding-gateway.yaml")),
        &data(),
    );
    let log = json(&stdin);
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["artifacts"][0]["location"]["uri"], "k8s/gw.yaml");
    let clean = json(&run(&["check", "clean-service.yaml", "--format", "sarif"]));
    assert_valid_sarif(&clean);
    assert_eq!(clean["runs"][0]["results"], serde_json::json!([]));
}

// --- inputs: stdin and directories ------------------------------------------

#[test]
fn stdin_is_read_with_a_dash() {
    let r = run_with(&["check", "-"], Some(&fixture("founding-gateway.yaml")), &data());
    assert!(r.stdout.contains(" --> <stdin>:8:26\n"), "{}", r.stdout);
    assert!(r.stdout.contains("= apply: gateway-doctor fix --fix set-cluster-policy --unsafe -\n"), "{}", r.stdout);
}

#[test]
fn directories_are_walked_in_order_for_manifests() {
    let r = run(&["check", "tree", "--format", "json"]);
    let reports = json(&r);
    let files: Vec<_> = reports.as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["tree/a-gateway.yml", "tree/nested/b-clean.yaml", "tree/nested/c-service.json"]);
    assert_eq!(r.status, 0, "the hidden syntax error is not read");
    let json_report = &reports[2];
    assert_eq!(lb001(json_report)[0]["location"]["path"], "/spec/externalTrafficPolicy");
    let dot = json(&run_with(&["check", ".", "--format", "json"], None, &data().join("tree")));
    let files: Vec<_> = dot.as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["a-gateway.yml", "nested/b-clean.yaml", "nested/c-service.json"]);
    let text = run(&["check", "tree"]);
    assert!(text.stdout.contains(" in 3 files (3 resources checked)\n"), "{}", text.stdout);
}

// --- fix ----------------------------------------------------------------------

#[test]
fn fix_changes_only_the_edited_value() {
    let input = fixture("founding-gateway.yaml");
    let r = run(&["fix", "founding-gateway.yaml", "--fix", "set-cluster-policy", "--unsafe"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, input.replace("Local   # keep", "Cluster   # keep"));
    assert!(
        r.stderr.contains(
            "founding-gateway.yaml: fixed ASM-LB-001 set-cluster-policy (IstioGateway istio-system/ingressgateway)"
        ),
        "{}",
        r.stderr
    );
    // The fixed text no longer has the finding.
    let recheck = run_with(&["check", "-", "--format", "json"], Some(&r.stdout), &data());
    assert!(lb001(&json(&recheck)).is_empty());
}

#[test]
fn fix_refuses_unsafe_fixes_without_unsafe() {
    let input = fixture("founding-gateway.yaml");
    let r = run(&["fix", "founding-gateway.yaml", "--fix", "set-cluster-policy"]);
    assert_eq!(r.status, 1);
    assert_eq!(r.stdout, input, "nothing changes");
    assert!(r.stderr.contains("founding-gateway.yaml: skipped ASM-LB-001 set-cluster-policy (IstioGateway istio-system/ingressgateway): changes behaviour"), "{}", r.stderr);
    assert!(r.stderr.contains("--unsafe"), "{}", r.stderr);
    // Plain `fix` applies safe fixes only: ASM-LB-001 has none.
    let safe = run(&["fix", "founding-gateway.yaml"]);
    assert_eq!(safe.status, 0);
    assert!(!safe.stdout.contains("Cluster"));
}

#[test]
fn fix_names_unknown_fix_ids() {
    let r = run(&["fix", "founding-gateway.yaml", "--fix", "set-cluster-polcy", "--unsafe"]);
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains("no finding offers the fix `set-cluster-polcy`; did you mean `set-cluster-policy`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn fix_keeps_crlf_bom_and_comments_from_stdin() {
    let input = format!("\u{feff}{}", fixture("chinese-comments.yaml").replace('\n', "\r\n"));
    let r = run_with(&["fix", "-", "--fix", "set-cluster-policy", "--unsafe"], Some(&input), &data());
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, input.replacen("Local   # 本地策略", "Cluster   # 本地策略", 1));
}

#[test]
fn fix_with_param_and_diff() {
    let r = run(&[
        "fix",
        "founding-gateway.yaml",
        "--fix",
        "lb-hostname",
        "--unsafe",
        "--param",
        "hostname=gw.example.com",
        "--diff",
    ]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("--- a/founding-gateway.yaml\n+++ b/founding-gateway.yaml\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("\n+    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: \"gw.example.com\"\n"),
        "{}",
        r.stdout
    );
    assert_eq!(run(&["fix", "founding-gateway.yaml", "--param", "port=80"]).status, 2);
}

#[test]
fn fix_write_rewrites_files_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("k8s");
    std::fs::create_dir(&nested).unwrap();
    std::fs::write(nested.join("gw.yaml"), fixture("founding-gateway.yaml")).unwrap();
    std::fs::write(nested.join("clean.yaml"), fixture("clean-service.yaml")).unwrap();
    let r = run_with(&["fix", "k8s", "--write", "--fix", "set-cluster-policy", "--unsafe"], None, dir.path());
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "", "nothing on stdout with --write");
    assert_eq!(
        std::fs::read_to_string(nested.join("gw.yaml")).unwrap(),
        fixture("founding-gateway.yaml").replace("Local   #", "Cluster   #")
    );
    assert_eq!(std::fs::read_to_string(nested.join("clean.yaml")).unwrap(), fixture("clean-service.yaml"));
    assert!(r.stderr.contains("k8s/gw.yaml: rewritten"), "{}", r.stderr);
    assert!(!r.stderr.contains("k8s/clean.yaml: rewritten"), "{}", r.stderr);
}

#[test]
fn fix_usage_errors() {
    assert_eq!(run(&["fix", "founding-gateway.yaml", "clean-service.yaml"]).status, 2);
    assert_eq!(run(&["fix", "tree"]).status, 2);
    assert_eq!(run(&["fix", "-", "--write"]).status, 2);
    let broken = run(&["fix", "syntax-error.yaml"]);
    assert_eq!(broken.status, 2);
    assert_eq!(broken.stdout, fixture("syntax-error.yaml"), "the input still comes through");
}

// --- rules and explain --------------------------------------------------------

#[test]
fn explain_prints_the_rule_docs() {
    let r = run(&["explain", "ASM-LB-001"]);
    assert_eq!(r.status, 0);
    assert!(r.stdout.starts_with("## ASM-LB-001\n"), "{}", r.stdout);
    for section in ["### What it does", "### Why is this bad?", "### Example", "### Fix", "### Sources"] {
        assert!(r.stdout.contains(section), "{section}");
    }
    assert_eq!(run(&["explain", "local-policy-in-cluster-lb-access"]).stdout, r.stdout);
    assert_eq!(run(&["explain", "asm-lb-001"]).stdout, r.stdout);
    let typo = run(&["explain", "local-policy-in-cluster-lb-acess"]);
    assert_eq!(typo.status, 2);
    assert!(
        typo.stderr.contains(
            "unknown rule `local-policy-in-cluster-lb-acess`; did you mean `local-policy-in-cluster-lb-access`?"
        ),
        "{}",
        typo.stderr
    );
    let far = run(&["explain", "nothing-like-it"]);
    assert_eq!(far.status, 2);
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
}

#[test]
fn rules_in_three_formats() {
    let text = run(&["rules"]);
    assert_eq!(text.status, 0);
    let line = text.stdout.lines().find(|l| l.starts_with("ASM-LB-001")).unwrap();
    let columns: Vec<_> = line.split_whitespace().take(3).collect();
    assert_eq!(columns, ["ASM-LB-001", "local-policy-in-cluster-lb-access", "warning"]);
    assert!(line.ends_with("in-cluster access to the load balancer address with externalTrafficPolicy: Local"));
    let zh = run(&["rules", "--lang", "zh"]);
    assert!(zh.stdout.contains("时集群内访问负载均衡地址"));

    let list = json(&run(&["rules", "--format", "json"]));
    let rule = list.as_array().unwrap().iter().find(|r| r["code"] == "ASM-LB-001").unwrap();
    assert_eq!(rule["name"], "local-policy-in-cluster-lb-access");
    assert_eq!(rule["severity"], "warning");
    assert!(rule["docs"].as_str().unwrap().contains("## Why is this bad?"));

    let markdown = run(&["rules", "--format", "markdown"]);
    assert!(markdown.stdout.starts_with("# Rules\n"));
    assert!(markdown.stdout.contains("| [ASM-LB-001](#asm-lb-001) | `local-policy-in-cluster-lb-access` |"));
    assert!(markdown.stdout.contains("\n## ASM-LB-001\n"));
}

#[test]
fn help_documents_exit_statuses_and_json_shape() {
    let help = run(&["check", "--help"]);
    assert_eq!(help.status, 0);
    for needle in [
        "Exit status:",
        "--fail-on never",
        "an array of such objects",
        "--needs-source-ip",
        "Cluster context",
        "*.md",
        "[alias: --output-format]",
        "--show-fixes",
        "FILE:LINE:COL: severity[CODE] message",
    ] {
        assert!(help.stdout.contains(needle), "{needle}:\n{}", help.stdout);
    }
}
