use crate::diagnostic::Severity;
use crate::model::{Resource, ServiceView, BACKEND_TYPE};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Note, Remedy, Rule, RuleContext};
use crate::yaml::Node;
use super::support::{is_quoted_number, named_target_port_severity, scope};
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Flags a `targetPort` written as a string on a `LoadBalancer` Service
    /// (or an `IstioGateway`'s rendered Service) that uses ENI backends
    /// (`service.beta.kubernetes.io/backend-type: eni`).
    ///
    /// ## Why is this bad?
    /// In ENI mode the CCM registers pod IP and port pairs with the CLB itself.
    /// CCMs before v2.1.0 read only the number of a `targetPort`
    /// (`TargetPort.IntVal`, 0 for a name), and the CLB refuses the backend:
    /// ACK's error table lists "The specified Port must be between 1 and
    /// 65535 — ENI模式不支持String类型的targetPort" with the fix "将targetPort改为INT类型或者升级CCM"
    /// (S142, S10). From v2.1.0 (commit 121d6797) the CCM resolves a named
    /// `targetPort` from the endpoint port named like the Service port (S144),
    /// so the name works there.
    ///
    /// | context | named `targetPort` | quoted number |
    /// |---|---|---|
    /// | `--ccm-version` before v2.1.0 | error | error |
    /// | CCM version unknown | info | error |
    /// | `--ccm-version` v2.1.0 or later | silent | error |
    ///
    /// A quoted number (`"8080"`) is a string too, and one the API server
    /// rejects whatever the CCM: a named port must contain a letter (S29).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: istio-ingressgateway
    ///   namespace: istio-system
    ///   annotations:
    ///     service.beta.kubernetes.io/backend-type: "eni"
    /// spec:
    ///   type: LoadBalancer
    ///   ports:
    ///   - name: http2
    ///     port: 80
    ///     targetPort: http
    /// ```
    ///
    /// ## Fix
    /// - `numeric-target-port` (safe): a quoted number becomes that number.
    /// - `use-container-port-number` (unsafe): when the stream holds the
    ///   workload the Service selects and it names exactly one port number,
    ///   write that number. Unsafe: pods outside the stream could number the
    ///   port differently, and the name's indirection is lost.
    /// - Otherwise (display-only): replace the name with the container port
    ///   number by hand.
    /// - `upgrade-ccm` (display-only, for a name): upgrade the CCM to v2.1.0
    ///   or later, which resolves it.
    pub struct EniBackendNamedTargetPort {
        code: "ASM-LB-004",
        name: "eni-backend-named-target-port",
        title: "named targetPort with ENI backends",
        title_zh: "ENI 后端使用了命名的 targetPort",
        severity: Info,
        fix: Sometimes,
        sources: ["S10", "S14", "S29", "S142", "S144"],
    }
}

/// Writes a named targetPort as the container port's number.
const NUMERIC_TARGET_PORT: FixId = FixId::new("numeric-target-port");
/// Advice: replace a named targetPort with the container's port number.
const USE_CONTAINER_PORT_NUMBER: FixId = FixId::new("use-container-port-number");

impl Rule for EniBackendNamedTargetPort {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.effective_type() != "LoadBalancer" || svc.backend_type() != Some("eni") {
                continue;
            }
            for (port, port_path) in svc.port_entries() {
                let Some(target) = port.get("targetPort") else { continue };
                let Some(name) = target.as_str() else { continue };
                let path = format!("{port_path}/targetPort");
                if named_target_port_severity(cx, name).is_none() {
                    continue;
                }
                let port_name = port.get("name").and_then(Node::scalar_text).unwrap_or("?");
                let svc_name = svc.display_name();
                let scope = scope(cx, svc);
                let draft = if is_quoted_number(name) {
                    let message = cx.t(
                        format_args!("targetPort `{name}` of port `{port_name}` on {svc_name}{scope} is a quoted number: the API server takes it for a port name and rejects it"),
                        format_args!("{svc_name}{scope} 的端口 `{port_name}` 的 targetPort `{name}` 是加了引号的数字：API Server 将其视为端口名称并拒绝"),
                    );
                    Draft::new(&Self::META, svc.resource, path.clone(), message)
                        .severity(Severity::Error)
                        .label(cx.t("a port name must contain a letter", "端口名称必须包含字母"))
                } else {
                    match cx.cluster.ccm_version {
                        Some(ccm) => {
                            let message = cx.t(
                                format_args!("targetPort `{name}` of port `{port_name}` on {svc_name}{scope} is a name; with {BACKEND_TYPE}: eni your CCM {ccm} cannot resolve it (v2.1.0 can)"),
                                format_args!("{svc_name}{scope} 的端口 `{port_name}` 的 targetPort `{name}` 是名称；使用 {BACKEND_TYPE}: eni 时，你的 CCM {ccm} 无法解析（v2.1.0 起可以）"),
                            );
                            Draft::new(&Self::META, svc.resource, path.clone(), message)
                                .severity(Severity::Error)
                                .label(
                                    cx.t(
                                        "this CCM registers port 0 for a named port",
                                        "该 CCM 对命名端口注册的端口为 0",
                                    ),
                                )
                        }
                        None => {
                            let message = cx.t(
                                format_args!("targetPort `{name}` of port `{port_name}` on {svc_name}{scope} is a name; with {BACKEND_TYPE}: eni, CCMs before v2.1.0 fail on it: upgrade the CCM or use a number"),
                                format_args!("{svc_name}{scope} 的端口 `{port_name}` 的 targetPort `{name}` 是名称；使用 {BACKEND_TYPE}: eni 时，v2.1.0 之前的 CCM 会失败：请升级 CCM 或改用数字"),
                            );
                            Draft::new(&Self::META, svc.resource, path.clone(), message).note(Note::assumed(cx.t(
                                "the CCM version is unknown (--ccm-version tells); v2.1.0 and later resolve a named targetPort from the endpoints",
                                "CCM 版本未知（可用 --ccm-version 指定）；v2.1.0 及以上会从 Endpoints 解析命名的 targetPort",
                            )))
                        }
                    }
                };
                let mut draft = draft.remedy(fix(cx, svc, name, &path));
                if !is_quoted_number(name) {
                    draft = draft.advice(upgrade_ccm(cx));
                }
                out.push(draft);
            }
        }
    }
}

fn upgrade_ccm(cx: &RuleContext<'_>) -> Advice {
    Advice::new(
        fix_ids::UPGRADE_CCM,
        cx.t(
            "upgrade the CCM to v2.1.0 or later, which resolves a named targetPort",
            "将 CCM 升级到 v2.1.0 及以上，它能解析命名的 targetPort",
        ),
    )
    .tradeoff(cx.t(
        "a component upgrade: read the CCM release notes for other changes",
        "组件升级：请阅读 CCM 发布记录了解其他变化",
    ))
}

fn fix(cx: &RuleContext<'_>, svc: &ServiceView<'_>, name: &str, path: &str) -> Remedy {
    if let Some(number) = name.parse::<u16>().ok().filter(|n| *n > 0 && !name.starts_with(['+', '0'])) {
        let mut fix = Fix::new(
            NUMERIC_TARGET_PORT,
            Applicability::Safe,
            cx.t(
                format_args!("write targetPort as the number {number}"),
                format_args!("将 targetPort 写为数字 {number}"),
            ),
        )
        .op(Op::replace(path, number))
        .tradeoff(cx.t("none: the same port, written as a number", "无：同一端口，写成数字"));
        fix.recommended = true;
        return fix.into();
    }
    let numbers = container_port_numbers(cx, svc, name);
    match numbers[..] {
        [number] => {
            let mut fix = Fix::new(
                USE_CONTAINER_PORT_NUMBER,
                Applicability::Unsafe,
                cx.t(
                    format_args!("replace targetPort `{name}` with {number}, the port the selected containers name so"),
                    format_args!("将 targetPort `{name}` 替换为 {number}（所选容器中该名称对应的端口）"),
                ),
            )
            .op(Op::replace(path, number))
            .tradeoff(cx.t(
                "loses the indirection of a named port: a container port change must be repeated here",
                "失去命名端口的间接性：容器端口变化时需同步修改此处",
            ))
            .tradeoff(cx.t(
                "assumes every pod behind the Service uses this number, including pods not in this file",
                "假定 Service 后的所有 Pod（包括不在此文件中的）都使用该端口号",
            ));
            fix.recommended = true;
            fix.into()
        }
        _ => Remedy::Advice(
            Advice::new(
                USE_CONTAINER_PORT_NUMBER,
                cx.t(
                    format_args!("replace targetPort `{name}` with the gateway container's port number"),
                    format_args!("将 targetPort `{name}` 替换为网关容器的端口号"),
                ),
            )
            .tradeoff(cx.t(
                "loses the indirection of a named port: a container port change must be repeated here",
                "失去命名端口的间接性：容器端口变化时需同步修改此处",
            )),
        ),
    }
}

/// The distinct numbers the workloads a plain Service selects give to
/// container port `name`, in the order first seen.
fn container_port_numbers(cx: &RuleContext<'_>, svc: &ServiceView<'_>, name: &str) -> Vec<i64> {
    let mut numbers = Vec::new();
    if svc.is_istio_gateway() {
        return numbers;
    }
    let service = &cx.resources[svc.resource];
    let Some(selector) =
        service.get("/spec/selector").filter(|s| s.as_mapping().is_some_and(|m| !m.entries.is_empty()))
    else {
        return numbers;
    };
    for workload in cx.resources {
        if workload.namespace.unwrap_or("default") != svc.namespace {
            continue;
        }
        let Some(pod) = pod_spec_and_labels(workload) else { continue };
        let (labels, spec) = pod;
        let selected = selector.string_map().all(|(k, v)| labels.get(k).and_then(Node::scalar_text) == v.scalar_text());
        if !selected {
            continue;
        }
        for container in spec.get("containers").map(Node::items).unwrap_or(&[]) {
            for port in container.get("ports").map(Node::items).unwrap_or(&[]) {
                if port.get("name").and_then(Node::scalar_text) == Some(name) {
                    let number = port.get("containerPort").and_then(Node::as_i64);
                    if let Some(number) = number.filter(|n| !numbers.contains(n)) {
                        numbers.push(number);
                    }
                }
            }
        }
    }
    numbers
}

/// `(labels, pod spec)` of a Pod or of a workload's pod template.
fn pod_spec_and_labels<'a>(r: &Resource<'a>) -> Option<(&'a Node, &'a Node)> {
    if r.is("", "Pod") {
        return Some((r.get("/metadata/labels")?, r.get("/spec")?));
    }
    let workload = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].contains(&r.kind) && r.group() == "apps";
    workload.then(|| Some((r.get("/spec/template/metadata/labels")?, r.get("/spec/template/spec")?))).flatten()
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  annotations:
    service.beta.kubernetes.io/backend-type: eni
spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  ports:
  - name: status-port
    port: 15021
    targetPort: 15021
  - name: http2
    port: 80
    targetPort: http   # named in the pod
  - name: https
    port: 443
    targetPort: \"8443\"
";

    const DEPLOYMENT: &str = "---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  template:
    metadata:
      labels: {istio: ingressgateway, app: istio-ingressgateway}
    spec:
      containers:
      - name: istio-proxy
        ports:
        - {name: http, containerPort: 8080}
";

    #[test]
    fn quoted_numbers_are_errors_and_names_follow_the_ccm_version() {
        let report = check_with(SERVICE, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-LB-004").collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].location.path, "/spec/ports/1/targetPort");
        assert_eq!(found[0].severity.as_str(), "info");
        assert!(found[0].message.starts_with("targetPort `http` of port `http2` on istio-system/istio-ingressgateway"));
        assert!(found[0].message.contains("upgrade the CCM or use a number"), "{}", found[0].message);
        assert_eq!(found[0].fixes[0].applicability, crate::rule::Applicability::DisplayOnly);
        assert_eq!(found[0].fixes[1].id, "upgrade-ccm");
        assert_eq!(found[1].severity.as_str(), "error");
        assert!(found[1].message.contains("quoted number"), "{}", found[1].message);
        assert_eq!(found[1].fixes.len(), 1);
        assert_eq!(found[1].fixes[0].id, "numeric-target-port");

        let at = |ccm: &str| -> Vec<(&str, &'static str)> {
            check_with(SERVICE, &[("ccmVersion", ccm)])
                .findings
                .iter()
                .filter(|f| f.code == "ASM-LB-004")
                .map(|f| {
                    (if f.location.path.ends_with("1/targetPort") { "named" } else { "quoted" }, f.severity.as_str())
                })
                .collect()
        };
        assert_eq!(at("v1.9.3.376-g5c84e19-aliyun"), [("named", "error"), ("quoted", "error")]);
        assert_eq!(at("v2.0.1"), [("named", "error"), ("quoted", "error")]);
        assert_eq!(at("v2.1.0"), [("quoted", "error")]);
        assert_eq!(at("v2.14.0"), [("quoted", "error")]);
    }

    #[test]
    fn quiet_without_eni() {
        let text = SERVICE.replace("backend-type: eni", "backend-type: ecs");
        assert!(!codes(&check_with(&text, &[])).contains(&"ASM-LB-004"));
    }

    #[test]
    fn clean_first_document_then_gateway_with_named_port() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: a, namespace: istio-system}\nspec:\n  ports:\n  - {name: http2, port: 80, targetPort: 80}\n---\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: b, namespace: istio-system}\nspec:\n  serviceAnnotations: {service.beta.kubernetes.io/backend-type: \"eni\"}\n  ports:\n  - {name: http2, port: 80, targetPort: http}\n";
        let f = only(&check_with(text, &[]), "ASM-LB-004").clone();
        assert_eq!(f.location.document, 1);
        assert_eq!(f.location.path, "/spec/ports/0/targetPort");
    }

    #[test]
    fn fixes_write_numbers() {
        let fixed = apply_fix(SERVICE, "numeric-target-port", &[]);
        assert_eq!(fixed, SERVICE.replace("targetPort: \"8443\"", "targetPort: 8443"));
        let text = format!("{SERVICE}{DEPLOYMENT}");
        let f = check_with(&text, &[]);
        let named = f.findings.iter().find(|f| f.location.path == "/spec/ports/1/targetPort").unwrap();
        assert_eq!(named.fixes[0].applicability, crate::rule::Applicability::Unsafe);
        let fixed = apply_fix(&text, "use-container-port-number", &[]);
        assert_eq!(fixed, text.replace("targetPort: http   #", "targetPort: 8080   #"));
    }
}
