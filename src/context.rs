//! What the user knows about the cluster. Every key is optional: `None`
//! means "do not assume", and rules say what they assumed instead.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cni {
    TerwayEni,
    TerwayEniip,
    TerwayDatapathv2,
    Flannel,
    CiliumKpr,
}

impl Cni {
    /// Terway in any mode: pod IPs are VPC addresses, so ENI backends work.
    pub fn is_terway(self) -> bool {
        matches!(self, Cni::TerwayEni | Cni::TerwayEniip | Cni::TerwayDatapathv2)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KubeProxyMode {
    Iptables,
    Ipvs,
    Nftables,
    /// No kube-proxy: an eBPF datapath replaces it.
    None,
}

/// Whether kube-proxy can tell pod traffic from other traffic (`--detect-local-mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectLocal {
    Implemented,
    NoOp,
}

/// Who inside the cluster connects to the load balancer's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InClusterClients {
    None,
    Pods,
    HostNetwork,
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

/// The cluster as the user describes it (architecture.md 4.3).
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

impl ClusterContext {
    /// Parses one context key as the CLI and the settings of the hosts name it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let quoted = serde_json::Value::String(value.to_owned());
        let bad = |e: serde_json::Error| format!("invalid value `{value}` for `{key}`: {e}");
        match key {
            "cni" => self.cni = unknown_is_none(quoted).map_err(bad)?,
            "kubeProxyMode" => self.kube_proxy_mode = unknown_is_none(quoted).map_err(bad)?,
            "detectLocal" => self.detect_local = unknown_is_none(quoted).map_err(bad)?,
            "inClusterClients" => self.in_cluster_clients = unknown_is_none(quoted).map_err(bad)?,
            "kubernetesVersion" => {
                self.kubernetes_version =
                    Some(Version::parse(value).ok_or_else(|| format!("`{value}` is not a version like 1.30"))?)
            }
            "ccmVersion" => {
                self.ccm_version =
                    Some(Version::parse(value).ok_or_else(|| format!("`{value}` is not a version like v2.10.0"))?)
            }
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

    /// The context keys and their allowed values, for help texts and settings validation.
    pub const KEYS: &'static [(&'static str, &'static str)] = &[
        ("cni", "terway-eni, terway-eniip, terway-datapathv2, flannel, cilium-kpr, unknown"),
        ("kubeProxyMode", "iptables, ipvs, nftables, none, unknown"),
        ("detectLocal", "implemented, no-op, unknown"),
        ("kubernetesVersion", "a version such as 1.30"),
        ("ccmVersion", "a version such as v2.10.0"),
        ("inClusterClients", "none, pods, host-network, unknown"),
        ("needsSourceIp", "true, false"),
    ];
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
    fn set_parses_like_the_cli() {
        let mut cx = ClusterContext::default();
        cx.set("inClusterClients", "host-network").unwrap();
        cx.set("ccmVersion", "v2.10.0").unwrap();
        assert_eq!(cx.in_cluster_clients, Some(InClusterClients::HostNetwork));
        assert_eq!(cx.ccm_version, Some(Version(2, 10, 0)));
        assert!(cx.set("kubeProxyMode", "userspace").is_err());
    }
}
