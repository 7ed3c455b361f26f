//! Findings asserted on real files of the corpus, each verified by reading the
//! file against domain.md. For every (file, code) pair listed, the findings of
//! that code in that file must be exactly the listed ones (line and severity),
//! or none for an `absent` row. Add rows as rules land; the default context
//! (nothing known about the cluster) is used.

use gateway_doctor::Severity::{self, Info, Warning};

pub struct Expectation {
    /// A file of `tests/corpus/files`.
    pub file: &'static str,
    pub code: &'static str,
    /// `None`: the file has no finding of `code`.
    pub at: Option<(usize, Severity)>,
}

const fn found(file: &'static str, code: &'static str, line: usize, severity: Severity) -> Expectation {
    Expectation { file, code, at: Some((line, severity)) }
}

const fn absent(file: &'static str, code: &'static str) -> Expectation {
    Expectation { file, code, at: None }
}

pub const EXPECTATIONS: &[Expectation] = &[
    // ASM-LB-001: LoadBalancer + externalTrafficPolicy: Local, no NLB, no hostname
    // annotation, no ipMode: Proxy (domain.md 6.1); info when the provider publishes
    // a DNS name (AWS, domain.md 3.7).
    //
    // The generic-cloud controller Service: LoadBalancer with Local, no provider annotations.
    found("ingress-nginx-cloud-deploy.yaml", "ASM-LB-001", 347, Warning),
    // DigitalOcean load balancers publish an IP: same as the generic cloud.
    found("ingress-nginx-do-deploy.yaml", "ASM-LB-001", 350, Warning),
    // aws-load-balancer-type: nlb -> the status holds a hostname: info.
    found("ingress-nginx-aws-deploy.yaml", "ASM-LB-001", 351, Info),
    // Bare metal: the controller Service is a NodePort.
    absent("ingress-nginx-baremetal-deploy.yaml", "ASM-LB-001"),
    // A small LoadBalancer Service with Local and a fixed loadBalancerIP.
    found("ingress-nginx-static-ip-svc.yaml", "ASM-LB-001", 10, Warning),
    // OpenShift router: LoadBalancer with Local (name set at runtime).
    found("openshift-router-service-cloud.yaml", "ASM-LB-001", 16, Warning),
    // DigitalOcean sticky sessions: Local on purpose, still the same in-cluster problem.
    found("do-ccm-http-sticky-sessions-etp-local.yaml", "ASM-LB-001", 17, Warning),
    // DigitalOcean hostname example: policy unset (Cluster).
    absent("do-ccm-https-hostname-and-cert.yaml", "ASM-LB-001"),
    // istioctl golden output: two istio-ingressgateway LoadBalancer Services with Local,
    // the second with `annotations: null`.
    found("istio-operator-testdata-ingressgateway-k8s-settings-golden.yaml", "ASM-LB-001", 493, Warning),
    found("istio-operator-testdata-ingressgateway-k8s-settings-golden.yaml", "ASM-LB-001", 532, Warning),
    // The IstioOperator inputs ask for Local but are not Services.
    absent("istio-operator-testdata-ingressgateway-k8s-settings-input.yaml", "ASM-LB-001"),
    absent("istio-operator-yaml-layer1-etp-local.yaml", "ASM-LB-001"),
    // NodePort with Local: not a LoadBalancer.
    absent("kubescape-istio-ingressgateway-svc-dump-nodeport-etp-local.yaml", "ASM-LB-001"),
    // LoadBalancer with an explicit Cluster policy.
    absent("kubescape-istio-ingressgateway-svc-dump-etp-cluster.yaml", "ASM-LB-001"),
    // Placeholder values (`type: typeValue`, `externalTrafficPolicy: externalTrafficPolicyValue`).
    absent("k8s-api-roundtrip-service.yaml", "ASM-LB-001"),
    absent("k8s-api-roundtrip-service.json", "ASM-LB-001"),
    // Rendered Istio installs: the ingress gateway is a LoadBalancer with the policy unset.
    absent("net-istio-istio-latest-ci-no-mesh.yaml", "ASM-LB-001"),
    absent("net-istio-istio-1.4.2-ci-no-mesh.yaml", "ASM-LB-001"),
    absent("istio-0.8.0-demo-rendered.yaml", "ASM-LB-001"),
    absent("istio-gateway-api-deployment-east-west.yaml", "ASM-LB-001"),
    // Kong proxy: LoadBalancer with AWS NLB annotations, policy unset.
    absent("kong-all-in-one-dbless.yaml", "ASM-LB-001"),
    // An empty file.
    absent("istio-operator-testdata-gateways-golden-empty.yaml", "ASM-LB-001"),
];
