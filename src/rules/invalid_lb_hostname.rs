use crate::diagnostic::Severity;
use crate::model::clb_annotations::{is_dns_hostname, lb_kind, LbKind};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use super::support::owner;

declare_rule! {
    /// ## What it does
    /// Checks the value of `service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname`
    /// (or its legacy `alicloud-` twin) on a CLB: it must be an RFC 1123 DNS
    /// name — lower-case labels of letters, digits and `-`, no trailing dot,
    /// no wildcard, not an IP address.
    ///
    /// ## Why is this bad?
    /// The CCM copies the value into `status.loadBalancer.ingress[].hostname`
    /// (S14 `updateServiceStatus`), which Kubernetes validates as a DNS
    /// subdomain that is not an IP (S16). An invalid name makes the status
    /// update fail, so the Service never shows its address, and the in-cluster
    /// work-around the annotation exists for (S8) does not take
    /// effect. An empty value is ignored by the CCM.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: "Gateway.Example.com."
    /// ```
    ///
    /// ## Fix
    /// - `normalize-hostname` (safe): lower-case it and drop a trailing dot,
    ///   when that gives a valid name (DNS names are case-insensitive).
    /// - `set-hostname` (unsafe): the name given with `--param hostname=NAME`.
    pub struct InvalidLbHostname {
        code: "ASM-ANN-029",
        name: "invalid-lb-hostname",
        title: "invalid load balancer hostname annotation",
        title_zh: "负载均衡 hostname 注解无效",
        severity: Error,
        fix: Sometimes,
        sources: ["S8", "S14", "S16"],
    }
}

/// Writes the `hostname` annotation as a valid DNS name (lower case, no scheme or trailing dot).
const NORMALIZE_HOSTNAME: FixId = FixId::new("normalize-hostname");
/// Writes the `hostname` annotation from `--param hostname`.
const SET_HOSTNAME: FixId = FixId::new("set-hostname");

impl Rule for InvalidLbHostname {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if lb_kind(svc) != Some(LbKind::Clb) {
                continue;
            }
            let Some(field) = svc.lb_annotation("hostname") else { continue };
            // Non-string values are ASM-ANN-037's.
            let Some(value) = field.node.as_str() else { continue };
            if is_dns_hostname(value) {
                continue;
            }
            let who = owner(cx, svc);
            if value.trim().is_empty() {
                let message = cx.t(
                    format_args!("the hostname annotation of {who} is empty: the CCM ignores it"),
                    format_args!("{who} 的 hostname 注解为空：CCM 会忽略它"),
                );
                out.push(
                    Draft::new(&Self::META, svc.resource, field.path.clone(), message)
                        .severity(Severity::Warning)
                        .fixes_for(cx, &field.path, None),
                );
                continue;
            }
            let message = cx.t(
                format_args!("the hostname annotation of {who} is `{value}`, not an RFC 1123 DNS name"),
                format_args!("{who} 的 hostname 注解为 `{value}`，不是 RFC 1123 域名"),
            );
            let normalized = value.trim().trim_end_matches('.').to_ascii_lowercase();
            let normalized = is_dns_hostname(&normalized).then_some(normalized);
            out.push(
                Draft::new(&Self::META, svc.resource, field.path.clone(), message)
                    .label(cx.t(
                        "lower-case letters, digits, '-' and '.'; no wildcard, no IP address",
                        "只能包含小写字母、数字、'-' 和 '.'；不能是通配符或 IP 地址",
                    ))
                    .fixes_for(cx, &field.path, normalized),
            );
        }
    }
}

trait HostnameFixes {
    fn fixes_for(self, cx: &RuleContext<'_>, path: &str, normalized: Option<String>) -> Self;
}

impl HostnameFixes for Draft {
    fn fixes_for(mut self, cx: &RuleContext<'_>, path: &str, normalized: Option<String>) -> Self {
        if let Some(name) = normalized {
            self = self.fix(
                Fix::new(
                    NORMALIZE_HOSTNAME,
                    Applicability::Safe,
                    cx.t(format_args!("write \"{name}\""), format_args!("改为 \"{name}\"")),
                )
                .op(Op::replace(path, name.as_str()).quoted())
                .tradeoff(cx.t(
                    "none: DNS names are case-insensitive and the trailing dot is implied",
                    "无：域名不区分大小写，末尾的点是隐含的",
                )),
            );
        }
        match cx.params.hostname.as_deref().filter(|h| is_dns_hostname(h)) {
            Some(host) => self.fix(
                Fix::new(
                    SET_HOSTNAME,
                    Applicability::Unsafe,
                    cx.t(
                        format_args!("write \"{host}\" (--param hostname)"),
                        format_args!("改为 \"{host}\"（--param hostname）"),
                    ),
                )
                .op(Op::replace(path, host).quoted())
                .tradeoff(cx.t(
                    "the DNS record for this name must point at the CLB; the CCM does not create it",
                    "该域名的 DNS 记录必须指向 CLB；CCM 不会创建它",
                )),
            ),
            None => self,
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    fn svc(value: &str) -> String {
        format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: gw\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname: {value}   # bound in DNS\nspec:\n  type: LoadBalancer\n")
    }

    #[test]
    fn flags_invalid_names_and_normalizes_case() {
        let text = svc("\"Gateway.Example.com.\"");
        let f = only(&check_with(&text, &[]), "ASM-ANN-029").clone();
        assert_eq!(f.severity.as_str(), "error");
        assert!(f.message.contains("`Gateway.Example.com.`"), "{}", f.message);
        assert_eq!(apply_fix(&text, "normalize-hostname", &[]), svc("\"gateway.example.com\""));
        for bad in ["\"*.example.com\"", "10.0.0.1", "gw_1.example.com"] {
            let r = check_with(&svc(bad), &[]);
            let f = only(&r, "ASM-ANN-029");
            assert!(f.fixes.iter().all(|x| x.id != "normalize-hostname"), "{bad}");
        }
    }

    #[test]
    fn param_gives_an_unsafe_replacement_and_empty_is_a_warning() {
        let mut options = options(&[]);
        options.params.hostname = Some("gw.example.com".into());
        let report = crate::engine::check(&svc("\"*.example.com\""), &options);
        assert!(report.findings.iter().any(|f| f.fixes.iter().any(|x| x.id == "set-hostname")));
        let f = only(&check_with(&svc("\"\""), &[]), "ASM-ANN-029").clone();
        assert_eq!(f.severity.as_str(), "warning");
    }

    #[test]
    fn valid_names_nlb_and_later_documents() {
        assert!(!codes(&check_with(&svc("gw.example.com"), &[])).contains(&"ASM-ANN-029"));
        let stream = format!("{}---\n{}", svc("gw.example.com"), svc("GW"));
        let r = check_with(&stream, &[]);
        assert_eq!(only(&r, "ASM-ANN-029").location.document, 1);
        let nlb =
            svc("GW").replace("type: LoadBalancer", "type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb");
        assert!(!codes(&check_with(&nlb, &[])).contains(&"ASM-ANN-029"));
    }
}
