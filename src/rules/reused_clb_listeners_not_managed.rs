use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, LbKind};
use crate::model::{Field, ServiceView, ALIBABA_PREFIX};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Related, Rule, RuleContext};
use crate::yaml::Node;
use super::support::{LISTENER_KEYS, annotation_path, owner};

declare_rule! {
    /// ## What it does
    /// Checks CLB Services that reuse an existing CLB
    /// (`alibaba-cloud-loadbalancer-id`):
    ///
    /// | case | severity |
    /// |---|---|
    /// | no `force-override-listeners: "true"`, with listener annotations (`scheduler`, `protocol-port`, `cert-id`, `proxy-protocol`, `acl-*`, `health-check-*`, …) | warning, naming them |
    /// | no `force-override-listeners: "true"`, no listener annotation | info |
    /// | two Services in the input reuse the same CLB with the same port and protocol | warning |
    ///
    /// Placeholder IDs (`${YOUR_LOADBALANCER_ID}`, `<YOUR_SLB_ID>`) are not
    /// compared: in documentation they mark alternative examples.
    ///
    /// ## Why is this bad?
    /// For a reused CLB the CCM reconciles listeners only when
    /// `force-override-listeners` is exactly the string `true`
    /// (`IsForceOverride`, S120); otherwise it logs "listener override is
    /// false, skip reconcile listeners" and leaves the CLB's listeners as they
    /// are (S121 `clbv1/model_applier.go` L99-L101). No listener is created for
    /// the Service's ports, and every annotation that only the listener code
    /// reads is ignored without an event: `scheduler: wrr` (ASM-LB-010's fix),
    /// `proxy-protocol`, the ACL, the certificate, the health checks. The
    /// backends (vServer groups) are still attached.
    ///
    /// Several Services may reuse one load balancer, but not with the same
    /// frontend listener port (S125): with the override on, the CCM of each
    /// Service updates the listener on that port and protocol to its own
    /// settings and backends (S121 `buildActionsForListeners`), so the two
    /// Services overwrite each other.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: istio-ingressgateway
    ///   namespace: istio-system
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id: lb-2zeexample
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wrr
    /// spec:
    ///   type: LoadBalancer
    ///   ports:
    ///   - {name: http2, port: 80, targetPort: 80}
    /// ```
    ///
    /// ## Fix
    /// `force-override-listeners` (unsafe): add (or correct to)
    /// `force-override-listeners: "true"`. The CCM then creates and updates the
    /// listeners of this Service's ports; a listener on the same port and
    /// protocol that was set up by hand or by another Service is overwritten.
    /// Listeners on other ports are left alone. For a port clash, move one
    /// Service to another port or another CLB.
    pub struct ReusedClbListenersNotManaged {
        code: "ASM-ANN-039",
        name: "reused-clb-listeners-not-managed",
        title: "reused CLB whose listeners the CCM does not manage",
        title_zh: "复用的 CLB 的监听不由 CCM 管理",
        severity: Warning,
        fix: Sometimes,
        sources: ["S120", "S121", "S125"],
    }
}

/// Sets `force-override-listeners: "true"` so the CCM manages the reused CLB's listeners.
const FORCE_OVERRIDE_LISTENERS: FixId = FixId::new("force-override-listeners");
/// Advice: give one Service another port, or its own load balancer.
const USE_ANOTHER_PORT: FixId = FixId::new("use-another-port");

impl Rule for ReusedClbListenersNotManaged {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let reused: Vec<(&ServiceView<'_>, &Field<'_>)> = cx
            .services
            .iter()
            .filter(|svc| lb_kind(svc) == Some(LbKind::Clb))
            .filter_map(|svc| {
                svc.lb_annotation("id").filter(|id| id.text().is_some_and(|t| !t.is_empty())).map(|id| (svc, id))
            })
            .collect();
        for &(svc, id) in &reused {
            if svc.lb_annotation("force-override-listeners").and_then(Field::text) != Some("true") {
                // One finding per rendering, as each names its own owner.
                out.push(not_overridden(cx, svc, id).once_per(&[&svc.spec_path]));
            }
        }
        for (i, &(a, a_id)) in reused.iter().enumerate() {
            if a_id.text().is_some_and(is_placeholder) {
                continue;
            }
            for &(b, b_id) in &reused[i + 1..] {
                if a_id.text() != b_id.text() {
                    continue;
                }
                if let Some((port, path)) = shared_port(a, b) {
                    let pair = [path.clone(), a.resource.to_string(), a.spec_path.clone(), b.spec_path.clone()];
                    out.push(port_clash(cx, (a, a_id), b, port, &path).once_per(&pair));
                }
            }
        }
    }
}

fn not_overridden(cx: &RuleContext<'_>, svc: &ServiceView<'_>, id: &Field<'_>) -> Draft {
    let who = owner(cx, svc);
    let lb = id.text().unwrap_or("");
    let ignored: Vec<String> =
        LISTENER_KEYS.iter().filter_map(|suffix| svc.lb_annotation(suffix).map(|_| (*suffix).to_owned())).collect();
    let override_field = svc.lb_annotation("force-override-listeners");
    let (severity, message) = if ignored.is_empty() {
        (
            Severity::Info,
            cx.t(
                format_args!("{who} reuses CLB {lb} without force-override-listeners: \"true\": the CCM attaches backends but creates no listener for its ports"),
                format_args!("{who} 复用 CLB {lb}，但没有 force-override-listeners: \"true\"：CCM 只挂载后端，不为其端口创建监听"),
            ),
        )
    } else {
        let list = ignored.join(", ");
        (
            Severity::Warning,
            cx.t(
                format_args!("{who} reuses CLB {lb} without force-override-listeners: \"true\": the CCM skips its listeners and ignores {list}"),
                format_args!("{who} 复用 CLB {lb}，但没有 force-override-listeners: \"true\"：CCM 跳过监听配置，忽略 {list}"),
            ),
        )
    };
    let mut draft =
        Draft::new(&ReusedClbListenersNotManaged::META, svc.resource, id.path.clone(), message).severity(severity);
    if let Some(value) = override_field.and_then(Field::text) {
        draft = draft.note(cx.t(
            format_args!("force-override-listeners is `{value}`: only the exact string `true` turns it on (IsForceOverride, S120)"),
            format_args!("force-override-listeners 为 `{value}`：只有字符串 `true` 才会生效（IsForceOverride，S120）"),
        ));
    }
    let key = format!("{ALIBABA_PREFIX}force-override-listeners");
    let fix = Fix::new(
        FORCE_OVERRIDE_LISTENERS,
        Applicability::Unsafe,
        cx.t(format_args!("set {key}: \"true\""), format_args!("设置 {key}: \"true\"")),
    );
    let fix = match override_field {
        Some(f) => fix.op(Op::replace(f.path.clone(), "true").quoted()),
        None => fix.op(Op::add(annotation_path(svc, &key), "true").quoted()),
    };
    draft.fix(fix.tradeoff(cx.t(
        "the CCM creates and updates the listeners of this Service's ports; a listener on the same port and protocol set up by hand or by another Service is overwritten",
        "CCM 将创建并更新此 Service 端口的监听；手工或其他 Service 配置的同端口同协议监听会被覆盖",
    )))
}

/// `${YOUR_LOADBALANCER_ID}`, `<YOUR_SLB_ID>`: documentation examples, each
/// its own alternative, not one load balancer that two Services share.
fn is_placeholder(id: &str) -> bool {
    id.contains(['$', '<', '>', '{', '}']) || id.chars().any(char::is_whitespace)
}

/// The first port (number and L4 protocol) both Services listen on, with its path in `b`.
fn shared_port(a: &ServiceView<'_>, b: &ServiceView<'_>) -> Option<(i64, String)> {
    let key = |port: &Node| {
        let protocol = port.get("protocol").and_then(Node::scalar_text).unwrap_or("TCP").to_ascii_uppercase();
        Some((port.get("port").and_then(Node::as_i64)?, protocol))
    };
    let taken: Vec<_> = a.port_entries().into_iter().filter_map(|(port, _)| key(port)).collect();
    b.port_entries().into_iter().find_map(|(port, path)| {
        let k = key(port)?;
        taken.contains(&k).then_some((k.0, path))
    })
}

fn port_clash(
    cx: &RuleContext<'_>,
    (a, id): (&ServiceView<'_>, &Field<'_>),
    b: &ServiceView<'_>,
    port: i64,
    path: &str,
) -> Draft {
    let (who_a, who_b) = (owner(cx, a), owner(cx, b));
    let lb = id.text().unwrap_or("");
    let message = cx.t(
        format_args!("{who_b} and {who_a} both reuse CLB {lb} and listen on port {port}: their CCM updates overwrite each other's listener"),
        format_args!("{who_b} 与 {who_a} 复用同一个 CLB {lb}，且都监听端口 {port}：CCM 会互相覆盖该监听"),
    );
    Draft::new(&ReusedClbListenersNotManaged::META, b.resource, path.to_owned(), message)
        .related(Related {
            resource: a.resource,
            path: id.path.clone(),
            message: cx.t(format_args!("{who_a} reuses {lb} here"), format_args!("{who_a} 在此复用 {lb}")),
        })
        .advice(Advice::new(
            USE_ANOTHER_PORT,
            cx.t(
                "give one Service another port, or its own load balancer: services reusing one load balancer cannot share a frontend port",
                "为其中一个 Service 换一个端口或单独的负载均衡：复用同一负载均衡的 Service 不能使用相同的前端端口",
            ),
        ))
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::LISTENER_KEYS;
    use crate::model::clb_annotations::{lookup, Side};
    use crate::rule::Applicability;
    use crate::rules::test_support::*;

    const P: &str = "    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-";

    fn svc(name: &str, annotations: &str, port: u16) -> String {
        format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  annotations:\n{annotations}spec:\n  type: LoadBalancer\n  ports:\n  - {{name: http, port: {port}, targetPort: 8080}}\n")
    }

    fn found(text: &str) -> Vec<(String, String)> {
        check_with(text, &[])
            .findings
            .into_iter()
            .filter(|f| f.code == "ASM-ANN-039")
            .map(|f| (f.severity.as_str().to_owned(), f.message))
            .collect()
    }

    #[test]
    fn listener_keys_are_clb_keys_of_the_table() {
        for key in LISTENER_KEYS {
            let entry = lookup(key).unwrap_or_else(|| panic!("{key} not in the table"));
            assert_ne!(entry.side, Side::Nlb, "{key}");
        }
    }

    #[test]
    fn reuse_without_override_names_the_ignored_annotations() {
        let text = svc("gw", &format!("{P}id: lb-1\n{P}scheduler: wrr\n{P}proxy-protocol: \"on\"\n"), 80);
        let f = found(&text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "warning");
        assert!(f[0].1.ends_with("ignores scheduler, proxy-protocol"), "{}", f[0].1);
        let plain = svc("gw", &format!("{P}id: lb-1\n"), 80);
        assert_eq!(found(&plain)[0].0, "info");
    }

    #[test]
    fn only_the_exact_true_counts_and_the_fix_sets_it() {
        let text = svc("gw", &format!("{P}id: lb-1\n{P}force-override-listeners: \"True\"\n{P}scheduler: wrr\n"), 80);
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-ANN-039");
        assert!(f.notes.iter().any(|n| n.text.contains("exact string")), "{:?}", f.notes);
        assert_eq!(f.fixes[0].applicability, Applicability::Unsafe);
        let fixed = apply_fix(&text, "force-override-listeners", &[]);
        assert_eq!(fixed, text.replace("\"True\"", "\"true\""));
        assert!(found(&fixed).is_empty());
        let added = apply_fix(&svc("gw", &format!("{P}id: lb-1\n"), 80), "force-override-listeners", &[]);
        assert!(added.contains(&format!("{P}force-override-listeners: \"true\"\n")), "{added}");
        assert!(found(&added).is_empty());
    }

    #[test]
    fn two_services_on_one_clb_and_port() {
        let on = format!("{P}id: lb-1\n{P}force-override-listeners: \"true\"\n");
        let text = format!("{}---\n{}", svc("a", &on, 80), svc("b", &on, 80));
        let f = found(&text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("both reuse CLB lb-1 and listen on port 80"), "{}", f[0].1);
        let other_port = format!("{}---\n{}", svc("a", &on, 80), svc("b", &on, 443));
        assert!(found(&other_port).is_empty());
        let placeholder = on.replace("lb-1", "\"${YOUR_LOADBALANCER_ID}\"");
        assert!(found(&format!("{}---\n{}", svc("a", &placeholder, 80), svc("b", &placeholder, 80))).is_empty());
        let other_lb = format!("{}---\n{}", svc("a", &on, 80), svc("b", &on.replace("lb-1", "lb-2"), 80));
        assert!(found(&other_lb).is_empty());
    }

    #[test]
    fn new_clbs_and_nlbs_pass() {
        assert!(found(&svc("gw", &format!("{P}scheduler: wrr\n"), 80)).is_empty());
        let nlb = svc("gw", &format!("{P}id: nlb-1\n"), 80)
            .replace("type: LoadBalancer", "type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb");
        assert!(found(&nlb).is_empty());
    }
}
