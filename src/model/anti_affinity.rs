//! Whether a pod `affinity` really spreads pods apart.
//!
//! Kubernetes `core/v1/types.go` (S16): `podAntiAffinity` holds
//! `requiredDuringSchedulingIgnoredDuringExecution` (a list of
//! `PodAffinityTerm`) and `preferredDuringSchedulingIgnoredDuringExecution`
//! (a list of `WeightedPodAffinityTerm` with a `podAffinityTerm`); a term
//! without a `topologyKey` is invalid. An empty `podAntiAffinity: {}` asks
//! the scheduler for nothing, so only a term with a topology key counts.

use crate::yaml::Node;

fn has_topology_key(term: Option<&Node>) -> bool {
    term.and_then(|t| t.get("topologyKey")).and_then(Node::scalar_text).is_some_and(|k| !k.is_empty())
}

/// `affinity` (the map that holds `podAntiAffinity`) asks for at least one
/// required or preferred anti-affinity term with a topology key.
pub fn spreads_pods(affinity: Option<&Node>) -> bool {
    let Some(anti) = affinity.and_then(|a| a.get("podAntiAffinity")) else { return false };
    let terms = |key: &str| anti.get(key).map(Node::items).unwrap_or(&[]);
    terms("requiredDuringSchedulingIgnoredDuringExecution").iter().any(|t| has_topology_key(Some(t)))
        || terms("preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .any(|w| has_topology_key(w.get("podAffinityTerm")))
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::yaml::{load, Limits};

    fn spreads(yaml: &str) -> bool {
        let loaded = load(yaml, &Limits::default());
        spreads_pods(loaded.documents[0].root.as_ref())
    }

    #[test]
    fn only_terms_with_a_topology_key_spread() {
        assert!(!spreads("podAntiAffinity: {}\n"));
        assert!(!spreads("podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: []}\n"));
        assert!(!spreads("podAntiAffinity:\n  preferredDuringSchedulingIgnoredDuringExecution:\n  - weight: 100\n    podAffinityTerm: {labelSelector: {}}\n"));
        assert!(!spreads("podAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n  - topologyKey: kubernetes.io/hostname\n"));
        assert!(spreads("podAntiAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n  - topologyKey: kubernetes.io/hostname\n"));
        assert!(spreads("podAntiAffinity:\n  preferredDuringSchedulingIgnoredDuringExecution:\n  - weight: 100\n    podAffinityTerm: {topologyKey: topology.kubernetes.io/zone}\n"));
    }
}
