use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Note, Rule, RuleContext};
use crate::yaml::{pointer, Node};
use super::support::owner;

const DEFAULT_RANGE: std::ops::RangeInclusive<i64> = 30000..=32767;

declare_rule! {
    /// ## What it does
    /// Flags a `ports[].nodePort` outside 30000–32767 on a `NodePort` or
    /// `LoadBalancer` Service, or in an IstioGateway's `ports` (base or
    /// override).
    ///
    /// ## Why is this bad?
    /// A requested nodePort is used if it is "in-range, and not in use …
    /// otherwise the operation will fail" (S16); the range is the API server's
    /// `--service-node-port-range`, by default 30000–32767 (S38). The Service,
    /// or the one ASM renders from the IstioGateway, is rejected.
    ///
    /// The rule assumes the default range: a cluster may configure another,
    /// and the cluster context has no key for it yet. `nodePort: 0` means
    /// "allocate one" and is not flagged.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   type: NodePort
    ///   ports:
    ///   - {name: http2, port: 80, nodePort: 8080}
    /// ```
    ///
    /// ## Fix
    /// - `remove-node-port` (unsafe): let Kubernetes allocate one.
    /// - `choose-node-port` (display-only): pick a free port in range.
    pub struct NodePortOutOfRange {
        code: "ASM-SVC-023",
        name: "node-port-out-of-range",
        title: "nodePort outside the NodePort range",
        title_zh: "nodePort 超出 NodePort 端口范围",
        severity: Warning,
        fix: Always,
        sources: ["S16", "S38"],
    }
}

/// Advice: choose a free nodePort in the node port range.
const CHOOSE_NODE_PORT: FixId = FixId::new("choose-node-port");
/// Removes an out-of-range `nodePort` so one is allocated.
const REMOVE_NODE_PORT: FixId = FixId::new("remove-node-port");

impl Rule for NodePortOutOfRange {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if !matches!(svc.effective_type(), "NodePort" | "LoadBalancer") {
                continue;
            }
            for (port, path) in svc.port_entries() {
                let Some(node_port) = port.get("nodePort").and_then(Node::as_i64) else { continue };
                let path = pointer::push(&path, "nodePort");
                if node_port == 0 || DEFAULT_RANGE.contains(&node_port) {
                    continue;
                }
                let who = owner(cx, svc);
                let name = port.get("name").and_then(Node::scalar_text).unwrap_or("?");
                let message = cx.t(
                    format_args!("nodePort {node_port} of port {name} on {who} is outside 30000-32767: the API server rejects the Service"),
                    format_args!("{who} 的端口 {name} 的 nodePort {node_port} 超出 30000-32767：API Server 会拒绝该 Service"),
                );
                out.push(
                    Draft::new(&Self::META, svc.resource, path.clone(), message)
                        .note(Note::assumed(cx.t(
                            "the default --service-node-port-range 30000-32767; your cluster may configure another",
                            "使用默认的 --service-node-port-range 30000-32767；集群可能配置了其他范围",
                        )))
                        .fix(
                            Fix::new(REMOVE_NODE_PORT, Applicability::Unsafe, cx.t("remove nodePort", "删除 nodePort"))
                                .op(Op::remove(path))
                                .tradeoff(cx.t(
                                    "Kubernetes allocates a random port in range: firewalls or clients pinned to a node port must follow it",
                                    "Kubernetes 会在范围内随机分配端口：固定使用节点端口的防火墙或客户端需要随之修改",
                                )),
                        )
                        .advice(Advice::new(
                            CHOOSE_NODE_PORT,
                            cx.t("choose a free nodePort between 30000 and 32767", "在 30000 到 32767 之间选择一个空闲的 nodePort"),
                        )),
                );
            }
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
  type: NodePort
  ports:
  - name: http2
    port: 80
    nodePort: 8080   # office firewall
  - name: https
    port: 443
    nodePort: 30443
";

    #[test]
    fn out_of_range_and_removal() {
        let r = check_with(SVC, &[]);
        let f = only(&r, "ASM-SVC-023");
        assert_eq!(f.location.path, "/spec/ports/0/nodePort");
        assert!(f.message.contains("nodePort 8080 of port http2 on Service istio-system/gw"), "{}", f.message);
        assert_eq!(
            apply_fix(SVC, "remove-node-port", &[]),
            SVC.replace("    nodePort: 8080   # office firewall\n", "")
        );
    }

    #[test]
    fn istio_gateway_overrides_once_and_clean_first_document() {
        let gw = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: ingressgateway, namespace: istio-system}\nspec:\n  ports:\n  - {name: http2, port: 80, nodePort: 80}\n  overrides:\n    c1: {replicaCount: 2}\n";
        let clean = SVC.replace("8080", "30080");
        assert!(!codes(&check_with(&clean, &[])).contains(&"ASM-SVC-023"));
        let r = check_with(&format!("{clean}---\n{gw}"), &[]);
        assert_eq!(only(&r, "ASM-SVC-023").location.document, 1);
        let cluster_ip = SVC.replace("type: NodePort", "type: ClusterIP");
        assert!(!codes(&check_with(&cluster_ip, &[])).contains(&"ASM-SVC-023"));
    }
}
