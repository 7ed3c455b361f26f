use crate::diagnostic::Severity;
use crate::model::proxy_config::PROXY_CONFIG;
use crate::model::{Field, ServiceView, ALIBABA_PREFIX};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use super::support::{annotation_path, drops_connections};
use super::support::owner;

const DRAIN_TIMEOUT: &str = "30";

declare_rule! {
    /// ## What it does
    /// Flags a CLB gateway Service (an IstioGateway's, or a `v1 Service` the
    /// Alibaba Cloud CCM runs) with TCP/UDP listeners and no
    /// `alibaba-cloud-loadbalancer-connection-drain: "on"`, whose gateway pods
    /// the input shows without a graceful stop: no `preStop` hook (the
    /// IstioGateway's `lifecycle`, S165, or a container of the Deployment a
    /// `v1 Service` selects) and no `terminationDrainDuration` in
    /// `proxy.istio.io/config`. Nothing is reported when the pods are not in
    /// the input.
    ///
    /// ## Why is this bad?
    /// ACK gives "no connection drain on the CLB listener, or no graceful
    /// termination of the pods" as the cause of 503s while an application is
    /// updated, and the fix as the `connection-drain` annotations plus a
    /// `preStop` hook and a `terminationGracePeriodSeconds` longer than it
    /// (S163). The CCM passes `connection-drain` to TCP and UDP listeners only
    /// and reads `connection-drain-timeout` as an integer (S164). Istio's
    /// proxy drains for `terminationDrainDuration`, 5 s when unset (S161),
    /// which is all a gateway pod gets without these.
    ///
    /// Info; **warning** with `externalTrafficPolicy: Local` or ENI backends,
    /// where the CLB's backends follow the gateway pods, so every rollout
    /// removes backends from the CLB (S14, S9).
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
    ///   replicaCount: 2
    /// ```
    ///
    /// ## Fix
    /// - `clb-connection-drain` (unsafe): `connection-drain: "on"` and, when
    ///   absent, `connection-drain-timeout: "30"` (ACK's example drains for
    ///   30 s). Needs CCM v2.0.1 or later.
    /// - `drain-gateway-pods` (display-only): a `preStop` hook (IstioGateway
    ///   `lifecycle`) or a longer `terminationDrainDuration`, kept under the
    ///   pods' termination grace period (the IstioGateway CRD has no field for
    ///   it, S165).
    pub struct GatewayRolloutDropsConnections {
        code: "ASM-HA-042",
        name: "gateway-rollout-drops-connections",
        title: "gateway rollouts drop connections: no CLB connection drain and no graceful stop",
        title_zh: "网关滚动更新会中断连接：CLB 未开启连接优雅中断且 Pod 未优雅退出",
        severity: Info,
        fix: Always,
        sources: ["S8", "S9", "S14", "S161", "S163", "S164", "S165"],
    }
}

/// Turns on CLB connection drain (with a timeout) for the gateway Service.
const CLB_CONNECTION_DRAIN: FixId = FixId::new("clb-connection-drain");
/// Advice: give the gateway pods a graceful stop (preStop hook or terminationDrainDuration).
const DRAIN_GATEWAY_PODS: FixId = FixId::new("drain-gateway-pods");

impl Rule for GatewayRolloutDropsConnections {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if !drops_connections(cx, svc) {
                continue;
            }
            let drain = svc.lb_annotation("connection-drain");
            let path = drain.map_or_else(|| svc.spec_path.clone(), |f| f.path.clone());
            out.push(finding(cx, svc, drain, path));
        }
    }
}

fn finding(cx: &RuleContext<'_>, svc: &ServiceView<'_>, drain: Option<&Field<'_>>, path: String) -> Draft {
    let who = owner(cx, svc);
    let message = cx.t(
        format_args!("{who} has no CLB connection drain and its gateway pods stop without a preStop hook or terminationDrainDuration: rollouts can cut connections (503s)"),
        format_args!("{who} 未开启 CLB 连接优雅中断，且网关 Pod 没有 preStop 钩子或 terminationDrainDuration：滚动更新可能中断连接（503）"),
    );
    let mut draft = Draft::new(&GatewayRolloutDropsConnections::META, svc.resource, path, message)
        .label(cx.t("the CLB drops connections to a removed backend", "CLB 会直接断开被移除后端上的连接"));
    let follows_pods = svc.effective_etp() == "Local" || svc.backend_type() == Some("eni");
    if follows_pods {
        draft = draft.severity(Severity::Warning).note(cx.t(
            "with Local or ENI backends the CLB's backends follow the gateway pods: every rollout removes backends",
            "在 Local 或 ENI 后端模式下，CLB 后端随网关 Pod 变化：每次滚动更新都会移除后端",
        ));
    }
    let drain_key = format!("{ALIBABA_PREFIX}connection-drain");
    let timeout_key = format!("{ALIBABA_PREFIX}connection-drain-timeout");
    let mut fix = Fix::new(
        CLB_CONNECTION_DRAIN,
        Applicability::Unsafe,
        cx.t(
            format_args!("set {drain_key}: \"on\" with a drain timeout"),
            format_args!("设置 {drain_key}: \"on\" 并配置优雅中断超时"),
        ),
    );
    let add_timeout = svc.lb_annotation("connection-drain-timeout").is_none();
    let map_exists = cx.resources[svc.resource].get(&svc.annotations_path).is_some_and(|m| !m.is_null());
    fix = match drain {
        Some(f) => fix.op(Op::replace(f.path.clone(), "on").quoted()),
        // A missing map is added whole, both keys in order.
        None if !map_exists && add_timeout => {
            let mut map = serde_json::Map::new();
            map.insert(drain_key.clone(), "on".into());
            map.insert(timeout_key.clone(), DRAIN_TIMEOUT.into());
            fix.op(Op::add(svc.annotations_path.clone(), serde_json::Value::Object(map)).quoted())
        }
        None => fix.op(Op::add(annotation_path(svc, &drain_key), "on").quoted()),
    };
    if add_timeout && (drain.is_some() || map_exists) {
        fix = fix.op(Op::add(annotation_path(svc, &timeout_key), DRAIN_TIMEOUT).quoted());
    }
    fix = fix
        .tradeoff(cx.t(
            "TCP/UDP listeners only; needs CCM v2.0.1 or later",
            "仅对 TCP/UDP 监听生效；需要 CCM v2.0.1 及以上",
        ))
        .tradeoff(cx.t(
            "a removed backend keeps its connections for up to the timeout (30 s, as in ACK's example; 10-900 allowed): the pods must keep serving that long",
            "被移除的后端在超时时间内保留连接（30 秒，同 ACK 示例；允许 10-900）：Pod 需在此期间持续提供服务",
        ));
    fix.recommended = true;
    let pods = Advice::new(
        DRAIN_GATEWAY_PODS,
        cx.t(
            format_args!("give the gateway pods a graceful stop: a preStop hook (IstioGateway lifecycle) or terminationDrainDuration in {PROXY_CONFIG}"),
            format_args!("让网关 Pod 优雅退出：preStop 钩子（IstioGateway lifecycle）或 {PROXY_CONFIG} 中的 terminationDrainDuration"),
        ),
    )
    .tradeoff(cx.t(
        "keep it under terminationGracePeriodSeconds (30 s by default; ACK suggests the preStop time plus at least 30 s)",
        "需小于 terminationGracePeriodSeconds（默认 30 秒；ACK 建议为 preStop 时间再加 30 秒以上）",
    ))
    .tradeoff(cx.t("gateway pods restart to apply it", "需要重启网关 Pod 才能生效"));
    draft.fix(fix).advice(pods)
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
  replicaCount: 2
";

    #[test]
    fn info_by_default_warning_with_local_and_the_fix() {
        let f = only(&check_with(GW, &[]), "ASM-HA-042").clone();
        assert_eq!(f.severity.as_str(), "info");
        assert_eq!(f.location.path, "/spec");
        let local = format!("{GW}  externalTrafficPolicy: Local\n");
        assert_eq!(only(&check_with(&local, &[]), "ASM-HA-042").severity.as_str(), "warning");
        let fixed = apply_fix(GW, "clb-connection-drain", &[]);
        assert_eq!(
            fixed,
            format!("{GW}  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: \"on\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: \"30\"\n")
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-HA-042"));
    }

    #[test]
    fn quiet_when_either_side_drains_or_cannot_be_seen() {
        for extra in [
            "  serviceAnnotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: \"on\"}\n",
            "  lifecycle:\n    preStop:\n      exec: {command: [sleep, \"30\"]}\n",
            "  podAnnotations:\n    proxy.istio.io/config: '{\"terminationDrainDuration\":\"30s\"}'\n",
            "  ports: [{name: http-0, port: 80}]\n  serviceAnnotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80\"}\n",
        ] {
            let text = format!("{GW}{extra}");
            assert!(!codes(&check_with(&text, &[])).contains(&"ASM-HA-042"), "{extra}");
        }
        // A plain Service: reported only with its Deployment in the input.
        let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\n  annotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wrr}\nspec:\n  type: LoadBalancer\n  selector: {istio: ingressgateway}\n";
        assert!(!codes(&check_with(svc, &[])).contains(&"ASM-HA-042"));
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  template:\n    metadata:\n      labels: {istio: ingressgateway}\n    spec:\n      containers:\n      - name: istio-proxy\n";
        let both = format!("{svc}---\n{deploy}");
        assert!(codes(&check_with(&both, &[])).contains(&"ASM-HA-042"));
        let hooked = format!("{both}        lifecycle: {{preStop: {{exec: {{command: [sleep, \"30\"]}}}}}}\n");
        assert!(!codes(&check_with(&hooked, &[])).contains(&"ASM-HA-042"));
    }

    #[test]
    fn both_keys_join_an_existing_annotation_map() {
        let text = format!(
            "{GW}  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: \"wrr\"\n"
        );
        let fixed = apply_fix(&text, "clb-connection-drain", &[]);
        assert!(
            fixed.contains("    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: \"on\"\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains(
                "    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: \"30\"\n"
            ),
            "{fixed}"
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-HA-042"));
    }

    #[test]
    fn an_off_drain_is_turned_on_in_place() {
        let off = format!("{GW}  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: \"off\"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: \"60\"\n");
        let f = only(&check_with(&off, &[]), "ASM-HA-042").clone();
        assert!(f.location.path.ends_with("connection-drain"));
        assert_eq!(apply_fix(&off, "clb-connection-drain", &[]), off.replace("\"off\"", "\"on\""));
    }
}
