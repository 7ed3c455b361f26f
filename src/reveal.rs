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

use crate::diagnostic::Severity;
use crate::patch::splice;
use crate::report::{new_findings, Report};
use crate::rule::{Applicability, Lang};

/// Fills in `introduces` of every revealing fix of `report` (the check of
/// `text`), re-checking each fixed text with `recheck`.
pub(crate) fn measure(text: &str, lang: Lang, report: &mut Report, recheck: impl Fn(&str) -> Report) {
    let mut outcomes = Vec::new();
    for (i, finding) in report.findings.iter().enumerate() {
        for (j, fix) in finding.fixes.iter().enumerate() {
            if !fix.reveals || fix.edits.is_empty() {
                continue;
            }
            let after = recheck(&splice(text, &fix.edits.iter().collect::<Vec<_>>()));
            outcomes.push((i, j, Outcome::of(report, &after)));
        }
    }
    for (i, j, outcome) in outcomes {
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

enum Outcome {
    Introduces(Vec<&'static str>),
    /// The first new error's code.
    Error(&'static str),
}

impl Outcome {
    fn of(before: &Report, after: &Report) -> Self {
        let new = new_findings(before, after);
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
    }
}
