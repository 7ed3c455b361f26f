use crate::context::Version;
use crate::diagnostic::Severity;
use crate::model::Origin;
use crate::rule::{declare_rule, Advice, Draft, FixId, Rule, RuleContext};
use crate::yaml::{pointer, Node};
use super::support::owner;

declare_rule! {
    /// ## What it does
    /// Flags a `LoadBalancer` Service or IstioGateway whose ports mix `TCP`
    /// and `UDP` when the cluster runs Kubernetes older than 1.24, and reports
    /// an info when the version is not given.
    ///
    /// ## Why is this bad?
    /// Mixed protocols on one LoadBalancer Service are behind the
    /// `MixedProtocolLBService` feature gate: alpha (off) in 1.20–1.23, beta
    /// (on) from 1.24, GA in 1.26 (S23). ACK: TCP and UDP on one listener port
    /// "requires Kubernetes v1.24 or later" (S8). On an older cluster the API
    /// server rejects the Service.
    ///
    /// An absent `protocol` is TCP; IstioGateway protocols other than `UDP`
    /// (`HTTP2`, `HTTPS`, …; ASM's field table shows them, S3) count as TCP.
    /// That mapping is assumed: ASM does not document how it renders them, and
    /// a Service port itself only takes TCP, UDP or SCTP (S16).
    ///
    /// | context | severity |
    /// |---|---|
    /// | kubernetesVersion < 1.24 | error |
    /// | kubernetesVersion unknown | info |
    /// | kubernetesVersion ≥ 1.24 | not reported |
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   type: LoadBalancer
    ///   ports:
    ///   - {name: dns-tcp, port: 53, protocol: TCP}
    ///   - {name: dns-udp, port: 53, protocol: UDP}
    /// ```
    ///
    /// ## Fix
    /// `split-by-protocol` (display-only): one LoadBalancer Service for TCP and
    /// one for UDP, or upgrade the cluster to 1.24 or later.
    pub struct MixedProtocolLoadBalancer {
        code: "ASM-SVC-025",
        name: "mixed-protocol-load-balancer",
        title: "TCP and UDP on one LoadBalancer Service",
        title_zh: "同一 LoadBalancer Service 混用 TCP 和 UDP",
        severity: Error,
        fix: None,
        sources: ["S3", "S8", "S16", "S23"],
    }
}

/// Advice: move the UDP ports to a second LoadBalancer Service.
const SPLIT_BY_PROTOCOL: FixId = FixId::new("split-by-protocol");

impl Rule for MixedProtocolLoadBalancer {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let version = cx.cluster.kubernetes_version;
        if version.is_some_and(|v| v >= Version(1, 24, 0)) {
            return;
        }
        for svc in cx.services {
            if svc.effective_type() != "LoadBalancer" {
                continue;
            }
            let ports = svc.port_entries();
            let udp = ports.iter().find(|(p, _)| protocol(p) == "UDP");
            let tcp = ports.iter().any(|(p, _)| match svc.origin {
                Origin::Service => protocol(p) == "TCP",
                Origin::IstioGateway { .. } => !matches!(protocol(p), "UDP" | "SCTP"),
            });
            let (Some((_, udp_path)), true) = (udp, tcp) else { continue };
            let path = pointer::push(udp_path, "protocol");
            let who = owner(cx, svc);
            let (severity, note) = match version {
                Some(v) => (
                    Severity::Error,
                    cx.t(
                        format_args!(
                            "kubernetesVersion {v} is before 1.24, where MixedProtocolLBService became on by default"
                        ),
                        format_args!("kubernetesVersion {v} 早于 1.24（MixedProtocolLBService 自 1.24 起默认开启）"),
                    ),
                ),
                None => (
                    Severity::Info,
                    cx.t(
                        "the Kubernetes version is unknown: this only fails before 1.24 (--k8s-version tells)",
                        "Kubernetes 版本未知：只有 1.24 之前才会失败（可用 --k8s-version 指定）",
                    ),
                ),
            };
            let message = cx.t(
                format_args!("{who} mixes TCP and UDP ports on one LoadBalancer, which needs Kubernetes 1.24 or later"),
                format_args!("{who} 在同一个 LoadBalancer 上混用 TCP 和 UDP 端口，需要 Kubernetes 1.24 及以上"),
            );
            out.push(
                Draft::new(&Self::META, svc.resource, path, message).severity(severity).note(note).advice(
                    Advice::new(
                        SPLIT_BY_PROTOCOL,
                        cx.t(
                            "move the UDP ports to a second LoadBalancer Service (or upgrade to Kubernetes 1.24+)",
                            "把 UDP 端口移到第二个 LoadBalancer Service（或升级到 Kubernetes 1.24+）",
                        ),
                    )
                    .tradeoff(cx.t(
                        "two Services get two load balancers and two addresses unless one CLB is reused with the id annotation",
                        "两个 Service 会得到两个负载均衡和两个地址，除非用 id 注解复用同一个 CLB",
                    )),
                ),
            );
        }
    }
}

/// A port's protocol; Kubernetes defaults it to TCP.
fn protocol(port: &Node) -> &str {
    port.get("protocol").and_then(Node::scalar_text).unwrap_or("TCP")
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const SVC: &str = "apiVersion: v1
kind: Service
metadata: {name: dns, namespace: kube-system}
spec:
  type: LoadBalancer
  ports:
  - {name: dns-tcp, port: 53}
  - {name: dns-udp, port: 53, protocol: UDP}
";

    #[test]
    fn severity_follows_the_kubernetes_version() {
        let f = only(&check_with(SVC, &[]), "ASM-SVC-025").clone();
        assert_eq!(f.severity.as_str(), "info");
        assert_eq!(f.location.path, "/spec/ports/1/protocol");
        assert_eq!(only(&check_with(SVC, &[("kubernetesVersion", "1.22")]), "ASM-SVC-025").severity.as_str(), "error");
        assert!(!codes(&check_with(SVC, &[("kubernetesVersion", "1.24")])).contains(&"ASM-SVC-025"));
    }

    #[test]
    fn single_protocol_and_istio_gateway_protocols() {
        let tcp = SVC.replace(", protocol: UDP", "");
        assert!(!codes(&check_with(&tcp, &[])).contains(&"ASM-SVC-025"));
        let gw = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: ingressgateway, namespace: istio-system}\nspec:\n  ports:\n  - {name: http2, port: 80, protocol: HTTP2}\n  - {name: udp-dns, port: 53, protocol: UDP}\n";
        let r = check_with(&format!("{tcp}---\n{gw}"), &[("kubernetesVersion", "1.20")]);
        assert_eq!(only(&r, "ASM-SVC-025").location.document, 1);
    }
}
