//! What the user knows about the cluster. Every key is optional: `None`
//! means "do not assume", and rules say what they assumed instead.

use serde::{Deserialize, Serialize};

/// An enum written in JSON, flags and settings by a fixed name per variant.
/// Parsed from its name table rather than through serde's derive, so that
/// the policy-host builds carry no serde deserialiser for the context.
macro_rules! named_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const NAMES: &'static [&'static str] = &[$($text),*];

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)*
                    _ => None,
                }
            }

            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).ok_or_else(|| serde::de::Error::custom(expected_one_of(Self::NAMES)))
            }
        }
    };
}

fn expected_one_of(names: &[&str]) -> String {
    format!("expected one of {}", names.join(", "))
}

named_enum! {
    pub enum Cni {
        TerwayEni = "terway-eni",
        TerwayEniip = "terway-eniip",
        TerwayDatapathv2 = "terway-datapathv2",
        Flannel = "flannel",
        CiliumKpr = "cilium-kpr",
    }
}

impl Cni {
    /// Terway in any mode: pod IPs are VPC addresses, so ENI backends work.
    pub fn is_terway(self) -> bool {
        matches!(self, Cni::TerwayEni | Cni::TerwayEniip | Cni::TerwayDatapathv2)
    }
}

named_enum! {
    pub enum KubeProxyMode {
        Iptables = "iptables",
        Ipvs = "ipvs",
        Nftables = "nftables",
        /// No kube-proxy: an eBPF datapath replaces it.
        None = "none",
    }
}

named_enum! {
    /// Whether kube-proxy can tell pod traffic from other traffic (`--detect-local-mode`).
    pub enum DetectLocal {
        Implemented = "implemented",
        NoOp = "no-op",
    }
}

named_enum! {
    /// Who inside the cluster connects to the load balancer's address.
    pub enum InClusterClients {
        None = "none",
        Pods = "pods",
        HostNetwork = "host-network",
    }
}

/// A `major.minor[.patch]` version, with or without a leading `v`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_start_matches(['v', 'V']);
        let mut parts = text.split(['.', '-', '+']).map(|p| p.parse::<u32>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().unwrap_or(Ok(0)).ok()?;
        let patch = parts.next().and_then(Result::ok).unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Version::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a version like 1.30")))
    }
}

/// The cluster as the user describes it (docs/architecture.md#cluster-context).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterContext {
    #[serde(default, deserialize_with = "unknown_is_none", skip_serializing_if = "Option::is_none")]
    pub cni: Option<Cni>,
    #[serde(default, deserialize_with = "unknown_is_none", skip_serializing_if = "Option::is_none")]
    pub kube_proxy_mode: Option<KubeProxyMode>,
    #[serde(default, deserialize_with = "unknown_is_none", skip_serializing_if = "Option::is_none")]
    pub detect_local: Option<DetectLocal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<Version>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccm_version: Option<Version>,
    #[serde(default, deserialize_with = "unknown_is_none", skip_serializing_if = "Option::is_none")]
    pub in_cluster_clients: Option<InClusterClients>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_source_ip: Option<bool>,
}

/// `"unknown"` (or null) is the same as leaving the key out.
fn unknown_is_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let value = Option::<serde_json::Value>::deserialize(d)?;
    match value {
        None => Ok(None),
        Some(serde_json::Value::String(s)) if s == "unknown" => Ok(None),
        Some(v) => T::deserialize(v).map(Some).map_err(serde::de::Error::custom),
    }
}

fn version(key: &str, value: &str) -> Result<Version, String> {
    let example = match context_key(key).map(|k| k.values) {
        Some(Values::Version(example)) => example,
        _ => "1.30",
    };
    Version::parse(value).ok_or_else(|| format!("`{value}` is not a version like {example}"))
}

/// How a settings error names a JSON value's type: `a number`, `a list`.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl ClusterContext {
    /// Parses one context key ([`CONTEXT_KEYS`]) as the CLI and the settings of the hosts name it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        fn named<T>(key: &str, value: &str, parse: fn(&str) -> Option<T>, names: &[&str]) -> Result<Option<T>, String> {
            if value == "unknown" {
                return Ok(None);
            }
            match parse(value) {
                Some(parsed) => Ok(Some(parsed)),
                None => Err(format!("invalid value `{value}` for `{key}`: {}", expected_one_of(names))),
            }
        }
        match key {
            "cni" => self.cni = named(key, value, Cni::parse, Cni::NAMES)?,
            "kubeProxyMode" => self.kube_proxy_mode = named(key, value, KubeProxyMode::parse, KubeProxyMode::NAMES)?,
            "detectLocal" => self.detect_local = named(key, value, DetectLocal::parse, DetectLocal::NAMES)?,
            "inClusterClients" => {
                self.in_cluster_clients = named(key, value, InClusterClients::parse, InClusterClients::NAMES)?
            }
            "kubernetesVersion" => self.kubernetes_version = Some(version(key, value)?),
            "ccmVersion" => self.ccm_version = Some(version(key, value)?),
            "needsSourceIp" => {
                self.needs_source_ip = Some(match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(format!("`needsSourceIp` takes true or false, not `{value}`")),
                })
            }
            _ => return Err(format!("unknown context key `{key}`")),
        }
        Ok(())
    }

    /// One context key from JSON settings (the policy hosts): a string as
    /// [`ClusterContext::set`] reads it, `true`/`false` for `needsSourceIp`,
    /// `null` for "not set".
    pub fn set_json(&mut self, key: &str, value: &serde_json::Value) -> Result<(), String> {
        use serde_json::Value;
        match value {
            Value::String(text) => self.set(key, text),
            Value::Bool(b) if key == "needsSourceIp" => self.set(key, if *b { "true" } else { "false" }),
            Value::Null => self.clear(key),
            other => Err(format!("`{key}` must be a string, not {}", json_type(other))),
        }
    }

    fn clear(&mut self, key: &str) -> Result<(), String> {
        match key {
            "cni" => self.cni = None,
            "kubeProxyMode" => self.kube_proxy_mode = None,
            "detectLocal" => self.detect_local = None,
            "inClusterClients" => self.in_cluster_clients = None,
            "kubernetesVersion" => self.kubernetes_version = None,
            "ccmVersion" => self.ccm_version = None,
            "needsSourceIp" => self.needs_source_ip = None,
            _ => return Err(format!("unknown context key `{key}`")),
        }
        Ok(())
    }
}

/// How a context key's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// One of these names, or `unknown`.
    Names(&'static [&'static str]),
    /// A version, such as the example.
    Version(&'static str),
    /// `true` or `false`. On the command line, `flag` sets `true` and this flag sets `false`.
    Bool { off_flag: &'static str, off_help: &'static str },
}

/// One cluster-context key: the single definition the CLI flags, the
/// browser's options, the hosts' settings and the docs are made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContextKey {
    /// The key in JSON options and host settings (camelCase).
    pub key: &'static str,
    /// The CLI flag, without `--`.
    pub flag: &'static str,
    /// The flag's value name in `--help`.
    pub value_name: &'static str,
    pub values: Values,
    /// What it means: the flag's help line and the docs' description.
    pub help: &'static str,
}

/// Every context key, in the order of the CLI's help and the docs
/// (docs/architecture.md#cluster-context).
pub const CONTEXT_KEYS: &[ContextKey] = &[
    ContextKey {
        key: "cni",
        flag: "cni",
        value_name: "CNI",
        values: Values::Names(Cni::NAMES),
        help: "The cluster's CNI plugin",
    },
    ContextKey {
        key: "kubeProxyMode",
        flag: "kube-proxy",
        value_name: "MODE",
        values: Values::Names(KubeProxyMode::NAMES),
        help: "kube-proxy's mode (`none`: an eBPF datapath replaces it)",
    },
    ContextKey {
        key: "detectLocal",
        flag: "detect-local",
        value_name: "STATE",
        values: Values::Names(DetectLocal::NAMES),
        help: "Whether kube-proxy's local-traffic detector is configured (--detect-local-mode)",
    },
    ContextKey {
        key: "kubernetesVersion",
        flag: "k8s-version",
        value_name: "VERSION",
        values: Values::Version("1.30"),
        help: "Kubernetes version, e.g. 1.30",
    },
    ContextKey {
        key: "ccmVersion",
        flag: "ccm-version",
        value_name: "VERSION",
        values: Values::Version("v2.10.0"),
        help: "Version of the Alibaba Cloud controller manager, e.g. v2.10.0",
    },
    ContextKey {
        key: "inClusterClients",
        flag: "in-cluster-clients",
        value_name: "WHO",
        values: Values::Names(InClusterClients::NAMES),
        help: "Who inside the cluster connects to the load balancer's address",
    },
    ContextKey {
        key: "needsSourceIp",
        flag: "needs-source-ip",
        value_name: "",
        values: Values::Bool { off_flag: "no-source-ip", off_help: "Backends do not need the client's source IP" },
        help: "Backends need the client's source IP",
    },
];

/// The definition of a context key.
pub fn context_key(key: &str) -> Option<&'static ContextKey> {
    CONTEXT_KEYS.iter().find(|k| k.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_context_accepts_unknown_and_rejects_typos() {
        let cx: ClusterContext =
            serde_json::from_str(r#"{"cni":"terway-eniip","kubeProxyMode":"unknown","kubernetesVersion":"1.30"}"#)
                .unwrap();
        assert_eq!(cx.cni, Some(Cni::TerwayEniip));
        assert_eq!(cx.kube_proxy_mode, None);
        assert_eq!(cx.kubernetes_version, Some(Version(1, 30, 0)));
        assert!(serde_json::from_str::<ClusterContext>(r#"{"cnii":"flannel"}"#).is_err());
        assert!(serde_json::from_str::<ClusterContext>(r#"{"cni":"weave"}"#).is_err());
    }

    #[test]
    fn set_reads_names_and_json_settings() {
        let mut cx = ClusterContext::default();
        cx.set("cni", "terway-eniip").unwrap();
        cx.set("detectLocal", "no-op").unwrap();
        assert_eq!((cx.cni, cx.detect_local), (Some(Cni::TerwayEniip), Some(DetectLocal::NoOp)));
        cx.set("cni", "unknown").unwrap();
        assert_eq!(cx.cni, None);
        assert_eq!(
            cx.set("cni", "weave").unwrap_err(),
            "invalid value `weave` for `cni`: expected one of terway-eni, terway-eniip, terway-datapathv2, flannel, cilium-kpr"
        );
        cx.set_json("needsSourceIp", &serde_json::json!(true)).unwrap();
        cx.set_json("kubernetesVersion", &serde_json::json!("1.30")).unwrap();
        assert_eq!((cx.needs_source_ip, cx.kubernetes_version), (Some(true), Some(Version(1, 30, 0))));
        cx.set_json("kubernetesVersion", &serde_json::Value::Null).unwrap();
        assert_eq!(cx.kubernetes_version, None);
        assert_eq!(cx.set_json("cni", &serde_json::json!(3)).unwrap_err(), "`cni` must be a string, not a number");
        assert!(cx.set_json("cnii", &serde_json::json!("flannel")).is_err());
        for name in Cni::NAMES {
            assert_eq!(Cni::parse(name).map(Cni::name), Some(*name));
        }
        assert_eq!(serde_json::to_value(Cni::CiliumKpr).unwrap(), "cilium-kpr");
        assert_eq!(serde_json::from_value::<DetectLocal>(serde_json::json!("no-op")).unwrap(), DetectLocal::NoOp);
    }

    #[test]
    fn every_key_in_the_table_is_parsed_and_cleared() {
        for key in CONTEXT_KEYS {
            let value = match key.values {
                Values::Names(names) => names[0],
                Values::Version(example) => example,
                Values::Bool { .. } => "true",
            };
            let mut cx = ClusterContext::default();
            cx.set(key.key, value).unwrap_or_else(|e| panic!("{}: {e}", key.key));
            assert_ne!(cx, ClusterContext::default(), "{}", key.key);
            cx.set_json(key.key, &serde_json::Value::Null).unwrap();
            assert_eq!(cx, ClusterContext::default(), "{}", key.key);
        }
        // And the serde form uses the same keys.
        let all = serde_json::to_value(ClusterContext {
            cni: Some(Cni::Flannel),
            kube_proxy_mode: Some(KubeProxyMode::Ipvs),
            detect_local: Some(DetectLocal::NoOp),
            kubernetes_version: Some(Version(1, 30, 0)),
            ccm_version: Some(Version(2, 10, 0)),
            in_cluster_clients: Some(InClusterClients::Pods),
            needs_source_ip: Some(true),
        })
        .unwrap();
        let keys: Vec<&str> = all.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, CONTEXT_KEYS.iter().map(|k| k.key).collect::<Vec<_>>());
    }

    #[test]
    fn set_parses_like_the_cli() {
        let mut cx = ClusterContext::default();
        cx.set("inClusterClients", "host-network").unwrap();
        cx.set("ccmVersion", "v2.10.0").unwrap();
        assert_eq!(cx.in_cluster_clients, Some(InClusterClients::HostNetwork));
        assert_eq!(cx.ccm_version, Some(Version(2, 10, 0)));
        assert!(cx.set("kubeProxyMode", "userspace").is_err());
    }
}
