//! A cluster dump as `kubectl get deploy,cm,svc,hpa,istiogateways -A -o yaml`
//! prints it: one `kind: List` whose `items` are grouped by type, each object
//! with the fields the API server adds (`managedFields`, `uid`,
//! `resourceVersion`, `status`). Mostly application Deployments, ConfigMaps,
//! ClusterIP Services and HPAs; about one item in 500 is an ingress gateway
//! (a `LoadBalancer` Service with CCM annotations, its Deployment, and an
//! `IstioGateway`). Generated deterministically, so every run sees the same
//! text.

use std::fmt::Write as _;

use super::streams::Rng;

/// A Kubernetes object uid (a version 4 UUID).
fn uid(rng: &mut Rng) -> String {
    let (a, b) = (rng.next(), rng.next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

const NAMESPACES: &[&str] = &["apps", "payments", "orders", "search", "billing", "catalog", "monitoring", "default"];
const TEAMS: &[&str] = &["checkout", "platform", "growth", "data", "infra"];
const IMAGES: &[&str] = &[
    "registry.cn-hangzhou.aliyuncs.com/acs/app",
    "registry-vpc.cn-beijing.aliyuncs.com/shop/api",
    "docker.io/library/nginx",
    "ghcr.io/example/worker",
];

/// One application: what each of the four common kinds adds to the dump.
struct Parts {
    deployments: String,
    config_maps: String,
    services: String,
    hpas: String,
    gateways: String,
}

/// About `target_bytes` of a cluster dump (one YAML document).
pub fn dump_stream(target_bytes: usize) -> String {
    let mut rng = Rng(0x5851_f42d_4c95_7f2d);
    let mut parts = Parts {
        deployments: String::new(),
        config_maps: String::new(),
        services: String::new(),
        hpas: String::new(),
        gateways: String::new(),
    };
    let mut app = 0usize;
    let len =
        |p: &Parts| p.deployments.len() + p.config_maps.len() + p.services.len() + p.hpas.len() + p.gateways.len();
    while len(&parts) < target_bytes {
        let meta = Meta::new(&mut rng, app);
        deployment(&mut parts.deployments, &mut rng, &meta);
        config_map(&mut parts.config_maps, &mut rng, &meta);
        cluster_ip_service(&mut parts.services, &mut rng, &meta);
        if app % 3 != 2 {
            hpa(&mut parts.hpas, &mut rng, &meta);
        }
        // One ingress gateway per 125 applications: 4 of about 1,900 items,
        // so gateway Services are about 0.2% of the items.
        if app % 125 == 60 {
            let gateway = Meta::gateway(&mut rng, app);
            gateway_deployment(&mut parts.deployments, &mut rng, &gateway);
            gateway_service(&mut parts.services, &mut rng, &gateway);
            istio_gateway(&mut parts.gateways, &mut rng, &gateway);
        }
        app += 1;
    }
    let mut out = String::with_capacity(len(&parts) + 64);
    out.push_str("apiVersion: v1\nitems:\n");
    for part in [parts.deployments, parts.config_maps, parts.services, parts.hpas, parts.gateways] {
        out.push_str(&part);
    }
    out.push_str("kind: List\nmetadata:\n  resourceVersion: \"\"\n");
    out
}

/// What every object of one application shares.
struct Meta {
    name: String,
    namespace: &'static str,
    team: &'static str,
    created: String,
    version: u64,
}

impl Meta {
    fn new(rng: &mut Rng, app: usize) -> Self {
        let service = rng.pick(&["api", "web", "worker", "gateway-bff", "cache-proxy", "exporter", "consumer"]);
        Self {
            name: format!("{service}-{app}"),
            namespace: rng.pick(NAMESPACES),
            team: rng.pick(TEAMS),
            created: timestamp(rng),
            version: 10_000_000 + rng.below(90_000_000),
        }
    }

    fn gateway(rng: &mut Rng, app: usize) -> Self {
        Self {
            name: format!("istio-ingressgateway-{app}"),
            namespace: "istio-system",
            team: "infra",
            created: timestamp(rng),
            version: 10_000_000 + rng.below(90_000_000),
        }
    }
}

fn timestamp(rng: &mut Rng) -> String {
    format!(
        "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// `metadata` as the API server returns it, indented for a List item, with
/// one `managedFields` entry (by `api`) whose `fieldsV1` is `fields`
/// (already indented).
fn metadata(out: &mut String, rng: &mut Rng, meta: &Meta, api: &str, annotations: &str, labels: &str, fields: &str) {
    let _ = write!(
        out,
        "  metadata:
    annotations:
{annotations}    creationTimestamp: \"{created}\"
    generation: {generation}
    labels:
{labels}    managedFields:
    - apiVersion: {api}
      fieldsType: FieldsV1
      fieldsV1:
{fields}      manager: helm
      operation: Update
      time: \"{created}\"
    name: {name}
    namespace: {namespace}
    resourceVersion: \"{version}\"
    uid: {uid}
",
        created = meta.created,
        generation = 1 + rng.below(9),
        name = meta.name,
        namespace = meta.namespace,
        version = meta.version,
        uid = uid(rng),
    );
}

fn helm_annotations(meta: &Meta) -> String {
    format!(
        "      meta.helm.sh/release-name: {name}\n      meta.helm.sh/release-namespace: {namespace}\n",
        name = meta.name,
        namespace = meta.namespace
    )
}

fn app_labels(meta: &Meta) -> String {
    format!(
        "      app: {name}\n      app.kubernetes.io/managed-by: Helm\n      app.kubernetes.io/part-of: {team}\n",
        name = meta.name,
        team = meta.team
    )
}

const DEPLOYMENT_FIELDS: &str = "        f:metadata:
          f:annotations:
            .: {}
            f:meta.helm.sh/release-name: {}
            f:meta.helm.sh/release-namespace: {}
          f:labels:
            .: {}
            f:app: {}
            f:app.kubernetes.io/managed-by: {}
        f:spec:
          f:progressDeadlineSeconds: {}
          f:replicas: {}
          f:revisionHistoryLimit: {}
          f:selector: {}
          f:strategy:
            f:rollingUpdate:
              .: {}
              f:maxSurge: {}
              f:maxUnavailable: {}
            f:type: {}
          f:template:
            f:metadata:
              f:labels:
                .: {}
                f:app: {}
            f:spec:
              f:containers:
                k:{\"name\":\"app\"}:
                  .: {}
                  f:image: {}
                  f:imagePullPolicy: {}
                  f:name: {}
                  f:ports:
                    .: {}
                    k:{\"containerPort\":8080,\"protocol\":\"TCP\"}:
                      .: {}
                      f:containerPort: {}
                      f:name: {}
                      f:protocol: {}
                  f:resources:
                    .: {}
                    f:limits: {}
                    f:requests: {}
              f:dnsPolicy: {}
              f:restartPolicy: {}
              f:schedulerName: {}
              f:terminationGracePeriodSeconds: {}
";

fn deployment(out: &mut String, rng: &mut Rng, meta: &Meta) {
    out.push_str("- apiVersion: apps/v1\n  kind: Deployment\n");
    let annotations =
        format!("      deployment.kubernetes.io/revision: \"{}\"\n{}", 1 + rng.below(20), helm_annotations(meta));
    metadata(out, rng, meta, "apps/v1", &annotations, &app_labels(meta), DEPLOYMENT_FIELDS);
    let replicas = 1 + rng.below(4);
    let cpu = rng.pick(&["100m", "250m", "500m", "1"]);
    let memory = rng.pick(&["128Mi", "256Mi", "512Mi", "1Gi"]);
    let _ = write!(
        out,
        "  spec:
    progressDeadlineSeconds: 600
    replicas: {replicas}
    revisionHistoryLimit: 10
    selector:
      matchLabels:
        app: {name}
    strategy:
      rollingUpdate:
        maxSurge: 25%
        maxUnavailable: 25%
      type: RollingUpdate
    template:
      metadata:
        creationTimestamp: null
        labels:
          app: {name}
      spec:
        containers:
        - env:
          - name: APP_ENV
            value: production
          - name: REGION
            value: {region}
          image: {image}:v1.{minor}.{patch}
          imagePullPolicy: IfNotPresent
          livenessProbe:
            failureThreshold: 3
            httpGet:
              path: /healthz
              port: http
              scheme: HTTP
            periodSeconds: 10
            successThreshold: 1
            timeoutSeconds: 1
          name: app
          ports:
          - containerPort: 8080
            name: http
            protocol: TCP
          resources:
            limits:
              cpu: \"{limit_cpu}\"
              memory: {memory}
            requests:
              cpu: {cpu}
              memory: {memory}
          terminationMessagePath: /dev/termination-log
          terminationMessagePolicy: File
        dnsPolicy: ClusterFirst
        restartPolicy: Always
        schedulerName: default-scheduler
        securityContext: {{}}
        terminationGracePeriodSeconds: 30
  status:
    availableReplicas: {replicas}
    conditions:
    - lastTransitionTime: \"{created}\"
      lastUpdateTime: \"{created}\"
      message: Deployment has minimum availability.
      reason: MinimumReplicasAvailable
      status: \"True\"
      type: Available
    - lastTransitionTime: \"{created}\"
      lastUpdateTime: \"{created}\"
      message: ReplicaSet \"{name}-{hash:x}\" has successfully progressed.
      reason: NewReplicaSetAvailable
      status: \"True\"
      type: Progressing
    observedGeneration: 3
    readyReplicas: {replicas}
    replicas: {replicas}
    updatedReplicas: {replicas}
",
        name = meta.name,
        region = rng.pick(&["cn-hangzhou", "cn-beijing", "cn-shanghai"]),
        image = rng.pick(IMAGES),
        minor = rng.below(40),
        patch = rng.below(10),
        limit_cpu = rng.pick(&["1", "2"]),
        created = meta.created,
        hash = rng.next() & 0xff_ffff_ffff,
    );
}

const CONFIG_MAP_FIELDS: &str = "        f:data:
          .: {}
          f:LOG_LEVEL: {}
          f:application.yaml: {}
        f:metadata:
          f:labels:
            .: {}
            f:app: {}
";

fn config_map(out: &mut String, rng: &mut Rng, meta: &Meta) {
    let _ = write!(
        out,
        "- apiVersion: v1
  data:
    LOG_LEVEL: {level}
    application.yaml: |
      server:
        port: 8080
        shutdown: graceful
      spring:
        datasource:
          url: jdbc:mysql://rm-{db:x}.mysql.rds.aliyuncs.com:3306/{name}
          hikari:
            maximum-pool-size: {pool}
      management:
        endpoints:
          web:
            exposure:
              include: health,prometheus
  kind: ConfigMap
",
        level = rng.pick(&["info", "debug", "warn"]),
        db = rng.next() & 0xffff_ffff,
        name = meta.name,
        pool = 5 + rng.below(20),
    );
    metadata(out, rng, meta, "v1", &helm_annotations(meta), &app_labels(meta), CONFIG_MAP_FIELDS);
}

const SERVICE_FIELDS: &str = "        f:metadata:
          f:labels:
            .: {}
            f:app: {}
        f:spec:
          f:internalTrafficPolicy: {}
          f:ports:
            .: {}
            k:{\"port\":80,\"protocol\":\"TCP\"}:
              .: {}
              f:name: {}
              f:port: {}
              f:protocol: {}
              f:targetPort: {}
          f:selector: {}
          f:sessionAffinity: {}
          f:type: {}
";

fn cluster_ip_service(out: &mut String, rng: &mut Rng, meta: &Meta) {
    out.push_str("- apiVersion: v1\n  kind: Service\n");
    metadata(out, rng, meta, "v1", &helm_annotations(meta), &app_labels(meta), SERVICE_FIELDS);
    let ip = format!("192.168.{}.{}", rng.below(256), 1 + rng.below(254));
    let _ = write!(
        out,
        "  spec:
    clusterIP: {ip}
    clusterIPs:
    - {ip}
    internalTrafficPolicy: Cluster
    ipFamilies:
    - IPv4
    ipFamilyPolicy: SingleStack
    ports:
    - name: http
      port: 80
      protocol: TCP
      targetPort: http
    selector:
      app: {name}
    sessionAffinity: None
    type: ClusterIP
  status:
    loadBalancer: {{}}
",
        name = meta.name,
    );
}

const HPA_FIELDS: &str = "        f:spec:
          f:maxReplicas: {}
          f:metrics: {}
          f:minReplicas: {}
          f:scaleTargetRef: {}
";

fn hpa(out: &mut String, rng: &mut Rng, meta: &Meta) {
    out.push_str("- apiVersion: autoscaling/v2\n  kind: HorizontalPodAutoscaler\n");
    metadata(out, rng, meta, "autoscaling/v2", &helm_annotations(meta), &app_labels(meta), HPA_FIELDS);
    let min = 2 + rng.below(2);
    let _ = write!(
        out,
        "  spec:
    maxReplicas: {max}
    metrics:
    - resource:
        name: cpu
        target:
          averageUtilization: 80
          type: Utilization
      type: Resource
    minReplicas: {min}
    scaleTargetRef:
      apiVersion: apps/v1
      kind: Deployment
      name: {name}
  status:
    conditions:
    - lastTransitionTime: \"{created}\"
      message: recommended size matches current size
      reason: ReadyForNewScale
      status: \"True\"
      type: AbleToScale
    - lastTransitionTime: \"{created}\"
      message: the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)
      reason: ValidMetricFound
      status: \"True\"
      type: ScalingActive
    currentMetrics:
    - resource:
        current:
          averageUtilization: {usage}
          averageValue: {usage}m
        name: cpu
      type: Resource
    currentReplicas: {min}
    desiredReplicas: {min}
",
        max = min + 2 + rng.below(8),
        name = meta.name,
        created = meta.created,
        usage = 5 + rng.below(70),
    );
}

fn gateway_labels(meta: &Meta) -> String {
    format!("      app: {name}\n      istio: ingressgateway\n      provider: asm\n", name = meta.name)
}

fn gateway_deployment(out: &mut String, rng: &mut Rng, meta: &Meta) {
    out.push_str("- apiVersion: apps/v1\n  kind: Deployment\n");
    metadata(
        out,
        rng,
        meta,
        "apps/v1",
        "      deployment.kubernetes.io/revision: \"1\"\n",
        &gateway_labels(meta),
        DEPLOYMENT_FIELDS,
    );
    let _ = write!(
        out,
        "  spec:
    progressDeadlineSeconds: 600
    replicas: 2
    revisionHistoryLimit: 10
    selector:
      matchLabels:
        app: {name}
        istio: ingressgateway
    strategy:
      rollingUpdate:
        maxSurge: 25%
        maxUnavailable: 25%
      type: RollingUpdate
    template:
      metadata:
        annotations:
          sidecar.istio.io/inject: \"false\"
        creationTimestamp: null
        labels:
          app: {name}
          istio: ingressgateway
      spec:
        containers:
        - args:
          - proxy
          - router
          - --domain
          - $(POD_NAMESPACE).svc.cluster.local
          image: registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/proxyv2:1.22.6.{patch}
          imagePullPolicy: IfNotPresent
          name: istio-proxy
          ports:
          - containerPort: 15021
            name: status-port
            protocol: TCP
          - containerPort: 80
            name: http2
            protocol: TCP
          - containerPort: 443
            name: https
            protocol: TCP
          readinessProbe:
            failureThreshold: 30
            httpGet:
              path: /healthz/ready
              port: 15021
              scheme: HTTP
            periodSeconds: 2
            successThreshold: 1
            timeoutSeconds: 1
          resources:
            limits:
              cpu: \"2\"
              memory: 2Gi
            requests:
              cpu: 200m
              memory: 256Mi
        dnsPolicy: ClusterFirst
        restartPolicy: Always
        schedulerName: default-scheduler
        serviceAccountName: istio-ingressgateway
        terminationGracePeriodSeconds: 30
  status:
    availableReplicas: 2
    observedGeneration: 1
    readyReplicas: 2
    replicas: 2
    updatedReplicas: 2
",
        name = meta.name,
        patch = rng.below(60),
    );
}

fn gateway_service(out: &mut String, rng: &mut Rng, meta: &Meta) {
    out.push_str("- apiVersion: v1\n  kind: Service\n");
    let annotations = "      service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: internet
      service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s2.small
      service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wrr
";
    metadata(out, rng, meta, "v1", annotations, &gateway_labels(meta), SERVICE_FIELDS);
    let ip = format!("192.168.{}.{}", rng.below(256), 1 + rng.below(254));
    let _ = write!(
        out,
        "  spec:
    allocateLoadBalancerNodePorts: true
    clusterIP: {ip}
    clusterIPs:
    - {ip}
    externalTrafficPolicy: {etp}
    internalTrafficPolicy: Cluster
    ipFamilies:
    - IPv4
    ipFamilyPolicy: SingleStack
    ports:
    - name: status-port
      nodePort: {p1}
      port: 15021
      protocol: TCP
      targetPort: 15021
    - name: http2
      nodePort: {p2}
      port: 80
      protocol: TCP
      targetPort: 80
    - name: https
      nodePort: {p3}
      port: 443
      protocol: TCP
      targetPort: 443
    selector:
      app: {name}
      istio: ingressgateway
    sessionAffinity: None
    type: LoadBalancer
  status:
    loadBalancer:
      ingress:
      - ip: 47.{a}.{b}.{c}
        ipMode: VIP
",
        etp = rng.pick(&["Local", "Cluster"]),
        p1 = 30000 + rng.below(2767),
        p2 = 30000 + rng.below(2767),
        p3 = 30000 + rng.below(2767),
        name = meta.name,
        a = rng.below(256),
        b = rng.below(256),
        c = 1 + rng.below(254),
    );
}

fn istio_gateway(out: &mut String, rng: &mut Rng, meta: &Meta) {
    let _ = write!(
        out,
        "- apiVersion: istio.alibabacloud.com/v1beta1
  kind: IstioGateway
  metadata:
    creationTimestamp: \"{created}\"
    generation: 1
    name: {name}
    namespace: istio-system
    resourceVersion: \"{version}\"
    uid: {uid}
  spec:
    clusterIds:
    - c{cluster:016x}
    dnsPolicy: ClusterFirst
    externalTrafficPolicy: Cluster
    gatewayType: ingress
    maxReplicas: 5
    minReplicas: 2
    ports:
    - name: status-port
      port: 15021
      targetPort: 15021
    - name: http2
      port: 80
      targetPort: 80
    - name: https
      port: 443
      targetPort: 443
    replicaCount: 2
    resources:
      limits:
        cpu: \"2\"
        memory: 2Gi
      requests:
        cpu: 200m
        memory: 256Mi
    runAsRoot: false
    serviceType: LoadBalancer
",
        created = meta.created,
        name = meta.name,
        version = meta.version,
        uid = uid(rng),
        cluster = rng.next(),
    );
}
