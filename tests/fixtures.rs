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
//! What the header comments promise is also machine-checked: each
//! `# expect:` line names a rule code and how many findings of it the fixture
//! has, optionally only those of one severity; codes not named are not
//! constrained, and `x0` says there are none:
//!
//! ```yaml
//! # expect: ASM-LB-001 x2
//! # expect: ASM-ANN-037 x3 error
//! # expect: ASM-HPA-013 x0
//! ```
//!
//! A fixture whose header comments say what is (or is not) reported states it
//! in `# expect:` lines too, so a comment cannot silently contradict its snapshot.
//!
//! Review new or changed snapshots with `cargo insta review` (or run with
//! `INSTA_UPDATE=always` and inspect `git diff`); CI fails on any mismatch.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gateway_doctor::{Applicability, FixAvailability, Lang};
use gateway_doctor::{Options, Report, Severity};

use support::*;

const FIXTURE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "md"];

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

/// One `# expect:` line: `code` has `count` findings (of `severity`, if given).
#[derive(Debug, PartialEq)]
struct Expectation {
    code: String,
    count: usize,
    severity: Option<Severity>,
}

/// The fixture's `# expect:` lines; a malformed one is an error, not skipped.
fn fixture_expectations(text: &str) -> Result<Vec<Expectation>, String> {
    let mut out = Vec::new();
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        let Some(rest) = line.strip_prefix("# expect:") else { continue };
        let words: Vec<&str> = rest.split_whitespace().collect();
        let bad = || format!("`{line}` is not `# expect: CODE xN [error|warning|info]`");
        let (code, count, severity) = match words.as_slice() {
            [code, count] => (code, count, None),
            [code, count, severity] => (code, count, Some(*severity)),
            _ => return Err(bad()),
        };
        let count = count.strip_prefix('x').and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        let severity = match severity {
            None => None,
            Some("error") => Some(Severity::Error),
            Some("warning") => Some(Severity::Warning),
            Some("info") => Some(Severity::Info),
            Some(_) => return Err(bad()),
        };
        if gateway_doctor::find_rule(code).is_none() {
            return Err(format!("`{line}`: no rule has the code {code}"));
        }
        out.push(Expectation { code: (*code).to_owned(), count, severity });
    }
    Ok(out)
}

/// Where the fixture's findings contradict its `# expect:` lines.
fn unmet_expectations(name: &str, text: &str, report: &Report) -> Vec<String> {
    let expectations = match fixture_expectations(text) {
        Ok(e) => e,
        Err(e) => return vec![format!("{name}: {e}")],
    };
    expectations
        .iter()
        .filter_map(|e| {
            let found = report
                .findings
                .iter()
                .filter(|f| f.code == e.code && e.severity.is_none_or(|s| f.severity == s))
                .count();
            let of = e.severity.map(|s| format!(" {}", s.as_str())).unwrap_or_default();
            (found != e.count)
                .then(|| format!("{name}: its header expects {} x{}{of}, the check finds {found}", e.code, e.count))
        })
        .collect()
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
    problems.extend(unmet_expectations(&name, text, &report));
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
    let applied: Vec<&str> = once.applied.iter().map(|r| r.id).collect();
    assert_eq!(applied, ["lb-hostname", "set-wrr-scheduler"], "skipped: {:?}", once.skipped);
    let annotations = "  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: \"gw.example.com\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: \"wrr\"\n";
    assert_eq!(once.text, format!("{text}{annotations}"), "both annotations in one new map");
    let twice = gateway_doctor::fix(&once.text, &request, &options);
    assert_eq!(twice.text, once.text, "skipped in the first run: {:?}", once.skipped);
}

/// The invariant checks themselves catch broken fixes (so a green run means something).
#[test]
fn invariant_checks_catch_broken_fixes() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local   # keep client IPs\n";
    let options = Options::default();
    let report = gateway_doctor::check(text, &options);
    let broken_fix = |edit: &dyn Fn(&mut gateway_doctor::report::FixOut)| {
        let mut report = report.clone();
        let finding = report.findings.iter_mut().find(|f| f.code == "ASM-LB-001").expect("ASM-LB-001 fires");
        let fix = finding.fixes.iter_mut().find(|x| x.id == "set-cluster-policy").expect("set-cluster-policy");
        edit(fix);
        fix_invariants("probe", text, &report, &options).join("\n")
    };
    let broken = |edit: &dyn Fn(&mut gateway_doctor::text::TextEdit)| broken_fix(&|fix| edit(&mut fix.edits[0]));
    // Never worse: a new error, an undeclared new warning, a declaration that does not come true.
    let new_error = broken(&|e| e.text = "Cluster\n  healthCheckNodePort: 30000".into());
    assert!(new_error.contains("has a new error ASM-SVC-026"), "{new_error}");
    let undeclared = broken(&|e| e.text = "Cluster\n  selector: {istio: ingressgateway}".into());
    assert!(undeclared.contains("has a new ASM-LB-005 the fix does not declare"), "{undeclared}");
    let empty = broken_fix(&|fix| fix.edits.clear());
    assert!(
        empty.contains("set-cluster-policy at doc 0 /spec/externalTrafficPolicy: offers a change but has no edits"),
        "{empty}"
    );
    let declared = broken_fix(&|fix| fix.introduces.push("ASM-LB-010"));
    assert!(
        declared.contains("declares it introduces ASM-LB-010, but the fixed text has no new ASM-LB-010"),
        "{declared}"
    );
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
    assert_eq!(once.applied.len(), 2, "base spec and override: {:?}", once.applied);
    let eni = "service.beta.kubernetes.io/backend-type: \"eni\"";
    assert_eq!(once.text.matches(eni).count(), 2, "{}", once.text);
    let override_map = once.text.split("    c1:").nth(1).expect("the override stays");
    assert!(override_map.contains(eni), "the override's own map gets the annotation:\n{}", once.text);
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

/// Every report of the fixtures (each with the options its header asks for)
/// and of the examples (default options, as `tests/examples.rs` runs them).
fn fixture_and_example_reports() -> Vec<(String, Report)> {
    let fixtures = rule_dirs().into_iter().flat_map(|dir| files_with_extensions(&dir, FIXTURE_EXTENSIONS));
    let examples = files_with_extensions(&repo_root().join("examples"), &["yaml", "yml", "json"]);
    fixtures
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let options = fixture_options(&text);
            (relative(&path), gateway_doctor::check(&text, &options))
        })
        .chain(examples.into_iter().map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (relative(&path), gateway_doctor::check(&text, &Options::default()))
        }))
        .collect()
}

/// A finding offers a fix when one of its fixes changes the manifest, or
/// would and says why it cannot here (`unavailable`); display-only advice
/// with no reason is not a fix.
fn offers_a_fix(finding: &gateway_doctor::report::Finding) -> bool {
    finding.fixes.iter().any(|fix| {
        fix.unavailable.is_some() || (fix.applicability != Applicability::DisplayOnly && !fix.edits.is_empty())
    })
}

/// Each rule's `fix:` claim (shown in docs/rules.md, `rules --json` and the
/// browser's rule list) agrees with what its findings in the fixtures and
/// examples offer: `Always`, every finding offers a fix; `None`, none does;
/// `Sometimes`, at least one does. That a `Sometimes` rule also has findings
/// without a fix is not checked: it claims a path the fixtures may not reach
/// (a missing fix parameter, a cluster context that rules the fix out), and no
/// fixture can show that a path does not exist.
#[test]
fn each_rule_offers_fixes_as_its_meta_claims() {
    // Per rule code: (findings that offer a fix, findings that offer only advice or nothing), with an example file of each.
    let mut seen: BTreeMap<&str, [Vec<String>; 2]> = BTreeMap::new();
    for (name, report) in fixture_and_example_reports() {
        for finding in &report.findings {
            let slot = usize::from(!offers_a_fix(finding));
            seen.entry(finding.code).or_default()[slot].push(format!("{name} line {}", finding.location.start.line));
        }
    }
    let failures: Vec<String> = gateway_doctor::rules()
        .iter()
        .map(|rule| rule.meta())
        .filter_map(|meta| {
            let [with, without] = seen.get(meta.code).cloned().unwrap_or_default();
            let first = |list: &[String]| list.first().cloned().unwrap_or_default();
            let claim = meta.fix;
            let wrong = match claim {
                _ if with.is_empty() && without.is_empty() => Some("no fixture or example reports it".to_owned()),
                FixAvailability::Always if !without.is_empty() => Some(format!(
                    "{} finding(s) offer no fix, e.g. {} ({} do)",
                    without.len(),
                    first(&without),
                    with.len()
                )),
                FixAvailability::None if !with.is_empty() => {
                    Some(format!("{} finding(s) offer a fix, e.g. {}", with.len(), first(&with)))
                }
                FixAvailability::Sometimes if with.is_empty() => {
                    Some(format!("no finding offers a fix ({} without)", without.len()))
                }
                _ => None,
            };
            wrong.map(|why| format!("{} claims fix: {claim:?}, but {why}", meta.code))
        })
        .collect();
    assert!(failures.is_empty(), "{} rule(s):\n{}", failures.len(), failures.join("\n"));
}
/// Each rule has its folder `tests/fixtures/<CODE>/` with a fixture that
/// reports it and one that does not (a near miss: the clean form of the
/// same objects, usually with `# expect: <CODE> x0`, which the snapshot test
/// holds to the report).
#[test]
fn each_rule_has_a_fixture_folder_with_a_finding_and_a_clean_case() {
    let failures: Vec<String> = gateway_doctor::rules()
        .iter()
        .map(|rule| rule.meta().code)
        .filter_map(|code| {
            let dir = fixtures_dir().join(code);
            if !dir.is_dir() {
                return Some(format!("tests/fixtures/{code}/ does not exist"));
            }
            let counts: Vec<usize> = files_with_extensions(&dir, FIXTURE_EXTENSIONS)
                .iter()
                .map(|path| {
                    let text = std::fs::read_to_string(path).unwrap();
                    let report = gateway_doctor::check(&text, &fixture_options(&text));
                    report.findings.iter().filter(|f| f.code == code).count()
                })
                .collect();
            match (counts.iter().any(|&n| n > 0), counts.contains(&0)) {
                (true, true) => None,
                (false, _) => Some(format!("tests/fixtures/{code}/: no fixture reports {code}")),
                (true, false) => Some(format!("tests/fixtures/{code}/: every fixture reports {code}; add a clean one")),
            }
        })
        .collect();
    assert!(failures.is_empty(), "{} rule(s):\n{}", failures.len(), failures.join("\n"));
}
