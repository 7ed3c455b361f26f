use crate::diagnostic::Severity;
use crate::model::clb_annotations::{entry_for_key, lb_kind, value_problem, ClbAnnotation, LbKind, ValueProblem, Values};
use crate::model::{Field, ServiceView};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, Rule, RuleContext, RuleMeta};
use crate::rules::lb_support::{owner, Once};
use crate::yaml::Resolved;

declare_rule! {
    /// ## What it does
    /// Checks the values of known CCM load-balancer annotations (and of
    /// `service.beta.kubernetes.io/backend-type`) against the catalogue of
    /// domain.md 2.2: enumerated values, case-sensitively; integers and their
    /// ranges; the `proto:port` list of `protocol-port`; the IPv4 of `ip`. On
    /// any Alibaba `LoadBalancer` Service or IstioGateway it also flags values
    /// that YAML reads as booleans or numbers (`on`, `true`, `50` unquoted).
    ///
    /// ## Why is this bad?
    /// Annotation values are strings: Kubernetes rejects a manifest whose
    /// annotation is a YAML boolean or number, and YAML 1.1 reads a bare `on`
    /// as `true` (domain.md 2.1). The CCM compares values exactly: `"On"` is not
    /// `"on"`, so the setting silently stays off, or the CLB API rejects the
    /// listener and the Service never gets its load balancer (S8, S14).
    ///
    /// Values are checked on CLB only: the NLB path documents other values
    /// for the same keys (`true`/`false`, `DualStack`, `TCPSSL:443`), so only
    /// the string type is checked there. The hostname is ASM-ANN-029's. This
    /// rule has a code of its own because ASM-ANN-028..030 check how keys
    /// relate and which CCM reads them, not what one value may be.
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
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: on
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: "WRR"
    /// ```
    ///
    /// ## Fix
    /// - `quote-value` (safe): write the value as a quoted string.
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
        sources: ["S8", "S14", "S16"],
    }
}

impl Rule for InvalidLbAnnotationValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let mut once = Once::default();
        for svc in cx.services {
            let Some(kind) = lb_kind(svc) else { continue };
            for (key, field) in &svc.annotations {
                let Some(entry) = entry_for_key(key) else { continue };
                let Some(scalar) = field.node.as_scalar() else {
                    if once.first(svc, &field.path, "value") {
                        out.push(not_a_string(cx, svc, key, field, "a mapping or list", None));
                    }
                    continue;
                };
                let text = scalar.text.as_str();
                let problem = if kind == LbKind::Clb { value_problem(entry.values, text) } else { None };
                let type_name = match scalar.resolve() {
                    Resolved::Bool(_) => Some("a boolean"),
                    Resolved::Int(_) => Some("an integer"),
                    Resolved::Float(_) => Some("a number"),
                    Resolved::Null | Resolved::Str => None,
                };
                if !once.first(svc, &field.path, "value") {
                    continue;
                }
                if let Some(type_name) = type_name {
                    let fixed = match &problem {
                        Some(ValueProblem::NotAllowed { fixed: Some(f) }) => f.clone(),
                        _ => text.to_owned(),
                    };
                    out.push(not_a_string(cx, svc, key, field, type_name, Some(fixed)));
                } else if let Some(problem) = problem {
                    out.push(bad_value(cx, svc, key, field, entry, text, problem));
                }
            }
        }
    }
}

fn not_a_string(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    key: &str,
    field: &Field<'_>,
    type_name: &str,
    fixed: Option<String>,
) -> Draft {
    let who = owner(cx, svc);
    let zh_type = match type_name {
        "a boolean" => "布尔值",
        "an integer" => "整数",
        "a number" => "数字",
        _ => "映射或列表",
    };
    let message = cx.t(
        format!("annotation {key} of {who} is {type_name}, not a string: Kubernetes rejects the object"),
        format!("{who} 的注解 {key} 是{zh_type}而不是字符串：Kubernetes 会拒绝该对象"),
    );
    let mut draft = Draft::new(&InvalidLbAnnotationValue::META, svc.resource, field.path.clone(), message)
        .label(cx.t("annotation values must be quoted strings", "注解值必须是带引号的字符串"));
    if let Some(fixed) = fixed {
        let same = field.text() == Some(fixed.as_str());
        draft = draft.fix(
            Fix::new(
                "quote-value",
                Applicability::Safe,
                cx.t(format!("write the value as \"{fixed}\""), format!("将值写为 \"{fixed}\"")),
            )
            .op(Op::replace(field.path.clone(), fixed.as_str()).quoted())
            .tradeoff(if same {
                cx.t("none: the text stays, only its YAML type changes", "无：文本不变，只改变其 YAML 类型")
            } else {
                cx.t("the value's letter case is corrected too (values are case-sensitive)", "同时更正大小写（值区分大小写）")
            }),
        );
    }
    draft
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
                format!("annotation {key} of {who} is {text}, outside {allowed}"),
                format!("{who} 的注解 {key} 为 {text}，超出范围 {allowed}"),
            ),
            Severity::Warning,
        ),
        ValueProblem::NotInteger => (
            cx.t(
                format!("annotation {key} of {who} is `{text}`, not an integer ({allowed})"),
                format!("{who} 的注解 {key} 为 `{text}`，不是整数（{allowed}）"),
            ),
            Severity::Error,
        ),
        _ => (
            cx.t(
                format!("annotation {key} of {who} is `{text}`; the CCM accepts {allowed} (case-sensitive)"),
                format!("{who} 的注解 {key} 为 `{text}`；CCM 只接受 {allowed}（区分大小写）"),
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
        draft = draft.fix(
            Fix::new(
                "correct-value",
                Applicability::Safe,
                cx.t(format!("write \"{fixed}\""), format!("改为 \"{fixed}\"")),
            )
            .op(Op::replace(field.path.clone(), fixed.as_str()).quoted())
            .tradeoff(cx.t(
                "the CCM applies the setting it ignored or rejected until now",
                "CCM 将应用此前被忽略或拒绝的设置",
            )),
        );
    }
    if let Some(default) = entry.default {
        draft = draft.note(cx.t(
            format!("when the annotation is absent the CCM uses `{default}`"),
            format!("不设置该注解时 CCM 使用 `{default}`"),
        ));
    }
    draft
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::*;

    const GW: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: on  # PROXY v2
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: 'WRR'
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-healthy-threshold: \"20\"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-bandwidth: \"fifty\"
";

    #[test]
    fn types_cases_and_ranges() {
        let report = check_with(GW, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-ANN-037").collect();
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].message.contains("is a boolean, not a string"), "{}", found[0].message);
        assert!(found[1].message.contains("`WRR`; the CCM accepts wrr, wlc, rr, sch, tch, qch"), "{}", found[1].message);
        assert_eq!(found[2].severity.as_str(), "warning");
        assert!(found[2].message.contains("20, outside 2–10"), "{}", found[2].message);
        assert!(found[3].message.contains("not an integer"), "{}", found[3].message);
    }

    #[test]
    fn fixes_quote_and_correct_in_place() {
        let fixed = apply_fix(GW, "quote-value", &[]);
        assert_eq!(fixed, GW.replace("proxy-protocol: on  #", "proxy-protocol: \"on\"  #"));
        let fixed = apply_fix(GW, "correct-value", &[]);
        assert_eq!(fixed, GW.replace("'WRR'", "'wrr'"));
    }

    #[test]
    fn nlb_values_are_not_held_to_clb_values_but_types_are() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {type: ClusterIP}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: nlb\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-ip-version: DualStack\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-cps: 100\nspec:\n  type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb\n";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-ANN-037");
        assert_eq!(f.location.document, 1);
        assert!(f.message.contains("cps") && f.message.contains("an integer"), "{}", f.message);
    }

    #[test]
    fn good_values_pass() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    service.beta.kubernetes.io/alicloud-loadbalancer-address-type: intranet\n    service.beta.kubernetes.io/backend-type: \"eni\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"https:443,http:80\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-health-check-connect-port: \"-520\"\nspec:\n  type: LoadBalancer\n";
        assert!(!codes(&check_with(text, &[])).contains(&"ASM-ANN-037"));
    }
}
