use crate::context::{Cni, InClusterClients, KubeProxyMode, Version};
use crate::diagnostic::Severity;
use crate::model::{Origin, Provider, ServiceView, BACKEND_TYPE};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, Note, Remedy, Rule, RuleContext};
use super::support::{proxy_protocol_on, reports_cluster_policy, reports_local_lb_access};
use super::support::{annotation_path, drop_health_check_node_port};
use super::support::drops_connections;
use super::support::{declare_eni_passthrough, eni_backend_tradeoffs, lb_hostname, service_dns_fix, use_nlb};
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Flags a `LoadBalancer` Service — an ASM ingress gateway's, or any other,
    /// such as ACK's `nginx-ingress-lb` — whose `externalTrafficPolicy` is
    /// `Local`, when its load balancer publishes an IP address in the Service
    /// status (a CLB without the hostname annotation).
    ///
    /// ## Why is this bad?
    /// Traffic from inside the cluster to the load balancer's IP never reaches
    /// the load balancer: kube-proxy (iptables or IPVS) or an eBPF datapath on
    /// the client's own node captures it as the Service's external IP. With
    /// `Local`, only nodes that host a gateway pod have endpoints for it, so pods
    /// on some nodes reach the CLB address and pods on other nodes do not
    /// (the ASM FAQ this project was founded on, S6; ACK S9, S11).
    ///
    /// Upstream Kubernetes (API doc since 1.25) promises `Cluster` semantics for
    /// in-cluster traffic to a load balancer IP, and Alibaba reports the failure:
    /// both are true on different data planes (S17, S19, S20, S24). The outcome
    /// depends on kube-proxy's mode and local-traffic detection, the CNI, the
    /// Kubernetes version and whether clients use `hostNetwork`, so the severity
    /// follows the cluster context you give:
    ///
    /// | context | severity |
    /// |---|---|
    /// | nothing known | warning |
    /// | in-cluster clients: none | info |
    /// | pods or hostNetwork clients with IPVS (pods: before ≈1.24), or kube-proxy's no-op local detector | error |
    /// | in-cluster clients with Terway DataPathv2 (eBPF): ACK says access "may" fail (S12); Terway's `in_cluster_loadbalance` short-circuits it like kube-proxy, on by default for IPvlan clusters created with Terway v1.2.0 or later (S143) | warning |
    /// | iptables/nftables with a local-traffic detector and pod clients; hostNetwork clients on iptables; Cilium kube-proxy replacement | info |
    /// | the provider publishes a DNS name in the status (AWS), so nothing captures the address | info |
    ///
    /// It does not fire for NLB (`loadBalancerClass: alibabacloud.com/nlb`), the
    /// `alibaba-cloud-loadbalancer-hostname` annotation, or a status with
    /// `ipMode: Proxy`: then in-cluster traffic really goes to the load balancer.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   externalTrafficPolicy: Local
    ///   serviceType: LoadBalancer
    /// ```
    ///
    /// ## Fix
    /// Choose one (never two at once):
    /// - `use-service-dns` (the ASM FAQ's recommendation): point in-cluster
    ///   clients at `istio-ingressgateway.istio-system.svc.cluster.local`; no
    ///   manifest change, client IP kept.
    /// - `set-cluster-policy`: `externalTrafficPolicy: Cluster`; the gateway then
    ///   sees node IPs instead of client IPs.
    /// - `eni-passthrough`: `Cluster` plus `service.beta.kubernetes.io/backend-type: "eni"`
    ///   (Terway ENI/ENIIP only); client IP kept.
    /// - `lb-hostname`: the `alibaba-cloud-loadbalancer-hostname` annotation
    ///   (CCM ≥ v2.3.0) sends in-cluster traffic through the CLB.
    /// - `use-nlb`: recreate the Service as an NLB. It needs Kubernetes 1.24,
    ///   CCM v2.5.0 and ASM 1.18 or later, and a `zone-maps` annotation with
    ///   vSwitches in at least two zones (S140, S141, S144; ASM-NLB-040).
    ///
    /// The fixes that leave `Local` also remove a Service's
    /// `spec.healthCheckNodePort`, which the API server accepts only with
    /// `Local` (S100). A Service with `backend-type: eni` is ASM-LB-003's.
    pub struct LocalPolicyInClusterLbAccess {
        code: "ASM-LB-001",
        name: "local-policy-in-cluster-lb-access",
        title: "in-cluster access to the load balancer address with externalTrafficPolicy: Local",
        title_zh: "externalTrafficPolicy: Local 时集群内访问负载均衡地址",
        severity: Warning,
        fix: Sometimes,
        sources: ["S6", "S9", "S11", "S12", "S17", "S19", "S20", "S24", "S26", "S100", "S140", "S141", "S143", "S144"],
    }
}

impl Rule for LocalPolicyInClusterLbAccess {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.effective_type() != "LoadBalancer" || svc.effective_etp() != "Local" {
                continue;
            }
            if !reports_local_lb_access(svc, svc.backend_type()) {
                continue;
            }
            let Some(etp) = &svc.external_traffic_policy else { continue };
            let (severity, notes) = assess(cx, svc);
            let name = svc.display_name();
            let scope = match svc.origin {
                Origin::IstioGateway { cluster: Some(c) } => {
                    cx.t(format_args!(" (override for cluster {c})"), format_args!("（集群 {c} 的覆盖配置）"))
                }
                _ => String::new(),
            };
            let (pod_en, pod_zh) = if svc.gateway.is_some() { ("gateway", "网关") } else { ("backend", "后端") };
            let dns_published = publishes_dns_name(svc);
            let message = if dns_published {
                cx.t(
                    format_args!("externalTrafficPolicy: Local on {name}{scope}: its load balancer publishes a DNS name, so in-cluster clients reach it through the load balancer rather than being captured on their node"),
                    format_args!("{name}{scope} 设置了 externalTrafficPolicy: Local：其负载均衡发布的是域名，集群内客户端会经过负载均衡，而不会在本节点被拦截"),
                )
            } else {
                cx.t(
                    format_args!(
                        "pods on nodes without a {pod_en} pod may not reach the load balancer address of {name}{scope}"
                    ),
                    format_args!("没有{pod_zh} Pod 的节点上的 Pod 可能无法访问 {name} 的负载均衡地址{scope}"),
                )
            };
            let label = cx.t(
                format_args!("only nodes hosting a {pod_en} pod serve in-cluster traffic to the load balancer address"),
                format_args!("只有部署了{pod_zh} Pod 的节点才能处理集群内发往负载均衡地址的流量"),
            );
            let mut draft =
                Draft::new(&Self::META, svc.resource, etp.path.clone(), message).severity(severity).label(label);
            // An override that inherits the base's policy and annotations repeats the base's finding.
            draft = draft.once_per(&[&etp.path, &svc.annotations_path]);
            draft.notes = notes;
            draft.remedies = fixes(cx, svc, &etp.path);
            out.push(draft);
        }
    }
}

/// The load balancer publishes a DNS name rather than an IP (AWS does; or a
/// dumped status shows only hostnames): nothing for kube-proxy to capture.
fn publishes_dns_name(svc: &ServiceView<'_>) -> bool {
    svc.provider() == Provider::Aws || status_has_only_hostnames(svc)
}

/// Whether the status shows only DNS names: nothing for kube-proxy to capture.
fn status_has_only_hostnames(svc: &ServiceView<'_>) -> bool {
    !svc.status_ingress.is_empty()
        && svc.status_ingress.iter().all(|i| i.get("hostname").is_some() && i.get("ip").is_none())
}

/// The severity the cluster context supports, and what it assumed (the table in
/// the rule docs above; S12, S17, S19, S20, S24, S26).
fn assess(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> (Severity, Vec<Note>) {
    let c = cx.cluster;
    if publishes_dns_name(svc) {
        return (
            Severity::Info,
            vec![cx.t(
                "the load balancer publishes a DNS name, not an IP, in status.loadBalancer.ingress (as AWS load balancers do), so kube-proxy has no address to capture and in-cluster clients go through the load balancer",
                "负载均衡在 status.loadBalancer.ingress 中发布的是域名而不是 IP（AWS 负载均衡即如此），kube-proxy 没有可拦截的地址，集群内客户端会经过负载均衡",
            ).into()],
        );
    }
    let clients = c.in_cluster_clients;
    if clients == Some(InClusterClients::None) {
        return (
            Severity::Info,
            vec![cx
                .t(
                    "no in-cluster client uses the load balancer address (--in-cluster-clients none)",
                    "集群内没有客户端使用负载均衡地址（--in-cluster-clients none）",
                )
                .into()],
        );
    }
    let has_clients = clients.is_some();
    let host_network = clients == Some(InClusterClients::HostNetwork);
    match c.cni {
        Some(Cni::TerwayDatapathv2) if has_clients => {
            return (
                Severity::Warning,
                vec![
                    cx.t(
                        "Terway DataPathv2 replaces kube-proxy with eBPF; ACK warns that in-cluster access to a Local LoadBalancer may fail (S12)",
                        "Terway DataPathv2 用 eBPF 替换了 kube-proxy；ACK 说明以 Local 模式访问 LoadBalancer 时集群内访问可能不通（S12）",
                    ).into(),
                    cx.t(
                        "check Terway's in_cluster_loadbalance in the kube-system/eni-config ConfigMap: when on (the default for IPvlan clusters created with Terway v1.2.0 or later) Terway short-circuits in-cluster traffic to LoadBalancer addresses as kube-proxy does (S143)",
                        "请检查 kube-system/eni-config ConfigMap 中 Terway 的 in_cluster_loadbalance：开启时（Terway v1.2.0 及以上新建的 IPvlan 集群默认开启），Terway 会像 kube-proxy 一样短路集群内发往 LoadBalancer 地址的流量（S143）",
                    ).into(),
                ],
            )
        }
        Some(Cni::CiliumKpr) => {
            return (
                Severity::Info,
                vec![cx.t(
                    "Cilium's kube-proxy replacement keeps every backend for in-cluster traffic to a load balancer IP (cilium#12311)",
                    "Cilium 的 kube-proxy 替换对集群内发往负载均衡 IP 的流量保留全部后端（cilium#12311）",
                ).into()],
            )
        }
        _ => {}
    }
    let version = c.kubernetes_version;
    match c.kube_proxy_mode {
        Some(KubeProxyMode::Ipvs) if host_network => (
            Severity::Error,
            vec![cx.t(
                "IPVS binds the load balancer IP to kube-ipvs0 on every node; hostNetwork clients on nodes without a gateway pod are dropped on any version (kubernetes#93456)",
                "IPVS 在每个节点上把负载均衡 IP 绑定到 kube-ipvs0；没有网关 Pod 的节点上的 hostNetwork 客户端在任何版本都会被丢弃（kubernetes#93456）",
            ).into()],
        ),
        Some(KubeProxyMode::Ipvs) if version.is_some_and(|v| v >= Version(1, 24, 0)) => (
            Severity::Warning,
            vec![cx.t(
                "IPVS since about 1.24 (kubernetes PR #97081) serves pod clients from cluster endpoints when the node has none, but hostNetwork clients and node processes are still dropped; the version boundary is not pinned to a release",
                "IPVS 自约 1.24 起（kubernetes PR #97081）在本节点无端点时用集群端点服务 Pod 客户端，但 hostNetwork 客户端和节点进程仍会被丢弃；版本边界未确认",
            ).into()],
        ),
        Some(KubeProxyMode::Ipvs) if has_clients => (
            Severity::Error,
            vec![cx.t(
                "IPVS before about 1.24 has no real servers for the load balancer IP on nodes without a gateway pod: pod and node clients there are dropped (--k8s-version refines this)",
                "约 1.24 之前的 IPVS 在没有网关 Pod 的节点上对负载均衡 IP 没有后端：这些节点上的 Pod 和节点客户端会被丢弃（--k8s-version 可细化判断）",
            ).into()],
        ),
        Some(KubeProxyMode::Iptables | KubeProxyMode::Nftables) => match (c.detect_local, clients) {
            (_, Some(InClusterClients::HostNetwork)) => (
                Severity::Info,
                vec![cx.t(
                    "iptables/nftables send node and hostNetwork traffic to the load balancer IP to cluster endpoints with SNAT (since 1.15, kubernetes PR #77523)",
                    "iptables/nftables 会把节点和 hostNetwork 发往负载均衡 IP 的流量经 SNAT 转到集群端点（1.15 起，kubernetes PR #77523）",
                ).into()],
            ),
            (Some(crate::context::DetectLocal::Implemented), Some(InClusterClients::Pods)) => (
                Severity::Info,
                vec![cx.t(
                    "kube-proxy's local-traffic detector sends pod traffic to the load balancer IP to cluster endpoints",
                    "kube-proxy 的本地流量识别会把 Pod 发往负载均衡 IP 的流量转到集群端点",
                ).into()],
            ),
            (Some(crate::context::DetectLocal::NoOp), Some(InClusterClients::Pods)) => (
                Severity::Error,
                vec![cx.t(
                    "with a no-op local-traffic detector (ClusterCIDR mode without --cluster-cidr), pod traffic to the load balancer IP falls through to the Local chain and is dropped on nodes without a gateway pod",
                    "本地流量识别为空操作时（ClusterCIDR 模式且未设置 --cluster-cidr），Pod 发往负载均衡 IP 的流量进入 Local 链，在没有网关 Pod 的节点上被丢弃",
                ).into()],
            ),
            _ => (
                Severity::Warning,
                vec![Note::assumed(cx.t(
                    "iptables/nftables serve pod clients only when kube-proxy's local-traffic detector is configured (--detect-local and --in-cluster-clients refine this)",
                    "只有配置了 kube-proxy 本地流量识别时，iptables/nftables 才能服务 Pod 客户端（--detect-local 和 --in-cluster-clients 可细化判断）",
                ))],
            ),
        },
        _ => (
            Severity::Warning,
            vec![Note::assumed(cx.t(
                "kube-proxy mode and in-cluster clients unknown (--kube-proxy, --in-cluster-clients refine this)",
                "kube-proxy 模式和集群内客户端未知（--kube-proxy、--in-cluster-clients 可细化判断）",
            ))],
        ),
    }
}

fn fixes(cx: &RuleContext<'_>, svc: &ServiceView<'_>, etp_path: &str) -> Vec<Remedy> {
    let c = cx.cluster;
    let alibaba = svc.provider() == Provider::Alibaba || c.cni.is_some_and(Cni::is_terway);
    let terway = c.cni.is_some_and(Cni::is_terway);
    let mut fixes = Vec::new();

    let mut dns_fix = service_dns_fix(cx, svc)
        .tradeoff(cx.t(
            "client source IP and externalTrafficPolicy: Local are kept",
            "保留客户端源 IP 和 externalTrafficPolicy: Local",
        ))
        .tradeoff(cx.t(
            "fails the same way if the Service sets internalTrafficPolicy: Local (ASM-ITP-031)",
            "如果 Service 设置了 internalTrafficPolicy: Local，会以同样方式失败（ASM-ITP-031）",
        ));
    if let Some(itp) = &svc.internal_traffic_policy {
        if itp.text() == Some("Local") {
            dns_fix = dns_fix.tradeoff(cx.t(
                "this Service sets internalTrafficPolicy: Local, so the ClusterIP is node-local too: change it first",
                "此 Service 设置了 internalTrafficPolicy: Local，ClusterIP 也只在本节点有效：请先修改",
            ));
        }
    }
    fixes.push(dns_fix.into());

    let cluster_fix = Fix::new(
        fix_ids::SET_CLUSTER_POLICY,
        Applicability::Unsafe,
        cx.t("set externalTrafficPolicy: Cluster", "将 externalTrafficPolicy 设为 Cluster"),
    )
    .op(Op::replace(etp_path, "Cluster"))
    .tradeoff(cx.t(
        "the pods see node IPs instead of client IPs: traffic is SNATed to a node",
        "Pod 看到的是节点 IP 而不是客户端 IP：流量会被 SNAT 到节点",
    ))
    .tradeoff(if alibaba {
        cx.t(
            "the CLB attaches every node as a backend (vServer group quota) and traffic may take an extra hop",
            "CLB 会把所有节点挂为后端（占用虚拟服务器组配额），流量可能多一跳",
        )
    } else {
        cx.t(
            "the load balancer sends to every node and traffic may take an extra hop",
            "负载均衡会把流量发往所有节点，流量可能多一跳",
        )
    });
    let mut cluster_fix = drop_health_check_node_port(cx, svc, cluster_fix);
    if reports_cluster_policy(cx, svc, svc.backend_type(), proxy_protocol_on(svc)) {
        cluster_fix = cluster_fix.introduces("ASM-LB-005");
    }
    fixes.push(warn_ip_policies(cx, svc, cluster_fix).into());

    if alibaba && c.cni != Some(Cni::Flannel) {
        let eni = Fix::new(
            fix_ids::ENI_PASSTHROUGH,
            Applicability::Unsafe,
            cx.t(
                "set externalTrafficPolicy: Cluster and service.beta.kubernetes.io/backend-type: \"eni\" (Terway only)",
                "将 externalTrafficPolicy 设为 Cluster 并添加 service.beta.kubernetes.io/backend-type: \"eni\"（仅限 Terway）",
            ),
        )
        .op(Op::replace(etp_path, "Cluster"))
        .op(Op::add(annotation_path(svc, BACKEND_TYPE), "eni").quoted())
        .tradeoff(cx.t(
            "client source IP kept: the CLB sends to pod ENIs directly",
            "保留客户端源 IP：CLB 直接转发到 Pod 的弹性网卡",
        ));
        let eni = drop_health_check_node_port(cx, svc, eni_backend_tradeoffs(cx, eni));
        let mut eni = declare_eni_passthrough(cx, svc, eni, Some(etp_path));
        if !terway {
            eni = eni.introduces("ASM-LB-002");
        }
        // An override on Cluster that shares these annotations gets ENI backends too: its pods'
        // rollouts then drop connections more often (ASM-HA-042 turns warning).
        let cluster_rendering_drops = cx.services.iter().any(|other| {
            other.resource == svc.resource
                && other.annotations_path == svc.annotations_path
                && other.effective_etp() != "Local"
                && other.backend_type() != Some("eni")
                && drops_connections(cx, other)
        });
        if cluster_rendering_drops {
            eni = eni.introduces("ASM-HA-042");
        }
        fixes.push(eni);

        let mut host_fix = lb_hostname(cx, svc);
        if let Remedy::Fix(fix) = &mut host_fix {
            fix.title.push_str(&cx.t(" (keeps Local)", "（保留 Local）"));
        }
        fixes.push(host_fix);

        let nlb = use_nlb(cx, "", "").tradeoff(cx.t("NLB hairpin behaviour is not verified", "NLB 回环行为未经验证"));
        fixes.push(nlb.into());
    }

    let recommended = match (c.needs_source_ip, terway) {
        (Some(false), _) => fix_ids::SET_CLUSTER_POLICY,
        (Some(true), true) => fix_ids::ENI_PASSTHROUGH,
        (Some(true), false) if cx.params.hostname.is_some() && alibaba => fix_ids::LB_HOSTNAME,
        _ => fix_ids::USE_SERVICE_DNS,
    };
    for fix in &mut fixes {
        fix.set_recommended(fix.id() == recommended);
    }
    fixes
}

/// Cross-resource (ASM-SIP-006): names every IP-based AuthorizationPolicy in
/// the input that would see node IPs once the gateway SNATs.
fn warn_ip_policies(cx: &RuleContext<'_>, svc: &ServiceView<'_>, mut fix: Fix) -> Fix {
    let mut matched = false;
    for policy in cx.topology.ip_based_authorization_policies(svc) {
        let Some(condition) = policy.conditions.iter().find(|c| c.sees_node_ip_under_snat(svc)) else { continue };
        matched = true;
        let name = cx.resources[policy.resource].display_name();
        let key = condition.key;
        fix = fix.tradeoff(cx.t(
            format_args!("AuthorizationPolicy {name} matches client IPs with {key}: after this change it sees node IPs (ASM-SIP-006)"),
            format_args!("AuthorizationPolicy {name} 用 {key} 匹配客户端 IP：修改后它看到的将是节点 IP（ASM-SIP-006）"),
        ));
    }
    // Behind CLB HTTP/HTTPS listeners on ports in view ASM-SIP-006 already
    // reports the policy (the CLB is the peer); otherwise Cluster's SNAT brings it.
    if matched && crate::model::topology::clb_listeners(svc).is_none_or(|l| l.l7.is_empty()) {
        fix = fix.introduces("ASM-SIP-006");
    }
    fix
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    #[test]
    fn fires_on_the_founding_gateway() {
        let report = check_with(FOUNDING, &[]);
        let f = only(&report, "ASM-LB-001");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.location.path, "/spec/externalTrafficPolicy");
        assert_eq!(&FOUNDING[f.location.span.start..f.location.span.end], "Local");
        assert!(f.message.contains("istio-system/istio-ingressgateway"), "{}", f.message);
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["use-service-dns", "set-cluster-policy", "eni-passthrough", "lb-hostname", "use-nlb"]);
        assert!(f.fixes[0].recommended);
        assert!(f.fixes[0].title.contains("istio-ingressgateway.istio-system.svc.cluster.local"));
    }

    #[test]
    fn use_nlb_lists_the_prerequisites_and_eni_tradeoffs_are_current() {
        let report = check_with(FOUNDING, &[]);
        let f = only(&report, "ASM-LB-001");
        let tradeoffs = |id: &str| f.fixes.iter().find(|x| x.id == id).unwrap().tradeoffs.clone();
        let nlb = tradeoffs("use-nlb");
        assert!(nlb.iter().any(|t| t.contains("Kubernetes 1.24") && t.contains("ASM 1.18")), "{nlb:#?}");
        assert!(nlb.iter().any(|t| t.contains("zone-maps") && t.contains("at least two zones")), "{nlb:#?}");
        let eni = tradeoffs("eni-passthrough");
        assert!(eni.iter().all(|t| !t.contains("targetPort") && !t.contains("non-shared")), "{eni:#?}");
        let old = check_with(FOUNDING, &[("ccmVersion", "v1.9.3")]);
        let eni = &only(&old, "ASM-LB-001").fixes.iter().find(|x| x.id == "eni-passthrough").unwrap().tradeoffs;
        assert!(eni.iter().any(|t| t.contains("older than v2.1.0")), "{eni:#?}");
        let nlb = &only(&old, "ASM-LB-001").fixes.iter().find(|x| x.id == "use-nlb").unwrap().tradeoffs;
        assert!(nlb.iter().any(|t| t.contains("no NLB support")), "{nlb:#?}");
    }

    #[test]
    fn context_moves_severity_and_recommendation() {
        let sev = |ctx: &[(&str, &str)]| only(&check_with(FOUNDING, ctx), "ASM-LB-001").severity.as_str();
        assert_eq!(sev(&[("inClusterClients", "none")]), "info");
        assert_eq!(sev(&[("inClusterClients", "pods"), ("kubeProxyMode", "ipvs")]), "error");
        assert_eq!(
            sev(&[("inClusterClients", "pods"), ("kubeProxyMode", "ipvs"), ("kubernetesVersion", "1.30")]),
            "warning"
        );
        assert_eq!(
            sev(&[("inClusterClients", "host-network"), ("kubeProxyMode", "ipvs"), ("kubernetesVersion", "1.30")]),
            "error"
        );
        assert_eq!(
            sev(&[("inClusterClients", "pods"), ("kubeProxyMode", "iptables"), ("detectLocal", "implemented")]),
            "info"
        );
        assert_eq!(
            sev(&[("inClusterClients", "pods"), ("kubeProxyMode", "iptables"), ("detectLocal", "no-op")]),
            "error"
        );
        assert_eq!(sev(&[("inClusterClients", "pods"), ("cni", "terway-datapathv2")]), "warning");
        let datapathv2 = check_with(FOUNDING, &[("inClusterClients", "pods"), ("cni", "terway-datapathv2")]);
        let notes = &only(&datapathv2, "ASM-LB-001").notes;
        assert!(notes.iter().any(|n| n.text.contains("in_cluster_loadbalance")), "{notes:#?}");
        let rec = |ctx: &[(&str, &str)]| {
            let r = check_with(FOUNDING, ctx);
            only(&r, "ASM-LB-001").fixes.iter().find(|f| f.recommended).unwrap().id
        };
        assert_eq!(rec(&[("needsSourceIp", "false")]), "set-cluster-policy");
        assert_eq!(rec(&[("needsSourceIp", "true"), ("cni", "terway-eniip")]), "eni-passthrough");
        assert_eq!(rec(&[("needsSourceIp", "true"), ("cni", "flannel")]), "use-service-dns");
    }

    #[test]
    fn quiet_when_traffic_really_goes_to_the_load_balancer() {
        for extra in [
            "  loadBalancerClass: alibabacloud.com/nlb\n",
            "  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: gw.example.com\n",
            "  serviceType: NodePort\n",
        ] {
            let text = format!("{FOUNDING}{extra}");
            assert!(codes(&check_with(&text, &[])).iter().all(|c| *c != "ASM-LB-001"), "{extra}");
        }
    }

    #[test]
    fn plain_services_and_later_documents_are_checked() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {type: ClusterIP}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: nginx-ingress-lb\n  namespace: kube-system\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: \"Local\"\n";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-LB-001");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.fixes[0].title.split_whitespace().nth(1), Some("nginx-ingress-lb.kube-system.svc.cluster.local"));
    }

    #[test]
    fn aws_status_hostnames_lower_the_severity() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-type: nlb\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n";
        let f =
            only(&check_with(text, &[("inClusterClients", "pods"), ("kubeProxyMode", "ipvs")]), "ASM-LB-001").clone();
        assert_eq!(f.severity.as_str(), "info");
        assert!(f.notes[0].text.contains("DNS name"));
    }

    #[test]
    fn cluster_fix_warns_about_ip_based_authorization_policies() {
        let policy = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: office-only, namespace: istio-system}\nspec:\n  selector:\n    matchLabels: {istio: ingressgateway}\n  rules:\n  - from:\n    - source: {ipBlocks: [203.0.113.0/24]}\n";
        let tradeoffs = |text: &str| {
            let report = check_with(text, &[]);
            let f = only(&report, "ASM-LB-001");
            f.fixes.iter().find(|x| x.id == "set-cluster-policy").unwrap().tradeoffs.clone()
        };
        let with_policy = tradeoffs(&format!("{FOUNDING}---\n{policy}"));
        assert!(
            with_policy.iter().any(|t| t.starts_with("AuthorizationPolicy istio-system/office-only matches client IPs with ipBlocks")),
            "{with_policy:#?}"
        );
        assert_eq!(with_policy.len(), tradeoffs(FOUNDING).len() + 1);
        let elsewhere = policy.replace("istio: ingressgateway", "app: web");
        assert_eq!(tradeoffs(&format!("{FOUNDING}---\n{elsewhere}")).len(), tradeoffs(FOUNDING).len());
    }

    #[test]
    fn fixes_rewrite_only_the_value() {
        let fixed = apply_fix(FOUNDING, "set-cluster-policy", &[]);
        assert_eq!(fixed, FOUNDING.replace("Local   #", "Cluster   #"));
        let fixed = apply_fix(FOUNDING, "eni-passthrough", &[]);
        assert_eq!(
            fixed,
            format!(
                "{}  serviceAnnotations:\n    service.beta.kubernetes.io/backend-type: \"eni\"\n",
                FOUNDING.replace("Local   #", "Cluster   #")
            )
        );
    }

    const GATEWAY_SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  annotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  healthCheckNodePort: 32456
  selector: {istio: ingressgateway}
";

    #[test]
    fn fixes_leaving_local_drop_the_health_check_node_port_and_declare_what_they_bring() {
        let f = only(&check_with(GATEWAY_SERVICE, &[]), "ASM-LB-001").clone();
        let fix = |id: &str| f.fixes.iter().find(|x| x.id == id).unwrap_or_else(|| panic!("{id}")).clone();
        assert_eq!(fix("set-cluster-policy").introduces, ["ASM-LB-005"]);
        assert_eq!(fix("eni-passthrough").introduces, ["ASM-LB-002"]);
        for id in ["set-cluster-policy", "eni-passthrough"] {
            let fixed = apply_fix(GATEWAY_SERVICE, id, &[]);
            assert!(!fixed.contains("healthCheckNodePort"), "{id}:\n{fixed}");
            assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-SVC-026"), "{id}:\n{fixed}");
        }
        // With Terway, ENI backends raise nothing new; without a need for client IPs, SNAT is no finding.
        let terway = only(&check_with(GATEWAY_SERVICE, &[("cni", "terway-eniip")]), "ASM-LB-001").clone();
        assert!(terway.fixes.iter().find(|x| x.id == "eni-passthrough").unwrap().introduces.is_empty());
        let no_ip = only(&check_with(GATEWAY_SERVICE, &[("needsSourceIp", "false")]), "ASM-LB-001").clone();
        assert!(no_ip.fixes.iter().find(|x| x.id == "set-cluster-policy").unwrap().introduces.is_empty());
    }

    #[test]
    fn eni_backends_are_left_to_asm_lb_003() {
        let eni =
            GATEWAY_SERVICE.replace("annotations: {", "annotations: {service.beta.kubernetes.io/backend-type: eni, ");
        let found = codes(&check_with(&eni, &[("cni", "terway-eniip")]));
        assert!(found.contains(&"ASM-LB-003") && !found.contains(&"ASM-LB-001"), "{found:?}");
    }
}
