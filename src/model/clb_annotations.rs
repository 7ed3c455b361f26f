//! What the annotation rules know about the Service annotations the Alibaba
//! Cloud CCM reads: the catalogue (`ccm_annotations::TABLE`, taken from the
//! CCM source) and the helpers that look keys up and check values.

use std::fmt;

use crate::context::Version;

use super::service::{Field, ServiceView, ALIBABA_PREFIX, ALICLOUD_PREFIX, NLB_CLASS};

/// The annotation that hands a Service to another controller (S120:
/// `helper.NeedCLB` skips a Service with any non-empty value).
pub const CLASS_ANNOTATION: &str = "service.beta.kubernetes.io/class";

/// What a value may be. Values are case-sensitive strings (S8).
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

/// How the CCM spells a key (see `ccm_annotations`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// `alibaba-cloud-loadbalancer-` + suffix, also read under the legacy
    /// `alicloud-loadbalancer-` prefix (the new key wins).
    Lb(&'static str),
    /// `alibaba-cloud-loadbalancer-` + suffix, read only in that form.
    New(&'static str),
    /// A key outside the load-balancer family.
    Full(&'static str),
}

impl Key {
    /// The suffix after the load-balancer prefix; a `Full` key whole.
    pub fn suffix(self) -> &'static str {
        match self {
            Key::Lb(s) | Key::New(s) | Key::Full(s) => s,
        }
    }

    #[cfg(test)]
    pub fn full(self) -> String {
        match self {
            Key::Lb(s) | Key::New(s) => format!("{ALIBABA_PREFIX}{s}"),
            Key::Full(s) => s.to_owned(),
        }
    }
}

/// Which CCM controller reads a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Clb,
    Nlb,
    Both,
}

/// The line of the CCM source (`eeb0ddc6`) that defines a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// `pkg/controller/service/reconcile/annotation/annotations.go`
    A(u32),
    /// `pkg/controller/helper/service_utils.go`
    H(u32),
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Src::A(n) => write!(f, "pkg/controller/service/reconcile/annotation/annotations.go#L{n}"),
            Src::H(n) => write!(f, "pkg/controller/helper/service_utils.go#L{n}"),
        }
    }
}

/// One Service annotation the CCM reads: a row of `ccm_annotations::TABLE`.
#[derive(Debug)]
pub struct ClbAnnotation {
    pub key: Key,
    pub side: Side,
    pub values: Values,
    pub default: Option<&'static str>,
    /// The first CCM version whose CLB path (NLB path for NLB-only keys) reads it.
    pub since: CcmVersion,
    pub source: Src,
}

impl ClbAnnotation {
    /// The key after `…-loadbalancer-` (a key outside the family whole).
    pub fn suffix(&self) -> &'static str {
        self.key.suffix()
    }

    pub fn nlb_only(&self) -> bool {
        self.side == Side::Nlb
    }
}

/// Every Service annotation the CCM reads (S120).
pub const CATALOGUE: &[ClbAnnotation] = super::ccm_annotations::TABLE;

/// The load-balancer family (`…-loadbalancer-<suffix>`) entries.
fn family() -> impl Iterator<Item = &'static ClbAnnotation> {
    CATALOGUE.iter().filter(|a| !matches!(a.key, Key::Full(_)))
}

/// The entry of a `…-loadbalancer-<suffix>` key.
pub fn lookup(suffix: &str) -> Option<&'static ClbAnnotation> {
    family().find(|a| a.suffix() == suffix)
}

/// Which of the two accepted key prefixes a key uses (S120, `Get`).
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

/// The catalogue entry of an annotation key as the CCM reads it: a key only
/// the `alibaba-cloud-` form of which is read has no entry under `alicloud-`.
pub fn entry_for_key(key: &str) -> Option<&'static ClbAnnotation> {
    if let Some(entry) = CATALOGUE.iter().find(|a| matches!(a.key, Key::Full(full) if full == key)) {
        return Some(entry);
    }
    let (prefix, suffix) = split_key(key)?;
    lookup(suffix).filter(|a| prefix == Prefix::AlibabaCloud || matches!(a.key, Key::Lb(_)))
}

/// The known key closest to an unknown suffix, with its edit distance.
/// Only suggestions that look like a slip are returned.
pub fn nearest(suffix: &str) -> Option<(&'static ClbAnnotation, usize)> {
    let lower = suffix.to_ascii_lowercase();
    let mut best: Option<(&ClbAnnotation, usize, f64)> = None;
    for a in family() {
        let distance = edit_distance(&lower, a.suffix());
        let similarity = 1.0 - distance as f64 / lower.chars().count().max(a.suffix().len()).max(1) as f64;
        if best.is_none_or(|(_, d, s)| distance < d || (distance == d && similarity > s)) {
            best = Some((a, distance, similarity));
        }
    }
    let (a, distance, similarity) = best?;
    (distance <= 2 || similarity >= 0.7).then_some((a, edit_distance(suffix, a.suffix())))
}

/// Whether two known keys are as near to `suffix` as the best one.
pub fn is_ambiguous(suffix: &str, best: &ClbAnnotation) -> bool {
    let lower = suffix.to_ascii_lowercase();
    let d = edit_distance(&lower, best.suffix());
    family().filter(|a| edit_distance(&lower, a.suffix()) == d).count() > 1
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

/// Which CCM path manages a Service (S14, S120).
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
            assert!(seen.insert(a.key.full()), "{} twice", a.key.full());
        }
    }

    #[test]
    fn keys_split_under_both_prefixes() {
        let key = "service.beta.kubernetes.io/alicloud-loadbalancer-address-type";
        assert_eq!(split_key(key), Some((Prefix::Legacy, "address-type")));
        assert_eq!(entry_for_key(key).map(|a| a.suffix()), Some("address-type"));
        let backend = entry_for_key(crate::model::BACKEND_TYPE).map(|a| a.key);
        assert_eq!(backend, Some(Key::Full("service.beta.kubernetes.io/backend-type")));
        // tunnel-type is read only in its alibaba-cloud- form (helper/service_utils.go).
        assert!(entry_for_key("service.beta.kubernetes.io/alibaba-cloud-loadbalancer-tunnel-type").is_some());
        assert!(entry_for_key("service.beta.kubernetes.io/alicloud-loadbalancer-tunnel-type").is_none());
        assert!(entry_for_key("service.beta.kubernetes.io/aws-load-balancer-type").is_none());
    }

    #[test]
    fn nearest_suggests_slips_only() {
        assert_eq!(nearest("schedular").map(|(a, d)| (a.suffix(), d)), Some(("scheduler", 1)));
        assert_eq!(nearest("Scheduler").map(|(a, d)| (a.suffix(), d)), Some(("scheduler", 1)));
        assert_eq!(nearest("slb-network-type").map(|(a, _)| a.suffix()), Some("network-type"));
        assert_eq!(nearest("healthcheck-type").map(|(a, _)| a.suffix()), Some("health-check-type"));
        assert!(nearest("completely-different-thing").is_none());
        // A swap of neighbours is one slip.
        assert_eq!(nearest("shceduler").map(|(a, d)| (a.suffix(), d)), Some(("scheduler", 1)));
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
