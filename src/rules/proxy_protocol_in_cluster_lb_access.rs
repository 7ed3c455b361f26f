use crate::context::InClusterClients;
use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, LbKind};
use crate::rule::{declare_rule, Draft, Note, Rule, RuleContext};
use super::support::{has_l4_listener, in_cluster_note, lb_hostname, owner, use_service_dns};

declare_rule! {
    /// ## What it does
    /// Flags a CLB `LoadBalancer` Service (or IstioGateway) with
    /// `alibaba-cloud-loadbalancer-proxy-protocol: "on"` and no
    /// `alibaba-cloud-loadbalancer-hostname` annotation.
    ///
    /// ## Why is this bad?
    /// The CLB adds a PROXY protocol (v2) header to every connection on the
    /// listener (S8, S14 `listeners.go`), and the gateway is set up to expect
    /// it (ASM-PP-007). Traffic from inside the cluster to the CLB IP never
    /// reaches the CLB: kube-proxy on the client's node captures it (S11,
    /// S17). It arrives without the header and the handshake fails: "the
    /// required proxy header isn't applied, causing a protocol violation"
    /// (S24, kubernetes/kubernetes#66607). NLB Services and
    /// the hostname annotation publish a name instead of an IP, so nothing
    /// captures the traffic and the rule stays quiet.
    ///
    /// | context | severity |
    /// |---|---|
    /// | nothing known | warning |
    /// | in-cluster clients (pods or hostNetwork) use the address | error |
    /// | no in-cluster client uses the address | info |
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
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: "on"
    /// ```
    ///
    /// ## Fix
    /// - `use-service-dns` (display-only, recommended): in-cluster clients call
    ///   the Service's DNS name or ClusterIP.
    /// - `lb-hostname`: the hostname annotation (CCM ≥ v2.3.0) sends in-cluster
    ///   traffic through the CLB, which adds the header.
    pub struct ProxyProtocolInClusterLbAccess {
        code: "ASM-PP-008",
        name: "proxy-protocol-in-cluster-lb-access",
        title: "PROXY protocol with in-cluster access to the CLB address",
        title_zh: "启用 PROXY 协议时集群内访问 CLB 地址",
        severity: Warning,
        fix: Sometimes,
        sources: ["S8", "S11", "S14", "S17", "S24"],
    }
}

impl Rule for ProxyProtocolInClusterLbAccess {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if lb_kind(svc) != Some(LbKind::Clb) || svc.lb_annotation("hostname").is_some() || !has_l4_listener(svc) {
                continue;
            }
            let Some(field) = svc.lb_annotation("proxy-protocol").filter(|f| f.text() == Some("on")) else { continue };
            let severity = match cx.cluster.in_cluster_clients {
                None => Severity::Warning,
                Some(InClusterClients::None) => Severity::Info,
                Some(_) => Severity::Error,
            };
            let who = owner(cx, svc);
            let message = cx.t(
                format_args!("in-cluster clients of the CLB address of {who} bypass the CLB and arrive without the PROXY protocol header, so the handshake fails"),
                format_args!("{who} 的 CLB 地址的集群内客户端绕过 CLB，连接不带 PROXY 协议头，握手失败"),
            );
            let mut draft =
                Draft::new(&Self::META, svc.resource, field.path.clone(), message).severity(severity).label(cx.t(
                    "kube-proxy captures in-cluster traffic to the CLB IP",
                    "kube-proxy 会拦截集群内发往 CLB IP 的流量",
                ));
            draft = draft.note(in_cluster_note(cx).unwrap_or_else(|| {
                Note::assumed(cx.t(
                    "some in-cluster client may use the CLB address (--in-cluster-clients tells)",
                    "可能有集群内客户端使用 CLB 地址（可用 --in-cluster-clients 指定）",
                ))
            }));
            let mut dns = use_service_dns(cx, svc);
            dns.recommended = true;
            out.push(draft.advice(dns).remedy(lb_hostname(cx, svc)));
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GW: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  podAnnotations:
    proxy.istio.io/config: '{\"gatewayTopology\":{\"proxyProtocol\":{}}}'
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"on\"
";

    #[test]
    fn severity_follows_in_cluster_clients() {
        let sev = |ctx: &[(&str, &str)]| only(&check_with(GW, ctx), "ASM-PP-008").severity.as_str();
        assert_eq!(sev(&[]), "warning");
        assert_eq!(sev(&[("inClusterClients", "pods")]), "error");
        assert_eq!(sev(&[("inClusterClients", "none")]), "info");
        let r = check_with(GW, &[]);
        let f = only(&r, "ASM-PP-008");
        assert!(f.message.contains("IstioGateway istio-system/ingressgateway"), "{}", f.message);
        assert_eq!(f.fixes.iter().map(|x| x.id).collect::<Vec<_>>(), ["use-service-dns", "lb-hostname"]);
    }

    #[test]
    fn hostname_param_fix_adds_the_annotation() {
        let mut options = options(&[]);
        options.params.hostname = Some("gw.example.com".into());
        let outcome = crate::engine::fix(
            GW,
            &crate::engine::FixRequest { ids: vec!["lb-hostname".into()], allow_unsafe: true },
            &options,
        );
        assert_eq!(
            outcome.text,
            format!("{GW}    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: \"gw.example.com\"\n")
        );
    }

    #[test]
    fn quiet_for_nlb_hostname_off_and_l7_only() {
        for (from, to) in [
            ("\"on\"\n", "\"off\"\n"),
            (
                "\"on\"\n",
                "\"on\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: gw.example.com\n",
            ),
            ("spec:\n", "spec:\n  loadBalancerClass: alibabacloud.com/nlb\n"),
            ("spec:\n", "spec:\n  ports:\n  - {name: http, port: 80}\n"),
        ] {
            let mut text = GW.replacen(from, to, 1);
            if to.contains("ports") {
                text.push_str("    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80\"\n");
            }
            assert!(!codes(&check_with(&text, &[])).contains(&"ASM-PP-008"), "{text}");
        }
    }

    #[test]
    fn later_document() {
        let text =
            format!("apiVersion: v1\nkind: Service\nmetadata: {{name: ok}}\nspec: {{type: LoadBalancer}}\n---\n{GW}");
        assert_eq!(only(&check_with(&text, &[]), "ASM-PP-008").location.document, 1);
    }
}
