use crate::model::Origin;
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, NoteKind, Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags a gateway `v1 Service` with `spec.internalTrafficPolicy: Local`.
    ///
    /// ## Why is this bad?
    /// With `Local`, "the proxy will assume that pods only want to talk to
    /// endpoints of the service on the same node as the pod, dropping the traffic
    /// if there are no local endpoints" (S16). In-cluster clients of the gateway
    /// on nodes without a gateway pod then fail — and moving clients from the
    /// load balancer address to the ClusterIP or the Service DNS name, the fix
    /// ASM and ACK recommend for ASM-LB-001 (S6, S11), reproduces the same
    /// failure, since that traffic is exactly what the field governs (S16).
    ///
    /// The field cannot be set through an IstioGateway (S4); if ASM renders
    /// this Service it may overwrite the change (a guess: ASM documents only
    /// that it re-syncs the Deployment it renders, S5).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: istio-ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   type: LoadBalancer
    ///   internalTrafficPolicy: Local
    /// ```
    ///
    /// ## Fix
    /// `set-cluster` (unsafe): `internalTrafficPolicy: Cluster`; in-cluster
    /// traffic may then cross nodes.
    pub struct InternalTrafficPolicyLocal {
        code: "ASM-ITP-031",
        name: "internal-traffic-policy-local",
        title: "internalTrafficPolicy: Local on a gateway Service",
        title_zh: "网关 Service 设置了 internalTrafficPolicy: Local",
        severity: Warning,
        fix: Always,
        sources: ["S4", "S5", "S6", "S11", "S16"],
    }
}

/// Sets `internalTrafficPolicy: Cluster`.
const SET_CLUSTER: FixId = FixId::new("set-cluster");

impl Rule for InternalTrafficPolicyLocal {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.origin != Origin::Service || svc.gateway.is_none() {
                continue;
            }
            let Some(itp) = &svc.internal_traffic_policy else { continue };
            if itp.text() != Some("Local") {
                continue;
            }
            let name = svc.display_name();
            let message = cx.t(
                format_args!("gateway Service {name} sets spec.internalTrafficPolicy: Local, so in-cluster clients on nodes without a gateway pod cannot reach its ClusterIP"),
                format_args!("网关 Service {name} 设置了 spec.internalTrafficPolicy: Local，没有网关 Pod 的节点上的集群内客户端无法访问其 ClusterIP"),
            );
            let fix = Fix::new(
                SET_CLUSTER,
                Applicability::Unsafe,
                cx.t("set spec.internalTrafficPolicy: Cluster", "将 spec.internalTrafficPolicy 设为 Cluster"),
            )
            .op(Op::replace(itp.path.clone(), "Cluster"))
            .tradeoff(cx.t(
                "in-cluster traffic to the gateway may cross nodes instead of staying node-local",
                "集群内发往网关的流量可能跨节点，而不再只在本节点",
            ));
            out.push(
                Draft::new(&Self::META, svc.resource, itp.path.clone(), message)
                    .label(cx.t(
                        "moving clients to the ClusterIP (ASM's fix for ASM-LB-001) fails the same way",
                        "将客户端改为访问 ClusterIP（ASM 针对 ASM-LB-001 的修复）会以同样方式失败",
                    ))
                    .note(Note::assumed(cx.t(
                        "whether in-cluster clients use the ClusterIP is unknown, so this stays a warning",
                        "集群内客户端是否使用 ClusterIP 未知，因此保持为警告",
                    )))
                    .note(Note::new(
                        NoteKind::AssumedLow,
                        cx.t(
                            "if ASM renders this Service from an IstioGateway it may overwrite the field",
                            "如果该 Service 由 IstioGateway 生成，ASM 可能会覆盖该字段",
                        ),
                    ))
                    .fix(fix),
            );
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const CLEAN: &str = "apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  internalTrafficPolicy: Cluster
";
    const BAD: &str = "apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  internalTrafficPolicy: Local # keep traffic on the node
";

    #[test]
    fn passes_cluster_and_non_gateways() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-ITP-031"));
        let app = "apiVersion: v1\nkind: Service\nmetadata: {name: cache, namespace: apps}\nspec:\n  selector: {app: cache}\n  internalTrafficPolicy: Local\n";
        assert!(!codes(&check_with(app, &[])).contains(&"ASM-ITP-031"));
    }

    #[test]
    fn flags_local_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-ITP-031");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.severity.as_str(), "warning");
        assert!(f
            .message
            .starts_with("gateway Service istio-system/istio-ingressgateway sets spec.internalTrafficPolicy: Local"));
    }

    #[test]
    fn fix_sets_cluster() {
        assert_eq!(apply_fix(BAD, "set-cluster", &[]), BAD.replace("Local # keep", "Cluster # keep"));
    }
}
