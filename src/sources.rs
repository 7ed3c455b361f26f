//! The sources rules cite, from the domain reference's source index
//! (`S6` and so on), so that rule docs can name them.

/// A source's description, or nothing without the `docs` feature (the browser
/// build loads the descriptions from www/dist/rules.json instead).
#[cfg(feature = "docs")]
macro_rules! text {
    ($t:literal) => {
        $t
    };
}
#[cfg(not(feature = "docs"))]
macro_rules! text {
    ($t:literal) => {
        ""
    };
}

/// `(id, description with address)`.
pub const SOURCES: &[(&str, &str)] = &[
    ("S1", text!("ASM \"ASM网关CRD说明\" (zh): https://help.aliyun.com/zh/asm/user-guide/crd-fields-for-an-asm-gateway ; older copy https://help.aliyun.com/document_detail/213005.htm")),
    ("S2", text!("ASM \"CRD fields for an ASM gateway / IstioGateway CRD field reference\" (en): https://www.alibabacloud.com/help/en/asm/sidecar/crd-fields-for-an-asm-gateway ; https://help.aliyun.com/en/asm/sidecar/crd-fields-for-an-asm-gateway ; https://alibabacloud.com/help/en/asm/use-cases/define-a-custom-ingress-gateway-service-1694486964219")),
    ("S3", text!("ASM older field table (en): https://www.alibabacloud.com/help/en/alibaba-cloud-service-mesh/latest/modify-an-ingress-gateway-service")),
    ("S4", text!("Go API types: GitHub `aliyun/alibabacloud-servicemesh-api`, `alibabacloudservicemesh/v1/istiogateway_types.go` (indexed commits 4df57487…, a695947b…), `alibabacloudservicemesh/v1/common.go`, `alibabacloudservicemesh/v1/groupversion_info.go`")),
    ("S5", text!("ASM \"Customize a scaling policy for an ASM gateway\": https://www.alibabacloud.com/help/en/asm/user-guide/customize-the-scaling-policy-of-asm-gateway")),
    ("S6", text!("ASM FAQ \"Resolve pods failing to access the CLB IP address of an ingress gateway\": https://help.aliyun.com/en/asm/how-to-do-if-the-kubernetes-cluster-pods-cannot-access-clb-address-in-ingress-gateway (the founding zh doc is its counterpart)")),
    ("S7", text!("ASM IP access control (ipBlocks vs remoteIpBlocks): https://www.alibabacloud.com/help/doc-detail/2938062.html ; https://alibabacloud.com/help/en/asm/user-guide/allow-only-specific-ip-addresses-to-access-applications-within-the-mesh")),
    ("S8", text!("ACK \"Configure CLB by using annotations\" (a.k.a. doc-detail 86531): https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/add-annotations-to-the-yaml-file-of-a-service-to-configure-clb-instances (read via mirror, full text)")),
    ("S9", text!("ACK \"Considerations and CCM update policies for Service load balancing\": https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/considerations-for-configuring-a-loadbalancer-type-service-1 (read via mirror, full text)")),
    ("S10", text!("ACK \"Service FAQ\": https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/service-faq (zh older version read in full via mirror: node-weight algorithm, error table)")),
    ("S11", text!("ACK knowledge \"Kubernetes集群中访问LoadBalancer暴露出去的SLB地址不通\": https://help.aliyun.com/knowledge_detail/171437.html (original text NOT read; only third-party summaries)")),
    ("S12", text!("ACK \"Work with Terway\" (zh): https://help.aliyun.com/zh/ack/ack-managed-and-ack-dedicated/user-guide/work-with-terway (read via mirror)")),
    ("S13", text!("ACK \"Container network FAQ\": https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/faq-about-container-networks (read via mirror)")),
    ("S14", text!("Open-source CCM: GitHub `kubernetes/cloud-provider-alibaba-cloud` HEAD `eeb0ddc6` (2026-04-10): `pkg/controller/service/reconcile/annotation/annotations.go`, `pkg/controller/helper/service_utils.go`, `pkg/controller/service/clbv1/{service_controller.go,vgroups.go,listeners.go}`, `pkg/controller/service/nlbv2/{nlb_controller.go,loadbalancer.go}`, `pkg/controller/service/reconcile/backend/backend.go`, `docs/usage.md`, `go.mod`")),
    ("S15", text!("ACK CCM release notes: https://www.alibabacloud.com/help/en/ack/product-overview/cloud-controller-manager (v2.3.0 adds hostname annotation; read via mirror)")),
    ("S16", text!("GitHub `kubernetes/api` (HEAD 2026-07): `core/v1/types.go`, `autoscaling/v2/types.go`, `apps/v1/types.go`")),
    ("S17", text!("`kubernetes/kubernetes` `pkg/proxy/iptables/proxier.go` (current versions read via code index)")),
    ("S18", text!("`kubernetes/kubernetes` `pkg/proxy/nftables/proxier.go`")),
    ("S19", text!("`kubernetes/kubernetes` `pkg/proxy/ipvs/proxier.go` (`syncEndpoint`, comment referencing PR #97081)")),
    ("S20", text!("`kubernetes/kubernetes` `cmd/kube-proxy/app/server_linux.go` (detect-local selection; \"Defaulting to no-op detect-local\")")),
    ("S21", text!("KEP-2450 `kubernetes/enhancements` `keps/sig-network/2450-Remove-knowledge-of-pod-cluster-CIDR-from-iptables-rules/README.md`")),
    ("S22", text!("KEP-1860 `kubernetes/enhancements` `keps/sig-network/1860-kube-proxy-IP-node-binding/README.md`")),
    ("S23", text!("`kubernetes/website` feature-gate pages: `content/en/docs/reference/command-line-tools-reference/feature-gates/{LoadBalancerIPMode,NFTablesProxyMode,MixedProtocolLBService}.md`")),
    ("S24", text!("kubernetes/kubernetes PR #77523 (route local traffic to LB IPs to service chain), issues #65387, #66607, #75262, #92857, #93456, PR #97081, PR #72432")),
    ("S25", text!("KEP-5495 deprecate IPVS: https://raw.githubusercontent.com/kubernetes/enhancements/master/keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy/kep.yaml")),
    ("S26", text!("Cilium PR https://github.com/cilium/cilium/pull/12311 ; Calico felix PR https://github.com/projectcalico/felix/pull/3076 (quotes kpng `doc/service-proxy.md`)")),
    ("S27", text!("`kubernetes/website` `content/en/docs/tutorials/services/source-ip.md`")),
    ("S28", text!("`kubernetes/website` `content/*/docs/concepts/services-networking/service.md` §\"Specifying IPMode of load balancer status\"")),
    ("S29", text!("`kubernetes/kubernetes` `pkg/apis/core/v1/defaults.go` (targetPort defaulting), `pkg/apis/core/validation/validation.go` (requests ≤ limits)")),
    ("S30", text!("Istio \"Protocol Selection\": https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/")),
    ("S31", text!("Istio \"Application Requirements\" (ports used by Istio): https://istio.io/latest/docs/ops/deployment/requirements/")),
    ("S32", text!("Istio \"Configuring Gateway Network Topology\": https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/")),
    ("S33", text!("Istio \"Ingress Access Control\": https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/")),
    ("S34", text!("Istio gateway chart defaults: https://raw.githubusercontent.com/istio/istio/master/manifests/charts/gateways/istio-ingress/values.yaml")),
    ("S35", text!("Kubernetes \"Resource Management for Pods and Containers\" (memory units): https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")),
    ("S160", text!("ASM \"Enable ASM gateway to obtain client IP by configuring XFF request header\" (numTrustedProxies, xffTrustedCidrs; requires ASM 1.24.6.83 or later): https://www.alibabacloud.com/help/en/asm/sidecar/enable-asm-gateway-to-obtain-client-ip-by-configuring-xff-request-header ; zh https://help.aliyun.com/zh/asm/sidecar/enable-asm-gateway-to-obtain-client-ip-by-configuring-xff-request-header")),
    ("S161", text!("istio/api `mesh/v1alpha1/proxy.proto`@b8f8791d (`Topology.num_trusted_proxies`, `Topology.proxy_protocol`, `termination_drain_duration` default 5s); PR https://github.com/istio/api/pull/2860 (commit fb3ebd69, first tag 1.19.0: `gatewayTopology.proxyProtocol`, \"a substitute for the difficult-to-support EnvoyFilter\")")),
    ("S162", text!("PROXY protocol through an EnvoyFilter, before gatewayTopology.proxyProtocol: Istio blog \"Proxy protocol on AWS NLB and Istio ingress gateway\" step 2 (linked from istio/api#2860): https://istio.io/latest/blog/2020/show-source-ip/ ; the filter's old name `envoy.listener.proxy_protocol` in an EnvoyFilter: https://github.com/istio/istio/pull/12748 ; its current name `envoy.filters.listener.proxy_protocol`: https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.proto")),
    ("S163", text!("ACK \"Service异常问题排查\" § \"应用更新过程中访问CLB出现503报错\" (cause: no connection drain on the CLB listener or no graceful termination of the pods; fix: `connection-drain` annotations, `preStop`, `terminationGracePeriodSeconds`): https://help.aliyun.com/zh/ack/ack-managed-and-ack-dedicated/support/service-troubleshooting (read via mirror `windwild/aliyun-docs@f4faf6fd`)")),
    ("S164", text!("CCM `kubernetes/cloud-provider-alibaba-cloud@eeb0ddc6`: `pkg/controller/service/clbv1/listeners.go` L264-275 (`connection-drain` passed as given, `connection-drain-timeout` an integer), L949-967 (updated on TCP/UDP listeners only), `pkg/provider/alibaba/slb/listener.go` `setTCPListenerValue`/`setUDPListenerValue` (the HTTP/HTTPS setters send no drain), `protocol()` L711-737 (`protocol-port` per port)")),
    ("S165", text!("ASM API `aliyun/alibabacloud-servicemesh-api@4df57487` `alibabacloudservicemesh/v1/istiogateway_types.go`: `IstioGatewayBasicConfiguration.Lifecycle *corev1.Lifecycle` (`lifecycle`), `PodAnnotations`; no terminationGracePeriodSeconds field")),
];

pub fn describe(id: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(i, _)| *i == id).map(|(_, d)| *d)
}
