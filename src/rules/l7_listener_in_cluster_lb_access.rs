use crate::context::InClusterClients;
use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, protocol_ports, LbKind};
use crate::rule::{declare_rule, Advice, Draft, FixId, Note, Rule, RuleContext};
use super::support::{in_cluster_note, lb_hostname, owner, use_service_dns};

declare_rule! {
    /// ## What it does
    /// Flags a CLB `LoadBalancer` Service (or IstioGateway) whose
    /// `alibaba-cloud-loadbalancer-protocol-port` creates HTTP or HTTPS
    /// listeners, without the `alibaba-cloud-loadbalancer-hostname` annotation.
    ///
    /// ## Why is this bad?
    /// Traffic from inside the cluster to the CLB IP is captured on the
    /// client's node (S8) and never meets the CLB's HTTP listener: TLS
    /// is not terminated and no `X-Forwarded-For` is added (S9). When kube-proxy
    /// captures it (iptables or IPVS alike), an HTTPS client on port 443 mapped
    /// to `targetPort` 80 gets the TLS bytes straight on the plain-HTTP port:
    /// `SSL routines:ssl3_get_record:wrong version number` (S8).
    ///
    /// | listeners | context | severity |
    /// |---|---|---|
    /// | `https` | nothing known, or in-cluster clients use the address | warning |
    /// | `https` | no in-cluster client uses the address | info |
    /// | `http` only | any: only `X-Forwarded-For` is missing | info |
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: "https:443,http:80"
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-cert-id: "1234-cn-hangzhou"
    /// spec:
    ///   type: LoadBalancer
    ///   ports:
    ///   - {name: https, port: 443, targetPort: 80}
    /// ```
    ///
    /// ## Fix
    /// - `use-service-dns` (display-only, recommended): in-cluster clients call
    ///   the Service; they must then speak plain HTTP to the target port.
    /// - `lb-hostname`: the hostname annotation sends them through the CLB;
    ///   applied (unsafe) with `--param hostname=NAME`, display-only without.
    /// - `terminate-tls-in-gateway` (display-only, `https` listeners): TCP
    ///   listeners on the CLB and TLS in the Istio `Gateway`, so every client
    ///   sees the same thing.
    pub struct L7ListenerInClusterLbAccess {
        code: "ASM-L7-009",
        name: "l7-listener-in-cluster-lb-access",
        title: "CLB HTTP/HTTPS listener with in-cluster access to the CLB address",
        title_zh: "CLB 七层监听时集群内访问 CLB 地址",
        severity: Warning,
        fix: Sometimes,
        sources: ["S8", "S9"],
    }
}

/// Advice: use TCP listeners on the CLB and terminate TLS in the Istio Gateway.
const TERMINATE_TLS_IN_GATEWAY: FixId = FixId::new("terminate-tls-in-gateway");

impl Rule for L7ListenerInClusterLbAccess {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if lb_kind(svc) != Some(LbKind::Clb) || svc.lb_annotation("hostname").is_some() {
                continue;
            }
            let Some(field) = svc.lb_annotation("protocol-port") else { continue };
            let listeners = field.text().map(protocol_ports).unwrap_or_default();
            // `http:80, https:443`
            let l7: Vec<String> = listeners
                .into_iter()
                .filter(|(p, _)| matches!(*p, "http" | "https"))
                .map(|(p, port)| format!("{p}:{port}"))
                .collect();
            if l7.is_empty() {
                continue;
            }
            let list = l7.join(", ");
            let https = l7.iter().any(|l| l.starts_with("https:"));
            let severity = match cx.cluster.in_cluster_clients {
                _ if !https => Severity::Info,
                Some(InClusterClients::None) => Severity::Info,
                _ => Severity::Warning,
            };
            let who = owner(cx, svc);
            let message = if https {
                cx.t(
                    format_args!("in-cluster clients of the CLB address of {who} bypass its {list} listeners: no TLS termination, no X-Forwarded-For"),
                    format_args!("{who} 的 CLB 地址的集群内客户端会绕过 {list} 监听：没有 TLS 卸载，也没有 X-Forwarded-For"),
                )
            } else {
                cx.t(
                    format_args!("in-cluster clients of the CLB address of {who} bypass its {list} listeners: no X-Forwarded-For"),
                    format_args!("{who} 的 CLB 地址的集群内客户端会绕过 {list} 监听：没有 X-Forwarded-For"),
                )
            };
            let mut draft = Draft::new(&Self::META, svc.resource, field.path.clone(), message).severity(severity);
            draft = draft.note(in_cluster_note(cx).unwrap_or_else(|| {
                Note::assumed(cx.t(
                    "some in-cluster client may use the CLB address (--in-cluster-clients tells)",
                    "可能有集群内客户端使用 CLB 地址（可用 --in-cluster-clients 指定）",
                ))
            }));
            let mut dns = use_service_dns(cx, svc);
            dns.recommended = true;
            draft = draft.advice(dns).remedy(lb_hostname(cx, svc));
            if https {
                draft = draft.advice(terminate_tls_in_gateway(cx));
            }
            out.push(draft);
        }
    }
}

fn terminate_tls_in_gateway(cx: &RuleContext<'_>) -> Advice {
    Advice::new(
        TERMINATE_TLS_IN_GATEWAY,
        cx.t(
            "use TCP listeners on the CLB and terminate TLS in the Istio Gateway (credentialName)",
            "CLB 改用 TCP 监听，在 Istio Gateway 中终止 TLS（credentialName）",
        ),
    )
    .tradeoff(cx.t(
        "certificates move from the CLB to Kubernetes Secrets; client IPs then need PROXY protocol or Local mode",
        "证书从 CLB 迁移到 Kubernetes Secret；客户端 IP 需要 PROXY 协议或 Local 模式才能保留",
    ))
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const SVC: &str = "apiVersion: v1
kind: Service
metadata:
  name: nginx-ingress-lb
  namespace: kube-system
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"https:443,http:80\"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-cert-id: \"123\"
spec:
  type: LoadBalancer
";

    #[test]
    fn fires_with_context_severity() {
        let r = check_with(SVC, &[]);
        let f = only(&r, "ASM-L7-009");
        assert_eq!(f.severity.as_str(), "warning");
        assert!(f.message.contains("https:443, http:80"), "{}", f.message);
        assert_eq!(only(&check_with(SVC, &[("inClusterClients", "none")]), "ASM-L7-009").severity.as_str(), "info");
        assert_eq!(only(&check_with(SVC, &[("inClusterClients", "pods")]), "ASM-L7-009").severity.as_str(), "warning");
    }

    #[test]
    fn plain_http_listeners_are_an_info_without_tls() {
        let http = SVC.replace("https:443,http:80", "http:80");
        for ctx in [&[][..], &[("inClusterClients", "pods")][..]] {
            let r = check_with(&http, ctx);
            let f = only(&r, "ASM-L7-009");
            assert_eq!(f.severity.as_str(), "info");
            assert!(!f.message.contains("TLS"), "{}", f.message);
            assert!(f.message.ends_with("bypass its http:80 listeners: no X-Forwarded-For"), "{}", f.message);
            assert!(f.fixes.iter().all(|x| x.id != "terminate-tls-in-gateway"));
        }
    }

    #[test]
    fn lb_hostname_applies_with_the_hostname_parameter() {
        let r = check_with(SVC, &[]);
        let fix = only(&r, "ASM-L7-009").fixes.iter().find(|x| x.id == "lb-hostname").unwrap();
        assert_eq!(fix.applicability, crate::rule::Applicability::DisplayOnly);
        let mut with_host = options(&[]);
        with_host.params.hostname = Some("gw.example.com".into());
        let report = crate::engine::check(SVC, &with_host);
        let fix = only(&report, "ASM-L7-009").fixes.iter().find(|x| x.id == "lb-hostname").unwrap();
        assert_eq!(fix.applicability, crate::rule::Applicability::Unsafe);
        let request = crate::engine::FixRequest { ids: vec!["lb-hostname".into()], allow_unsafe: true };
        let outcome = crate::engine::fix(SVC, &request, &with_host);
        assert_eq!(outcome.applied.len(), 1, "{:?}", outcome.skipped);
        assert_eq!(
            outcome.text,
            SVC.replace(
                "cert-id: \"123\"\n",
                "cert-id: \"123\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: \"gw.example.com\"\n"
            )
        );
    }

    #[test]
    fn quiet_for_tcp_listeners_hostname_and_nlb() {
        let tcp = SVC.replace("https:443,http:80", "tcp:443");
        let host = SVC.replace(
            "  annotations:\n",
            "  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: gw.example.com\n",
        );
        let nlb = SVC.replace("type: LoadBalancer", "type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb");
        for text in [tcp, host, nlb] {
            assert!(!codes(&check_with(&text, &[])).contains(&"ASM-L7-009"), "{text}");
        }
        let stream = format!("{}---\n{SVC}", SVC.replace("https:443,http:80", "tcp:443"));
        assert_eq!(only(&check_with(&stream, &[]), "ASM-L7-009").location.document, 1);
    }
}
