use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, LbKind};
use crate::model::Origin;
use crate::rule::{declare_rule, Advice, Draft, FixId, Note, Rule, RuleContext};
use super::support::{is_alibaba, owner, use_nlb, NLB_SOURCE_RANGES_CCM};
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Flags `spec.loadBalancerSourceRanges` on a `LoadBalancer` Service that
    /// the Alibaba Cloud CCM runs as a CLB. On an NLB it reports an info when
    /// `--ccm-version` is v2.14.0 or later, and a warning otherwise or when the
    /// NLB is a reused one (`alibaba-cloud-loadbalancer-id`).
    ///
    /// ## Why is this bad?
    /// The CCM's CLB path never reads the field — it only feeds the Service
    /// hash (S14) — so the CLB accepts every client while the manifest says
    /// otherwise. Kubernetes itself says the field "will be ignored if the
    /// cloud-provider does not support the feature" (S16). CLB access control
    /// uses the `acl-status`, `acl-id` and `acl-type` annotations (S8).
    ///
    /// The field half-works on a CLB: kube-proxy captures in-cluster traffic to
    /// the load-balancer IP on the client's node and, in iptables mode, drops
    /// sources outside the ranges (its firewall chain, S145). Pods are
    /// filtered; internet clients are not.
    ///
    /// The NLB path enforces the ranges through a security group it creates
    /// only since CCM v2.14.0 (commit ef39c15c, S144); older CCMs ignore them
    /// on NLB too. On user-managed NLBs it does not enforce them either
    /// ("LoadBalancerSourceRanges is not supported for user-managed LB", S14).
    /// An IstioGateway cannot carry the field at all.
    ///
    /// | load balancer | context | severity |
    /// |---|---|---|
    /// | CLB | any | warning |
    /// | NLB created by the CCM | `--ccm-version` v2.14.0 or later | info |
    /// | NLB created by the CCM | CCM unknown or older | warning |
    /// | reused NLB | any | warning |
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
    /// - `use-nlb` (display-only): move the Service to NLB, which enforces the
    ///   ranges with CCM v2.14.0 or later; its prerequisites (Kubernetes 1.24,
    ///   CCM v2.5.0, ASM 1.18, `zone-maps` with two zones, S140, S141) are
    ///   listed as trade-offs.
    /// - `upgrade-ccm` (display-only, NLB with an older or unknown CCM).
    pub struct SourceRangesNotEnforcedOnClb {
        code: "ASM-SVC-024",
        name: "source-ranges-not-enforced-on-clb",
        title: "loadBalancerSourceRanges not enforced on CLB",
        title_zh: "CLB 不执行 loadBalancerSourceRanges",
        severity: Warning,
        fix: None,
        sources: ["S8", "S14", "S16", "S140", "S141", "S144", "S145"],
    }
}

/// Advice: restrict clients with a security group on the reused NLB.
const NLB_SECURITY_GROUP: FixId = FixId::new("nlb-security-group");
/// Advice: restrict clients with a CLB access control list.
const USE_CLB_ACL: FixId = FixId::new("use-clb-acl");

impl Rule for SourceRangesNotEnforcedOnClb {
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
                    let mut draft = Draft::new(&Self::META, svc.resource, path, message);
                    if svc.lb_annotation("hostname").is_none() {
                        draft = draft.note(cx.t(
                            "only in-cluster clients are filtered: kube-proxy (iptables mode) captures their traffic to the CLB IP on their node and drops sources outside the ranges (S145); internet clients are not filtered",
                            "只有集群内客户端被过滤：kube-proxy（iptables 模式）在其节点上拦截发往 CLB IP 的流量，并丢弃范围之外的源地址（S145）；公网客户端不受限制",
                        ));
                    }
                    draft.advice(acl_fix(cx, &cidrs)).advice(nlb_fix(cx))
                }
                LbKind::Nlb if svc.lb_annotation("id").is_some() => {
                    let message = cx.t(
                        format_args!(
                            "loadBalancerSourceRanges of {who} is not supported on a reused (user-managed) NLB"
                        ),
                        format_args!("{who} 的 loadBalancerSourceRanges 不支持复用的（用户管理的）NLB"),
                    );
                    Draft::new(&Self::META, svc.resource, path, message).advice(Advice::new(
                        NLB_SECURITY_GROUP,
                        cx.t(
                            "restrict clients with a security group on the reused NLB",
                            "在复用的 NLB 上用安全组限制客户端",
                        ),
                    ))
                }
                LbKind::Nlb => match cx.cluster.ccm_version {
                    Some(ccm) if ccm >= NLB_SOURCE_RANGES_CCM => {
                        let message = cx.t(
                            format_args!("loadBalancerSourceRanges of {who} is enforced by a security group the CCM creates on the NLB"),
                            format_args!("{who} 的 loadBalancerSourceRanges 由 CCM 在 NLB 上创建的安全组执行"),
                        );
                        Draft::new(&Self::META, svc.resource, path, message).severity(Severity::Info).note(cx.t(
                            "heads-up only: edit the ranges here, not the security group, or the CCM overwrites it",
                            "仅作提示：请在此修改范围而不是直接改安全组，否则会被 CCM 覆盖",
                        ))
                    }
                    Some(ccm) => {
                        let message = cx.t(
                            format_args!("loadBalancerSourceRanges of {who} is not enforced: your CCM {ccm} ignores it on NLB (enforced from v2.14.0)"),
                            format_args!("{who} 的 loadBalancerSourceRanges 不会生效：你的 CCM {ccm} 对 NLB 忽略该字段（v2.14.0 起执行）"),
                        );
                        Draft::new(&Self::META, svc.resource, path, message).advice(upgrade_ccm(cx))
                    }
                    None => {
                        let message = cx.t(
                            format_args!("loadBalancerSourceRanges of {who} is ignored on NLB by CCMs before v2.14.0"),
                            format_args!("v2.14.0 之前的 CCM 对 NLB 忽略 {who} 的 loadBalancerSourceRanges"),
                        );
                        Draft::new(&Self::META, svc.resource, path, message)
                            .note(Note::assumed(cx.t(
                                "the CCM version is unknown (--ccm-version tells); from v2.14.0 the CCM enforces the ranges with a security group on the NLB",
                                "CCM 版本未知（可用 --ccm-version 指定）；v2.14.0 起 CCM 通过 NLB 上的安全组执行该范围",
                            )))
                            .advice(upgrade_ccm(cx))
                    }
                },
            };
            out.push(draft);
        }
    }
}

/// NLB as the way to enforce the ranges, qualified by the CCM version.
fn nlb_fix(cx: &RuleContext<'_>) -> Advice {
    let fix = use_nlb(
        cx,
        ", which enforces the ranges with a security group from CCM v2.14.0",
        "，CCM v2.14.0 起 NLB 通过安全组执行该范围",
    );
    match cx.cluster.ccm_version {
        Some(ccm) if ccm < NLB_SOURCE_RANGES_CCM => fix.tradeoff(cx.t(
            format_args!("your CCM {ccm} is older than v2.14.0 and ignores the ranges on NLB too: upgrade it"),
            format_args!("你的 CCM {ccm} 低于 v2.14.0，对 NLB 同样忽略该范围：请升级"),
        )),
        Some(_) => fix,
        None => fix.tradeoff(cx.t(
            "CCMs before v2.14.0 ignore the ranges on NLB too (--ccm-version tells)",
            "v2.14.0 之前的 CCM 对 NLB 同样忽略该范围（可用 --ccm-version 指定）",
        )),
    }
}

fn upgrade_ccm(cx: &RuleContext<'_>) -> Advice {
    Advice::new(
        fix_ids::UPGRADE_CCM,
        cx.t(
            "upgrade the CCM to v2.14.0 or later, which enforces the ranges with a security group on the NLB",
            "将 CCM 升级到 v2.14.0 及以上，它会通过 NLB 上的安全组执行该范围",
        ),
    )
    .tradeoff(cx.t(
        "from then on only the ranges reach the NLB: check that every legitimate client is in them",
        "此后只有范围内的客户端能访问 NLB：请确认所有正常客户端都在范围内",
    ))
}

fn acl_fix(cx: &RuleContext<'_>, cidrs: &[&str]) -> Advice {
    let list = cidrs.join(", ");
    Advice::new(
        USE_CLB_ACL,
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
        assert!(f.notes.iter().any(|n| n.text.contains("kube-proxy (iptables mode)")), "{:?}", f.notes);
    }

    #[test]
    fn use_nlb_is_qualified_by_the_ccm_version() {
        let tradeoffs = |ctx: &[(&str, &str)]| {
            let r = check_with(SVC, ctx);
            let f = only(&r, "ASM-SVC-024");
            let nlb = f.fixes.iter().find(|x| x.id == "use-nlb").unwrap();
            assert!(nlb.title.contains("from CCM v2.14.0"), "{}", nlb.title);
            nlb.tradeoffs.clone()
        };
        let unknown = tradeoffs(&[]);
        assert!(unknown.iter().any(|t| t.contains("zone-maps")), "{unknown:#?}");
        assert!(unknown.iter().any(|t| t.starts_with("CCMs before v2.14.0 ignore")), "{unknown:#?}");
        let old = tradeoffs(&[("ccmVersion", "v2.10.0")]);
        assert!(old.iter().any(|t| t.starts_with("your CCM 2.10.0 is older than v2.14.0")), "{old:#?}");
        let new = tradeoffs(&[("ccmVersion", "v2.14.0")]);
        assert!(!new.iter().any(|t| t.contains("v2.14.0")), "{new:#?}");
    }

    #[test]
    fn nlb_info_reused_nlb_warning_other_clouds_quiet() {
        let nlb =
            SVC.replace("  type: LoadBalancer\n", "  type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb\n");
        let sev = |text: &str, ctx: &[(&str, &str)]| only(&check_with(text, ctx), "ASM-SVC-024").severity.as_str();
        assert_eq!(sev(&nlb, &[("ccmVersion", "v2.14.0")]), "info");
        assert_eq!(sev(&nlb, &[("ccmVersion", "v2.13.2")]), "warning");
        assert_eq!(sev(&nlb, &[]), "warning");
        let unknown = check_with(&nlb, &[]);
        let f = only(&unknown, "ASM-SVC-024");
        assert!(f.message.contains("before v2.14.0"), "{}", f.message);
        assert_eq!(f.fixes[0].id, "upgrade-ccm");
        let reused = nlb.replace("address-type: internet", "id: nlb-123");
        assert_eq!(sev(&reused, &[("ccmVersion", "v2.14.0")]), "warning");
        let other = SVC.replace(
            "    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: internet\n",
            "    x: y\n",
        );
        assert!(!codes(&check_with(&other, &[])).contains(&"ASM-SVC-024"));
        let r = check_with(&format!("{other}---\n{SVC}"), &[]);
        assert_eq!(only(&r, "ASM-SVC-024").location.document, 1);
    }
}
