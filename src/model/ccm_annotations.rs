//! Every Service annotation the Alibaba Cloud CCM reads, one row per key, taken
//! from the CCM source at `kubernetes/cloud-provider-alibaba-cloud@eeb0ddc6`
//! (tag v2.14.0; S120). 86 keys: 33 read only on the CLB path (`clbv1`), 17
//! only on the NLB path (`nlbv2`), 36 on both.
//!
//! Columns:
//! - **key**: `Lb("x")` is `service.beta.kubernetes.io/alibaba-cloud-loadbalancer-x`,
//!   also read as `service.beta.kubernetes.io/alicloud-loadbalancer-x` (the
//!   `alibaba-cloud-` key wins; `annotations.go` `Get`). `New("x")` is read
//!   only under `alibaba-cloud-loadbalancer-`; `Full` is a key of its own.
//! - **read by**: which controller reads it (`git grep annotation.<Const>` in
//!   `pkg/controller/service/{clbv1,nlbv2,reconcile}`, tests excluded).
//! - **values**, **default**: what the CCM or the cloud API accepts and what
//!   applies when the key is absent (S8, S14, S120; `Text` is not checked).
//! - **since**: the first CCM version whose CLB path (NLB path for NLB-only
//!   keys) reads the key: the first OSS tag whose source has it (`git grep`
//!   over `git tag`), or the version the ACK annotation reference (S8) gives
//!   when that lies between the previous OSS tag and this one (OSS tags are
//!   sparse: v1.9.3.101, .239, .316, .372, .376, v2.1.0, …).
//! - **source**: the line that defines the key: `A(n)` is
//!   `pkg/controller/service/reconcile/annotation/annotations.go#Ln`, `H(n)` is
//!   `pkg/controller/helper/service_utils.go#Ln`, both at `eeb0ddc6`.
//!
//! `scripts/ccm-annotations-check <ccm-git-dir>` compares the keys and source
//! lines with a CCM checkout; `tests` below keep the rules and this table in
//! agreement (CI has no CCM checkout).

use super::clb_annotations::{CcmVersion, Key::*, Side::*, Src::*};
use super::clb_annotations::{ClbAnnotation, Key, Side, Src, Values};

const ON_OFF: Values = Values::OneOf(&["on", "off"]);
const TEXT: Values = Values::Text;

const fn one_of(values: &'static [&'static str]) -> Values {
    Values::OneOf(values)
}

const fn int(min: i64, max: i64) -> Values {
    Values::Int { min, max, also: None }
}

const fn v(a: u32, b: u32, c: u32, d: u32) -> CcmVersion {
    CcmVersion(a, b, c, d)
}

#[allow(clippy::too_many_arguments)]
const fn r(
    key: Key,
    side: Side,
    values: Values,
    default: Option<&'static str>,
    since: CcmVersion,
    source: Src,
) -> ClbAnnotation {
    ClbAnnotation { key, side, values, default, since, source }
}

const CIPHERS: &[&str] = &[
    "tls_cipher_policy_1_0",
    "tls_cipher_policy_1_1",
    "tls_cipher_policy_1_2",
    "tls_cipher_policy_1_2_strict",
    "tls_cipher_policy_1_2_strict_with_1_3",
];

// wlc is in the 2021 ACK reference (S8) and the CCM's usage.md, not in the
// current CLB scheduling docs (S122): ASM-ANN-037 warns about it.
const SCHEDULERS: &[&str] = &["wrr", "wlc", "rr", "sch", "tch", "qch"];

/// The rows, in `annotations.go` order, then the keys `helper` defines.
#[rustfmt::skip]
pub const TABLE: &[ClbAnnotation] = &[
//  key                                  read by values                                        default                    since            source  why (for the reader of the table)
    r(Lb("address-type"),                Both, one_of(&["internet", "intranet"]),              Some("internet"),          v(1, 9, 3, 0),   A(30)),  // a reused CLB's address type must match
    r(Lb("id"),                          Both, TEXT,                                           None,                      v(1, 9, 3, 81),  A(31)),  // reuses an existing load balancer, which is not deleted with the Service
    r(Lb("name"),                        Both, TEXT,                                           None,                      v(1, 9, 3, 101), A(32)),
    r(Lb("resource-group-id"),           Both, TEXT,                                           None,                      v(1, 9, 3, 313), A(33)),  // immutable
    r(Lb("additional-resource-tags"),    Both, TEXT,                                           None,                      v(1, 9, 3, 0),   A(34)),
    r(Lb("delete-protection"),           Clb,  ON_OFF,                                         Some("on"),                v(1, 9, 3, 313), A(35)),  // NLBs always get deletion protection
    r(Lb("modification-protection"),     Clb,  one_of(&["ConsoleProtection", "NonProtection"]), Some("ConsoleProtection"), v(1, 9, 3, 313), A(36)),
    r(Lb("cert-id"),                     Both, TEXT,                                           None,                      v(1, 9, 3, 101), A(38)),  // certificate of the HTTPS listeners
    r(Lb("protocol-port"),               Both, Values::ProtocolPorts,                          None,                      v(1, 9, 3, 0),   A(39)),  // creates HTTP/HTTPS listeners
    r(Lb("idle-timeout"),                Both, int(1, 60),                                     Some("15"),                v(2, 1, 0, 0),   A(40)),  // HTTP/HTTPS listeners
    r(Lb("tls-cipher-policy"),           Both, one_of(CIPHERS),                                Some("tls_cipher_policy_1_0"), v(2, 4, 0, 0), A(41)),
    r(Lb("scheduler"),                   Both, one_of(SCHEDULERS),                             Some("rr"),                v(1, 9, 3, 239), A(43)),  // Local mode needs wrr so that node weights (pods per node) count
    r(Lb("connection-drain"),            Both, ON_OFF,                                         None,                      v(2, 0, 1, 0),   A(44)),  // TCP/UDP listeners
    r(Lb("connection-drain-timeout"),    Both, int(10, 900),                                   None,                      v(2, 0, 1, 0),   A(45)),
    r(Lb("ignore-weight-update"),        Both, ON_OFF,                                         Some("off"),               v(2, 11, 1, 0),  A(46)),
    r(Lb("preserve-lb-on-delete"),       Both, TEXT,                                           None,                      v(2, 10, 0, 0),  A(48)),  // any non-empty value enables it, "false" included
    r(Lb("vswitch-id"),                  Clb,  TEXT,                                           None,                      v(1, 9, 3, 239), A(54)),  // requires address-type: intranet
    r(Lb("network-type"),                Clb,  one_of(&["classic", "vpc"]),                    None,                      v(2, 12, 4, 0),  A(55)),  // absent: a VPC CLB; v1.9.3.x read slb-network-type instead
    r(Lb("charge-type"),                 Clb,  one_of(&["paybytraffic", "paybybandwidth"]),    Some("paybytraffic"),      v(1, 9, 3, 0),   A(56)),  // paybybandwidth is pay-by-specification only
    r(Lb("force-override-listeners"),    Both, one_of(&["true", "false"]),                     Some("false"),             v(1, 9, 3, 81),  A(57)),  // only with id; only the exact string true counts
    r(Lb("master-zoneid"),               Clb,  TEXT,                                           None,                      v(1, 9, 3, 10),  A(58)),  // immutable
    r(Lb("slave-zoneid"),                Clb,  TEXT,                                           None,                      v(1, 9, 3, 10),  A(59)),  // immutable
    r(Lb("bandwidth"),                   Clb,  int(1, i64::MAX),                               None,                      v(1, 9, 3, 10),  A(60)),  // Mbps; with charge-type: paybybandwidth
    r(Lb("spec"),                        Clb,  TEXT,                                           None,                      v(1, 9, 3, 0),   A(61)),  // pay-by-specification only (PayBySpec defaults it to slb.s1.small); a PayByCLCU CLB has no spec
    r(Lb("instance-charge-type"),        Clb,  one_of(&["PayBySpec", "PayByCLCU"]),            Some("PayByCLCU"),         v(2, 4, 0, 0),   A(62)),  // the default is PayByCLCU from CCM v2.12.1, PayBySpec before
    r(Lb("ip-version"),                  Both, one_of(&["ipv4", "ipv6"]),                      Some("ipv4"),              v(1, 9, 3, 101), A(63)),  // ipv6 requires kube-proxy in IPVS mode; immutable
    r(Lb("external-ip-type"),            Clb,  one_of(&["eip"]),                               None,                      v(1, 9, 3, 316), A(64)),  // the status shows the EIP
    r(Lb("hostname"),                    Clb,  Values::DnsName,                                None,                      v(2, 3, 0, 0),   A(65)),  // the status shows this name instead of the CLB IP; in-cluster traffic goes through the CLB
    r(Lb("ip"),                          Clb,  Values::Ipv4,                                   None,                      v(2, 7, 0, 0),   A(66)),  // requires vswitch-id and address-type: intranet; immutable
    r(Lb("acl-status"),                  Clb,  ON_OFF,                                         Some("off"),               v(1, 9, 3, 164), A(69)),
    r(Lb("acl-id"),                      Clb,  TEXT,                                           None,                      v(1, 9, 3, 164), A(70)),  // required when acl-status is on
    r(Lb("acl-type"),                    Clb,  one_of(&["white", "black"]),                    None,                      v(1, 9, 3, 164), A(71)),  // required when acl-status is on; an empty white list forwards everything
    r(Lb("forward-port"),                Clb,  TEXT,                                           None,                      v(1, 9, 3, 164), A(72)),  // HTTP to HTTPS redirect, e.g. 80:443
    r(Lb("http2-enabled"),               Clb,  ON_OFF,                                         Some("on"),                v(2, 1, 0, 0),   A(73)),  // HTTPS listeners only
    r(Lb("health-check-switch"),         Clb,  ON_OFF,                                         Some("on"),                v(2, 6, 0, 0),   A(74)),  // TCP/UDP listeners
    r(Lb("health-check-flag"),           Both, ON_OFF,                                         Some("off"),               v(1, 9, 3, 0),   A(75)),  // HTTP/HTTPS listeners; NLB reads its health-check keys only when on
    r(Lb("health-check-type"),           Both, one_of(&["tcp", "http"]),                       Some("tcp"),               v(1, 9, 3, 0),   A(76)),
    r(Lb("health-check-uri"),            Both, TEXT,                                           None,                      v(1, 9, 3, 0),   A(77)),
    r(Lb("health-check-connect-port"),   Both, Values::Int { min: 1, max: 65535, also: Some(-520) }, None,               v(1, 9, 3, 0),   A(78)),
    r(Lb("healthy-threshold"),           Both, int(2, 10),                                     Some("3"),                 v(1, 9, 3, 0),   A(79)),
    r(Lb("unhealthy-threshold"),         Both, int(2, 10),                                     Some("3"),                 v(1, 9, 3, 0),   A(80)),
    r(Lb("health-check-interval"),       Both, int(1, 50),                                     Some("2"),                 v(1, 9, 3, 0),   A(81)),
    r(Lb("health-check-connect-timeout"), Both, int(1, 300),                                   Some("5"),                 v(1, 9, 3, 0),   A(82)),  // ignored if below the interval
    r(Lb("health-check-timeout"),        Clb,  int(1, 300),                                    Some("5"),                 v(1, 9, 3, 0),   A(83)),  // ignored if below the interval
    r(Lb("health-check-domain"),         Both, TEXT,                                           None,                      v(1, 9, 3, 0),   A(84)),
    r(Lb("health-check-httpcode"),       Both, Values::ListOf(&["http_2xx", "http_3xx", "http_4xx", "http_5xx"]), Some("http_2xx"), v(1, 9, 3, 0), A(85)),
    r(Lb("health-check-method"),         Both, one_of(&["head", "get"]),                       None,                      v(2, 3, 0, 0),   A(86)),
    r(Lb("sticky-session"),              Clb,  ON_OFF,                                         Some("off"),               v(1, 9, 3, 0),   A(87)),  // HTTP/HTTPS listeners only
    r(Lb("sticky-session-type"),         Clb,  one_of(&["insert", "server"]),                  None,                      v(1, 9, 3, 0),   A(88)),  // required when sticky-session is on
    r(Lb("cookie-timeout"),              Clb,  int(1, 86400),                                  None,                      v(1, 9, 3, 0),   A(89)),  // seconds; required for insert
    r(Lb("cookie"),                      Clb,  TEXT,                                           None,                      v(1, 9, 3, 0),   A(90)),  // required for server
    r(Lb("persistence-timeout"),         Clb,  int(0, 3600),                                   Some("0"),                 v(1, 9, 3, 0),   A(91)),  // seconds; TCP listeners only
    r(Lb("vgroup-port"),                 Both, TEXT,                                           None,                      v(2, 1, 0, 0),   A(92)),  // only with a reused load balancer's server groups
    r(Lb("xforwardedfor-proto"),         Clb,  ON_OFF,                                         Some("off"),               v(2, 1, 0, 0),   A(93)),
    r(Lb("xforwardedfor-slbport"),       Clb,  ON_OFF,                                         Some("off"),               v(2, 9, 1, 0),   A(94)),
    r(Lb("xforwardedfor-clientsrcport"), Clb,  ON_OFF,                                         Some("off"),               v(2, 9, 1, 0),   A(95)),
    r(Lb("request-timeout"),             Clb,  int(1, 180),                                    Some("60"),                v(2, 3, 0, 0),   A(96)),  // HTTP/HTTPS listeners
    r(Lb("established-timeout"),         Clb,  int(10, 900),                                   None,                      v(2, 3, 0, 0),   A(97)),  // TCP listeners
    r(Lb("proxy-protocol"),              Both, ON_OFF,                                         Some("off"),               v(2, 6, 0, 0),   A(98)),  // TCP/UDP listeners send PROXY protocol v2; the CLB path needs exactly on; NLB reads it from v2.5.1
    r(Lb("domain-extensions"),           Clb,  TEXT,                                           None,                      v(2, 13, 0, 0),  A(99)),
    r(Lb("backend-label"),               Both, TEXT,                                           None,                      v(1, 9, 3, 0),   A(102)), // only for ecs backends
    r(Lb("backend-ip-version"),          Both, TEXT,                                           None,                      v(2, 1, 0, 0),   A(104)),
    r(Lb("remove-unscheduled-backend"),  Both, ON_OFF,                                         Some("off"),               v(1, 9, 3, 164), A(105)), // the CLB path needs exactly on
    r(Lb("weight"),                      Both, TEXT,                                           None,                      v(2, 1, 0, 0),   A(106)), // read only with id and vgroup-port
    r(Lb("default-weight"),              Both, TEXT,                                           None,                      v(2, 14, 0, 0),  A(107)),
    r(Lb("zone-maps"),                   Nlb,  TEXT,                                           None,                      v(2, 5, 1, 0),   A(112)), // required for a new NLB
    r(Lb("security-group-ids"),          Nlb,  TEXT,                                           None,                      v(2, 6, 0, 0),   A(113)),
    r(Lb("bandwidth-package-id"),        Nlb,  TEXT,                                           None,                      v(2, 9, 1, 0),   A(114)),
    r(Lb("ipv6-address-type"),           Nlb,  TEXT,                                           None,                      v(2, 9, 1, 0),   A(115)),
    r(Lb("cross-zone-enabled"),          Nlb,  ON_OFF,                                         None,                      v(2, 13, 0, 0),  A(116)),
    r(Lb("cacert-id"),                   Nlb,  TEXT,                                           None,                      v(2, 5, 1, 0),   A(118)),
    r(Lb("cacert"),                      Nlb,  TEXT,                                           None,                      v(2, 5, 1, 0),   A(119)),
    r(Lb("cps"),                         Nlb,  TEXT,                                           None,                      v(2, 5, 1, 0),   A(120)),
    r(Lb("preserve-client-ip"),          Nlb,  TEXT,                                           None,                      v(2, 5, 1, 0),   A(122)),
    r(Lb("server-group-type"),           Nlb,  TEXT,                                           None,                      v(2, 8, 0, 0),   A(123)),
    r(Lb("ppv2-pvl-ep-id-enabled"),      Nlb,  TEXT,                                           None,                      v(2, 9, 1, 0),   A(125)),
    r(Lb("ppv2-pvl-eps-id-enabled"),     Nlb,  TEXT,                                           None,                      v(2, 9, 1, 0),   A(126)),
    r(Lb("ppv2-pvl-vpc-id-enabled"),     Nlb,  TEXT,                                           None,                      v(2, 9, 1, 0),   A(127)),
    r(Lb("alpn"),                        Nlb,  TEXT,                                           None,                      v(2, 10, 0, 0),  A(129)),
    r(Lb("alpn-policy"),                 Nlb,  TEXT,                                           None,                      v(2, 10, 0, 0),  A(130)),
    r(Lb("listener-port-range"),         Nlb,  TEXT,                                           None,                      v(2, 11, 2, 0),  A(132)),
    r(Lb("additional-cert-ids"),         Nlb,  TEXT,                                           None,                      v(2, 13, 0, 0),  A(133)),
    r(Full("service.beta.kubernetes.io/backend-type"), Both, one_of(&["eni", "ecs"]),         None,                      v(1, 9, 3, 164), H(29)),  // eni is effective only with Terway
    r(Full("service.beta.kubernetes.io/class"),        Clb,  TEXT,                            None,                      v(1, 9, 3, 239), H(30)),  // any non-empty value makes the CLB controller skip the Service
    r(New("type"),                       Both, TEXT,                                           None,                      v(2, 10, 0, 0),  H(31)),  // nlb selects NLB, only with the LoadBalancerTypeAnnotation feature gate
    r(New("tunnel-type"),                Clb,  TEXT,                                           None,                      v(2, 12, 4, 0),  H(32)),  // its mere presence makes the CLB controller skip the Service
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_review_counts() {
        let count = |side| TABLE.iter().filter(|a| a.side == side).count();
        assert_eq!((TABLE.len(), count(Clb), count(Nlb), count(Both)), (86, 33, 17, 36));
    }

    #[test]
    fn sources_are_in_file_order() {
        let lines = |pick: fn(Src) -> Option<u32>| TABLE.iter().filter_map(|a| pick(a.source)).collect::<Vec<_>>();
        for list in
            [lines(|s| if let A(n) = s { Some(n) } else { None }), lines(|s| if let H(n) = s { Some(n) } else { None })]
        {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    /// Every key a rule reads by name is a row of the table, and every value a
    /// rule compares it with is one the table allows.
    #[test]
    fn the_rules_agree_with_the_table() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut checked = 0;
        let files = |dir: std::path::PathBuf| std::fs::read_dir(dir).unwrap().map(|f| f.unwrap().path());
        for path in files(dir.clone()).chain(files(dir.join("support"))).filter(|p| p.is_file()) {
            let source = std::fs::read_to_string(&path).unwrap();
            for opener in ["lb_annotation(\"", "self.get(\"", "self.text(\"", "lookup(\""] {
                for (at, _) in source.match_indices(opener) {
                    let rest = &source[at + opener.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    let row = super::super::clb_annotations::lookup(key)
                        .unwrap_or_else(|| panic!("{}: `{key}` is not in the table", path.display()));
                    // A value compared in the same expression.
                    let statement = &rest[..rest.find([';', '{']).unwrap_or(rest.len()).min(120)];
                    for pattern in ["Some(\"", "eq_ignore_ascii_case(\""] {
                        let Some(i) = statement.find(pattern) else { continue };
                        let value = &statement[i + pattern.len()..];
                        let value = &value[..value.find('"').unwrap()];
                        if let Values::OneOf(allowed) = row.values {
                            assert!(allowed.contains(&value), "{}: {key} compared with `{value}`", path.display());
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked >= 8, "only {checked} compared values found");
    }

    #[test]
    fn defaults_are_allowed_values() {
        for a in TABLE {
            if let (Values::OneOf(values), Some(default)) = (a.values, a.default) {
                assert!(values.contains(&default), "{}: default {default} not allowed", a.key.full());
            }
        }
    }
}
