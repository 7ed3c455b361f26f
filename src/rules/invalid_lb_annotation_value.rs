use crate::diagnostic::Severity;
use crate::model::clb_annotations::{
    entry_for_key, lb_kind, value_problem, ClbAnnotation, LbKind, ValueProblem, Values,
};
use crate::model::{Field, ServiceView};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use super::support::owner;

declare_rule! {
    /// ## What it does
    /// Checks the values of known CCM load-balancer annotations (and of
    /// `service.beta.kubernetes.io/backend-type`) on a CLB against the
    /// catalogue in `src/model/clb_annotations.rs` (S8, S14, S120): enumerated
    /// values, case-sensitively;
    /// integers and their ranges; the `proto:port` list of `protocol-port`; the
    /// IPv4 of `ip`.
    ///
    /// ## Why is this bad?
    /// Annotation values are case-sensitive strings (S8). The CCM
    /// compares them exactly: `"On"` is not `"on"`, so the setting silently
    /// stays off, or the CLB API rejects the listener and the Service never
    /// gets its load balancer (S8, S14).
    ///
    /// `scheduler: wlc` gets a warning of its own: the 2021 ACK reference (S8)
    /// lists it, the current CLB documentation (S122) does not, so the CLB API
    /// may reject the listener. `network-type` takes `classic` or `vpc` (S120).
    /// `instance-charge-type: PayBySpec` is a valid value; that new CLBs can no
    /// longer be bought by specification is ASM-ANN-041's.
    ///
    /// NLB Services are not checked: the NLB path documents other values for
    /// the same keys (`true`/`false`, `DualStack`, `TCPSSL:443`). Values YAML
    /// does not read as strings are ASM-ANN-034's, the hostname is
    /// ASM-ANN-029's. The rule has a code of its own because ASM-ANN-028..030
    /// check how keys relate and which CCM reads them, not what one value may
    /// be.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   serviceAnnotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: "On"
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: "WRR"
    /// ```
    ///
    /// ## Fix
    /// - `correct-value` (safe): the allowed value it matches but for letter
    ///   case or spaces (`WRR` → `wrr`).
    /// - Otherwise the finding lists the allowed values.
    pub struct InvalidLbAnnotationValue {
        code: "ASM-ANN-037",
        name: "invalid-lb-annotation-value",
        title: "invalid CCM load balancer annotation value",
        title_zh: "CCM 负载均衡注解的值无效",
        severity: Error,
        fix: Sometimes,
        sources: ["S8", "S14", "S16", "S120", "S122"],
    }
}

/// Writes an annotation value the CCM accepts (`On` to `on`).
const CORRECT_VALUE: FixId = FixId::new("correct-value");
/// Advice: use the `wrr` scheduler, which the CLB documents.
const USE_WRR: FixId = FixId::new("use-wrr");

impl Rule for InvalidLbAnnotationValue {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            let Some(kind) = lb_kind(svc) else { continue };
            if kind != LbKind::Clb {
                continue;
            }
            for (key, field) in &svc.annotations {
                let Some(entry) = entry_for_key(key) else { continue };
                // Values YAML does not read as strings are ASM-ANN-034's.
                let Some(text) = field.node.as_str() else { continue };
                if let Some(problem) = value_problem(entry.values, text) {
                    out.push(bad_value(cx, svc, key, field, entry, text, problem));
                } else if entry.suffix() == "scheduler" && text == "wlc" {
                    out.push(doubtful_wlc(cx, svc, key, field));
                }
            }
        }
    }
}

/// `wlc` is in the 2021 ACK reference (S8) and the CCM's usage.md, but the
/// current CLB docs list round-robin, weighted round-robin and consistent
/// hashing only (S122).
fn doubtful_wlc(cx: &RuleContext<'_>, svc: &ServiceView<'_>, key: &str, field: &Field<'_>) -> Draft {
    let who = owner(cx, svc);
    let message = cx.t(
        format_args!("annotation {key} of {who} is `wlc`, which the current CLB documentation no longer lists: the CLB API may reject the listener"),
        format_args!("{who} 的注解 {key} 为 `wlc`，当前 CLB 文档已不再列出该算法：CLB API 可能拒绝该监听"),
    );
    Draft::new(&InvalidLbAnnotationValue::META, svc.resource, field.path.clone(), message)
        .severity(Severity::Warning)
        .note(cx.t(
            "CLB documents rr, wrr and consistent hashing (sch, tch, qch) (S122); wlc appears only in the 2021 ACK annotation reference (S8)",
            "CLB 文档只列出 rr、wrr 和一致性哈希（sch、tch、qch）（S122）；wlc 只出现在 2021 年的 ACK 注解文档（S8）中",
        ))
        .advice(Advice::new(
            USE_WRR,
            cx.t(
                "use wrr (weighted round-robin), which the CLB documents and which honours node weights",
                "改用 wrr（加权轮询）：CLB 文档列出了它，且会按节点权重分配",
            ),
        ))
}

fn allowed_text(values: Values) -> String {
    match values {
        Values::OneOf(v) | Values::ListOf(v) => v.join(", "),
        Values::Int { min, max, also } => {
            let range = if max == i64::MAX { format!("{min} or more") } else { format!("{min}–{max}") };
            match also {
                Some(a) => format!("{a} or {range}"),
                None => range,
            }
        }
        Values::ProtocolPorts => "proto:port items separated by commas, proto one of http, https, tcp, udp".into(),
        Values::Ipv4 => "an IPv4 address".into(),
        Values::Text | Values::DnsName => String::new(),
    }
}

fn bad_value(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    key: &str,
    field: &Field<'_>,
    entry: &ClbAnnotation,
    text: &str,
    problem: ValueProblem,
) -> Draft {
    let who = owner(cx, svc);
    let allowed = allowed_text(entry.values);
    let (message, severity) = match &problem {
        ValueProblem::OutOfRange => (
            cx.t(
                format_args!("annotation {key} of {who} is {text}, outside {allowed}"),
                format_args!("{who} 的注解 {key} 为 {text}，超出范围 {allowed}"),
            ),
            Severity::Warning,
        ),
        ValueProblem::NotInteger => (
            cx.t(
                format_args!("annotation {key} of {who} is `{text}`, not an integer ({allowed})"),
                format_args!("{who} 的注解 {key} 为 `{text}`，不是整数（{allowed}）"),
            ),
            Severity::Error,
        ),
        _ => (
            cx.t(
                format_args!("annotation {key} of {who} is `{text}`; the CCM accepts {allowed} (case-sensitive)"),
                format_args!("{who} 的注解 {key} 为 `{text}`；CCM 只接受 {allowed}（区分大小写）"),
            ),
            Severity::Error,
        ),
    };
    let mut draft =
        Draft::new(&InvalidLbAnnotationValue::META, svc.resource, field.path.clone(), message).severity(severity);
    if problem == ValueProblem::OutOfRange {
        draft = draft.note(cx.t(
            "the range is the one the ACK annotation reference gives (S8); the CLB API may have widened it since",
            "范围取自 ACK 注解文档（S8）；CLB API 之后可能已放宽",
        ));
    }
    if let ValueProblem::NotAllowed { fixed: Some(fixed) } = problem {
        draft =
            draft.fix(
                Fix::new(
                    CORRECT_VALUE,
                    Applicability::Safe,
                    cx.t(format_args!("write \"{fixed}\""), format_args!("改为 \"{fixed}\"")),
                )
                .reveals()
                .op(Op::replace(field.path.clone(), fixed.as_str()).quoted())
                .tradeoff(cx.t(
                    "the CCM applies the setting it ignored or rejected until now",
                    "CCM 将应用此前被忽略或拒绝的设置",
                )),
            );
    }
    if let Some(default) = entry.default {
        draft = draft.note(cx.t(
            format_args!("when the annotation is absent the CCM uses `{default}`"),
            format_args!("不设置该注解时 CCM 使用 `{default}`"),
        ));
    }
    draft
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GW: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"On\"  # PROXY v2
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: 'WRR'
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-healthy-threshold: \"20\"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-bandwidth: \"fifty\"
";

    #[test]
    fn cases_ranges_and_integers() {
        let report = check_with(GW, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-ANN-037").collect();
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].message.contains("`On`; the CCM accepts on, off"), "{}", found[0].message);
        assert!(
            found[1].message.contains("`WRR`; the CCM accepts wrr, wlc, rr, sch, tch, qch"),
            "{}",
            found[1].message
        );
        assert_eq!(found[2].severity.as_str(), "warning");
        assert!(found[2].message.contains("20, outside 2–10"), "{}", found[2].message);
        assert!(found[3].message.contains("not an integer"), "{}", found[3].message);
        assert!(found[3].fixes.is_empty());
    }

    #[test]
    fn correct_value_keeps_quotes_and_comments() {
        // Both case fixes are safe and applied together.
        let fixed = apply_fix(GW, "correct-value", &[]);
        assert_eq!(fixed, GW.replace("\"On\"  #", "\"on\"  #").replace("'WRR'", "'wrr'"));
    }

    #[test]
    fn nlb_and_non_strings_are_left_to_others() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {type: ClusterIP}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: nlb\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-ip-version: DualStack\nspec:\n  type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb\n";
        assert!(!codes(&check_with(text, &[])).contains(&"ASM-ANN-037"));
        let clb = text.replace("  loadBalancerClass: alibabacloud.com/nlb\n", "");
        assert_eq!(only(&check_with(&clb, &[]), "ASM-ANN-037").location.document, 1);
        // Unquoted `on` is ASM-ANN-034's, once.
        let bare = GW.replace("\"On\"", "on");
        let report = check_with(&bare, &[]);
        assert_eq!(report.findings.iter().filter(|f| f.code == "ASM-ANN-037").count(), 3);
        assert!(codes(&report).contains(&"ASM-ANN-034"));
    }

    #[test]
    fn wlc_is_a_warning_and_network_type_takes_classic_or_vpc() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wlc\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-network-type: alibaba\nspec:\n  type: LoadBalancer\n";
        let report = check_with(text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-ANN-037").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].severity.as_str(), "warning");
        assert!(found[0].message.contains("may reject"), "{}", found[0].message);
        assert_eq!(found[1].severity.as_str(), "error");
        assert!(found[1].message.contains("the CCM accepts classic, vpc"), "{}", found[1].message);
        let good = text.replace(": wlc", ": wrr").replace(": alibaba", ": vpc");
        assert!(!codes(&check_with(&good, &[])).contains(&"ASM-ANN-037"));
    }

    #[test]
    fn good_values_pass() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    service.beta.kubernetes.io/alicloud-loadbalancer-address-type: intranet\n    service.beta.kubernetes.io/backend-type: \"eni\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"https:443,http:80\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-health-check-connect-port: \"-520\"\nspec:\n  type: LoadBalancer\n";
        assert!(!codes(&check_with(text, &[])).contains(&"ASM-ANN-037"));
    }
}
