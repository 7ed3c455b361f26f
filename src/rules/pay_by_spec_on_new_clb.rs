use crate::context::Version;
use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, LbKind};
use crate::model::{Field, ServiceView};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use super::support::owner;
use super::support::fix_ids;

const CLCU_DEFAULT: Version = Version(2, 12, 1);

declare_rule! {
    /// ## What it does
    /// Flags pay-by-specification settings on a CLB the CCM is to create (no
    /// `alibaba-cloud-loadbalancer-id`):
    ///
    /// - `spec` (an instance specification such as `slb.s1.small`), unless
    ///   `instance-charge-type: PayByCLCU` is also set: that conflict is
    ///   ASM-ANN-028's;
    /// - `instance-charge-type: PayBySpec` (the CCM compares it ignoring case);
    /// - `charge-type: paybybandwidth`, with the `bandwidth` it comes with.
    ///
    /// | `--ccm-version` | severity |
    /// |---|---|
    /// | ≥ v2.12.1 | error |
    /// | older or unknown | warning |
    ///
    /// A reused CLB (`id`) keeps the billing it was bought with: not checked.
    ///
    /// ## Why is this bad?
    /// Alibaba Cloud stopped selling pay-by-specification CLB instances
    /// (2025-06-01 international, 2026-01-01 China) and the pay-by-CLCU
    /// (pay-as-you-go by usage) billing that replaces them charges by traffic
    /// only (S124). CCM v2.12.1 made PayByCLCU the default for new CLBs (S123;
    /// `IsPayByCLCU` is true for an empty value), so a `spec` without an
    /// `instance-charge-type` meets ACK's error "The operation is not allowed
    /// because the instanceChargeType of loadbalancer is PayByCLCU", whose fix
    /// is to remove `spec`. Older ASM and ACK examples still carry
    /// `spec: slb.s1.small`.
    ///
    /// Severity: with CCM ≥ v2.12.1 the creation fails; with an older or an
    /// unknown CCM the default is PayBySpec and whether the purchase still
    /// succeeds depends on the account and region, so it is a warning.
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
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small
    /// ```
    ///
    /// ## Fix
    /// All three change how the CLB is billed, so none is safe:
    /// - `remove-spec`: remove `spec`; the CLB is billed by usage (CLCU).
    /// - `use-clcu`: set `instance-charge-type: PayByCLCU` (and remove `spec`,
    ///   which a PayByCLCU CLB rejects).
    /// - `use-paybytraffic`: remove `charge-type` and `bandwidth`; the CLB's
    ///   Internet traffic is billed by volume (the CCM's default `paybytraffic`).
    pub struct PayBySpecOnNewClb {
        code: "ASM-ANN-041",
        name: "pay-by-spec-on-new-clb",
        title: "pay-by-specification settings on a new CLB",
        title_zh: "新建 CLB 使用了按规格计费的配置",
        severity: Error,
        fix: Sometimes,
        sources: ["S120", "S123", "S124"],
    }
}

/// Sets `instance-charge-type: "PayByCLCU"`.
const USE_CLCU: FixId = FixId::new("use-clcu");
/// Removes the charge type and bandwidth annotations (pay by traffic).
const USE_PAYBYTRAFFIC: FixId = FixId::new("use-paybytraffic");

impl Rule for PayBySpecOnNewClb {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if lb_kind(svc) != Some(LbKind::Clb) || svc.lb_annotation("id").is_some() {
                continue;
            }
            let found = Found::of(svc);
            for (what, field) in found.settings() {
                out.push(finding(cx, svc, &found, what, field));
            }
        }
    }
}

/// The billing annotations of one Service.
struct Found<'s, 'a> {
    spec: Option<&'s Field<'a>>,
    instance: Option<&'s Field<'a>>,
    charge: Option<&'s Field<'a>>,
    bandwidth: Option<&'s Field<'a>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Setting {
    Spec,
    PayBySpec,
    PayByBandwidth,
}

impl<'s, 'a> Found<'s, 'a> {
    fn of(svc: &'s ServiceView<'a>) -> Self {
        Self {
            spec: svc.lb_annotation("spec"),
            instance: svc.lb_annotation("instance-charge-type"),
            charge: svc.lb_annotation("charge-type"),
            bandwidth: svc.lb_annotation("bandwidth"),
        }
    }

    fn text(field: Option<&Field<'a>>) -> Option<&'a str> {
        field.and_then(Field::text)
    }

    /// `model.InstanceChargeType.IsPayBySpec` compares ignoring case (S123).
    fn pay_by_spec(&self) -> bool {
        Self::text(self.instance).is_some_and(|t| t.eq_ignore_ascii_case("PayBySpec"))
    }

    fn explicit_clcu(&self) -> bool {
        Self::text(self.instance).is_some_and(|t| t.eq_ignore_ascii_case("PayByCLCU"))
    }

    fn settings(&self) -> Vec<(Setting, &'s Field<'a>)> {
        let mut out = Vec::new();
        if let Some(spec) = self.spec.filter(|_| !self.explicit_clcu()) {
            out.push((Setting::Spec, spec));
        }
        if let Some(instance) = self.instance.filter(|_| self.pay_by_spec()) {
            out.push((Setting::PayBySpec, instance));
        }
        if let Some(charge) = self.charge.filter(|_| Self::text(self.charge) == Some("paybybandwidth")) {
            out.push((Setting::PayByBandwidth, charge));
        }
        out
    }
}

fn finding(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    found: &Found<'_, '_>,
    what: Setting,
    field: &Field<'_>,
) -> Draft {
    let who = owner(cx, svc);
    let message = match what {
        Setting::Spec => cx.t(
            format_args!("spec `{}` on {who} asks for a pay-by-specification CLB, which Alibaba Cloud no longer sells", field.text().unwrap_or("")),
            format_args!("{who} 的 spec `{}` 要求按规格计费的 CLB，阿里云已停售", field.text().unwrap_or("")),
        ),
        Setting::PayBySpec => cx.t(
            format_args!("instance-charge-type PayBySpec on {who} asks for a pay-by-specification CLB, which Alibaba Cloud no longer sells"),
            format_args!("{who} 的 instance-charge-type 为 PayBySpec，要求按规格计费的 CLB，阿里云已停售"),
        ),
        Setting::PayByBandwidth => cx.t(
            format_args!("charge-type paybybandwidth on {who} bills a new CLB by fixed bandwidth, which only pay-by-specification CLBs offered"),
            format_args!("{who} 的 charge-type 为 paybybandwidth：按固定带宽计费只有已停售的按规格计费 CLB 支持"),
        ),
    };
    let have = cx.cluster.ccm_version;
    let (severity, note) = match have {
        Some(v) if v >= CLCU_DEFAULT => (
            Severity::Error,
            cx.t(
                format_args!("CCM v{v} creates PayByCLCU CLBs by default (from v2.12.1): creating this one fails"),
                format_args!("CCM v{v} 默认创建 PayByCLCU 的 CLB（v2.12.1 起）：创建会失败"),
            ),
        ),
        Some(v) => (
            Severity::Warning,
            cx.t(
                format_args!("CCM v{v} still defaults to PayBySpec, but pay-by-specification CLBs are no longer sold, and from CCM v2.12.1 (PayByCLCU by default) a spec fails"),
                format_args!("CCM v{v} 仍默认 PayBySpec，但按规格计费的 CLB 已停售；CCM v2.12.1 起默认 PayByCLCU，spec 会失败"),
            ),
        ),
        None => (
            Severity::Warning,
            cx.t(
                "an error with CCM v2.12.1 or later, which creates PayByCLCU CLBs by default; give --context ccmVersion=… to know",
                "CCM v2.12.1 及以后默认创建 PayByCLCU 的 CLB，届时这是错误；可通过 --context ccmVersion=… 告知版本",
            ),
        ),
    };
    let draft =
        Draft::new(&PayBySpecOnNewClb::META, svc.resource, field.path.clone(), message).severity(severity).note(note);
    // A duplicated key (the input's duplicate-key warning): editing the last
    // entry would only bring the earlier one into effect.
    if svc.annotations.iter().filter(|(_, f)| f.path == field.path).count() > 1 {
        return draft;
    }
    draft.fix(fix(cx, found, what, field))
}

fn fix(cx: &RuleContext<'_>, found: &Found<'_, '_>, what: Setting, field: &Field<'_>) -> Fix {
    match what {
        Setting::Spec => Fix::new(fix_ids::REMOVE_SPEC, Applicability::Unsafe, cx.t("remove spec", "删除 spec"))
            .op(Op::remove(field.path.clone()))
            .tradeoff(cx.t(
                "the CLB is billed by usage (CLCU) instead of by a fixed specification",
                "CLB 改为按使用量（CLCU）计费，而不是按固定规格",
            )),
        Setting::PayBySpec => {
            let mut fix = Fix::new(
                USE_CLCU,
                Applicability::Unsafe,
                cx.t("set instance-charge-type: \"PayByCLCU\"", "将 instance-charge-type 设为 \"PayByCLCU\""),
            )
            .op(Op::replace(field.path.clone(), "PayByCLCU").quoted());
            if let Some(spec) = found.spec {
                // A PayByCLCU CLB rejects spec (ASM-ANN-028).
                fix = fix.op(Op::remove(spec.path.clone()));
            }
            fix.tradeoff(cx.t(
                "the CLB is billed by usage (CLCU) instead of by a fixed specification; spec is removed",
                "CLB 改为按使用量（CLCU）计费，而不是按固定规格；spec 会被删除",
            ))
        }
        Setting::PayByBandwidth => {
            let mut fix = Fix::new(
                USE_PAYBYTRAFFIC,
                Applicability::Unsafe,
                cx.t(
                    "remove charge-type and bandwidth (pay by traffic)",
                    "删除 charge-type 和 bandwidth（按流量计费）",
                ),
            )
            .op(Op::remove(field.path.clone()));
            if let Some(bandwidth) = found.bandwidth {
                fix = fix.op(Op::remove(bandwidth.path.clone()));
            }
            fix.tradeoff(cx.t(
                "Internet traffic is billed by volume instead of by a fixed bandwidth",
                "公网流量改为按流量计费，而不是按固定带宽",
            ))
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Applicability;
    use crate::rules::test_support::*;

    const P: &str = "    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-";

    fn svc(annotations: &str) -> String {
        format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n{annotations}spec:\n  type: LoadBalancer\n")
    }

    fn found(text: &str, context: &[(&str, &str)]) -> Vec<(String, String)> {
        check_with(text, context)
            .findings
            .into_iter()
            .filter(|f| f.code == "ASM-ANN-041")
            .map(|f| (f.severity.as_str().to_owned(), f.message))
            .collect()
    }

    #[test]
    fn severity_follows_the_ccm_version() {
        let text = svc(&format!("{P}spec: slb.s1.small\n"));
        let unknown = found(&text, &[]);
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].0, "warning");
        assert!(unknown[0].1.starts_with("spec `slb.s1.small` on Service web"), "{}", unknown[0].1);
        assert_eq!(found(&text, &[("ccmVersion", "v2.12.1")])[0].0, "error");
        assert_eq!(found(&text, &[("ccmVersion", "v2.14.0")])[0].0, "error");
        assert_eq!(found(&text, &[("ccmVersion", "v2.12.0")])[0].0, "warning");
    }

    #[test]
    fn every_pay_by_spec_setting_once_and_clcu_conflict_left_to_ann_028() {
        let text = svc(&format!(
            "{P}spec: slb.s2.small\n{P}instance-charge-type: paybyspec\n{P}charge-type: paybybandwidth\n{P}bandwidth: \"100\"\n"
        ));
        assert_eq!(found(&text, &[]).len(), 3);
        let clcu = svc(&format!("{P}spec: slb.s2.small\n{P}instance-charge-type: PayByCLCU\n"));
        let report = check_with(&clcu, &[]);
        assert!(!codes(&report).contains(&"ASM-ANN-041"));
        assert!(codes(&report).contains(&"ASM-ANN-028"));
    }

    #[test]
    fn reused_clbs_and_pay_by_usage_pass() {
        let reused = svc(&format!("{P}id: lb-123\n{P}spec: slb.s1.small\n{P}force-override-listeners: \"true\"\n"));
        assert!(found(&reused, &[("ccmVersion", "v2.14.0")]).is_empty());
        let clcu = svc(&format!("{P}instance-charge-type: PayByCLCU\n{P}charge-type: paybytraffic\n"));
        assert!(found(&clcu, &[("ccmVersion", "v2.14.0")]).is_empty());
        let nlb = svc(&format!("{P}spec: slb.s1.small\n"))
            .replace("type: LoadBalancer", "type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb");
        assert!(found(&nlb, &[]).is_empty());
    }

    #[test]
    fn fixes_change_only_the_billing_keys() {
        let text = svc(&format!(
            "{P}spec: slb.s1.small\n{P}instance-charge-type: PayBySpec  # old\n{P}address-type: intranet\n"
        ));
        let report = check_with(&text, &[]);
        assert!(report
            .findings
            .iter()
            .filter(|f| f.code == "ASM-ANN-041")
            .all(|f| f.fixes[0].applicability == Applicability::Unsafe));
        let fixed = apply_fix(&text, "use-clcu", &[]);
        assert_eq!(fixed, svc(&format!("{P}instance-charge-type: \"PayByCLCU\"  # old\n{P}address-type: intranet\n")));
        let after = check_with(&fixed, &[("ccmVersion", "v2.14.0")]);
        assert!(!codes(&after).contains(&"ASM-ANN-041") && !codes(&after).contains(&"ASM-ANN-028"));
        let bw = svc(&format!("{P}charge-type: paybybandwidth\n{P}bandwidth: \"50\"\n{P}address-type: intranet\n"));
        assert_eq!(apply_fix(&bw, "use-paybytraffic", &[]), svc(&format!("{P}address-type: intranet\n")));
        let spec = svc(&format!("{P}spec: slb.s1.small\n{P}address-type: intranet\n"));
        assert_eq!(apply_fix(&spec, "remove-spec", &[]), svc(&format!("{P}address-type: intranet\n")));
    }
}
