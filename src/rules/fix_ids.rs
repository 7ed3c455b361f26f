//! The ids of every fix and advice the rules offer.
//!
//! An id is a public contract: the CLI's `--fix ID`, the Kubewarden policy's
//! `mutate` setting and the report's `fixes[].id` name it, so its text never
//! changes. Several rules share an id where they offer the same remedy
//! (`set-cluster-policy`, `eni-passthrough`, `use-service-dns`, ...); one
//! finding offers each id at most once. A rule names an id by its constant
//! here: [`FixId`] has no other constructor.

use std::fmt;

/// The id of a fix or advice (`set-cluster-policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FixId(&'static str);

impl FixId {
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for FixId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Declares each id as a constant with its doc comment (required), and, for
/// the tests, the list of all of them.
macro_rules! fix_ids {
    ($($(#[doc = $doc:literal])+ $name:ident = $id:literal;)*) => {
        $($(#[doc = $doc])+ pub const $name: FixId = FixId($id);)*

        /// Every id with its documentation.
        #[cfg(test)]
        pub(crate) const ALL: &[(FixId, &str)] = &[$(($name, concat!($($doc),+))),*];
    };
}

fix_ids! {
    /// Advice: add the missing `acl-id`/`acl-type` annotations an enabled CLB access control list needs.
    ADD_ACL = "add-acl";
    /// Advice: add `cert-id` (an uploaded certificate) for the CLB's https listener.
    ADD_CERT_ID = "add-cert-id";
    /// Advice: add the `cookie` annotation that `sticky-session-type: server` needs.
    ADD_COOKIE = "add-cookie";
    /// Advice: add the `cookie-timeout` annotation that `sticky-session-type: insert` needs.
    ADD_COOKIE_TIMEOUT = "add-cookie-timeout";
    /// Advice: add `protocol-port` with an http and an https listener, and `cert-id`, which `forward-port` needs.
    ADD_LISTENERS = "add-listeners";
    /// Advice: add the status port 15020 to the gateway Service, as ASM's examples do.
    ADD_STATUS_PORT_15020 = "add-status-port-15020";
    /// Advice: add the status port 15021 to the gateway Service (upstream Istio 1.8 and later).
    ADD_STATUS_PORT_15021 = "add-status-port-15021";
    /// Advice: add `sticky-session-type` (`insert` or `server`) to an enabled sticky session.
    ADD_STICKY_SESSION_TYPE = "add-sticky-session-type";
    /// Advice: add `vswitch-id` and `address-type: intranet`, which a fixed CLB `ip` needs.
    ADD_VSWITCH = "add-vswitch";
    /// Advice: set the NLB `zone-maps` annotation with vSwitches in two zones.
    ADD_ZONE_MAPS = "add-zone-maps";
    /// Sets `rollingMaxSurge: "100%"` so a rollout can progress.
    ALLOW_SURGE = "allow-surge";
    /// Sets `rollingMaxUnavailable: "25%"` so a rollout can progress.
    ALLOW_UNAVAILABLE = "allow-unavailable";
    /// Writes a decimal memory quantity with the binary unit (`2G` to `2Gi`).
    BINARY_MEMORY_UNIT = "binary-memory-unit";
    /// Advice: choose a free nodePort in the node port range.
    CHOOSE_NODE_PORT = "choose-node-port";
    /// Turns on CLB connection drain (with a timeout) for the gateway Service.
    CLB_CONNECTION_DRAIN = "clb-connection-drain";
    /// Writes an enum value in the case the API defines (`nodeport` to `NodePort`).
    CORRECT_ENUM_CASE = "correct-enum-case";
    /// Writes an annotation value the CCM accepts (`On` to `on`).
    CORRECT_VALUE = "correct-value";
    /// Sets `asm.alibabacloud.com/replicas-managed-by-asm: "false"` so ASM stops fighting an external HPA.
    DISABLE_ASM_REPLICA_SYNC = "disable-asm-replica-sync";
    /// Advice: give the gateway pods a graceful stop (preStop hook or terminationDrainDuration).
    DRAIN_GATEWAY_PODS = "drain-gateway-pods";
    /// Adds `health-check-flag: "on"` for the CLB's HTTP/HTTPS listeners.
    ENABLE_HTTP_HEALTH_CHECK = "enable-http-health-check";
    /// Keeps `externalTrafficPolicy: Cluster` and adds `backend-type: "eni"` (Terway only), so pods are CLB backends.
    ENI_PASSTHROUGH = "eni-passthrough";
    /// Advice: add the Gateway server's port to the gateway Service.
    EXPOSE_SERVER_PORT = "expose-server-port";
    /// Sets `force-override-listeners: "true"` so the CCM manages the reused CLB's listeners.
    FORCE_OVERRIDE_LISTENERS = "force-override-listeners";
    /// Makes the gateway pods parse PROXY protocol (the `proxy.istio.io/config` gatewayTopology annotation); advice when a config already exists.
    ISTIO_PARSE_PROXY_PROTOCOL = "istio-parse-proxy-protocol";
    /// Adds the `hostname` annotation (`--param hostname`) so in-cluster clients go through the load balancer; advice without the parameter.
    LB_HOSTNAME = "lb-hostname";
    /// Lowers a resource request to its limit.
    LOWER_REQUEST = "lower-request";
    /// Writes a memory quantity given in milli-units (`512m`) in mebibytes (`512Mi`).
    MEBIBYTES = "mebibytes";
    /// Advice: create the TLS Secret in the gateway's namespace.
    MOVE_TLS_SECRET = "move-tls-secret";
    /// Sets the IstioGateway's `metadata.namespace` to `istio-system`.
    MOVE_TO_ISTIO_SYSTEM = "move-to-istio-system";
    /// Advice: rename the port to `<protocol>-<name>` or set `appProtocol`.
    NAME_THE_PROTOCOL = "name-the-protocol";
    /// Advice: restrict clients with a security group on the reused NLB.
    NLB_SECURITY_GROUP = "nlb-security-group";
    /// Writes the `hostname` annotation as a valid DNS name (lower case, no scheme or trailing dot).
    NORMALIZE_HOSTNAME = "normalize-hostname";
    /// Writes a named targetPort as the container port's number.
    NUMERIC_TARGET_PORT = "numeric-target-port";
    /// Advice: keep client IPs at the gateway (`Local`, or `Cluster` with ENI backends).
    PRESERVE_SOURCE_IP = "preserve-source-ip";
    /// Renames a port to `<protocol>-<name>` so Istio knows its protocol.
    PREFIX_PORT_NAME = "prefix-port-name";
    /// Advice: enable PROXY protocol on the load balancer and make the gateway parse it.
    PROXY_PROTOCOL = "proxy-protocol";
    /// Turns PROXY protocol off at the load balancer.
    PROXY_PROTOCOL_OFF = "proxy-protocol-off";
    /// Quotes the `replicas-managed-by-asm` annotation value so it is a string.
    QUOTE_ANNOTATION = "quote-annotation";
    /// Quotes an annotation value so it is a string.
    QUOTE_ANNOTATION_VALUE = "quote-annotation-value";
    /// Raises a resource limit to its request.
    RAISE_LIMIT = "raise-limit";
    /// Raises `maxReplicas` to `minReplicas`.
    RAISE_MAX_REPLICAS = "raise-max-replicas";
    /// Advice: move every targetPort below 1024 up, then set `runAsRoot: false`.
    REMAP_PORTS_THEN_RUN_AS_NON_ROOT = "remap-ports-then-run-as-non-root";
    /// Advice: set targetPort to 1024 or above, or set `runAsRoot: true`.
    REMAP_TARGET_PORT = "remap-target-port";
    /// Removes an annotation the CCM ignores.
    REMOVE_ANNOTATION = "remove-annotation";
    /// Removes the `backend-type` annotation.
    REMOVE_BACKEND_TYPE = "remove-backend-type";
    /// Removes `externalTrafficPolicy` where it has no effect.
    REMOVE_EXTERNAL_TRAFFIC_POLICY = "remove-external-traffic-policy";
    /// Removes `healthCheckNodePort` where the API server rejects it.
    REMOVE_HEALTH_CHECK_NODE_PORT = "remove-health-check-node-port";
    /// Removes an out-of-range `nodePort` so one is allocated.
    REMOVE_NODE_PORT = "remove-node-port";
    /// Removes the CLB `spec` annotation where the charge type has no specification.
    REMOVE_SPEC = "remove-spec";
    /// Renames a misspelt annotation key to the one the CCM reads.
    RENAME_ANNOTATION = "rename-annotation";
    /// Renames a misspelt field to the one the API defines.
    RENAME_KEY = "rename-key";
    /// Sets `runAsRoot: false` on the IstioGateway.
    RUN_AS_NON_ROOT = "run-as-non-root";
    /// Advice: choose ENI backends with the Service selector instead of `backend-label`.
    SELECT_PODS = "select-pods";
    /// Sets `appProtocol` on a port so Istio knows its protocol.
    SET_APP_PROTOCOL = "set-app-protocol";
    /// Sets `internalTrafficPolicy: Cluster`.
    SET_CLUSTER = "set-cluster";
    /// Sets `externalTrafficPolicy: Cluster`.
    SET_CLUSTER_POLICY = "set-cluster-policy";
    /// Sets `backend-type: "ecs"`.
    SET_ECS_BACKEND = "set-ecs-backend";
    /// Writes the `hostname` annotation from `--param hostname`.
    SET_HOSTNAME = "set-hostname";
    /// Sets `address-type: "intranet"` for a CLB in a vSwitch.
    SET_INTRANET = "set-intranet";
    /// Sets `externalTrafficPolicy: Local`.
    SET_LOCAL_POLICY = "set-local-policy";
    /// Adds `metadata.namespace: istio-system` to the IstioGateway.
    SET_NAMESPACE = "set-namespace";
    /// Sets `numTrustedProxies` in the gateway pods' `proxy.istio.io/config`; advice when a config already exists.
    SET_NUM_TRUSTED_PROXIES = "set-num-trusted-proxies";
    /// Sets the replica count within the autoscaling bounds.
    SET_REPLICA_COUNT = "set-replica-count";
    /// Sets the CLB scheduler to `wrr`, which honours node weights.
    SET_WRR_SCHEDULER = "set-wrr-scheduler";
    /// Advice: move the UDP ports to a second LoadBalancer Service.
    SPLIT_BY_PROTOCOL = "split-by-protocol";
    /// Runs at least 2 gateway replicas spread over nodes; advice where it cannot be written.
    SPREAD_GATEWAY_PODS = "spread-gateway-pods";
    /// Swaps inverted `minReplicas` and `maxReplicas`.
    SWAP_REPLICA_BOUNDS = "swap-replica-bounds";
    /// Advice: point the https port's targetPort at the Gateway's plain HTTP port.
    TARGET_HTTP_PORT = "target-http-port";
    /// Advice: make the port a TCP listener so TLS reaches the Gateway.
    TCP_LISTENER = "tcp-listener";
    /// Advice: use TCP listeners on the CLB and terminate TLS in the Istio Gateway.
    TERMINATE_TLS_IN_GATEWAY = "terminate-tls-in-gateway";
    /// Writes a quoted number or boolean unquoted.
    UNQUOTE_VALUE = "unquote-value";
    /// Advice: remove `numTrustedProxies`, or put a CLB HTTP/HTTPS listener in front.
    UNTRUST_FORWARDED_FOR = "untrust-forwarded-for";
    /// Advice: upgrade the CCM to a version that supports the setting.
    UPGRADE_CCM = "upgrade-ccm";
    /// Advice: give one Service another port, or its own load balancer.
    USE_ANOTHER_PORT = "use-another-port";
    /// Advice: delete the external HPA and set autoscaling on the IstioGateway.
    USE_ASM_AUTOSCALING = "use-asm-autoscaling";
    /// Advice: restrict clients with a CLB access control list.
    USE_CLB_ACL = "use-clb-acl";
    /// Sets `instance-charge-type: "PayByCLCU"`.
    USE_CLCU = "use-clcu";
    /// Advice: replace a named targetPort with the container's port number.
    USE_CONTAINER_PORT_NUMBER = "use-container-port-number";
    /// Advice: move the Gateway server to a port the Service exposes.
    USE_EXPOSED_PORT = "use-exposed-port";
    /// Writes the Gateway selector that matches the gateway pods.
    USE_GATEWAY_SELECTOR = "use-gateway-selector";
    /// Advice: recreate the Service as an NLB.
    USE_NLB = "use-nlb";
    /// Removes the charge type and bandwidth annotations (pay by traffic).
    USE_PAYBYTRAFFIC = "use-paybytraffic";
    /// Advice: match `remoteIpBlocks` and set `numTrustedProxies`.
    USE_REMOTE_IP_BLOCKS = "use-remote-ip-blocks";
    /// Advice: call the Service's cluster DNS name from inside the cluster instead of the load balancer address.
    USE_SERVICE_DNS = "use-service-dns";
    /// Advice: use the `wrr` scheduler, which the CLB documents.
    USE_WRR = "use-wrr";
    /// Moves an autoscaling bound to include the replica count.
    WIDEN_REPLICA_BOUNDS = "widen-replica-bounds";
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::ALL;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = BTreeSet::new();
        for (id, doc) in ALL {
            let text = id.as_str();
            assert!(seen.insert(text), "{text} is declared twice");
            let kebab = text
                .split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
            assert!(kebab, "{text} is not kebab-case");
            assert!(doc.trim().len() > 10, "{text} needs a doc comment saying what it does");
        }
    }

    /// A rule file without its tests.
    fn rule_code(text: &str) -> &str {
        let start = ["#[cfg(test)]", "#[cfg(all(test"].iter().filter_map(|m| text.find(m)).min();
        &text[..start.unwrap_or(text.len())]
    }

    /// Every id is offered by some rule: a rule that stops offering one
    /// removes it here (an id nobody offers is a stale contract).
    #[test]
    fn every_id_is_used_by_a_rule() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut sources = String::new();
        let support = std::fs::read_dir(dir.join("support")).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap().chain(support) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("fix_ids.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Only the rule code: a test naming an id does not offer it.
                sources.push_str(rule_code(&text));
            }
        }
        for (id, _) in ALL {
            let name = id.as_str().to_uppercase().replace('-', "_");
            assert!(sources.contains(&format!("fix_ids::{name}")), "no rule offers {id} (fix_ids::{name})");
        }
    }
}
