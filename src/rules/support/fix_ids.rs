//! The fix ids more than one rule offers, for the same remedy. An id one
//! rule offers is a constant in that rule's file.
//!
//! An id is a public contract: the CLI's `--fix ID`, the Kubewarden policy's
//! `mutate` setting and the report's `fixes[].id` name it, so its text never
//! changes. One finding offers each id at most once (the fixture harness
//! checks it).

use crate::rule::FixId;

/// Keeps `externalTrafficPolicy: Cluster` and adds `backend-type: "eni"` (Terway only), so pods are CLB backends.
pub const ENI_PASSTHROUGH: FixId = FixId::new("eni-passthrough");
/// Adds the `hostname` annotation (`--param hostname`) so in-cluster clients go through the load balancer; advice without the parameter.
pub const LB_HOSTNAME: FixId = FixId::new("lb-hostname");
/// Removes an annotation the CCM ignores.
pub const REMOVE_ANNOTATION: FixId = FixId::new("remove-annotation");
/// Removes the CLB `spec` annotation where the charge type has no specification.
pub const REMOVE_SPEC: FixId = FixId::new("remove-spec");
/// Sets `externalTrafficPolicy: Cluster`.
pub const SET_CLUSTER_POLICY: FixId = FixId::new("set-cluster-policy");
/// Sets `externalTrafficPolicy: Local`.
pub const SET_LOCAL_POLICY: FixId = FixId::new("set-local-policy");
/// Sets `numTrustedProxies` in the gateway pods' `proxy.istio.io/config`; advice when a config already exists.
pub const SET_NUM_TRUSTED_PROXIES: FixId = FixId::new("set-num-trusted-proxies");
/// Advice: upgrade the CCM to a version that supports the setting.
pub const UPGRADE_CCM: FixId = FixId::new("upgrade-ccm");
/// Advice: recreate the Service as an NLB.
pub const USE_NLB: FixId = FixId::new("use-nlb");
/// Advice: call the Service's cluster DNS name from inside the cluster instead of the load balancer address.
pub const USE_SERVICE_DNS: FixId = FixId::new("use-service-dns");

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    /// The rules' source files, without their test modules: a test naming an
    /// id does not offer it.
    fn rule_sources() -> Vec<(PathBuf, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let support = std::fs::read_dir(dir.join("support")).unwrap();
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap().chain(support) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let start = ["#[cfg(test)]", "#[cfg(all(test"].iter().filter_map(|m| text.find(m)).min();
                let code = text[..start.unwrap_or(text.len())].to_owned();
                out.push((path, code));
            }
        }
        out
    }

    /// Every `FixId::new("...")` with the constant's name and doc comment.
    fn declarations(code: &str) -> Vec<(&str, &str, String)> {
        let lines: Vec<&str> = code.lines().collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let Some((head, rest)) = line.split_once(": FixId = FixId::new(\"") else { continue };
            let Some((id, _)) = rest.split_once('"') else { continue };
            let name = head.trim_start_matches("pub ").trim_start_matches("const ");
            let doc: Vec<&str> = lines[..i].iter().rev().map_while(|l| l.trim().strip_prefix("///")).collect();
            out.push((name, id, doc.concat()));
        }
        out
    }

    #[test]
    fn ids_are_declared_once_in_kebab_case_with_a_doc_comment() {
        let mut seen = BTreeMap::new();
        for (path, code) in rule_sources() {
            for (name, id, doc) in declarations(&code) {
                if let Some(other) = seen.insert(id.to_owned(), path.clone()) {
                    panic!("{id} is declared in {} and {}", other.display(), path.display());
                }
                assert_eq!(
                    name,
                    id.to_uppercase().replace('-', "_"),
                    "{}: the constant is named after its id",
                    path.display()
                );
                let kebab = id
                    .split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
                assert!(kebab, "{id} is not kebab-case");
                assert!(doc.trim().len() > 10, "{id} needs a doc comment saying what it does");
            }
        }
        assert!(seen.len() > 80, "the scan finds the ids ({})", seen.len());
    }

    /// Whether `code` names the shared constant `name` (not one it prefixes).
    fn names(code: &str, name: &str) -> bool {
        let path = format!("fix_ids::{name}");
        code.match_indices(&path).any(|(at, _)| {
            code[at + path.len()..].chars().next().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
        })
    }

    /// A shared id is offered by two rules, or by a shared helper; one that
    /// only one rule offers belongs in that rule's file.
    #[test]
    fn shared_ids_are_shared() {
        let sources = rule_sources();
        let shared = sources.iter().find(|(p, _)| p.ends_with("support/fix_ids.rs")).expect("this file");
        for (name, id, _) in declarations(&shared.1) {
            let users: Vec<&PathBuf> = sources.iter().filter(|(_, code)| names(code, name)).map(|(p, _)| p).collect();
            let in_helper = users.iter().any(|p| p.parent().is_some_and(|d| d.ends_with("support")));
            assert!(
                users.len() >= 2 || in_helper,
                "{id} is offered only by {users:?}: declare it in the rule that offers it"
            );
        }
    }
}
