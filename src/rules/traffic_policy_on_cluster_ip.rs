use super::common::Reported;
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags `externalTrafficPolicy` on a Service whose effective type is
    /// `ClusterIP`: a `v1 Service` without `type` or with `type: ClusterIP`, or
    /// an `IstioGateway` (or one of its `overrides`) with `serviceType: ClusterIP`.
    ///
    /// ## Why is this bad?
    /// `externalTrafficPolicy` only governs externally-facing addresses
    /// (NodePort, LoadBalancer) (S16); on a ClusterIP Service it does nothing,
    /// and reads as if the gateway kept client IPs or restricted nodes when it
    /// does not. How today's API server treats it (rejects or clears it) was not
    /// verified ([L]), so this is an info.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: internal
    ///   namespace: istio-system
    /// spec:
    ///   serviceType: ClusterIP
    ///   externalTrafficPolicy: Local
    /// ```
    ///
    /// ## Fix
    /// `remove-external-traffic-policy` (safe): drop the field. It is offered
    /// only when every Service rendered from that field is ClusterIP — an
    /// IstioGateway override that inherits it as a LoadBalancer keeps it.
    pub struct TrafficPolicyOnClusterIp {
        code: "ASM-CR-022",
        name: "traffic-policy-on-cluster-ip",
        title: "externalTrafficPolicy on a ClusterIP Service has no effect",
        title_zh: "ClusterIP 类型的 Service 上设置 externalTrafficPolicy 不起作用",
        severity: Info,
        fix: Sometimes,
        sources: ["S16"],
    }
}

impl Rule for TrafficPolicyOnClusterIp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let mut seen = Reported::default();
        for svc in cx.services {
            let Some(etp) = &svc.external_traffic_policy else { continue };
            if svc.effective_type() != "ClusterIP" || !seen.first(svc.resource, &etp.path) {
                continue;
            }
            // The same field may feed an override that renders another type.
            let shared_with_external = cx.services.iter().any(|other| {
                other.resource == svc.resource
                    && other.external_traffic_policy.as_ref().is_some_and(|e| e.path == etp.path)
                    && other.effective_type() != "ClusterIP"
            });
            let name = svc.display_name();
            let field = etp.path.trim_start_matches('/').replace('/', ".");
            let value = etp.text().unwrap_or("");
            let message = cx.t(
                format_args!("{field}: {value} has no effect on {name}, whose type is ClusterIP"),
                format_args!("{name} 的类型为 ClusterIP，{field}: {value} 不起作用"),
            );
            let mut draft = Draft::new(&Self::META, svc.resource, etp.path.clone(), message).note(cx.t(
                "assumed [L]: whether the API server rejects or clears the field on ClusterIP Services was not verified",
                "假定 [L]：API server 对 ClusterIP Service 上的该字段是拒绝还是清除未经验证",
            ));
            if !shared_with_external {
                draft = draft.fix(
                    Fix::new(
                        "remove-external-traffic-policy",
                        Applicability::Safe,
                        cx.t(format_args!("remove {field}"), format_args!("删除 {field}")),
                    )
                    .op(Op::remove(etp.path.clone()))
                    .tradeoff(cx.t(
                        "none: a ClusterIP Service has no external traffic to route",
                        "无：ClusterIP Service 没有外部流量需要路由",
                    )),
                );
            }
            out.push(draft);
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
  type: LoadBalancer
  externalTrafficPolicy: Local
";
    const BAD: &str = "apiVersion: v1
kind: Service
metadata: {name: cluster-local-gateway, namespace: istio-system}
spec:
  externalTrafficPolicy: Cluster # copied from the public gateway
  ports:
  - {name: http2, port: 80}
";

    #[test]
    fn passes_load_balancers() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-CR-022"));
    }

    #[test]
    fn flags_default_cluster_ip_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-CR-022");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.message, "spec.externalTrafficPolicy: Cluster has no effect on istio-system/cluster-local-gateway, whose type is ClusterIP");
    }

    #[test]
    fn removal_keeps_the_rest() {
        let fixed = apply_fix(BAD, "remove-external-traffic-policy", &[]);
        assert_eq!(fixed, BAD.replace("  externalTrafficPolicy: Cluster # copied from the public gateway\n", ""));
    }

    #[test]
    fn inherited_by_a_load_balancer_override_is_not_removed() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: gw, namespace: istio-system}
spec:
  serviceType: ClusterIP
  externalTrafficPolicy: Local
  overrides:
    c-public:
      serviceType: LoadBalancer
";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-CR-022");
        assert_eq!(f.location.path, "/spec/externalTrafficPolicy");
        assert!(f.fixes.is_empty());
    }
}
