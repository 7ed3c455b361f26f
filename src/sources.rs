//! The sources rules cite (`S6` and so on), so that rule docs can name them.
//!
//! Each entry names where it can be read: a URL, or `owner/repo/path@commit`
//! (or `owner/repo@commit` followed by paths) with a commit of 8 to 40 hex
//! digits. An entry that is not itself a primary source (a summary, a
//! third-party write-up) starts with `Secondary:`; a rule may cite one, but
//! never only such entries. `tests/docs.rs` checks all of this.

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

/// `(id, description with address)`. New ids go at the end, in the range
/// reserved for the change that adds them.
pub const SOURCES: &[(&str, &str)] = &[
    ("S1", text!("ASM \"ASM网关CRD说明\" (zh): https://help.aliyun.com/zh/asm/user-guide/crd-fields-for-an-asm-gateway ; older copy https://help.aliyun.com/document_detail/213005.htm")),
    ("S2", text!("ASM \"CRD fields for an ASM gateway / IstioGateway CRD field reference\" (en): https://www.alibabacloud.com/help/en/asm/sidecar/crd-fields-for-an-asm-gateway ; https://help.aliyun.com/en/asm/sidecar/crd-fields-for-an-asm-gateway ; https://alibabacloud.com/help/en/asm/use-cases/define-a-custom-ingress-gateway-service-1694486964219 ; 2024 copy https://alibabacloud.com/help/doc-detail/2549587.html (\"ASM gateways must be deployed in the istio-system namespace\")")),
    ("S3", text!("ASM older field table (en): https://www.alibabacloud.com/help/en/alibaba-cloud-service-mesh/latest/modify-an-ingress-gateway-service (Service and Deployment named istio-{metadata.name}; namespace \"must be istio-system\"; replicaCount default 1; serviceType \"LoadBalancer, Nodeport, and ClusterIP\"; resources example memory 2G / 256Mi)")),
    ("S4", text!("ASM Go API types: `aliyun/alibabacloud-servicemesh-api/alibabacloudservicemesh/v1/istiogateway_types.go@4df57487a3b13207aeb995e251cc53baf4e8296a` (kubebuilder enums for gatewayType and serviceType, the cross-network constant, REPLICAS_MANAGED_BY_ASM, no internalTrafficPolicy or healthCheckNodePort field), `aliyun/alibabacloud-servicemesh-api/alibabacloudservicemesh/v1/common.go@1004f55d96a86dd91d95736778f953dae48ccb01`, `aliyun/alibabacloud-servicemesh-api/alibabacloudservicemesh/v1/groupversion_info.go@9ed8a35461003cd2e1c9ee24c5caf66240c36609` (group istio.alibabacloud.com, version v1)")),
    ("S5", text!("ASM \"Customize a scaling policy for an ASM gateway\": https://www.alibabacloud.com/help/en/asm/user-guide/customize-the-scaling-policy-of-asm-gateway ; zh https://help.aliyun.com/zh/asm/sidecar/customize-the-scaling-policy-of-asm-gateway")),
    ("S6", text!("ASM FAQ \"Resolve pods failing to access the CLB IP address of an ingress gateway\": https://help.aliyun.com/en/asm/how-to-do-if-the-kubernetes-cluster-pods-cannot-access-clb-address-in-ingress-gateway (the founding zh doc is its counterpart)")),
    ("S7", text!("ASM IP access control (ipBlocks vs remoteIpBlocks): https://www.alibabacloud.com/help/doc-detail/2938062.html ; https://alibabacloud.com/help/en/asm/user-guide/allow-only-specific-ip-addresses-to-access-applications-within-the-mesh")),
    ("S8", text!("ACK \"Configure CLB by using annotations\" (a.k.a. doc-detail 86531): https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/add-annotations-to-the-yaml-file-of-a-service-to-configure-clb-instances (read via mirror, full text)")),
    ("S9", text!("ACK \"Considerations and CCM update policies for Service load balancing\": https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/considerations-for-configuring-a-loadbalancer-type-service-1 (read via mirror, full text)")),
    ("S10", text!("ACK \"Service FAQ\": https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/service-faq (zh older version read in full via mirror: node-weight algorithm, error table)")),
    ("S11", text!("ACK \"Service异常问题排查\" (Service troubleshooting, zh, updated 2026-01-12): https://help.aliyun.com/zh/ack/ack-managed-and-ack-dedicated/support/service-troubleshooting , read as `windwild/aliyun-docs/ACK-容器服务/ack_ack-managed-and-ack-dedicated_support_service-troubleshooting.md@f4faf6fdd431d2882d06237af02c08d4aa63a244` (section \"集群内无法访问CLB\": with `Local`, in-cluster traffic to the CLB address never reaches the CLB and is forwarded by kube-proxy; fixes ClusterIP/Service name, `Cluster`, `Cluster` + `backend-type: eni`; error table rows `can not find eniid for ip` (\"Flannel网络模式不支持ENI模式\") and `The specified Port must be between 1 and 65535.`). It carries first-hand the text of the knowledge-base article https://help.aliyun.com/knowledge_detail/171437.html , which was cited before and never read")),
    ("S12", text!("ACK \"Work with Terway\" (zh): https://help.aliyun.com/zh/ack/ack-managed-and-ack-dedicated/user-guide/work-with-terway (read via mirror)")),
    ("S13", text!("ACK \"Container network FAQ\": https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/faq-about-container-networks (read via mirror)")),
    ("S14", text!("Open-source CCM `kubernetes/cloud-provider-alibaba-cloud@eeb0ddc687ee5ee9d3726559d6a8ec056f694947` (2026-04-10): `pkg/controller/service/reconcile/annotation/annotations.go`, `pkg/controller/helper/service_utils.go` (`GetServiceTrafficPolicy` returns ENI before looking at externalTrafficPolicy), `pkg/controller/service/clbv1/{service_controller.go,vgroups.go,listeners.go}` (vgroups.go: \"Not sync pods [...] whose ip is not in vpc cidrs\"; listeners.go: proxy-protocol sets PROXY protocol v2 on the listener), `pkg/controller/service/nlbv2/{nlb_controller.go,loadbalancer.go}`, `pkg/controller/service/reconcile/backend/backend.go`, `docs/usage.md` (\"Local mode only uses nodes where pods are located as backend servers\"), `go.mod`")),
    ("S15", text!("ACK CCM release notes: https://www.alibabacloud.com/help/en/ack/product-overview/cloud-controller-manager (v2.3.0 adds hostname annotation; read via mirror)")),
    ("S16", text!("Kubernetes API types `kubernetes/api@10b39a39bcee995dfe7cd5e8e7b922be5e46f1e2` (2026-07-24): `core/v1/types.go` (ServiceSpec: type, externalTrafficPolicy, healthCheckNodePort, internalTrafficPolicy; ServicePort.nodePort), `autoscaling/v2/types.go` (minReplicas, maxReplicas), `apps/v1/types.go` (RollingUpdateDeployment: maxUnavailable \"can not be 0 if MaxSurge is 0\")")),
    ("S17", text!("kube-proxy iptables mode: `kubernetes/kubernetes/pkg/proxy/iptables/proxier.go@092dddd12ca4cc5e66597de66a81fc77fdd3f29b` (an early version: \"Capture load-balancer ingress\" rules on every node, and the masquerade mark on load-balancer and NodePort traffic, \"We have to SNAT packets from external IPs\"); in-cluster traffic to a load balancer IP goes to the Service chain: https://github.com/kubernetes/kubernetes/pull/77523 , https://github.com/kubernetes/kubernetes/pull/78662")),
    ("S18", text!("kube-proxy nftables mode: `kubernetes/kubernetes/pkg/proxy/nftables/proxier.go@b0f823e6ccd8a10b3893fc75011b9981af39285c`")),
    ("S19", text!("kube-proxy IPVS mode, `kubernetes/kubernetes` `pkg/proxy/ipvs/proxier.go` (`syncEndpoint`): with no local endpoint, local pods may still use all endpoints, per https://github.com/kubernetes/kubernetes/pull/97081 , which the code comment cites")),
    ("S20", text!("kube-proxy detect-local selection: `kubernetes/kubernetes/cmd/kube-proxy/app/server_linux.go@9c98d29795356a16e4ecda2af38ec4f1cfa4f3f2` (`getLocalDetectors`: \"Defaulting to no-op detect-local\")")),
    ("S21", text!("KEP-2450: `kubernetes/enhancements/keps/sig-network/2450-Remove-knowledge-of-pod-cluster-CIDR-from-iptables-rules/README.md@5385cde731e5576abe7bd5d727b7e4b49e14ff09`")),
    ("S22", text!("KEP-1860: `kubernetes/enhancements/keps/sig-network/1860-kube-proxy-IP-node-binding/README.md@806e3346989ac8c941550f4844f0a344d93a242f`")),
    ("S23", text!("Kubernetes feature-gate pages: `kubernetes/website/content/en/docs/reference/command-line-tools-reference/feature-gates/MixedProtocolLBService.md@2ba93e0439e8035269a7bc8ccbe599e090d6cd30` (alpha off 1.20–1.23, beta on 1.24–1.25, stable 1.26), `kubernetes/website/content/en/docs/reference/command-line-tools-reference/feature-gates/LoadBalancerIPMode.md@1c80df79e59daff61e9e19f37c17ca0ebdc07024`, `kubernetes/website/content/en/docs/reference/command-line-tools-reference/feature-gates/NFTablesProxyMode.md@e5232121287885e5c137ae7bb4e1f2b84fdf26c9`")),
    ("S24", text!("Kubernetes threads on in-cluster traffic to load balancer IPs: https://github.com/kubernetes/kubernetes/pull/77523 (\"route local traffic to LB IPs to service chain\"), https://github.com/kubernetes/kubernetes/issues/65387 , https://github.com/kubernetes/kubernetes/issues/66607 (traffic to the LB IP from within the cluster never reaches the load balancer, so a PROXY protocol header is not applied), https://github.com/kubernetes/kubernetes/issues/75262 , https://github.com/kubernetes/kubernetes/issues/92857 , https://github.com/kubernetes/kubernetes/issues/93456 , https://github.com/kubernetes/kubernetes/pull/97081 , https://github.com/kubernetes/kubernetes/pull/72432")),
    ("S25", text!("KEP-5495 deprecate IPVS: https://raw.githubusercontent.com/kubernetes/enhancements/master/keps/sig-network/5495-deprecate-ipvs-mode-in-kube-proxy/kep.yaml")),
    ("S26", text!("Cilium PR https://github.com/cilium/cilium/pull/12311 ; Calico felix PR https://github.com/projectcalico/felix/pull/3076 (quotes kpng `doc/service-proxy.md`)")),
    ("S27", text!("Kubernetes tutorial \"Using Source IP\": `kubernetes/website/content/en/docs/tutorials/services/source-ip.md@f904ebf26666b3a9a1f4f0f8d6cd8ceaa32a5e89`")),
    ("S28", text!("Kubernetes \"Service\" concept page, §\"Specifying IPMode of load balancer status\": `kubernetes/website/content/en/docs/concepts/services-networking/service.md@7f1bc248aaac6f0f28450a444a1ca483298a49af`")),
    ("S29", text!("Kubernetes defaulting and validation: `kubernetes/kubernetes/pkg/apis/core/v1/defaults.go@e34b0935e09e39e5e7fb74b8f6ad141107d3b90e` (targetPort defaulting), `kubernetes/kubernetes/pkg/apis/core/validation/validation.go@000f26050b9be6fb3d79fae95e06b47fc96128cd` (`validateResourceRequirements`: a request \"must be less than or equal to\" its limit)")),
    ("S30", text!("Istio \"Protocol Selection\": https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/")),
    ("S31", text!("Istio \"Application Requirements\" (ports used by Istio: 15020 merged Prometheus telemetry, 15021 health checks): https://istio.io/latest/docs/ops/deployment/requirements/")),
    ("S32", text!("Istio \"Configuring Gateway Network Topology\": https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/")),
    ("S33", text!("Istio \"Ingress Access Control\": https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/")),
    ("S34", text!("Istio gateway chart: `istio/istio/manifests/charts/gateways/istio-ingress/values.yaml@dd4595aa82d67ae67848d049f0c74be738e41c28` (status-port 15021 listed first for load balancer health checks; rollingMaxSurge 100%, rollingMaxUnavailable 25%), `istio/istio/manifests/charts/gateways/istio-ingress/templates/deployment.yaml@7bf675363292fab8885992fbbf7f7fd5b82cee19` (rollingMaxSurge/rollingMaxUnavailable become the Deployment's strategy.rollingUpdate); current copy https://raw.githubusercontent.com/istio/istio/master/manifests/charts/gateways/istio-ingress/values.yaml")),
    ("S35", text!("Kubernetes \"Resource Management for Pods and Containers\" (memory units): https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")),
    ("S36", text!("Kubernetes Service validation: `kubernetes/kubernetes/pkg/apis/core/validation/validation.go@000f26050b9be6fb3d79fae95e06b47fc96128cd` (`ValidateService`: `type` NotSupported outside ClusterIP/NodePort/LoadBalancer/ExternalName; `validateServiceExternalTrafficPolicy`: externalTrafficPolicy NotSupported outside Cluster/Local, healthCheckNodePort \"may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'\"; internalTrafficPolicy NotSupported outside Cluster/Local)")),
    ("S37", text!("Kubernetes HPA validation: `kubernetes/kubernetes/pkg/apis/autoscaling/validation/validation.go@001320a9e6bbf2ab66683f652545b3cac29efe9a` (`validateHorizontalPodAutoscalerSpec`: maxReplicas \"must be greater than or equal to `minReplicas`\")")),
    ("S38", text!("kube-apiserver default NodePort range: `kubernetes/kubernetes/pkg/kubeapiserver/options/options.go@20d537edb1386feffa811d00da40d0120e4e5926` (`DefaultServiceNodePortRange = utilnet.PortRange{Base: 30000, Size: 2768}`, that is 30000–32767)")),
    ("S39", text!("ACK CLB annotation reference, 2021 copy: `AlibabaCloudDocs/csk/intl.en-US/User Guide for Kubernetes Clusters/Network/Service Management/Use annotations to configure load balancing.md@cb678bc97803ec0e457c867b796d7afcb53e3bbb` (in-repo copy tests/corpus/files/alibaba-csk-slb-annotations-en.md): `backend-type: eni` \"takes effect only in Terway mode\"; default `ecs` on Flannel, `eni` on Terway clusters created after August 10, 2020; TCP listeners always health-checked")),
    ("S40", text!("Istio Gateway API: `istio/api/networking/v1alpha3/gateway.proto@b8f8791d9653b2edc77a071d48887e582cfe84bf` (`Gateway.selector`: the pods the configuration applies to, searched across all namespaces by default; `Server.port`: the port on which the proxy listens)")),
    ("S41", text!("ASM \"Configure an Istio gateway for multiple ingress gateways\": https://alibabacloud.com/help/en/asm/use-cases/configure-unified-gateway-rules-for-multiple-ingress-gateways-1694486964216 (a Gateway's spec.selector matches ingress gateway pods by label; give gateways a shared label through podLabels)")),
    ("S100", text!("`kubernetes/kubernetes` `pkg/apis/core/validation/validation.go@000f26050b9be6fb3d79fae95e06b47fc96128cd` `validateServiceExternalTrafficPolicy`: `spec.healthCheckNodePort` is invalid unless the Service needs a health check (LoadBalancer with externalTrafficPolicy Local)")),
];

pub fn describe(id: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(i, _)| *i == id).map(|(_, d)| *d)
}
