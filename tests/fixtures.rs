//! Fixture snapshots and fix invariants.
//!
//! Every file in `tests/fixtures/<RULE-CODE>/` (`.yaml`, `.yml`, `.json`) is
//! checked; its findings of that rule (other rules' are counted) and the diff
//! of each of their fixes with edits are compared with
//! `tests/fixtures/<RULE-CODE>/snapshots/<file stem>.snap`, and every fix of
//! every finding must keep the invariants of `support::fix_invariants`. A new rule gets fixtures by
//! adding a folder named after its code; nothing here needs to change.
//!
//! A YAML fixture may set the cluster context, language and fix parameters in
//! comment lines at column 0:
//!
//! ```yaml
//! # context: kubeProxyMode=ipvs inClusterClients=pods
//! # lang: zh
//! # param: hostname=gw.example.com
//! ```
//!
//! Review new or changed snapshots with `cargo insta review` (or run with
//! `INSTA_UPDATE=always` and inspect `git diff`); CI fails on any mismatch.

mod support;

use std::path::{Path, PathBuf};

use gateway_doctor::rule::Lang;
use gateway_doctor::Options;

use support::*;

const FIXTURE_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

fn fixtures_dir() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// Rule folders, sorted: `tests/fixtures/ASM-LB-001`, ...
fn rule_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The options a fixture asks for in its `# context:`, `# lang:` and `# param:` lines.
fn fixture_options(text: &str) -> Options {
    let mut context = Vec::new();
    let mut options = Options::default();
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if let Some(pairs) = line.strip_prefix("# context:") {
            for pair in pairs.split_whitespace() {
                let (key, value) = pair.split_once('=').unwrap_or_else(|| panic!("`{pair}` is not key=value"));
                context.push((key.to_owned(), value.to_owned()));
            }
        } else if let Some(lang) = line.strip_prefix("# lang:") {
            options.lang = Lang::parse(lang.trim()).unwrap_or_else(|| panic!("unknown language `{lang}`"));
        } else if let Some(param) = line.strip_prefix("# param:") {
            match param.trim().split_once('=') {
                Some(("hostname", value)) => options.params.hostname = Some(value.to_owned()),
                _ => panic!("unknown fix parameter `{param}`"),
            }
        }
    }
    Options { context: options_with(&context).context, ..options }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root()).unwrap_or(path).display().to_string()
}

fn snapshot_of(path: &Path, code: &str, text: &str, options: &Options) -> Result<(String, Vec<String>), String> {
    let name = relative(path);
    let report = check_without_panic(&name, text, options)?;
    let mut problems = spans_inside_text(&name, text, &report);
    problems.extend(json_round_trip(&name, &report));
    problems.extend(fix_invariants(&name, text, &report, options));
    let mut snapshot = render_report(&report, code);
    let diffs = render_fix_diffs(text, &report, code);
    if !diffs.is_empty() {
        snapshot.push_str("\n# fixes\n");
        snapshot.push_str(&diffs);
    }
    Ok((snapshot, problems))
}

#[test]
fn every_fixture_matches_its_snapshot_and_keeps_the_fix_invariants() {
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in rule_dirs() {
        let code = file_name(&dir);
        let Some(rule) = gateway_doctor::find_rule(&code) else {
            failures.push(format!("tests/fixtures/{code}: no rule has this code"));
            continue;
        };
        let code = rule.meta().code;
        let files = files_with_extensions(&dir, FIXTURE_EXTENSIONS);
        let mut code_seen = false;
        for path in files {
            count += 1;
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let options = fixture_options(&text);
            let (snapshot, problems) = match snapshot_of(&path, code, &text, &options) {
                Ok(result) => result,
                Err(panic) => {
                    failures.push(panic);
                    continue;
                }
            };
            code_seen |= snapshot.lines().any(|l| l.starts_with(&format!("{code} ")));
            failures.extend(problems);

            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(dir.join("snapshots"));
            settings.set_prepend_module_to_snapshot(false);
            settings.set_input_file(&path);
            settings.set_omit_expression(true);
            let matched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(stem.as_str(), snapshot.as_str()));
            }));
            if matched.is_err() {
                failures.push(format!("{}: snapshot mismatch (see the diff above)", relative(&path)));
            }
        }
        if !code_seen {
            failures.push(format!("tests/fixtures/{code}: no fixture produces a {code} finding"));
        }
    }
    assert!(count > 0, "no fixtures found under {}", fixtures_dir().display());
    let (mut failures, matched) = without_known_violations(failures);
    for ((texts, why), n) in KNOWN_VIOLATIONS.iter().zip(matched) {
        match n {
            0 => failures.push(format!("known violation no longer seen, remove it from KNOWN_VIOLATIONS: {texts:?}")),
            n => eprintln!("known violation x{n} (not a failure): {texts:?}\n  because {why}"),
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// The behaviour the core owes: one `fix` run reaches the fixed point, also
/// when two requested fixes of different findings insert at the same place.
#[test]
fn fix_converges_when_two_fixes_insert_at_the_same_point() {
    // ASM-LB-001's lb-hostname and ASM-LB-010's set-wrr-scheduler both create
    // `serviceAnnotations` at the end of spec.
    let text = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata:\n  name: ingressgateway\n  namespace: istio-system\nspec:\n  externalTrafficPolicy: Local\n  replicaCount: 2\n";
    let mut options = Options::default();
    options.params.hostname = Some("gw.example.com".into());
    let request =
        gateway_doctor::FixRequest { ids: vec!["lb-hostname".into(), "set-wrr-scheduler".into()], allow_unsafe: true };
    let once = gateway_doctor::fix(text, &request, &options);
    let twice = gateway_doctor::fix(&once.text, &request, &options);
    assert_eq!(twice.text, once.text, "skipped in the first run: {:?}", once.skipped);
}

/// The invariant checks themselves catch broken fixes (so a green run means something).
#[test]
fn invariant_checks_catch_broken_fixes() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local   # keep client IPs\n";
    let options = Options::default();
    let report = gateway_doctor::check(text, &options);
    let broken = |edit: &dyn Fn(&mut gateway_doctor::patch::TextEdit)| {
        let mut report = report.clone();
        let finding = report.findings.iter_mut().find(|f| f.code == "ASM-LB-001").expect("ASM-LB-001 fires");
        let fix = finding.fixes.iter_mut().find(|x| x.id == "set-cluster-policy").expect("set-cluster-policy");
        edit(&mut fix.edits[0]);
        fix_invariants("probe", text, &report, &options).join("\n")
    };
    assert_eq!(broken(&|_| {}), "", "the real fix keeps every invariant");
    assert!(broken(&|e| e.text = "Local".into()).contains("changes nothing"));
    assert!(broken(&|e| e.text = "Local".into()).contains("still reported"));
    assert!(broken(&|e| e.text = "[Cluster".into()).contains("new \"syntax\" diagnostics"));
    assert!(broken(&|e| e.span.end = text.len() - 1).contains("comment lost: # keep client IPs"));
    assert!(broken(&|e| e.text = "Cluster # new".into()).contains("differs from the reported edits"));
}

/// A lone carriage return is a YAML line break (YAML 1.2, 5.4): the parser
/// breaks the line there, so a fix must insert where the parser's mapping ends.
#[test]
fn fixes_respect_lone_carriage_return_line_breaks() {
    let text = std::fs::read_to_string(fixtures_dir().join("ASM-LB-001/istio-gateway-overrides.yaml"))
        .unwrap()
        .replace("  overrides:\n    cfedcba", "  overrides:\n    c\rfedcba");
    let options = Options::default();
    let report = gateway_doctor::check(&text, &options);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let problems = fix_invariants("lone CR", &text, &report, &options);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Found by tests/robustness.rs: an IstioGateway whose base spec keeps Cluster
/// and whose override has its own serviceAnnotations. ASM-LB-005's
/// eni-passthrough writes the annotation into the base map only; the override's
/// effective Service then still lacks it and is reported on its own, so a
/// second `fix` run adds it there.
#[test]
fn eni_passthrough_covers_overrides_with_their_own_annotations() {
    let text = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata:\n  name: ingressgateway\n  namespace: istio-system\nspec:\n  clusterIds:\n  - c1\n  externalTrafficPolicy: Cluster\n  serviceType: LoadBalancer\n  overrides:\n    c1:\n      replicaCount: 2\n      serviceAnnotations:\n        service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: \"slb.s1.small\"\n";
    let options = Options::default();
    let request = gateway_doctor::FixRequest { ids: vec!["eni-passthrough".into()], allow_unsafe: true };
    let once = gateway_doctor::fix(text, &request, &options);
    let twice = gateway_doctor::fix(&once.text, &request, &options);
    assert_eq!(twice.text, once.text);
}

/// The parser of fixture directives itself, so a typo in one cannot silently
/// leave the context unset.
#[test]
fn fixture_directives_set_context_language_and_parameters() {
    let options = fixture_options(
        "# context: kubeProxyMode=ipvs inClusterClients=pods\r\n# lang: zh\n# param: hostname=gw.example.com\nkind: Service\n",
    );
    let expected = options_with(&[("kubeProxyMode".into(), "ipvs".into()), ("inClusterClients".into(), "pods".into())]);
    assert_eq!(options.context, expected.context);
    assert_eq!(options.lang, Lang::Zh);
    assert_eq!(options.params.hostname.as_deref(), Some("gw.example.com"));
}
