//! The reviewed expectations for the corpus: for every corpus file, every
//! finding the tool must report (code, line, severity), decided by reading the
//! file against the rule docs and the sources they cite (src/sources.rs), not
//! copied from the tool's output.
//!
//! Each list is exact: a finding of any code that is not listed fails the test,
//! and so does a listed one that is missing. `FILES` uses the default context
//! (nothing known about the cluster); `WITH_CONTEXT` re-checks a few files with
//! cluster context where it changes the outcome. `NOTES` records where a real
//! file changed a rule (or corrected a first reading). `docs/corpus.md` is
//! generated from these tables.

use gateway_doctor::Severity::{self, Error, Info, Warning};

/// One corpus file, checked with no cluster context.
pub struct FileCase {
    /// A file of `tests/corpus/files`.
    pub file: &'static str,
    /// Kubernetes objects in the file (`kind: List` items counted one by one).
    pub resources: usize,
    /// Every finding: (code, line, severity).
    pub findings: &'static [(&'static str, usize, Severity)],
    /// Every input problem of warning or error severity: (kind, line, severity).
    pub input: &'static [(&'static str, usize, Severity)],
}

/// A file re-checked with cluster context, as `ClusterContext::set` keys.
pub struct ContextCase {
    pub file: &'static str,
    pub context: &'static [(&'static str, &'static str)],
    pub findings: &'static [(&'static str, usize, Severity)],
}

/// A place where a real file changed a rule or corrected a first reading.
pub struct Note {
    pub file: &'static str,
    pub line: usize,
    pub code: &'static str,
    pub text: &'static str,
}

const fn file(file: &'static str, resources: usize) -> FileCase {
    FileCase { file, resources, findings: &[], input: &[] }
}

impl FileCase {
    const fn finds(self, findings: &'static [(&'static str, usize, Severity)]) -> Self {
        FileCase { findings, ..self }
    }

    const fn input(self, input: &'static [(&'static str, usize, Severity)]) -> Self {
        FileCase { input, ..self }
    }
}

pub const FILES: &[FileCase] = &[
    // DigitalOcean sticky sessions: LoadBalancer + Local on purpose; the
    // in-cluster problem of ASM-LB-001 is the same (DO publishes an IP).
    file("do-ccm-http-sticky-sessions-etp-local.yaml", 2).finds(&[("ASM-LB-001", 17, Warning)]),
    // DigitalOcean hostname example: ETP unset, not a gateway Service.
    file("do-ccm-https-hostname-and-cert.yaml", 2),
    // ingress-nginx for AWS: `aws-load-balancer-type: nlb` publishes a DNS
    // name, so nothing in the cluster captures the address: info.
    file("ingress-nginx-aws-deploy.yaml", 19).finds(&[("ASM-LB-001", 351, Info)]),
    // Bare metal: the controller Service is a NodePort, not a gateway's.
    file("ingress-nginx-baremetal-deploy.yaml", 19),
    // Generic cloud: LoadBalancer + Local, no provider annotation.
    file("ingress-nginx-cloud-deploy.yaml", 19).finds(&[("ASM-LB-001", 347, Warning)]),
    // DigitalOcean: same Service plus a DO PROXY-protocol annotation (not the
    // CCM's, so ASM-PP-007/008 do not apply).
    file("ingress-nginx-do-deploy.yaml", 19).finds(&[("ASM-LB-001", 350, Warning)]),
    // A lone LoadBalancer Service with Local and a fixed loadBalancerIP.
    file("ingress-nginx-static-ip-svc.yaml", 1).finds(&[("ASM-LB-001", 10, Warning)]),
    // Istio 0.8.0 demo: istio-ingressgateway is a LoadBalancer gateway Service
    // with ETP unset (Cluster): source IP lost, pointed at its `spec:` line.
    // grafana and servicegraph write `type:` twice (ClusterIP, then
    // LoadBalancer); neither is a gateway. The egress gateway is a ClusterIP;
    // the Deployments are extensions/v1beta1; the HPAs are 1..1.
    file("istio-0.8.0-demo-rendered.yaml", 101)
        .finds(&[("ASM-LB-005", 2217, Info)])
        .input(&[("duplicate-key", 2204, Warning), ("duplicate-key", 2441, Warning)]),
    // Three Istio Gateways (one plain, two in a `kind: List`) and no gateway side.
    file("istio-analyzer-list-type-gateways.yaml", 3),
    // gateway-istio is a Gateway-API-managed LoadBalancer with ETP unset; its
    // port `default` has appProtocol http, the waypoint's `mesh` has hbone.
    file("istio-analyzer-service-port-name.yaml", 3).finds(&[("ASM-LB-005", 51, Info)]),
    // The east-west gateway Service: Gateway API, LoadBalancer, ETP unset;
    // every port has an appProtocol.
    file("istio-gateway-api-deployment-east-west.yaml", 4).finds(&[("ASM-LB-005", 243, Info)]),
    // An HPA 2..5 and a PDB; no IstioGateway for ASM-HPA-014 to relate.
    file("istio-operator-testdata-gateway-hpa-pdb-golden.yaml", 2),
    file("istio-operator-testdata-gateways-golden-empty.yaml", 0),
    // IstioOperator inputs are not Services.
    file("istio-operator-testdata-gateways-input.yaml", 1),
    // Two istio-ingressgateway LoadBalancer Services with Local, both
    // selecting both Deployments (no `replicas`, no pod anti-affinity): the
    // in-cluster warning and the single-node info on each Service.
    file("istio-operator-testdata-ingressgateway-k8s-settings-golden.yaml", 4).finds(&[
        ("ASM-LB-001", 493, Warning),
        ("ASM-HA-011", 493, Info),
        ("ASM-LB-001", 532, Warning),
        ("ASM-HA-011", 532, Info),
    ]),
    file("istio-operator-testdata-ingressgateway-k8s-settings-input.yaml", 1),
    file("istio-operator-yaml-layer1-etp-local.yaml", 1),
    // Kiali: a ClusterIP Service and a Deployment without `istio` labels.
    file("istio-samples-addons-kiali-docend.yaml", 6),
    // HPA min 2 <= max 3; the placeholder target kind relates to nothing.
    file("k8s-api-roundtrip-hpa-v2.json", 1),
    // Placeholder values: `type` and `externalTrafficPolicy` are outside their
    // sets. healthCheckNodePort 12 is left to ASM-CR-021 (see NOTES), nodePort
    // 5 and loadBalancerSourceRanges need a NodePort/LoadBalancer type.
    file("k8s-api-roundtrip-service.json", 1).finds(&[("ASM-CR-021", 64, Error), ("ASM-CR-021", 74, Error)]),
    file("k8s-api-roundtrip-service.yaml", 1).finds(&[("ASM-CR-021", 43, Error), ("ASM-CR-021", 68, Error)]),
    // kong-proxy: LoadBalancer with AWS NLB annotations, ETP unset; not an
    // Istio gateway by name, selector or labels (`GatewayReason`, src/model/service.rs).
    file("kong-all-in-one-dbless.yaml", 29),
    // cluster-local-gateway is a ClusterIP Service; HPA 1..5; requests <= limits.
    file("kubeflow-cluster-local-gateway.yaml", 6),
    // ALLOW-all policy (`rules: [{}]`): no ipBlocks for ASM-SIP-006.
    file("kubeflow-istio-ingressgateway-authorizationpolicy.yaml", 1),
    // A patch fragment: ClusterIP, no ports.
    file("kubeflow-istio-ingressgateway-service-patch.yaml", 1),
    // A dumped istio-ingressgateway: LoadBalancer with explicit Cluster;
    // nodePorts in range, ports named status-port/http2/https.
    file("kubescape-istio-ingressgateway-svc-dump-etp-cluster.yaml", 1).finds(&[("ASM-LB-005", 30, Info)]),
    // NodePort with Local: not a LoadBalancer (ASM-LB-001, ASM-HA-011), and
    // Local keeps the source IP (ASM-LB-005).
    file("kubescape-istio-ingressgateway-svc-dump-nodeport-etp-local.yaml", 1),
    // Istio 1.4.2 for Knative CI: istio-ingressgateway LoadBalancer, ETP unset.
    // The galley ClusterRole (line 447) writes a flow sequence whose lines are
    // indented less than YAML 1.2 requires; Kubernetes' go-yaml reads it, this
    // parser does not (reported to the lead: a core issue), so 35 of the 36
    // objects are read.
    file("net-istio-istio-1.4.2-ci-no-mesh.yaml", 35)
        .finds(&[("ASM-LB-005", 787, Info)])
        .input(&[("syntax", 458, Error)]),
    // Current Istio for Knative CI: istio-ingressgateway LoadBalancer, ETP unset.
    file("net-istio-istio-latest-ci-no-mesh.yaml", 39).finds(&[("ASM-LB-005", 20258, Info)]),
    file("net-istio-istiooperator-ci-no-mesh.yaml", 1),
    // OpenShift router: LoadBalancer with Local, no name (set at runtime).
    file("openshift-router-service-cloud.yaml", 1).finds(&[("ASM-LB-001", 16, Warning)]),
    // --- Markdown: the Kubernetes objects in fenced blocks (```yaml always,
    // unlabelled only when they hold objects), lines of the Markdown file.
    //
    // The CCM's usage doc, 31 CLB Services (none a gateway; ETP Local only
    // where noted). protocol-port http/https: the in-cluster L7 warning, and
    // ASM-ANN-028's info that HTTP health checks are off without
    // `health-check-flag: on` (the HTTP health-check example at 470 sets it).
    // `network-type: "alibaba"` (378): the CCM reads network-type from v2.12.4
    // and accepts classic or vpc; any other value fails every update (ANN-037).
    // Local at 350 sets wrr; Local at 738, 761, 783, 801 leaves the rr default.
    // `backend-type: eni` with no CNI known. The `id` examples (13, 164) reuse a
    // CLB without the listener override (ANN-039 info); 194 sets it. `spec`
    // (138) and `paybybandwidth` (404) are pay-by-specification settings, no
    // longer sold (ANN-041); `wlc` (496) is not in current CLB docs (ANN-037).
    file("alibaba-ccm-usage-en.md", 31).finds(&[
        ("ASM-ANN-039", 13, Info),
        ("ASM-L7-009", 92, Info),
        ("ASM-ANN-028", 92, Info),
        ("ASM-L7-009", 112, Warning),
        ("ASM-ANN-028", 112, Info),
        ("ASM-ANN-041", 138, Warning),
        ("ASM-ANN-039", 164, Info),
        ("ASM-L7-009", 262, Info),
        ("ASM-ANN-028", 262, Info),
        ("ASM-L7-009", 292, Info),
        ("ASM-ANN-028", 292, Info),
        ("ASM-LB-001", 350, Warning),
        ("ASM-ANN-037", 378, Error),
        ("ASM-ANN-041", 404, Warning),
        ("ASM-L7-009", 470, Info),
        ("ASM-ANN-037", 496, Warning),
        ("ASM-L7-009", 580, Warning),
        ("ASM-ANN-028", 580, Info),
        ("ASM-LB-002", 665, Info),
        ("ASM-LB-001", 738, Warning),
        ("ASM-LB-010", 738, Info),
        ("ASM-LB-001", 761, Warning),
        ("ASM-LB-010", 761, Info),
        ("ASM-LB-001", 783, Warning),
        ("ASM-LB-010", 783, Info),
        ("ASM-LB-001", 801, Warning),
        ("ASM-LB-010", 801, Info),
    ]),
    // The legacy ACK "custom Istio gateway" page holds an IstioGateway, an
    // Istio Gateway and cert-manager objects in fences whose info string is a
    // bare attribute block (``` {#codeblock_…}): unlabelled blocks. The
    // IstioGateway has no namespace (CR-020 info) and no policy (LB-005); the
    // Gateway selects `istio: ingressgateway`, not the custom gateway (GW-035).
    // The CR sets neither CLB connection drain nor `lifecycle`/a drain
    // duration, and its ports are TCP (HA-042, info: ETP unset).
    // The list-item fence at 235-278 (Service + Deployment, `---`, a leaked heredoc `EOF`) is read
    // de-indented: the Service parses, the Deployment document does not (syntax error where the
    // reader stops, the closing fence after `EOF`). With that Deployment's pods unknown, ASM-GW-035
    // no longer claims the Gateway's selector matches nothing.
    file("alibaba-csk-custom-istio-gateway-zh.md", 6)
        .finds(&[("ASM-CR-020", 161, Info), ("ASM-LB-005", 165, Info), ("ASM-HA-042", 165, Info)])
        .input(&[("syntax", 278, Error)]),
    // Helm values (`gateways.ingress[]`), no Kubernetes objects.
    file("alibaba-csk-deploy-istio-zh.md", 0),
    // ACK FAQ: nginx-ingress-lb, LoadBalancer + Local, no CCM annotation.
    file("alibaba-csk-faq-about-services-en.md", 1).finds(&[("ASM-LB-001", 144, Warning)]),
    // Two intranet Services reusing a CLB (`alicloud-` id/address-type), Cluster,
    // with the listener override commented out: the doc says to create the
    // listeners by hand, which ANN-039's info says too. The two share the
    // placeholder `<YOUR_INTRANET_SLB_ID>`, so no port clash is reported.
    file("alibaba-csk-ingress-internal-slb-en.md", 2).finds(&[("ASM-ANN-039", 43, Info), ("ASM-ANN-039", 95, Info)]),
    // The ACK annotation reference (2020): same pattern as the CCM doc (http:80
    // alone at 68, 279, 513: infos); Local
    // at 397, 419, 439, 463, 649 with the rr default, at 627 with wrr. `spec`
    // (117) and `paybybandwidth` (220): ANN-041; reuse without override (146):
    // ANN-039 info; `wlc` (302): ANN-037 warning.
    file("alibaba-csk-slb-annotations-en.md", 27).finds(&[
        ("ASM-L7-009", 68, Info),
        ("ASM-ANN-028", 68, Info),
        ("ASM-L7-009", 92, Warning),
        ("ASM-ANN-028", 92, Info),
        ("ASM-ANN-041", 117, Warning),
        ("ASM-ANN-039", 146, Info),
        ("ASM-ANN-041", 220, Warning),
        ("ASM-L7-009", 279, Info),
        ("ASM-ANN-037", 302, Warning),
        ("ASM-LB-001", 397, Warning),
        ("ASM-LB-010", 397, Info),
        ("ASM-LB-001", 419, Warning),
        ("ASM-LB-010", 419, Info),
        ("ASM-LB-001", 439, Warning),
        ("ASM-LB-010", 439, Info),
        ("ASM-LB-001", 463, Warning),
        ("ASM-LB-010", 463, Info),
        ("ASM-L7-009", 513, Info),
        ("ASM-ANN-028", 513, Info),
        ("ASM-L7-009", 561, Warning),
        ("ASM-ANN-028", 561, Info),
        ("ASM-LB-001", 627, Warning),
        ("ASM-LB-001", 649, Warning),
        ("ASM-LB-010", 649, Info),
        ("ASM-LB-002", 669, Info),
    ]),
    // NLB guide: 21 Services, all `loadBalancerClass: alibabacloud.com/nlb`
    // + Local (no CLB rules; the status is a DNS name). The TCP+UDP example
    // needs Kubernetes >= 1.24, unknown here: info. One snippet has
    // `name: nginx` at column 0, invalid YAML in a ```yaml block.
    file("alibaba-lbc-nlb-usage-en.md", 20).finds(&[("ASM-SVC-025", 263, Info)]).input(&[("syntax", 374, Error)]),
    file("alibaba-lbc-nlb-usage-zh.md", 20).finds(&[("ASM-SVC-025", 261, Info)]).input(&[("syntax", 372, Error)]),
    // AWS NLB (`aws-load-balancer-type: external`): a DNS name in the status.
    file("aws-lbc-nlb-tls-termination.md", 1).finds(&[("ASM-LB-001", 79, Info)]),
    // DigitalOcean examples: LoadBalancers with ETP unset, not gateways.
    file("do-ccm-services-examples-readme.md", 5),
    // The policies sit in Hugo `{{< text >}}` shortcodes, not Markdown fences:
    // not read (a limitation of the Markdown reader, not a rule).
    file("istio-io-authz-ingress-ipblocks-1.5.md", 0),
    // MetalLB: LoadBalancers with ETP unset; the TCP/UDP pair is two Services.
    file("metallb-usage-doc.md", 4),
];

pub const WITH_CONTEXT: &[ContextCase] = &[
    // The founding situation: IPVS and pods calling the load balancer address.
    ContextCase {
        file: "istio-operator-testdata-ingressgateway-k8s-settings-golden.yaml",
        context: &[("kubeProxyMode", "ipvs"), ("inClusterClients", "pods")],
        findings: &[
            ("ASM-LB-001", 493, Error),
            ("ASM-HA-011", 493, Info),
            ("ASM-LB-001", 532, Error),
            ("ASM-HA-011", 532, Info),
        ],
    },
    // Terway's eBPF datapath: a warning (ACK says access "may" fail, and
    // Terway's in_cluster_loadbalance short-circuits it when on), and a Terway
    // cluster is an Alibaba one, so the CLB scheduler advice applies: two pods
    // (one per Deployment) without anti-affinity likely share nodes (warning).
    // The Deployments have no preStop and no terminationDrainDuration, and the
    // Services no connection-drain: with Local, HA-042 warns (at `spec`).
    ContextCase {
        file: "istio-operator-testdata-ingressgateway-k8s-settings-golden.yaml",
        context: &[("cni", "terway-datapathv2"), ("inClusterClients", "pods")],
        findings: &[
            ("ASM-HA-042", 492, Warning),
            ("ASM-LB-001", 493, Warning),
            ("ASM-HA-011", 493, Info),
            ("ASM-LB-010", 493, Warning),
            ("ASM-HA-042", 531, Warning),
            ("ASM-LB-001", 532, Warning),
            ("ASM-HA-011", 532, Info),
            ("ASM-LB-010", 532, Warning),
        ],
    },
    // Nobody inside the cluster uses the address.
    ContextCase {
        file: "ingress-nginx-cloud-deploy.yaml",
        context: &[("inClusterClients", "none")],
        findings: &[("ASM-LB-001", 347, Info)],
    },
    // iptables with a local-traffic detector serves pod clients.
    ContextCase {
        file: "do-ccm-http-sticky-sessions-etp-local.yaml",
        context: &[("kubeProxyMode", "iptables"), ("detectLocal", "implemented"), ("inClusterClients", "pods")],
        findings: &[("ASM-LB-001", 17, Info)],
    },
    // A DNS name in the status wins over IPVS: nothing captures the address.
    ContextCase {
        file: "ingress-nginx-aws-deploy.yaml",
        context: &[("kubeProxyMode", "ipvs"), ("inClusterClients", "pods")],
        findings: &[("ASM-LB-001", 351, Info)],
    },
    // A CCM version makes the Service an Alibaba CLB: rr ignores the weights
    // (one controller pod: info).
    ContextCase {
        file: "ingress-nginx-cloud-deploy.yaml",
        context: &[("ccmVersion", "v2.9.0")],
        findings: &[("ASM-LB-001", 347, Warning), ("ASM-LB-010", 347, Info)],
    },
    ContextCase {
        file: "kubescape-istio-ingressgateway-svc-dump-etp-cluster.yaml",
        context: &[("needsSourceIp", "true")],
        findings: &[("ASM-LB-005", 30, Warning)],
    },
    ContextCase {
        file: "kubescape-istio-ingressgateway-svc-dump-etp-cluster.yaml",
        context: &[("needsSourceIp", "false")],
        findings: &[],
    },
];

pub const NOTES: &[Note] = &[
    Note {
        file: "istio-operator-testdata-ingressgateway-k8s-settings-golden.yaml",
        line: 493,
        code: "ASM-LB-010",
        text: "Rule changed. With a Terway CNI the two Services (each selecting both Deployments, no `replicas`, \
               no anti-affinity) got info: the rule took the largest *written* `replicas` and called pods spread \
               when *any* Deployment had anti-affinity. It now sums the pods of every Deployment (`replicas` \
               defaults to 1) and needs anti-affinity on each: warning, as its doc says for more than one \
               replica without anti-affinity. Regression test: \
               `counts_the_pods_of_every_deployment_behind_a_service`.",
    },
    Note {
        file: "ingress-nginx-cloud-deploy.yaml",
        line: 347,
        code: "ASM-LB-010",
        text: "Doc changed. A LoadBalancer + Local Service with no provider annotation gets no CLB scheduler \
               advice unless the CCM is known to run it (annotation, class, `--ccm-version`, Terway CNI); the \
               behaviour was right and tested, the doc did not say it.",
    },
    Note {
        file: "k8s-api-roundtrip-service.yaml",
        line: 44,
        code: "ASM-SVC-026",
        text: "First reading corrected. `healthCheckNodePort: 12` on `type: typeValue` literally meets the \
               rule's trigger (not LoadBalancer + Local), so the first reading expected an error. The rule \
               leaves an invalid type or policy to ASM-CR-021, since whether the field is allowed depends on \
               the value meant; kept, and the rule doc now says so (the rule's test already covered it).",
    },
    Note {
        file: "net-istio-istio-1.4.2-ci-no-mesh.yaml",
        line: 458,
        code: "syntax",
        text: "Open (core, not a rule). A flow sequence continued on lines indented 2 spaces under `- apiGroups: [` \
               is rejected as invalid indentation; YAML 1.2 asks for 3, but Kubernetes' go-yaml (and libyaml) \
               accept it, so the real manifest applies. The document is skipped and `check` exits 2. Reported \
               to the lead.",
    },
    Note {
        file: "alibaba-csk-custom-istio-gateway-zh.md",
        line: 158,
        code: "markdown",
        text: "Fixed in the core (markdown.rs): fences opened with ``` {#codeblock_…} (a Pandoc/kramdown \
               attribute block with only an id) were taken to name a language and skipped, so the only ASM \
               IstioGateway of the corpus was never checked. Read as unlabelled blocks, the file gives 5 \
               resources and ASM-CR-020 (no namespace, line 161), ASM-LB-005 (line 165) and ASM-GW-035 (the \
               Gateway selects `istio: ingressgateway`, not the custom gateway's pods, line 292). Fences \
               indented in list items are now read de-indented (6 resources): the fence at line 235 \
               holds a leaked heredoc `EOF` and is a syntax error, and ASM-GW-035 stays silent because \
               that document's pods are unknown.",
    },
    Note {
        file: "alibaba-csk-custom-istio-gateway-zh.md",
        line: 165,
        code: "ASM-LB-005",
        text: "Fixed in the core (model): the block sets no metadata.namespace (the page applies it with -n), \
               but the message named `default/istio-myexample-customingressgateway`. A resource without a \
               namespace is now shown by its name alone, and an in-cluster DNS name spells the unknown \
               namespace `<namespace>` (istio-system for an IstioGateway, the only namespace it works in).",
    },
    Note {
        file: "alibaba-ccm-usage-en.md",
        line: 378,
        code: "ASM-ANN-037",
        text: "Corrected. ASM-ANN-036 used to call `alibaba-cloud-loadbalancer-network-type` unknown and suggest \
               `slb-network-type`; the CCM reads `network-type` (annotations.go L55, from v2.12.4) and only \
               v1.9.3.x read `slb-network-type`. The key is known now; its value `alibaba` is not `classic` or \
               `vpc`, and the CCM compares it with the CLB's real type, so every update fails: an error.",
    },
];
