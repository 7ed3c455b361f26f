use crate::model::Origin;
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use crate::yaml::Node;
use super::support::owner;
use super::support::reports_local_lb_access;
use super::support::reports_local_without_wrr;
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Flags `spec.healthCheckNodePort` on a Service that is not a
    /// `LoadBalancer` with `externalTrafficPolicy: Local`. A Service whose
    /// `type` or `externalTrafficPolicy` is not a valid value is left to
    /// ASM-CR-021: whether the field is allowed depends on the value meant.
    ///
    /// ## Why is this bad?
    /// The field "only applies when type is set to LoadBalancer and
    /// externalTrafficPolicy is set to Local … If this field is specified when
    /// creating a Service which does not need it, creation will fail" (S16).
    /// The API server's check: it "may only be set when `type` is
    /// 'LoadBalancer' and `externalTrafficPolicy` is 'Local'" (S36). An
    /// IstioGateway has no such field (S4), so only v1 Services are checked.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   type: LoadBalancer
    ///   externalTrafficPolicy: Cluster
    ///   healthCheckNodePort: 32000
    /// ```
    ///
    /// ## Fix
    /// - `remove-health-check-node-port` (safe): the field does nothing here.
    /// - `set-local-policy` (unsafe, LoadBalancer only): `externalTrafficPolicy:
    ///   Local`, keeping client IPs, with the in-cluster caveats of ASM-LB-001.
    pub struct HealthCheckNodePortNotAllowed {
        code: "ASM-SVC-026",
        name: "health-check-node-port-not-allowed",
        title: "healthCheckNodePort where it is not allowed",
        title_zh: "在不允许的位置设置 healthCheckNodePort",
        severity: Error,
        fix: Always,
        sources: ["S4", "S16", "S36"],
    }
}

/// Removes `healthCheckNodePort` where the API server rejects it.
const REMOVE_HEALTH_CHECK_NODE_PORT: FixId = FixId::new("remove-health-check-node-port");

impl Rule for HealthCheckNodePortNotAllowed {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.origin != Origin::Service {
                continue;
            }
            let resource = &cx.resources[svc.resource];
            let path = "/spec/healthCheckNodePort";
            let Some(port) = resource.get(path).and_then(Node::as_i64).filter(|p| *p != 0) else { continue };
            // Unknown types and policies are other rules' business (the API rejects them anyway).
            let known_type = matches!(svc.effective_type(), "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName");
            if !known_type || !matches!(svc.effective_etp(), "Cluster" | "Local") {
                continue;
            }
            let load_balancer = svc.effective_type() == "LoadBalancer";
            if load_balancer && svc.effective_etp() == "Local" {
                continue;
            }
            let who = owner(cx, svc);
            let why = if load_balancer {
                cx.t("externalTrafficPolicy is not Local", "externalTrafficPolicy 不是 Local")
            } else {
                cx.t(format_args!("type is {}", svc.effective_type()), format_args!("类型是 {}", svc.effective_type()))
            };
            let message = cx.t(
                format_args!("healthCheckNodePort {port} on {who} needs type LoadBalancer with externalTrafficPolicy: Local, but {why}"),
                format_args!("{who} 的 healthCheckNodePort {port} 需要 LoadBalancer 类型且 externalTrafficPolicy: Local，但{why}"),
            );
            let mut draft = Draft::new(&Self::META, svc.resource, path, message).fix(
                Fix::new(
                    REMOVE_HEALTH_CHECK_NODE_PORT,
                    Applicability::Safe,
                    cx.t("remove healthCheckNodePort", "删除 healthCheckNodePort"),
                )
                .op(Op::remove(path))
                .tradeoff(cx.t("none: the field has no use on this Service", "无：该字段对此 Service 没有作用")),
            );
            if load_balancer {
                let set = match &svc.external_traffic_policy {
                    Some(etp) => Op::replace(etp.path.clone(), "Local"),
                    None => Op::add("/spec/externalTrafficPolicy", "Local"),
                };
                let mut local = Fix::new(
                    fix_ids::SET_LOCAL_POLICY,
                    Applicability::Unsafe,
                    cx.t("set externalTrafficPolicy: Local", "将 externalTrafficPolicy 设为 Local"),
                )
                .op(set)
                .tradeoff(cx.t(
                    "client source IPs are kept, but only nodes with a backend pod receive traffic, and in-cluster clients of the load balancer address may fail (ASM-LB-001)",
                    "保留客户端源 IP，但只有部署了后端 Pod 的节点接收流量，集群内访问负载均衡地址可能失败（ASM-LB-001）",
                ));
                if reports_local_lb_access(svc, svc.backend_type()) {
                    local = local.introduces("ASM-LB-001");
                }
                if reports_local_without_wrr(cx, svc, svc.backend_type()) {
                    local = local.introduces("ASM-LB-010");
                }
                if super::support::reports_eni_local_once_local(svc) {
                    local = local.introduces("ASM-LB-003");
                }
                draft = draft.fix(local);
            }
            out.push(draft);
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const SVC: &str = "apiVersion: v1
kind: Service
metadata: {name: gw, namespace: istio-system}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Cluster
  healthCheckNodePort: 32000  # from an old dump
";

    #[test]
    fn local_on_eni_backends_declares_asm_lb_003() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: gw\n  namespace: istio-system\n  annotations:\n    service.beta.kubernetes.io/backend-type: \"eni\"\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Cluster\n  healthCheckNodePort: 32456\n";
        let report = check_with(text, &[]);
        let local = only(&report, "ASM-SVC-026").fixes.iter().find(|f| f.id == "set-local-policy").unwrap();
        assert!(local.introduces.contains(&"ASM-LB-003"), "{:?}", local.introduces);
        let fixed = apply_fix(text, "set-local-policy", &[]);
        assert!(codes(&check_with(&fixed, &[])).contains(&"ASM-LB-003"));
    }

    #[test]
    fn fires_unless_lb_and_local() {
        let r = check_with(SVC, &[]);
        let f = only(&r, "ASM-SVC-026");
        assert_eq!(f.severity.as_str(), "error");
        assert!(f.message.contains("externalTrafficPolicy is not Local"), "{}", f.message);
        let local = SVC.replace("Cluster", "Local");
        assert!(!codes(&check_with(&local, &[])).contains(&"ASM-SVC-026"));
        let node_port = SVC.replace("LoadBalancer", "NodePort");
        let r = check_with(&format!("{local}---\n{node_port}"), &[]);
        let f = only(&r, "ASM-SVC-026");
        assert_eq!(f.location.document, 1);
        assert!(f.message.contains("type is NodePort"));
        assert_eq!(f.fixes.len(), 1);
        // Placeholder values (the kubernetes/api round-trip fixture) are not this rule's.
        assert!(!codes(&check_with(&SVC.replace("LoadBalancer", "typeValue"), &[])).contains(&"ASM-SVC-026"));
    }

    #[test]
    fn fixes() {
        assert_eq!(
            apply_fix(SVC, "remove-health-check-node-port", &[]),
            SVC.replace("  healthCheckNodePort: 32000  # from an old dump\n", "")
        );
        assert_eq!(apply_fix(SVC, "set-local-policy", &[]), SVC.replace("Cluster", "Local"));
    }

    #[test]
    fn set_local_policy_declares_what_local_brings() {
        let f = only(&check_with(SVC, &[]), "ASM-SVC-026").clone();
        let local = f.fixes.iter().find(|x| x.id == "set-local-policy").unwrap();
        assert_eq!(local.introduces, ["ASM-LB-001"]);
        let hostname = SVC.replace(
            "metadata: {name: gw, namespace: istio-system}",
            "metadata: {name: gw, namespace: istio-system, annotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: gw.example.com}}",
        );
        // The hostname annotation keeps in-cluster clients on the load balancer (no
        // ASM-LB-001), but it makes the Service Alibaba's, where Local wants wrr.
        let f = only(&check_with(&hostname, &[]), "ASM-SVC-026").clone();
        assert_eq!(f.fixes.iter().find(|x| x.id == "set-local-policy").unwrap().introduces, ["ASM-LB-010"]);
    }
}
