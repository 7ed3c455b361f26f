use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, protocol_ports, split_key, LbKind, Prefix};
use crate::model::{Field, ServiceView, ALIBABA_PREFIX};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Remedy, Rule, RuleContext};
use super::support::{annotation_path, owner, reports_backend_label_with_eni};
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Checks that CLB annotations which depend on each other come together
    /// (the ACK annotation reference, S8):
    ///
    /// | annotation | needs / conflicts with | severity |
    /// |---|---|---|
    /// | `vswitch-id` | `address-type: intranet` | error |
    /// | `ip` | `vswitch-id` and `address-type: intranet` | error |
    /// | `acl-status: on` | `acl-id` and `acl-type` | error |
    /// | `sticky-session: on` | `sticky-session-type`; `cookie-timeout` for `insert`, `cookie` for `server` | error |
    /// | `spec` | not with `instance-charge-type: PayByCLCU` | error |
    /// | `id` | `force-override-listeners: "true"` for listener annotations: ASM-ANN-039 | — |
    /// | `forward-port` | `protocol-port` with an `http:` and an `https:` listener, and `cert-id` | error |
    /// | `protocol-port` with `https:` | `cert-id` (unless a reused CLB keeps its listeners) | error |
    /// | `force-override-listeners` | `id` (no effect without) | warning |
    /// | `backend-label` | not with `backend-type: eni` (no effect) | warning |
    /// | the same key under both prefixes, different values | the legacy `alicloud-` one is ignored | warning |
    /// | `protocol-port` with `http:`/`https:` | HTTP health checks are off unless `health-check-flag: on` | info |
    ///
    /// Pay-by-specification settings without an explicit PayByCLCU (`spec`
    /// alone, `PayBySpec`, `paybybandwidth`) are ASM-ANN-041's, which weighs
    /// them by CCM version; this rule keeps only the explicit conflict, so one
    /// problem gets one finding.
    ///
    /// ## Why is this bad?
    /// The CCM either rejects the combination (the CLB API call fails and the
    /// Service gets no load balancer or a stale one) or silently ignores half
    /// of it: an ACL that is "on" without an ACL forwards everything; a
    /// `vswitch-id` on an Internet-facing CLB is meaningless.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-acl-status: "on"
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-acl-type: "white"
    ///     # acl-id missing
    /// ```
    ///
    /// ## Fix
    /// Add the missing companion (most need an ID only you know, so the fix is
    /// display-only), or remove the annotation that has no effect:
    /// `set-intranet` (unsafe: the CLB becomes internal), `remove-spec`
    /// (unsafe: a PayByCLCU CLB has no specification, S123), `remove-annotation`
    /// (safe, for keys the CCM ignores).
    pub struct IncompleteLbAnnotations {
        code: "ASM-ANN-028",
        name: "incomplete-lb-annotations",
        title: "incomplete or conflicting CLB annotations",
        title_zh: "CLB 注解不完整或相互冲突",
        severity: Error,
        fix: Sometimes,
        sources: ["S8", "S14", "S120", "S123", "S124"],
    }
}

/// Advice: add the missing `acl-id`/`acl-type` annotations an enabled CLB access control list needs.
const ADD_ACL: FixId = FixId::new("add-acl");
/// Advice: add `cert-id` (an uploaded certificate) for the CLB's https listener.
const ADD_CERT_ID: FixId = FixId::new("add-cert-id");
/// Advice: add the `cookie` annotation that `sticky-session-type: server` needs.
const ADD_COOKIE: FixId = FixId::new("add-cookie");
/// Advice: add the `cookie-timeout` annotation that `sticky-session-type: insert` needs.
const ADD_COOKIE_TIMEOUT: FixId = FixId::new("add-cookie-timeout");
/// Advice: add `protocol-port` with an http and an https listener, and `cert-id`, which `forward-port` needs.
const ADD_LISTENERS: FixId = FixId::new("add-listeners");
/// Advice: add `sticky-session-type` (`insert` or `server`) to an enabled sticky session.
const ADD_STICKY_SESSION_TYPE: FixId = FixId::new("add-sticky-session-type");
/// Advice: add `vswitch-id` and `address-type: intranet`, which a fixed CLB `ip` needs.
const ADD_VSWITCH: FixId = FixId::new("add-vswitch");
/// Adds `health-check-flag: "on"` for the CLB's HTTP/HTTPS listeners.
const ENABLE_HTTP_HEALTH_CHECK: FixId = FixId::new("enable-http-health-check");
/// Advice: choose ENI backends with the Service selector instead of `backend-label`.
const SELECT_PODS: FixId = FixId::new("select-pods");
/// Sets `address-type: "intranet"` for a CLB in a vSwitch.
const SET_INTRANET: FixId = FixId::new("set-intranet");

impl Rule for IncompleteLbAnnotations {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if lb_kind(svc) != Some(LbKind::Clb) {
                continue;
            }
            let mut checker = Checker { cx, svc, out: &mut *out };
            checker.network();
            checker.acl();
            checker.sticky_session();
            checker.charging();
            checker.listeners();
            checker.ignored();
        }
    }
}

struct Checker<'c, 'a> {
    cx: &'c RuleContext<'a>,
    svc: &'c ServiceView<'a>,
    out: &'c mut Vec<Draft>,
}

impl<'c, 'a> Checker<'c, 'a> {
    fn get(&self, suffix: &str) -> Option<&'c Field<'a>> {
        let svc: &'c ServiceView<'a> = self.svc;
        svc.lb_annotation(suffix)
    }

    fn text(&self, suffix: &str) -> Option<&'a str> {
        self.get(suffix).and_then(Field::text)
    }

    fn key(suffix: &str) -> String {
        format!("{ALIBABA_PREFIX}{suffix}")
    }

    /// Emits one finding at `at`'s annotation, once per path and check.
    fn report(
        &mut self,
        what: &'static str,
        at: &str,
        severity: Severity,
        en: &str,
        zh: &str,
        remedy: impl Into<Remedy>,
    ) {
        let Some(field) = self.get(at) else { return };
        let who = owner(self.cx, self.svc);
        let message = self.cx.t(format_args!("{en} on {who}"), format_args!("{who}：{zh}"));
        let draft = Draft::new(&IncompleteLbAnnotations::META, self.svc.resource, field.path.clone(), message)
            .severity(severity)
            .remedy(remedy.into())
            .once_per(&[what, &field.path]);
        self.out.push(draft);
    }

    fn add_fix(&self, id: FixId, applicability: Applicability, suffix: &str, value: &str) -> Fix {
        let key = Self::key(suffix);
        Fix::new(
            id,
            applicability,
            self.cx.t(format_args!("add {key}: \"{value}\""), format_args!("添加 {key}: \"{value}\"")),
        )
        .op(Op::add(annotation_path(self.svc, &key), value).quoted())
    }

    fn advice(&self, id: FixId, en: &str, zh: &str) -> Advice {
        Advice::new(id, self.cx.t(en, zh))
    }

    fn network(&mut self) {
        let intranet = self.text("address-type") == Some("intranet");
        let explicit_internet = self.get("address-type").is_some() && !intranet;
        if self.get("vswitch-id").is_some() && !intranet {
            let cx = self.cx;
            let mut fix = if explicit_internet {
                let path = self.get("address-type").map(|f| f.path.clone()).unwrap_or_default();
                Fix::new(
                    SET_INTRANET,
                    Applicability::Unsafe,
                    cx.t("set address-type to \"intranet\"", "将 address-type 设为 \"intranet\""),
                )
                .op(Op::replace(path, "intranet").quoted())
            } else {
                self.add_fix(SET_INTRANET, Applicability::Unsafe, "address-type", "intranet")
            };
            fix = fix.tradeoff(cx.t(
                "the CLB becomes internal: clients outside the VPC lose access; a CLB's address type cannot change, so it is recreated with a new address",
                "CLB 变为私网：VPC 外的客户端无法访问；CLB 的地址类型不能修改，会重建并获得新地址",
            ));
            self.report(
                "vswitch",
                "vswitch-id",
                Severity::Error,
                "vswitch-id needs address-type: intranet (an Internet-facing CLB has no vSwitch)",
                "vswitch-id 需要 address-type: intranet（公网 CLB 没有交换机）",
                fix,
            );
        }
        if self.get("ip").is_some() && (self.get("vswitch-id").is_none() || !intranet) {
            let advice = self.advice(
                ADD_VSWITCH,
                "add vswitch-id (the vSwitch whose CIDR holds the IP) and address-type: \"intranet\"",
                "添加 vswitch-id（CIDR 包含该 IP 的交换机）和 address-type: \"intranet\"",
            );
            self.report(
                "ip",
                "ip",
                Severity::Error,
                "ip needs vswitch-id and address-type: intranet",
                "ip 需要 vswitch-id 和 address-type: intranet",
                advice,
            );
        }
    }

    fn acl(&mut self) {
        if self.text("acl-status") != Some("on") {
            return;
        }
        let list = match (self.get("acl-id"), self.get("acl-type")) {
            (Some(_), Some(_)) => return,
            (None, None) => "acl-id, acl-type",
            (None, Some(_)) => "acl-id",
            (Some(_), None) => "acl-type",
        };
        let advice = self.advice(
            ADD_ACL,
            &format!("add {list}: the ID of a CLB access control list and \"white\" or \"black\""),
            &format!("添加 {list}：CLB 访问控制列表的 ID，以及 \"white\" 或 \"black\""),
        );
        self.report(
            "acl",
            "acl-status",
            Severity::Error,
            &format!("acl-status is on without {list}"),
            &format!("acl-status 为 on，但缺少 {list}"),
            advice,
        );
    }

    fn sticky_session(&mut self) {
        if self.text("sticky-session") != Some("on") {
            return;
        }
        match self.text("sticky-session-type") {
            None => {
                let advice = self.advice(
                    ADD_STICKY_SESSION_TYPE,
                    "add sticky-session-type: \"insert\" (with cookie-timeout) or \"server\" (with cookie)",
                    "添加 sticky-session-type: \"insert\"（及 cookie-timeout）或 \"server\"（及 cookie）",
                );
                self.report(
                    "sticky",
                    "sticky-session",
                    Severity::Error,
                    "sticky-session is on without sticky-session-type",
                    "sticky-session 为 on，但缺少 sticky-session-type",
                    advice,
                );
            }
            Some("insert") if self.get("cookie-timeout").is_none() => {
                let advice = self.advice(
                    ADD_COOKIE_TIMEOUT,
                    "add cookie-timeout (seconds, 1–86400)",
                    "添加 cookie-timeout（秒，1–86400）",
                );
                self.report(
                    "sticky",
                    "sticky-session-type",
                    Severity::Error,
                    "sticky-session-type insert needs cookie-timeout",
                    "sticky-session-type 为 insert 时需要 cookie-timeout",
                    advice,
                );
            }
            Some("server") if self.get("cookie").is_none() => {
                let advice = self.advice(
                    ADD_COOKIE,
                    "add cookie: the name of the cookie your server sets",
                    "添加 cookie：服务器设置的 Cookie 名称",
                );
                self.report(
                    "sticky",
                    "sticky-session-type",
                    Severity::Error,
                    "sticky-session-type server needs cookie",
                    "sticky-session-type 为 server 时需要 cookie",
                    advice,
                );
            }
            _ => {}
        }
    }

    fn charging(&mut self) {
        // The CCM compares the charge type ignoring case (`IsPayByCLCU`, S123).
        let clcu = self.text("instance-charge-type").is_some_and(|t| t.eq_ignore_ascii_case("PayByCLCU"));
        let (Some(spec), true) = (self.get("spec"), clcu) else { return };
        let cx = self.cx;
        let fix = Fix::new(fix_ids::REMOVE_SPEC, Applicability::Unsafe, cx.t("remove spec", "删除 spec"))
            .op(Op::remove(spec.path.clone()))
            .tradeoff(cx.t(
                "a pay-by-usage (PayByCLCU) CLB has no specification; pay-by-specification CLBs are no longer sold (S124)",
                "按使用量计费（PayByCLCU）的 CLB 没有规格；按规格计费的 CLB 已停售（S124）",
            ));
        self.report(
            "charging",
            "spec",
            Severity::Error,
            "spec cannot be combined with instance-charge-type: PayByCLCU",
            "spec 不能与 instance-charge-type: PayByCLCU 同时使用",
            fix,
        );
    }

    fn listeners(&mut self) {
        let listeners = self.text("protocol-port").map(protocol_ports).unwrap_or_default();
        let has = |proto: &str| listeners.iter().any(|(p, _)| *p == proto);
        let has_cert = self.get("cert-id").is_some();
        if self.get("forward-port").is_some() && !(has("http") && has("https") && has_cert) {
            let advice = self.advice(
                ADD_LISTENERS,
                "add protocol-port with an http: and an https: listener (e.g. \"https:443,http:80\") and cert-id",
                "添加包含 http: 和 https: 监听的 protocol-port（例如 \"https:443,http:80\"）以及 cert-id",
            );
            self.report(
                "forward",
                "forward-port",
                Severity::Error,
                "forward-port needs protocol-port with http and https listeners and cert-id",
                "forward-port 需要包含 http 和 https 监听的 protocol-port 以及 cert-id",
                advice,
            );
        }
        let reused_listeners = self.get("id").is_some() && self.text("force-override-listeners") != Some("true");
        if has("https") && !has_cert && !reused_listeners {
            let advice = self.advice(
                ADD_CERT_ID,
                "add cert-id: the ID of the certificate uploaded to Alibaba Cloud",
                "添加 cert-id：上传到阿里云的证书 ID",
            );
            self.report(
                "cert",
                "protocol-port",
                Severity::Error,
                "protocol-port declares an https listener without cert-id",
                "protocol-port 声明了 https 监听，但缺少 cert-id",
                advice,
            );
        }
        if (has("http") || has("https")) && self.text("health-check-flag") != Some("on") {
            let fix = self
                .add_fix(ENABLE_HTTP_HEALTH_CHECK, Applicability::Unsafe, "health-check-flag", "on")
                .tradeoff(self.cx.t(
                    "HTTP health checks probe health-check-uri (default /) with health-check-type http; backends that answer it with an error are taken out",
                    "HTTP 健康检查会探测 health-check-uri（默认 /）；返回错误的后端会被摘除",
                ));
            let fix = if self.get("health-check-flag").is_some() { self.advice_only(fix) } else { fix.into() };
            self.report(
                "health",
                "protocol-port",
                Severity::Info,
                "the HTTP/HTTPS listeners have no health check (health-check-flag is off by default)",
                "HTTP/HTTPS 监听没有健康检查（health-check-flag 默认关闭）",
                fix,
            );
        }
    }

    /// A fix that would replace an existing value becomes advice: the rule
    /// does not overwrite what the user wrote.
    fn advice_only(&self, fix: Fix) -> Remedy {
        Remedy::Advice(fix.into_advice())
    }

    fn remove_fix(&self, field: &Field<'_>, why_en: &str, why_zh: &str) -> Fix {
        let cx = self.cx;
        Fix::new(fix_ids::REMOVE_ANNOTATION, Applicability::Safe, cx.t("remove the annotation", "删除该注解"))
            .op(Op::remove(field.path.clone()))
            .tradeoff(cx.t(why_en, why_zh))
    }

    fn ignored(&mut self) {
        if let (Some(field), None) = (self.get("force-override-listeners"), self.get("id")) {
            let fix = self.remove_fix(
                field,
                "none: without id the CCM creates the CLB and owns its listeners anyway",
                "无：没有 id 时 CCM 自行创建 CLB 并管理其监听",
            );
            self.report(
                "override",
                "force-override-listeners",
                Severity::Warning,
                "force-override-listeners has no effect without id",
                "没有 id 时 force-override-listeners 不起作用",
                fix,
            );
        }
        if self.svc.backend_type() == Some("eni") && reports_backend_label_with_eni(self.svc) {
            let advice = self.advice(
                SELECT_PODS,
                "with ENI backends the CLB attaches pods: choose them with the Service selector instead",
                "ENI 后端直接挂载 Pod：请改用 Service 的 selector 选择",
            );
            self.report(
                "backend-label",
                "backend-label",
                Severity::Warning,
                "backend-label has no effect with backend-type: eni",
                "backend-type 为 eni 时 backend-label 不起作用",
                advice,
            );
        }
        // The same setting under both prefixes: the CCM reads alibaba-cloud- first.
        for (key, field) in &self.svc.annotations {
            let Some((Prefix::Legacy, suffix)) = split_key(key) else { continue };
            let Some(winner) = self.svc.annotation(&Self::key(suffix)) else { continue };
            if winner.text() == field.text() {
                continue;
            }
            let who = owner(self.cx, self.svc);
            let (value, wins) = (field.text().unwrap_or(""), winner.text().unwrap_or(""));
            let message = self.cx.t(
                format_args!(
                    "{key} = `{value}` on {who} is ignored: {} = `{wins}` takes precedence",
                    Self::key(suffix)
                ),
                format_args!("{who} 上的 {key} = `{value}` 被忽略：{} = `{wins}` 优先", Self::key(suffix)),
            );
            let fix = self.remove_fix(
                field,
                "none: the CCM never reads this key while the alibaba-cloud- one is set",
                "无：设置了 alibaba-cloud- 键时 CCM 不会读取此键",
            );
            self.out.push(
                Draft::new(&IncompleteLbAnnotations::META, self.svc.resource, field.path.clone(), message)
                    .severity(Severity::Warning)
                    .fix(fix)
                    .once_per(&["legacy", &field.path]),
            );
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Applicability;
    use crate::rules::test_support::*;

    fn svc(annotations: &str) -> String {
        format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n{annotations}spec:\n  type: LoadBalancer\n")
    }

    fn messages(text: &str) -> Vec<String> {
        check_with(text, &[]).findings.into_iter().filter(|f| f.code == "ASM-ANN-028").map(|f| f.message).collect()
    }

    const P: &str = "    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-";

    #[test]
    fn missing_companions() {
        let acl = svc(&format!("{P}acl-status: \"on\"\n{P}acl-type: white\n"));
        let m = messages(&acl);
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("acl-status is on without acl-id on Service web"), "{}", m[0]);
        let sticky = svc(&format!("{P}sticky-session: \"on\"\n{P}sticky-session-type: insert\n"));
        assert!(messages(&sticky)[0].contains("needs cookie-timeout"));
        let clcu = svc(&format!("{P}spec: slb.s2.small\n{P}instance-charge-type: PayByCLCU\n"));
        assert!(messages(&clcu)[0].contains("PayByCLCU"));
        let fwd = svc(&format!("{P}forward-port: \"80:443\"\n{P}protocol-port: \"http:80\"\n"));
        let m = messages(&fwd);
        assert!(m.iter().any(|x| x.contains("forward-port needs")), "{m:?}");
        assert!(m.iter().any(|x| x.contains("no health check")), "{m:?}");
        let ip = svc(&format!("{P}ip: 192.168.0.10\n"));
        assert!(messages(&ip)[0].contains("ip needs vswitch-id"));
    }

    #[test]
    fn remove_spec_and_remove_annotation_fixes_apply() {
        let clcu = svc(&format!(
            "{P}spec: slb.s2.small  # old example
{P}instance-charge-type: paybyclcu
"
        ));
        let fixed = apply_fix(&clcu, "remove-spec", &[]);
        assert_eq!(
            fixed,
            svc(&format!(
                "{P}instance-charge-type: paybyclcu
"
            ))
        );
        assert!(messages(&fixed).is_empty());
        let stray = svc(&format!("{P}force-override-listeners: \"true\"\n{P}address-type: intranet\n"));
        let fixed = apply_fix(&stray, "remove-annotation", &[]);
        assert_eq!(fixed, svc(&format!("{P}address-type: intranet\n")));
        assert!(messages(&fixed).is_empty());
        let legacy =
            svc(&format!("    service.beta.kubernetes.io/alicloud-loadbalancer-scheduler: rr\n{P}scheduler: wrr\n"));
        assert_eq!(apply_fix(&legacy, "remove-annotation", &[]), svc(&format!("{P}scheduler: wrr\n")));
    }

    #[test]
    fn sub_checks_that_need_their_own_inputs() {
        let https = svc(&format!("{P}protocol-port: \"https:443\"\n{P}health-check-flag: \"off\"\n"));
        let m = messages(&https);
        assert!(m.iter().any(|x| x.starts_with("protocol-port declares an https listener without cert-id")), "{m:?}");
        // health-check-flag set to off: the rule does not overwrite it, it only advises.
        let report = check_with(&https, &[]);
        let health = report.findings.iter().find(|f| f.message.contains("no health check")).unwrap();
        assert_eq!(health.fixes[0].applicability, Applicability::DisplayOnly);
        assert!(health.fixes[0].patch.is_empty());
        // A reused CLB that keeps its own listeners needs no cert-id here.
        let reused = svc(&format!("{P}protocol-port: \"https:443\"\n{P}id: lb-1\n"));
        assert!(!messages(&reused).iter().any(|x| x.contains("cert-id")));
        let eni = svc(&format!("{P}backend-label: pool=gw\n    service.beta.kubernetes.io/backend-type: eni\n"));
        assert!(messages(&eni)[0].starts_with("backend-label has no effect with backend-type: eni"));
        let no_type = svc(&format!("{P}sticky-session: \"on\"\n"));
        assert!(messages(&no_type)[0].starts_with("sticky-session is on without sticky-session-type"));
        let server = svc(&format!("{P}sticky-session: \"on\"\n{P}sticky-session-type: server\n"));
        assert!(messages(&server)[0].starts_with("sticky-session-type server needs cookie"));
        let neither = svc(&format!("{P}acl-status: \"on\"\n"));
        assert!(messages(&neither)[0].starts_with("acl-status is on without acl-id, acl-type"));
        let no_type = svc(&format!("{P}acl-status: \"on\"\n{P}acl-id: acl-1\n"));
        assert!(messages(&no_type)[0].starts_with("acl-status is on without acl-type"));
    }

    #[test]
    fn vswitch_on_internet_and_its_fix() {
        let text = svc(&format!("{P}vswitch-id: vsw-123   # office VPC\n"));
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-ANN-028");
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(f.fixes[0].applicability, Applicability::Unsafe);
        let fixed = apply_fix(&text, "set-intranet", &[]);
        assert_eq!(fixed, svc(&format!("{P}vswitch-id: vsw-123   # office VPC\n{P}address-type: \"intranet\"\n")));
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-ANN-028"));
    }

    #[test]
    fn ignored_keys_are_warnings_with_safe_removal() {
        let text = svc(&format!(
            "{P}force-override-listeners: \"true\"\n    service.beta.kubernetes.io/alicloud-loadbalancer-scheduler: rr\n{P}scheduler: wrr\n"
        ));
        let report = check_with(&text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-ANN-028").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|f| f.severity.as_str() == "warning"));
        assert!(found[1].message.contains("is ignored"), "{}", found[1].message);
    }

    #[test]
    fn complete_sets_nlb_and_first_clean_document() {
        let good = svc(&format!(
            "{P}acl-status: \"on\"\n{P}acl-id: acl-1\n{P}acl-type: white\n{P}address-type: intranet\n{P}vswitch-id: vsw-1\n{P}protocol-port: \"tcp:443\"\n"
        ));
        assert!(messages(&good).is_empty());
        let bad = svc(&format!("{P}acl-status: \"on\"\n"));
        let stream = format!("{good}---\n{bad}");
        assert_eq!(only(&check_with(&stream, &[]), "ASM-ANN-028").location.document, 1);
        let nlb = bad.replace("type: LoadBalancer", "type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb");
        assert!(messages(&nlb).is_empty());
    }

    #[test]
    fn istio_gateway_override_inheriting_base_annotations_is_reported_once() {
        let text = format!("apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {{name: ingressgateway, namespace: istio-system}}\nspec:\n  serviceAnnotations:\n{P}acl-status: \"on\"\n  overrides:\n    c1: {{replicaCount: 3}}\n    c2:\n      serviceAnnotations:\n    {P}acl-status: \"on\"\n");
        let report = check_with(&text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-ANN-028").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0].location.path,
            "/spec/serviceAnnotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-acl-status"
        );
        assert!(found[1].location.path.starts_with("/spec/overrides/c2/serviceAnnotations/"));
        assert!(found[1].message.contains("(override for cluster c2)"), "{}", found[1].message);
    }
}
