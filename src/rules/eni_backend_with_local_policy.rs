use crate::context::InClusterClients;
use crate::diagnostic::Severity;
use crate::model::{ServiceView, BACKEND_TYPE};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, Note, Rule, RuleContext};
use super::support::{drop_health_check_node_port, reports_eni_local_with_eni, scope};
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Flags a `LoadBalancer` Service (or an `IstioGateway`'s rendered Service)
    /// that combines `service.beta.kubernetes.io/backend-type: eni` with
    /// `externalTrafficPolicy: Local`.
    ///
    /// ## Why is this bad?
    /// With ENI backends the CCM attaches every ready gateway pod to the CLB
    /// and ignores `externalTrafficPolicy` when it builds the backends (S14):
    /// the CLB sends to pods directly and the client IP is kept either way. So
    /// `Local` adds nothing for external clients, but kube-proxy still follows
    /// it for the load balancer IP inside the cluster: pods on nodes without a
    /// gateway pod may fail to reach the CLB address (ASM-LB-001). The ASM FAQ
    /// and ACK's troubleshooting page prescribe `Cluster` plus `eni`, not
    /// `Local` plus `eni` (S6, S11).
    ///
    /// That kube-proxy keeps applying `Local` is an inference, not stated by
    /// Alibaba for ENI backends: the Service still publishes the load balancer
    /// IP, and kube-proxy captures in-cluster traffic to that IP whatever the
    /// backend type (S11, S17). Severity: **warning**; **info** with
    /// `--in-cluster-clients none`, or when in-cluster traffic goes through the
    /// load balancer anyway (NLB, or the `alibaba-cloud-loadbalancer-hostname`
    /// annotation).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   externalTrafficPolicy: Local
    ///   serviceAnnotations:
    ///     service.beta.kubernetes.io/backend-type: "eni"
    /// ```
    ///
    /// ## Fix
    /// `set-cluster-policy` (unsafe): `externalTrafficPolicy: Cluster`, the
    /// ASM FAQ's fix (3). External traffic is unchanged per Alibaba; in-cluster
    /// traffic to the load balancer IP then reaches every gateway pod, SNATed.
    /// A Service's `spec.healthCheckNodePort` goes with `Local`: the API
    /// server rejects it on any other policy (S100).
    pub struct EniBackendWithLocalPolicy {
        code: "ASM-LB-003",
        name: "eni-backend-with-local-policy",
        title: "ENI backend combined with externalTrafficPolicy: Local",
        title_zh: "ENI 后端与 externalTrafficPolicy: Local 同时使用",
        severity: Warning,
        fix: Always,
        sources: ["S6", "S11", "S14", "S17", "S100"],
    }
}

impl Rule for EniBackendWithLocalPolicy {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.backend_type() != Some("eni") || !reports_eni_local_with_eni(svc) {
                continue;
            }
            let Some(etp) = svc.external_traffic_policy.as_ref() else { continue };
            let (severity, note) = assess(cx, svc);
            let name = svc.display_name();
            let scope = scope(cx, svc);
            let message = cx.t(
                format_args!("externalTrafficPolicy: Local on {name}{scope} has no effect on its ENI backends but still limits in-cluster access to the load balancer address"),
                format_args!("{name}{scope} 的 externalTrafficPolicy: Local 对 ENI 后端不起作用，却仍会限制集群内对负载均衡地址的访问"),
            );
            let fix = Fix::new(
                fix_ids::SET_CLUSTER_POLICY,
                Applicability::Unsafe,
                cx.t("set externalTrafficPolicy: Cluster", "将 externalTrafficPolicy 设为 Cluster"),
            )
            .op(Op::replace(etp.path.clone(), "Cluster"))
            .tradeoff(cx.t(
                "external clients are unaffected: ENI backends receive traffic directly and keep the client IP",
                "外部客户端不受影响：ENI 后端直接接收流量并保留客户端 IP",
            ))
            .tradeoff(cx.t(
                "in-cluster traffic to the load balancer IP reaches every gateway pod, SNATed to the node",
                "集群内发往负载均衡 IP 的流量可到达所有网关 Pod，但会被 SNAT 为节点地址",
            ))
            .tradeoff(cx.t("the Service's healthCheckNodePort is released", "Service 的 healthCheckNodePort 会被释放"));
            let mut fix = drop_health_check_node_port(cx, svc, fix);
            fix.recommended = true;
            out.push(
                Draft::new(&Self::META, svc.resource, etp.path.clone(), message)
                    .severity(severity)
                    .note(note)
                    .label(cx.t(
                        format_args!("ignored by the CCM because of {BACKEND_TYPE}: eni"),
                        format_args!("因 {BACKEND_TYPE}: eni 而被 CCM 忽略"),
                    ))
                    .fix(fix),
            );
        }
    }
}

fn assess(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> (Severity, Note) {
    if svc.is_nlb() || svc.lb_annotation("hostname").is_some() {
        return (
            Severity::Info,
            cx.t(
                "in-cluster clients go through the load balancer (NLB or hostname annotation), so Local only has no effect",
                "集群内客户端会经过负载均衡（NLB 或 hostname 注解），因此 Local 只是不起作用",
            ).into(),
        );
    }
    if cx.cluster.in_cluster_clients == Some(InClusterClients::None) {
        return (
            Severity::Info,
            cx.t(
                "no in-cluster client uses the load balancer address (--in-cluster-clients none)",
                "集群内没有客户端使用负载均衡地址（--in-cluster-clients none）",
            )
            .into(),
        );
    }
    (
        Severity::Warning,
        Note::assumed(cx.t(
            "in-cluster clients may use the load balancer address (--in-cluster-clients none lowers this)",
            "集群内可能有客户端使用负载均衡地址（--in-cluster-clients none 可降低级别）",
        )),
    )
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Lang;
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  externalTrafficPolicy: Local # keep IPs
  serviceAnnotations:
    service.beta.kubernetes.io/backend-type: \"eni\"
  overrides:
    c1: {replicaCount: 2}
";

    #[test]
    fn fires_once_at_the_policy() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-LB-003");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(&GATEWAY[f.location.span.start..f.location.span.end], "Local");
        assert!(f.message.starts_with("externalTrafficPolicy: Local on istio-system/istio-ingressgateway has"));
        assert_eq!(only(&check_with(GATEWAY, &[("inClusterClients", "none")]), "ASM-LB-003").severity.as_str(), "info");
        let zh = check_lang(GATEWAY, &[], Lang::Zh);
        assert!(only(&zh, "ASM-LB-003").message.contains("对 ENI 后端不起作用"));
    }

    #[test]
    fn quiet_with_cluster_policy_or_node_backends() {
        assert!(!codes(&check_with(&GATEWAY.replace("Local #", "Cluster #"), &[])).contains(&"ASM-LB-003"));
        assert!(!codes(&check_with(&GATEWAY.replace("\"eni\"", "ecs"), &[])).contains(&"ASM-LB-003"));
    }

    #[test]
    fn an_override_with_its_own_policy_is_reported_there() {
        let text = format!("{GATEWAY}    c2:\n      externalTrafficPolicy: Local\n");
        let report = check_with(&text, &[]);
        let paths: Vec<_> =
            report.findings.iter().filter(|f| f.code == "ASM-LB-003").map(|f| f.location.path.as_str()).collect();
        assert_eq!(paths, ["/spec/externalTrafficPolicy", "/spec/overrides/c2/externalTrafficPolicy"]);
    }

    #[test]
    fn second_document_and_fix() {
        let text = format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: a}}\nspec: {{type: LoadBalancer}}\n---\n{GATEWAY}"
        );
        let f = only(&check_with(&text, &[]), "ASM-LB-003").clone();
        assert_eq!(f.location.document, 1);
        assert_eq!(apply_fix(&text, "set-cluster-policy", &[]), text.replace("Local # keep", "Cluster # keep"));
    }
}
