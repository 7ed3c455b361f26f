//! What a fix that makes an ignored setting take effect brings with it.
//!
//! Most fixes change a setting on purpose, and the rule that offers one
//! declares the findings its trade-off brings (`Fix::introduces`, through the
//! other rule's predicate). A correction is different: renaming a misspelled
//! key or fixing a value's case makes the CCM or the API server read a setting
//! it ignored or rejected until now, and what that setting then means is
//! whatever every other rule says about it. For those fixes (`Fix::reveals`)
//! the engine re-checks the fixed text and declares what appears. A
//! correction keeps its applicability (it does what the input meant); one that
//! would bring a new error becomes advice and says why (a fix never makes a
//! manifest worse: docs/architecture.md#fixes).

use std::collections::HashMap;

use crate::diagnostic::Severity;
use crate::patch::{splice, TextEdit};
use crate::report::{new_findings, Finding, FixOut, Report};
use crate::rule::{Applicability, Lang};

/// Up to this many revealing fixes in one input, each is measured by a
/// re-check of its own; beyond, they are measured in batches (`batched`),
/// so that a stream with thousands of them is not re-checked thousands of times.
const ONE_BY_ONE_UP_TO: usize = 16;

/// A fix of the report: (finding index, fix index).
type FixAt = (usize, usize);

/// Fills in `introduces` of every revealing fix of `report` (the check of
/// `text`), re-checking fixed texts with `recheck`.
pub(crate) fn measure(text: &str, lang: Lang, report: &mut Report, recheck: impl Fn(&str) -> Report) {
    let count = report.findings.iter().flat_map(|f| &f.fixes).filter(|fix| reveals(fix)).count();
    let mut outcomes = Vec::new();
    // A build without YAML serves admission requests: one object, a handful
    // of fixes. Batches are for streams.
    if cfg!(feature = "yaml") && count > ONE_BY_ONE_UP_TO {
        for batch in rounds(report) {
            batched(text, report, &batch, &recheck, &mut outcomes);
        }
    } else {
        for (i, finding) in report.findings.iter().enumerate() {
            for (j, fix) in finding.fixes.iter().enumerate().filter(|(_, fix)| reveals(fix)) {
                let after = recheck(&splice(text, &fix.edits.iter().collect::<Vec<_>>()));
                outcomes.push(((i, j), Outcome::of(&new_findings(report, &after))));
            }
        }
    }
    for ((i, j), outcome) in outcomes {
        let Some(fix) = report.findings.get_mut(i).and_then(|f| f.fixes.get_mut(j)) else { continue };
        match outcome {
            // A correction keeps its applicability: it does what the input
            // meant, and what that brings is declared.
            Outcome::Introduces(codes) => fix.introduces = codes,
            Outcome::Error(code) => {
                fix.applicability = Applicability::DisplayOnly;
                fix.edits.clear();
                fix.unavailable = Some(lang.t(
                    format_args!("applying it would bring a new error ({code}): correct that too, by hand"),
                    format_args!("应用后会出现新的错误（{code}）：请先处理它，或手动修改"),
                ));
            }
        }
    }
}

/// Round k takes each resource's k-th fix: one fix per resource in a batch,
/// so that their edits never overlap and a new finding names the resource
/// whose fix brought it.
fn rounds(report: &Report) -> Vec<Vec<FixAt>> {
    let mut taken: HashMap<(usize, &str), usize> = HashMap::new();
    let mut rounds: Vec<Vec<FixAt>> = Vec::new();
    for (i, finding) in report.findings.iter().enumerate() {
        for (j, _) in finding.fixes.iter().enumerate().filter(|(_, fix)| reveals(fix)) {
            let resource = &finding.resource;
            let round = taken.entry((resource.document, resource.path.as_str())).or_default();
            if rounds.len() <= *round {
                rounds.push(Vec::new());
            }
            rounds[*round].push((i, j));
            *round += 1;
        }
    }
    rounds
}

/// A fix the engine measures: a correction with text edits to apply.
fn reveals(fix: &FixOut) -> bool {
    fix.reveals && !fix.edits.is_empty()
}

/// Measures `batch` (at most one fix per resource) with one re-check of all
/// its fixes applied together. Each new finding is taken for the fix of its
/// resource. A new finding on a resource the batch does not edit came from
/// another resource's fix, and which one is unknown: the batch is halved and
/// each half measured again, down to single fixes, which are exact.
fn batched(
    text: &str,
    report: &Report,
    batch: &[FixAt],
    recheck: &impl Fn(&str) -> Report,
    outcomes: &mut Vec<(FixAt, Outcome)>,
) {
    let mut edits: Vec<&TextEdit> = batch.iter().flat_map(|&(i, j)| &report.findings[i].fixes[j].edits).collect();
    edits.sort_by_key(|e| e.span.start);
    let after = recheck(&splice(text, &edits));
    let new = new_findings(report, &after);
    let mut measured = Vec::with_capacity(batch.len());
    let mut attributed = 0;
    for &at in batch {
        let resource = &report.findings[at.0].resource;
        let mine: Vec<&Finding> = new
            .iter()
            .copied()
            .filter(|f| {
                batch.len() == 1 || (f.resource.document, &f.resource.path) == (resource.document, &resource.path)
            })
            .collect();
        attributed += mine.len();
        measured.push((at, Outcome::of(&mine)));
    }
    if attributed == new.len() {
        outcomes.append(&mut measured);
        return;
    }
    let (first, second) = batch.split_at(batch.len() / 2);
    batched(text, report, first, recheck, outcomes);
    batched(text, report, second, recheck, outcomes);
}

enum Outcome {
    Introduces(Vec<&'static str>),
    /// The first new error's code.
    Error(&'static str),
}

impl Outcome {
    fn of(new: &[&Finding]) -> Self {
        if let Some(error) = new.iter().find(|f| f.severity == Severity::Error) {
            return Outcome::Error(error.code);
        }
        let mut codes: Vec<&'static str> = new.iter().map(|f| f.code).collect();
        codes.sort_unstable();
        codes.dedup();
        Outcome::Introduces(codes)
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Applicability;
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  serviceType: LoadBalancer
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"On\"
";

    #[test]
    fn a_correction_declares_what_the_setting_then_means() {
        let report = check_with(GATEWAY, &[]);
        let fix = &only(&report, "ASM-ANN-037").fixes[0];
        assert_eq!(fix.id, "correct-value");
        // `on` turns PROXY protocol on: the pods do not parse it (ASM-PP-007),
        // in-cluster clients bypass the CLB (ASM-PP-008).
        assert_eq!(fix.introduces, ["ASM-PP-007", "ASM-PP-008"]);
        assert_eq!(fix.applicability, Applicability::Safe);
        let fixed = apply_fix(GATEWAY, "correct-value", &[]);
        let after = codes(&check_with(&fixed, &[]));
        assert!(after.contains(&"ASM-PP-007") && after.contains(&"ASM-PP-008"), "{after:?}");
    }

    #[test]
    fn a_correction_that_brings_nothing_declares_nothing() {
        let text = GATEWAY.replace("proxy-protocol: \"On\"", "scheduler: \"WRR\"");
        let report = check_with(&text, &[]);
        let fix = &only(&report, "ASM-ANN-037").fixes[0];
        assert!(fix.introduces.is_empty(), "{:?}", fix.introduces);
        assert_eq!(fix.applicability, Applicability::Safe);
    }

    /// `count` more gateways, each with the misspelt-case value of `GATEWAY`
    /// in a namespace of its own, after `text`.
    fn with_more_corrections(text: &str, count: usize) -> String {
        let mut stream = text.to_owned();
        for n in 0..count {
            stream.push_str("---\n");
            stream.push_str(&GATEWAY.replace("namespace: istio-system", &format!("namespace: team-{n}")));
        }
        stream
    }

    /// Past `ONE_BY_ONE_UP_TO`, corrections are measured in batches and
    /// declare what each brings, as one at a time does.
    #[test]
    fn batched_corrections_declare_what_each_brings() {
        let stream = with_more_corrections(GATEWAY, super::ONE_BY_ONE_UP_TO + 4);
        let report = check_with(&stream, &[]);
        let fixes: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.code == "ASM-ANN-037")
            .map(|f| f.fixes.iter().find(|x| x.id == "correct-value").unwrap())
            .collect();
        assert_eq!(fixes.len(), super::ONE_BY_ONE_UP_TO + 5);
        for fix in fixes {
            assert_eq!(fix.introduces, ["ASM-PP-007", "ASM-PP-008"]);
            assert_eq!(fix.applicability, Applicability::Safe);
        }
    }

    #[test]
    fn a_correction_that_would_bring_an_error_is_not_applied() {
        // The Gateway's misspelt selector keeps its HTTPS server off the gateway
        // whose CLB terminates TLS on 443; selecting it would be ASM-TLS-038's error.
        let text = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  serviceType: LoadBalancer
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"https:443\"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-cert-id: \"1234-cn-hangzhou\"
  ports:
  - {name: https, port: 443, targetPort: 443}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: istio-system}
spec:
  selector:
    istio: ingresgateway
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    tls: {mode: SIMPLE, credentialName: web-cert}
    hosts: [\"*\"]
";
        let report = check_with(text, &[]);
        let fix = only(&report, "ASM-GW-035").fixes.iter().find(|f| f.id == "use-gateway-selector").unwrap();
        assert!(fix.edits.is_empty());
        assert_eq!(fix.applicability, Applicability::DisplayOnly);
        let why = fix.unavailable.as_deref().unwrap();
        assert!(why.contains("ASM-TLS-038"), "{why}");
        let request = crate::FixRequest { ids: vec!["use-gateway-selector".into()], allow_unsafe: true };
        let outcome = crate::fix(text, &request, &crate::Options::default());
        assert_eq!(outcome.text, text);
        assert!(outcome.skipped[0].reason.as_deref().is_some_and(|r| r.contains("ASM-TLS-038")));

        // Among many corrections, the error that one document's fix brings to
        // another document is still the fix's own.
        let stream = with_more_corrections(text, super::ONE_BY_ONE_UP_TO + 4);
        let report = check_with(&stream, &[]);
        let fix = only(&report, "ASM-GW-035").fixes.iter().find(|f| f.id == "use-gateway-selector").unwrap();
        assert_eq!(fix.applicability, Applicability::DisplayOnly);
        assert!(fix.unavailable.as_deref().unwrap().contains("ASM-TLS-038"));
        let corrections = report.findings.iter().filter(|f| f.code == "ASM-ANN-037");
        for f in corrections {
            let fix = f.fixes.iter().find(|x| x.id == "correct-value").unwrap();
            assert_eq!(
                (fix.introduces.as_slice(), fix.applicability),
                (&["ASM-PP-007", "ASM-PP-008"][..], Applicability::Safe)
            );
        }
    }
}
