//! The catalogue of Alibaba Cloud CCM load-balancer annotations (domain.md
//! 2.2): keys, allowed values, defaults, minimum CCM versions and the keys
//! only the NLB path reads. Every annotation rule reads this one table.

use std::fmt;

use crate::context::Version;

use super::service::{Field, ServiceView, ALIBABA_PREFIX, ALICLOUD_PREFIX, BACKEND_TYPE, NLB_CLASS};

/// The annotation that hands a Service to another controller (domain.md 2.3).
pub const CLASS_ANNOTATION: &str = "service.beta.kubernetes.io/class";

/// What a value may be. Values are case-sensitive strings (domain.md 2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// IDs, names, tag lists: not checked.
    Text,
    OneOf(&'static [&'static str]),
    /// A decimal integer in `min..=max`, or exactly `also`.
    Int {
        min: i64,
        max: i64,
        also: Option<i64>,
    },
    /// A comma-separated list whose items are all in the set.
    ListOf(&'static [&'static str]),
    /// `proto:port` items separated by commas (`https:443,http:80`).
    ProtocolPorts,
    /// An RFC 1123 DNS name (checked by ASM-ANN-029).
    DnsName,
    Ipv4,
}

/// A CCM version as the catalogue writes it: `v1.9.3.81` has four parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CcmVersion(pub u32, pub u32, pub u32, pub u32);

impl CcmVersion {
    /// Whether a CCM of version `have` (three parts known) is older than this.
    /// `None` when the three parts are equal and the fourth decides.
    pub fn newer_than(self, have: Version) -> Option<bool> {
        let own = (self.0, self.1, self.2);
        let have = (have.0, have.1, have.2);
        if own == have {
            (self.3 == 0).then_some(false)
        } else {
            Some(own > have)
        }
    }
}

impl fmt::Display for CcmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.0, self.1, self.2)?;
        if self.3 != 0 {
            write!(f, ".{}", self.3)?;
        }
        Ok(())
    }
}

/// One load-balancer annotation, by its key suffix after
/// `service.beta.kubernetes.io/alibaba-cloud-loadbalancer-`.
#[derive(Debug)]
pub struct ClbAnnotation {
    pub suffix: &'static str,
    pub values: Values,
    pub default: Option<&'static str>,
    pub min_ccm: Option<CcmVersion>,
    /// Read only on the NLB path: a CLB ignores it.
    pub nlb_only: bool,
    pub note: &'static str,
}

const ON_OFF: Values = Values::OneOf(&["on", "off"]);
const TRUE_FALSE: Values = Values::OneOf(&["true", "false"]);

const fn v(a: u32, b: u32, c: u32, d: u32) -> Option<CcmVersion> {
    Some(CcmVersion(a, b, c, d))
}

const fn int(min: i64, max: i64) -> Values {
    Values::Int { min, max, also: None }
}

const fn entry(
    suffix: &'static str,
    values: Values,
    default: Option<&'static str>,
    min_ccm: Option<CcmVersion>,
) -> ClbAnnotation {
    ClbAnnotation { suffix, values, default, min_ccm, nlb_only: false, note: "" }
}

const fn noted(mut a: ClbAnnotation, note: &'static str) -> ClbAnnotation {
    a.note = note;
    a
}

const fn nlb(suffix: &'static str) -> ClbAnnotation {
    ClbAnnotation { suffix, values: Values::Text, default: None, min_ccm: None, nlb_only: true, note: "" }
}

/// Keys the CCM defines (S14 `annotations.go`) with values and versions from
/// the ACK annotation reference (S8); rows marked in the notes come from elsewhere.
pub const CATALOGUE: &[ClbAnnotation] = &[
    noted(
        entry("address-type", Values::OneOf(&["internet", "intranet"]), Some("internet"), v(1, 9, 3, 0)),
        "a reused CLB's address type must match",
    ),
    noted(entry("vswitch-id", Values::Text, None, v(1, 9, 3, 0)), "requires address-type: intranet"),
    noted(entry("ip", Values::Ipv4, None, v(2, 7, 0, 0)), "requires vswitch-id and address-type: intranet; immutable"),
    noted(
        entry("spec", Values::Text, Some("slb.s1.small"), v(1, 9, 3, 0)),
        "not together with instance-charge-type: PayByCLCU",
    ),
    noted(
        entry("instance-charge-type", Values::OneOf(&["PayBySpec", "PayByCLCU"]), Some("PayBySpec"), v(2, 4, 0, 0)),
        "the default is PayByCLCU from CCM v2.5.0",
    ),
    entry("charge-type", Values::OneOf(&["paybytraffic", "paybybandwidth"]), Some("paybytraffic"), v(1, 9, 3, 0)),
    noted(entry("bandwidth", int(1, i64::MAX), Some("50"), v(1, 9, 3, 10)), "Mbps; Internet-facing CLB only"),
    noted(
        entry("id", Values::Text, None, v(1, 9, 3, 81)),
        "reuses an existing CLB, which is not deleted with the Service",
    ),
    noted(entry("force-override-listeners", TRUE_FALSE, Some("false"), v(1, 9, 3, 81)), "only with id"),
    noted(entry("master-zoneid", Values::Text, None, v(1, 9, 3, 10)), "immutable"),
    noted(entry("slave-zoneid", Values::Text, None, v(1, 9, 3, 10)), "immutable"),
    entry("additional-resource-tags", Values::Text, None, v(1, 9, 3, 0)),
    noted(
        entry("ip-version", Values::OneOf(&["ipv4", "ipv6"]), Some("ipv4"), v(1, 9, 3, 220)),
        "ipv6 requires kube-proxy in IPVS mode; immutable",
    ),
    entry("delete-protection", ON_OFF, Some("on"), v(1, 9, 3, 313)),
    entry(
        "modification-protection",
        Values::OneOf(&["ConsoleProtection", "NonProtection"]),
        Some("ConsoleProtection"),
        v(1, 9, 3, 313),
    ),
    entry("name", Values::Text, None, v(1, 9, 3, 313)),
    noted(entry("resource-group-id", Values::Text, None, v(1, 9, 3, 313)), "immutable"),
    noted(
        entry("hostname", Values::DnsName, None, v(2, 3, 0, 0)),
        "the status shows this name instead of the CLB IP; in-cluster traffic goes through the CLB",
    ),
    noted(entry("preserve-lb-on-delete", Values::Text, None, v(2, 10, 0, 0)), "any non-empty value enables it"),
    noted(entry("protocol-port", Values::ProtocolPorts, None, v(1, 9, 3, 0)), "creates HTTP/HTTPS listeners"),
    noted(entry("cert-id", Values::Text, None, v(1, 9, 3, 164)), "certificate of the HTTPS listeners"),
    entry("domain-extensions", Values::Text, None, v(2, 13, 0, 0)),
    noted(entry("forward-port", Values::Text, None, v(1, 9, 3, 164)), "HTTP to HTTPS redirect, e.g. 80:443"),
    entry(
        "tls-cipher-policy",
        Values::OneOf(&[
            "tls_cipher_policy_1_0",
            "tls_cipher_policy_1_1",
            "tls_cipher_policy_1_2",
            "tls_cipher_policy_1_2_strict",
            "tls_cipher_policy_1_2_strict_with_1_3",
        ]),
        Some("tls_cipher_policy_1_0"),
        v(2, 4, 0, 0),
    ),
    noted(entry("http2-enabled", ON_OFF, Some("on"), v(2, 1, 0, 0)), "HTTPS listeners only"),
    noted(entry("persistence-timeout", int(0, 3600), Some("0"), v(1, 9, 3, 0)), "seconds; TCP listeners only"),
    noted(entry("sticky-session", ON_OFF, Some("off"), v(1, 9, 3, 0)), "HTTP/HTTPS listeners only"),
    noted(
        entry("sticky-session-type", Values::OneOf(&["insert", "server"]), None, v(1, 9, 3, 0)),
        "required when sticky-session is on",
    ),
    noted(entry("cookie-timeout", int(1, 86400), None, v(1, 9, 3, 0)), "seconds; required for insert"),
    noted(entry("cookie", Values::Text, None, v(1, 9, 3, 0)), "required for server"),
    entry("acl-status", ON_OFF, Some("off"), v(1, 9, 3, 164)),
    noted(entry("acl-id", Values::Text, None, v(1, 9, 3, 164)), "required when acl-status is on"),
    noted(
        entry("acl-type", Values::OneOf(&["white", "black"]), None, v(1, 9, 3, 164)),
        "required when acl-status is on; an empty white list forwards everything",
    ),
    // wlc comes from the CCM's own annotation list (alibaba-ccm-usage-en.md),
    // qch from the CLB API; domain.md lists wrr, rr, sch, tch "and more".
    noted(
        entry("scheduler", Values::OneOf(&["wrr", "wlc", "rr", "sch", "tch", "qch"]), Some("rr"), v(1, 9, 3, 0)),
        "Local mode needs wrr so that node weights (pods per node) count",
    ),
    noted(entry("health-check-switch", ON_OFF, Some("on"), v(2, 6, 0, 0)), "TCP/UDP listeners"),
    entry("health-check-type", Values::OneOf(&["tcp", "http"]), Some("tcp"), v(1, 9, 3, 0)),
    noted(entry("health-check-flag", ON_OFF, Some("off"), v(1, 9, 3, 0)), "HTTP/HTTPS listeners; TCP is always on"),
    entry("health-check-uri", Values::Text, None, v(1, 9, 3, 0)),
    entry("health-check-domain", Values::Text, None, v(1, 9, 3, 0)),
    entry(
        "health-check-httpcode",
        Values::ListOf(&["http_2xx", "http_3xx", "http_4xx", "http_5xx"]),
        Some("http_2xx"),
        v(1, 9, 3, 0),
    ),
    entry("health-check-method", Values::OneOf(&["head", "get"]), None, v(2, 3, 0, 0)),
    entry("health-check-connect-port", Values::Int { min: 1, max: 65535, also: Some(-520) }, None, v(1, 9, 3, 0)),
    noted(
        entry("health-check-connect-timeout", int(1, 300), Some("5"), v(1, 9, 3, 0)),
        "ignored if below the interval",
    ),
    noted(entry("health-check-timeout", int(1, 300), Some("5"), v(1, 9, 3, 0)), "ignored if below the interval"),
    entry("healthy-threshold", int(2, 10), Some("3"), v(1, 9, 3, 0)),
    entry("unhealthy-threshold", int(2, 10), Some("3"), v(1, 9, 3, 0)),
    entry("health-check-interval", int(1, 50), Some("2"), v(1, 9, 3, 0)),
    noted(entry("connection-drain", ON_OFF, None, v(2, 0, 1, 0)), "TCP/UDP listeners"),
    entry("connection-drain-timeout", int(10, 900), None, v(2, 0, 1, 0)),
    entry("xforwardedfor-proto", ON_OFF, Some("off"), v(2, 1, 0, 0)),
    entry("xforwardedfor-slbport", ON_OFF, Some("off"), v(2, 9, 1, 0)),
    entry("xforwardedfor-clientsrcport", ON_OFF, Some("off"), v(2, 9, 1, 0)),
    noted(entry("idle-timeout", int(1, 60), Some("15"), v(2, 1, 0, 0)), "HTTP/HTTPS listeners"),
    noted(entry("request-timeout", int(1, 180), Some("60"), v(2, 3, 0, 0)), "HTTP/HTTPS listeners"),
    noted(entry("established-timeout", int(10, 900), None, v(2, 3, 0, 0)), "TCP listeners"),
    noted(
        entry("proxy-protocol", ON_OFF, Some("off"), v(2, 6, 0, 0)),
        "TCP/UDP listeners send PROXY protocol v2; switching it is not smooth",
    ),
    noted(entry("backend-label", Values::Text, None, v(1, 9, 3, 0)), "only for ecs backends"),
    entry("remove-unscheduled-backend", ON_OFF, Some("off"), v(1, 9, 3, 164)),
    noted(entry("vgroup-port", Values::Text, None, None), "only with a reused CLB's vServer groups"),
    noted(entry("weight", Values::Text, None, None), "only with a reused CLB's vServer groups"),
    entry("ignore-weight-update", ON_OFF, Some("off"), v(2, 11, 1, 0)),
    noted(entry("external-ip-type", Values::OneOf(&["eip"]), None, None), "the status shows the EIP (S14)"),
    noted(entry("type", Values::Text, None, None), "nlb selects NLB behind a feature gate (S14)"),
    // In S14's annotations.go and the CCM's own annotation list
    // (alibaba-ccm-usage-en.md); not in domain.md's table.
    noted(
        entry("slb-network-type", Values::OneOf(&["classic", "vpc"]), Some("classic"), None),
        "network type of the CLB",
    ),
    // S14 constants whose values the sources read do not document.
    entry("backend-ip-version", Values::Text, None, None),
    entry("default-weight", Values::Text, None, None),
    entry("bandwidth-package-id", Values::Text, None, None),
    entry("cacert-id", Values::Text, None, None),
    entry("cacert", Values::Text, None, None),
    entry("additional-cert-ids", Values::Text, None, None),
    nlb("preserve-client-ip"),
    nlb("server-group-type"),
    nlb("zone-maps"),
    nlb("security-group-ids"),
    nlb("ipv6-address-type"),
    nlb("cross-zone-enabled"),
    nlb("cps"),
    nlb("ppv2-pvl-ep-id-enabled"),
    nlb("ppv2-pvl-eps-id-enabled"),
    nlb("ppv2-pvl-vpc-id-enabled"),
    nlb("alpn"),
    nlb("alpn-policy"),
    nlb("listener-port-range"),
];

/// `service.beta.kubernetes.io/backend-type` (no `alibaba-cloud-` prefix).
pub const BACKEND_TYPE_ENTRY: ClbAnnotation = noted(
    entry("backend-type", Values::OneOf(&["eni", "ecs"]), None, v(1, 9, 3, 164)),
    "eni is effective only with Terway",
);

pub fn lookup(suffix: &str) -> Option<&'static ClbAnnotation> {
    CATALOGUE.iter().find(|a| a.suffix == suffix)
}

/// Which of the two accepted key prefixes a key uses (domain.md 2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefix {
    AlibabaCloud,
    /// `alicloud-`, accepted since the 2019 rename; `alibaba-cloud-` wins.
    Legacy,
}

impl Prefix {
    pub fn text(self) -> &'static str {
        match self {
            Prefix::AlibabaCloud => ALIBABA_PREFIX,
            Prefix::Legacy => ALICLOUD_PREFIX,
        }
    }
}

/// An annotation key of the load-balancer family, split.
pub fn split_key(key: &str) -> Option<(Prefix, &str)> {
    if let Some(suffix) = key.strip_prefix(ALIBABA_PREFIX) {
        Some((Prefix::AlibabaCloud, suffix))
    } else {
        key.strip_prefix(ALICLOUD_PREFIX).map(|s| (Prefix::Legacy, s))
    }
}

/// The catalogue entry of an annotation key, `backend-type` included.
pub fn entry_for_key(key: &str) -> Option<&'static ClbAnnotation> {
    if key == BACKEND_TYPE {
        return Some(&BACKEND_TYPE_ENTRY);
    }
    split_key(key).and_then(|(_, suffix)| lookup(suffix))
}

/// The known key closest to an unknown suffix, with its edit distance.
/// Only suggestions that look like a slip are returned.
pub fn nearest(suffix: &str) -> Option<(&'static ClbAnnotation, usize)> {
    let lower = suffix.to_ascii_lowercase();
    let mut best: Option<(&ClbAnnotation, usize, f64)> = None;
    for a in CATALOGUE {
        let distance = edit_distance(&lower, a.suffix);
        let similarity = 1.0 - distance as f64 / lower.chars().count().max(a.suffix.len()).max(1) as f64;
        if best.is_none_or(|(_, d, s)| distance < d || (distance == d && similarity > s)) {
            best = Some((a, distance, similarity));
        }
    }
    let (a, distance, similarity) = best?;
    (distance <= 2 || similarity >= 0.7).then_some((a, edit_distance(suffix, a.suffix)))
}

/// Whether two known keys are as near to `suffix` as the best one.
pub fn is_ambiguous(suffix: &str, best: &ClbAnnotation) -> bool {
    let lower = suffix.to_ascii_lowercase();
    let d = edit_distance(&lower, best.suffix);
    CATALOGUE.iter().filter(|a| edit_distance(&lower, a.suffix) == d).count() > 1
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) between
/// two keys. The restricted form of Damerau-Levenshtein: it agrees with the
/// full one on every slip a suggestion is for, without its per-character map.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// Why a value does not fit its catalogue entry; `None` when it fits.
pub fn value_problem(values: Values, value: &str) -> Option<ValueProblem> {
    match values {
        Values::Text | Values::DnsName => None,
        Values::OneOf(allowed) => {
            if allowed.contains(&value) {
                return None;
            }
            let fixed = allowed.iter().find(|a| a.eq_ignore_ascii_case(value.trim())).map(|a| (*a).to_owned());
            Some(ValueProblem::NotAllowed { fixed })
        }
        Values::ListOf(allowed) => {
            let items: Vec<&str> = value.split(',').collect();
            if items.iter().all(|i| allowed.contains(i)) {
                return None;
            }
            let fixed: Option<Vec<&str>> =
                items.iter().map(|i| allowed.iter().find(|a| a.eq_ignore_ascii_case(i.trim())).copied()).collect();
            Some(ValueProblem::NotAllowed { fixed: fixed.map(|f| f.join(",")) })
        }
        Values::Int { min, max, also } => match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) || also == Some(n) => None,
            Ok(_) => Some(ValueProblem::OutOfRange),
            Err(_) => Some(ValueProblem::NotInteger),
        },
        Values::ProtocolPorts => {
            let ok = !value.is_empty()
                && value.split(',').all(|item| {
                    item.split_once(':').is_some_and(|(proto, port)| {
                        matches!(proto, "http" | "https" | "tcp" | "udp")
                            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p))
                    })
                });
            (!ok).then_some(ValueProblem::Malformed)
        }
        Values::Ipv4 => (value.parse::<std::net::Ipv4Addr>().is_err()).then_some(ValueProblem::Malformed),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueProblem {
    /// Not one of the allowed values; `fixed` is the allowed value it matches
    /// but for letter case or spaces.
    NotAllowed {
        fixed: Option<String>,
    },
    NotInteger,
    OutOfRange,
    Malformed,
}

/// Which CCM path manages a Service (domain.md 2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LbKind {
    Clb,
    Nlb,
}

/// CLB or NLB for a `LoadBalancer` Service the Alibaba CCM manages; `None`
/// for other types, other load-balancer classes and `service.beta.kubernetes.io/class`.
pub fn lb_kind(svc: &ServiceView<'_>) -> Option<LbKind> {
    if svc.effective_type() != "LoadBalancer" || svc.annotation(CLASS_ANNOTATION).is_some() {
        return None;
    }
    if svc.is_nlb() {
        return Some(LbKind::Nlb);
    }
    match svc.load_balancer_class.as_ref().and_then(Field::text) {
        None => Some(LbKind::Clb),
        Some(class) if class == NLB_CLASS => Some(LbKind::Nlb),
        Some(_) => None,
    }
}

/// The listeners `protocol-port` declares: `(protocol, port)`.
pub fn protocol_ports(value: &str) -> Vec<(&str, u32)> {
    value
        .split(',')
        .filter_map(|item| {
            let (proto, port) = item.trim().split_once(':')?;
            Some((proto, port.trim().parse().ok()?))
        })
        .collect()
}

/// An RFC 1123 subdomain that is not an IP address: what Kubernetes accepts
/// in `status.loadBalancer.ingress[].hostname`.
pub fn is_dns_hostname(name: &str) -> bool {
    name.len() <= 253
        && !name.is_empty()
        // An IPv6 address has colons, which the labels below refuse anyway.
        && name.parse::<std::net::Ipv4Addr>().is_err()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for a in CATALOGUE {
            assert!(seen.insert(a.suffix), "{} twice", a.suffix);
            if let Values::OneOf(values) = a.values {
                if let Some(default) = a.default {
                    assert!(values.contains(&default), "{}: default {default} not allowed", a.suffix);
                }
            }
        }
    }

    #[test]
    fn keys_split_under_both_prefixes() {
        let key = "service.beta.kubernetes.io/alicloud-loadbalancer-address-type";
        assert_eq!(split_key(key), Some((Prefix::Legacy, "address-type")));
        assert_eq!(entry_for_key(key).map(|a| a.suffix), Some("address-type"));
        assert_eq!(entry_for_key(BACKEND_TYPE).map(|a| a.suffix), Some("backend-type"));
        assert!(entry_for_key("service.beta.kubernetes.io/aws-load-balancer-type").is_none());
    }

    #[test]
    fn nearest_suggests_slips_only() {
        assert_eq!(nearest("schedular").map(|(a, d)| (a.suffix, d)), Some(("scheduler", 1)));
        assert_eq!(nearest("Scheduler").map(|(a, d)| (a.suffix, d)), Some(("scheduler", 1)));
        assert_eq!(nearest("network-type").map(|(a, _)| a.suffix), Some("slb-network-type"));
        assert_eq!(nearest("healthcheck-type").map(|(a, _)| a.suffix), Some("health-check-type"));
        assert!(nearest("completely-different-thing").is_none());
        // A swap of neighbours is one slip.
        assert_eq!(nearest("shceduler").map(|(a, d)| (a.suffix, d)), Some(("scheduler", 1)));
    }

    #[test]
    fn edit_distance_is_restricted_damerau_levenshtein() {
        assert_eq!(edit_distance("health-check-type", "health-check-type"), 0);
        assert_eq!(edit_distance("helath-check-type", "health-check-type"), 1);
        assert_eq!(edit_distance("", "eni"), 3);
        // Restricted: a swapped pair is not edited again ("ca" -> "ac" -> "abc" would be 2).
        assert_eq!(edit_distance("ca", "abc"), 3);
    }

    #[test]
    fn values_are_case_sensitive() {
        let scheduler = lookup("scheduler").unwrap().values;
        assert_eq!(value_problem(scheduler, "wrr"), None);
        assert_eq!(value_problem(scheduler, "WRR"), Some(ValueProblem::NotAllowed { fixed: Some("wrr".into()) }));
        assert_eq!(value_problem(scheduler, "fastest"), Some(ValueProblem::NotAllowed { fixed: None }));
        let codes = lookup("health-check-httpcode").unwrap().values;
        assert_eq!(value_problem(codes, "http_2xx,http_3xx"), None);
        assert_eq!(value_problem(codes, "HTTP_2xx"), Some(ValueProblem::NotAllowed { fixed: Some("http_2xx".into()) }));
        let port = lookup("health-check-connect-port").unwrap().values;
        assert_eq!(value_problem(port, "-520"), None);
        assert_eq!(value_problem(port, "0"), Some(ValueProblem::OutOfRange));
        assert_eq!(value_problem(port, "eighty"), Some(ValueProblem::NotInteger));
        let listeners = lookup("protocol-port").unwrap().values;
        assert_eq!(value_problem(listeners, "https:443,http:80"), None);
        assert_eq!(value_problem(listeners, "https:443;http:80"), Some(ValueProblem::Malformed));
    }

    #[test]
    fn versions_with_four_parts() {
        let min = CcmVersion(1, 9, 3, 81);
        assert_eq!(min.newer_than(Version(1, 9, 2)), Some(true));
        assert_eq!(min.newer_than(Version(1, 9, 3)), None);
        assert_eq!(min.newer_than(Version(2, 0, 0)), Some(false));
        assert_eq!(CcmVersion(2, 3, 0, 0).newer_than(Version(2, 3, 0)), Some(false));
        assert_eq!(min.to_string(), "v1.9.3.81");
    }

    #[test]
    fn dns_hostnames() {
        assert!(is_dns_hostname("gw.example.com"));
        assert!(!is_dns_hostname("GW.example.com"));
        assert!(!is_dns_hostname("*.example.com"));
        assert!(!is_dns_hostname("10.0.0.1"));
        assert!(!is_dns_hostname("gw.example.com."));
        assert!(!is_dns_hostname(""));
    }
}
