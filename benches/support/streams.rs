//! Inputs for the benchmarks, generated deterministically so that nothing
//! large is committed: the founding manifest (tests/data/founding.yaml), a stream of
//! gateway Services and IstioGateways with a mix of findings, and a stream
//! with no gateway resources at all.

use std::fmt::Write as _;

/// The founding example, normalized (as tests/data/founding.yaml).
pub const FOUNDING: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  externalTrafficPolicy: Local        # → finding ASM-LB-001
  maxReplicas: 5
  minReplicas: 2
  replicaCount: 2
  ports:
  - {name: status-port, port: 15020, targetPort: 15020}
  - {name: http2, port: 80,   targetPort: 80}
  - {name: https, port: 443,  targetPort: 443}
  - {name: tls,   port: 15443, targetPort: 15443}
  resources:
    limits:   {cpu: '2', memory: 2G}   # 2G = 2·10^9 bytes (≈1.86Gi) — info only
    requests: {cpu: 200m, memory: 256Mi}
  runAsRoot: false
  serviceAnnotations: {}
  serviceType: LoadBalancer
";

/// A small deterministic generator (xorshift), so every run sees the same
/// text; `dump.rs` uses it too.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.below(options.len() as u64) as usize]
    }
}

/// About `target_bytes` of alternating `v1 Service`s and `IstioGateway`s,
/// 1 KB each, with a mix of findings (Local policy, unquoted boolean
/// annotation values, decimal memory units, inverted replica bounds) and
/// clean resources.
pub fn gateway_stream(target_bytes: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(target_bytes + 4096);
    let mut i = 0usize;
    while out.len() < target_bytes {
        if i > 0 {
            out.push_str("---\n");
        }
        if i % 2 == 0 {
            service(&mut out, &mut rng, i);
        } else {
            istio_gateway(&mut out, &mut rng, i);
        }
        i += 1;
    }
    out
}

fn service(out: &mut String, rng: &mut Rng, i: usize) {
    let etp = rng.pick(&["Local", "Cluster", "Local", "Cluster", "Local"]);
    let proxy = rng.pick(&["on", "\"on\"", "off", "'off'"]);
    let backend = rng.pick(&["eni", "ecs", "\"eni\""]);
    let _ = write!(
        out,
        "# gateway service {i}: 网关 {i}
apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway-{i}
  namespace: istio-system
  labels:
    app: istio-ingressgateway
    istio: ingressgateway
    release: istio-{i}
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: internet
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: {proxy}
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-health-check-flag: 'on'
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wrr
    service.beta.kubernetes.io/backend-type: {backend}
spec:
  type: LoadBalancer
  externalTrafficPolicy: {etp}   # reviewed {i}
  selector:
    app: istio-ingressgateway
    istio: ingressgateway
  ports:
  - name: status-port
    port: 15021
    protocol: TCP
    targetPort: 15021
  - name: http2
    port: 80
    protocol: TCP
    targetPort: 8080
  - name: https
    port: 443
    protocol: TCP
    targetPort: {https_target}
  - name: tcp
    port: 31400
    protocol: TCP
    targetPort: 31400
",
        https_target = rng.pick(&["8443", "https", "8443"]),
    );
}

fn istio_gateway(out: &mut String, rng: &mut Rng, i: usize) {
    let etp = rng.pick(&["Local", "Cluster", "Local"]);
    let memory = rng.pick(&["2G", "2Gi", "1024Mi", "2G"]);
    let (min, max) = if rng.next() % 5 == 0 { (5, 2) } else { (2, 5) };
    let _ = write!(
        out,
        "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway-{i}
  namespace: istio-system
spec:
  clusterIds:
  - c{i:08x}
  dnsPolicy: ClusterFirst
  externalTrafficPolicy: {etp}        # 保留源IP
  gatewayType: ingress
  maxReplicas: {max}
  minReplicas: {min}
  replicaCount: 2
  ports:
  - {{name: status-port, port: 15020, targetPort: 15020}}
  - {{name: http2, port: 80, targetPort: 80}}
  - {{name: https, port: 443, targetPort: 443}}
  - {{name: tls, port: 15443, targetPort: 15443}}
  resources:
    limits: {{cpu: '2', memory: {memory}}}
    requests: {{cpu: 200m, memory: 256Mi}}
  runAsRoot: false
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s2.small
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: intranet
  serviceType: LoadBalancer
  overrides:
    cluster-{i}:
      externalTrafficPolicy: Cluster
      replicaCount: 3
"
    );
}

/// About `target_bytes` of ConfigMaps and Deployments that are not gateways:
/// the rules find nothing to read, so this measures the loader and the model.
pub fn plain_stream(target_bytes: usize) -> String {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut out = String::with_capacity(target_bytes + 4096);
    let mut i = 0usize;
    while out.len() < target_bytes {
        if i > 0 {
            out.push_str("---\n");
        }
        if i % 2 == 0 {
            let _ = write!(
                out,
                "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-{i}
  namespace: apps
data:
  LOG_LEVEL: {level}
  FEATURE_FLAGS: \"a,b,c\"
  config.yaml: |
    server:
      port: 8080
      timeout: 30s
    # note {i}
    upstreams:
      - http://backend-{i}.apps.svc:8080
",
                level = rng.pick(&["info", "debug", "warn"]),
            );
        } else {
            let _ = write!(
                out,
                "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: apps
  labels: {{app: web-{i}, tier: frontend}}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web-{i}
  template:
    metadata:
      labels:
        app: web-{i}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.{i}
        ports:
        - containerPort: 8080
          name: http
        env:
        - {{name: MODE, value: production}}
        - {{name: REGION, value: cn-hangzhou}}
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{cpu: 500m, memory: 512Mi}}
",
                replicas = rng.next() % 4 + 1,
            );
        }
        i += 1;
    }
    out
}
