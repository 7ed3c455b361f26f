use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, LbKind};
use crate::model::{Origin, NLB_CLASS};
use crate::rule::{declare_rule, Applicability, Draft, Fix, Rule, RuleContext, RuleMeta};
use crate::rules::lb_support::{is_alibaba, owner};

declare_rule! {
    /// ## What it does
    /// Flags `spec.loadBalancerSourceRanges` on a `LoadBalancer` Service that
    /// the Alibaba Cloud CCM runs as a CLB. On an NLB it reports an info, or a
    /// warning when the NLB is a reused one (`alibaba-cloud-loadbalancer-id`).
    ///
    /// ## Why is this bad?
    /// The CCM's CLB path never reads the field — it only feeds the Service
    /// hash (S14) — so the CLB accepts every client while the manifest says
    /// otherwise. Kubernetes itself says the field "will be ignored if the
    /// cloud-provider does not support the feature" (S16). CLB access control
    /// uses the `acl-status`, `acl-id` and `acl-type` annotations (S8). The NLB
    /// path enforces the ranges through a security group it creates, except on
    /// user-managed NLBs ("LoadBalancerSourceRanges is not supported for
    /// user-managed LB", S14). An IstioGateway cannot carry the field at all.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: istio-ingressgateway
    ///   namespace: istio-system
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: internet
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerSourceRanges: ["203.0.113.0/24"]
    /// ```
    ///
    /// ## Fix
    /// - `use-clb-acl` (display-only): create a CLB access control list with
    ///   these CIDRs and set `acl-status: "on"`, `acl-id`, `acl-type: "white"`.
    /// - `use-nlb` (display-only): move the Service to NLB.
    pub struct SourceRangesNotEnforcedOnClb {
        code: "ASM-SVC-024",
        name: "source-ranges-not-enforced-on-clb",
        title: "loadBalancerSourceRanges not enforced on CLB",
        title_zh: "CLB 不执行 loadBalancerSourceRanges",
        severity: Warning,
        fix: Always,
        sources: ["S8", "S14", "S16"],
    }
}

impl Rule for SourceRangesNotEnforcedOnClb {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.origin != Origin::Service || !is_alibaba(cx, svc) {
                continue;
            }
            let Some(kind) = lb_kind(svc) else { continue };
            let resource = &cx.resources[svc.resource];
            let Some(ranges) = resource.get("/spec/loadBalancerSourceRanges").filter(|r| !r.items().is_empty()) else {
                continue;
            };
            let mut cidrs: Vec<&str> = Vec::new();
            for cidr in ranges.items().iter().filter_map(crate::yaml::Node::scalar_text) {
                cidrs.push(cidr);
            }
            let who = owner(cx, svc);
            let path = "/spec/loadBalancerSourceRanges";
            let draft = match kind {
                LbKind::Clb => {
                    let message = cx.t(
                        format_args!("loadBalancerSourceRanges of {who} is not enforced: the CCM ignores it for CLB, which accepts every client"),
                        format_args!("{who} 的 loadBalancerSourceRanges 不会生效：CCM 对 CLB 忽略该字段，CLB 接受所有客户端"),
                    );
                    Draft::new(&Self::META, svc.resource, path, message)
                        .fix(acl_fix(cx, &cidrs))
                        .fix(
                            Fix::new(
                                "use-nlb",
                                Applicability::DisplayOnly,
                                cx.t(
                                    format_args!("recreate the Service as an NLB (loadBalancerClass: {NLB_CLASS}), which enforces the ranges with a security group"),
                                    format_args!("将 Service 重建为 NLB（loadBalancerClass: {NLB_CLASS}），NLB 通过安全组执行该范围"),
                                ),
                            )
                            .tradeoff(cx.t(
                                "loadBalancerClass is immutable: the Service is recreated and gets a new address",
                                "loadBalancerClass 不可修改：Service 需要重建并获得新地址",
                            )),
                        )
                }
                LbKind::Nlb if svc.lb_annotation("id").is_some() => {
                    let message = cx.t(
                        format_args!(
                            "loadBalancerSourceRanges of {who} is not supported on a reused (user-managed) NLB"
                        ),
                        format_args!("{who} 的 loadBalancerSourceRanges 不支持复用的（用户管理的）NLB"),
                    );
                    Draft::new(&Self::META, svc.resource, path, message).fix(Fix::new(
                        "nlb-security-group",
                        Applicability::DisplayOnly,
                        cx.t(
                            "restrict clients with a security group on the reused NLB",
                            "在复用的 NLB 上用安全组限制客户端",
                        ),
                    ))
                }
                LbKind::Nlb => {
                    let message = cx.t(
                        format_args!("loadBalancerSourceRanges of {who} is enforced by a security group the CCM creates on the NLB"),
                        format_args!("{who} 的 loadBalancerSourceRanges 由 CCM 在 NLB 上创建的安全组执行"),
                    );
                    Draft::new(&Self::META, svc.resource, path, message).severity(Severity::Info).note(cx.t(
                        "heads-up only: edit the ranges here, not the security group, or the CCM overwrites it",
                        "仅作提示：请在此修改范围而不是直接改安全组，否则会被 CCM 覆盖",
                    ))
                }
            };
            out.push(draft);
        }
    }
}

fn acl_fix(cx: &RuleContext<'_>, cidrs: &[&str]) -> Fix {
    let list = cidrs.join(", ");
    Fix::new(
        "use-clb-acl",
        Applicability::DisplayOnly,
        cx.t(
            format_args!("create a CLB access control list with {list}, then set acl-status: \"on\", acl-id: <its ID>, acl-type: \"white\""),
            format_args!("创建包含 {list} 的 CLB 访问控制列表，然后设置 acl-status: \"on\"、acl-id: <其 ID>、acl-type: \"white\""),
        ),
    )
    .tradeoff(cx.t(
        "the ACL lives outside Kubernetes; an empty white list forwards everything",
        "访问控制列表在 Kubernetes 之外维护；白名单为空时会放行所有请求",
    ))
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const SVC: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: internet
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
  - 203.0.113.0/24
";

    #[test]
    fn clb_warning_with_acl_advice() {
        let r = check_with(SVC, &[]);
        let f = only(&r, "ASM-SVC-024");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.location.path, "/spec/loadBalancerSourceRanges");
        assert!(f.fixes[0].title.contains("203.0.113.0/24"));
    }

    #[test]
    fn nlb_info_reused_nlb_warning_other_clouds_quiet() {
        let nlb =
            SVC.replace("  type: LoadBalancer\n", "  type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb\n");
        assert_eq!(only(&check_with(&nlb, &[]), "ASM-SVC-024").severity.as_str(), "info");
        let reused = nlb.replace("address-type: internet", "id: nlb-123");
        assert_eq!(only(&check_with(&reused, &[]), "ASM-SVC-024").severity.as_str(), "warning");
        let other = SVC.replace(
            "    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: internet\n",
            "    x: y\n",
        );
        assert!(!codes(&check_with(&other, &[])).contains(&"ASM-SVC-024"));
        let r = check_with(&format!("{other}---\n{SVC}"), &[]);
        assert_eq!(only(&r, "ASM-SVC-024").location.document, 1);
    }
}
