//! The command line (README.md#usage).

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Checks and fixes Kubernetes manifests of Alibaba Cloud Service Mesh ingress gateways \
(IstioGateway, v1 Service and the objects around them), offline.";

#[derive(Debug, Parser)]
#[command(name = "gateway-doctor", version, about = ABOUT, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Language of messages, fix titles, headings and the summary
    #[arg(long, global = true, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,

    /// When to colour the output (auto: when writing to a terminal and NO_COLOR is unset)
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report problems in manifests
    #[command(after_long_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Print a manifest with fixes applied, or rewrite files in place
    #[command(after_long_help = FIX_HELP)]
    Fix(FixArgs),
    /// List the rules
    Rules(RulesArgs),
    /// Print the documentation of one rule
    Explain(ExplainArgs),
}

pub(crate) const CHECK_HELP: &str = "\
Inputs:
  A FILE is read whatever its name; a DIR is walked recursively for *.yaml, *.yml, *.json, *.md
  and *.markdown (in sorted order, skipping hidden files and directories); `-` reads standard
  input. In Markdown (*.md, *.markdown, or text that looks like it) the fenced yaml and yml blocks
  are checked, and unlabelled or json blocks that name an apiVersion, also when indented in a
  list item; lines and columns are the Markdown file's.

Output formats:
  text   rustc-style diagnostics with a source snippet, the assumptions and the alternative fixes,
         then a summary line
  json   the JSON report (README.md, \"JSON report\") with an added \"file\" field: one object for
         one input, an array of such objects for several inputs
  sarif  one SARIF 2.1.0 log with a run over every input; fixes with text edits are included
  policyreport
         a wgpolicyk8s.io/v1alpha2 PolicyReport per input (a v1 List of them for several inputs),
         as Kyverno and Kubewarden's audit scanner write: one result per finding, rule = code,
         severity error/warning/info -> high/medium/info, result fail (error) or warn

Exit status:
  0  nothing at or above --fail-on
  1  a finding (or an input warning such as a duplicate key) at or above --fail-on
  2  a usage error, an unreadable or non-UTF-8 input, or an input error (YAML/JSON syntax error,
     an input over a limit). Input errors win over findings and are never silenced by
     --fail-on never: a file that could not be fully read never passes.";

const FIX_HELP: &str = "\
Without --write, FILE (or `-` for standard input) is printed to standard output with the fixes
applied: every byte outside the edits is unchanged, comments and quoting included. With --write,
each FILE (or every manifest under a DIR) is rewritten in place, and only when it changed.
Applied and skipped fixes, with the reason for each skip, are reported on standard error.

With no --fix, every safe fix is applied. --fix ID (repeatable; the ids are listed under each
finding by `gateway-doctor check`) applies that fix wherever a finding offers it; the first ID a
finding offers wins, so alternatives of one finding are never applied together. Fixes that change
behaviour are applied only with --unsafe.

Exit status:
  0  the requested fixes were applied (or there was nothing to fix)
  1  a fix asked for by --fix was skipped (for instance unsafe without --unsafe) or offered by no
     finding
  2  a usage error, an unreadable input, or an input with syntax errors (its fixable documents
     are still fixed and the text is still printed)";

/// What the user knows about the cluster (docs/architecture.md#cluster-context). Unset means
/// \"do not assume\".
#[derive(Debug, Args, Default, Clone)]
pub struct ContextArgs {
    /// The cluster's CNI plugin
    #[arg(long, value_name = "CNI", help_heading = "Cluster context",
          value_parser = ["terway-eni", "terway-eniip", "terway-datapathv2", "flannel", "cilium-kpr", "unknown"])]
    pub cni: Option<String>,

    /// kube-proxy's mode (`none`: an eBPF datapath replaces it)
    #[arg(long = "kube-proxy", value_name = "MODE", help_heading = "Cluster context",
          value_parser = ["iptables", "ipvs", "nftables", "none", "unknown"])]
    pub kube_proxy: Option<String>,

    /// Whether kube-proxy's local-traffic detector is configured (--detect-local-mode)
    #[arg(long = "detect-local", value_name = "STATE", help_heading = "Cluster context",
          value_parser = ["implemented", "no-op", "unknown"])]
    pub detect_local: Option<String>,

    /// Kubernetes version, e.g. 1.30
    #[arg(long = "k8s-version", value_name = "VERSION", help_heading = "Cluster context")]
    pub k8s_version: Option<String>,

    /// Version of the Alibaba Cloud controller manager, e.g. v2.10.0
    #[arg(long = "ccm-version", value_name = "VERSION", help_heading = "Cluster context")]
    pub ccm_version: Option<String>,

    /// Who inside the cluster connects to the load balancer's address
    #[arg(long = "in-cluster-clients", value_name = "WHO", help_heading = "Cluster context",
          value_parser = ["none", "pods", "host-network", "unknown"])]
    pub in_cluster_clients: Option<String>,

    /// Backends need the client's source IP
    #[arg(long = "needs-source-ip", help_heading = "Cluster context", conflicts_with = "no_source_ip")]
    pub needs_source_ip: bool,

    /// Backends do not need the client's source IP
    #[arg(long = "no-source-ip", help_heading = "Cluster context")]
    pub no_source_ip: bool,
}

impl ContextArgs {
    /// The flags as `ClusterContext` keys and values, in the order given above.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut push = |key, value: &Option<String>| {
            if let Some(v) = value {
                pairs.push((key, v.clone()));
            }
        };
        push("cni", &self.cni);
        push("kubeProxyMode", &self.kube_proxy);
        push("detectLocal", &self.detect_local);
        push("kubernetesVersion", &self.k8s_version);
        push("ccmVersion", &self.ccm_version);
        push("inClusterClients", &self.in_cluster_clients);
        if self.needs_source_ip {
            pairs.push(("needsSourceIp", "true".into()));
        }
        if self.no_source_ip {
            pairs.push(("needsSourceIp", "false".into()));
        }
        pairs
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Manifests to check: files, directories, or `-` for standard input
    #[arg(value_name = "FILE|DIR|-", required = true)]
    pub inputs: Vec<String>,

    /// Output format (see below)
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// The lowest severity that makes the exit status 1
    #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// The name to show for standard input (and its SARIF artifact URI)
    #[arg(long = "stdin-filename", value_name = "NAME")]
    pub stdin_filename: Option<String>,

    #[command(flatten)]
    pub context: ContextArgs,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The manifest to fix, or `-` for standard input; with --write, any number of files or directories
    #[arg(value_name = "FILE|DIR|-", required = true)]
    pub inputs: Vec<String>,

    /// Apply this fix wherever a finding offers it (repeatable); default: every safe fix
    #[arg(long = "fix", value_name = "ID")]
    pub fixes: Vec<String>,

    /// Allow fixes that change behaviour
    #[arg(long = "unsafe")]
    pub allow_unsafe: bool,

    /// Rewrite the files in place instead of printing to standard output
    #[arg(long, conflicts_with = "diff")]
    pub write: bool,

    /// Print a unified diff of the changes instead of the whole manifest
    #[arg(long)]
    pub diff: bool,

    /// A fix parameter, e.g. hostname=gw.example.com for the lb-hostname fix
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,

    #[command(flatten)]
    pub context: ContextArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// text: one line per rule; json: the metadata with docs; markdown: the docs/rules.md reference
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (ASM-LB-001) or name (local-policy-in-cluster-lb-access)
    #[arg(value_name = "CODE|NAME")]
    pub rule: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
    Policyreport,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use gateway_doctor::ClusterContext;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Every value the flags offer is one the core's context accepts.
    #[test]
    fn context_flag_values_match_the_core() {
        let command = Cli::command();
        let check = command.find_subcommand("check").unwrap();
        let flags = [
            ("cni", "cni"),
            ("kube-proxy", "kubeProxyMode"),
            ("detect-local", "detectLocal"),
            ("in-cluster-clients", "inClusterClients"),
        ];
        for (flag, key) in flags {
            let arg = check.get_arguments().find(|a| a.get_long() == Some(flag)).unwrap();
            let values = arg.get_possible_values();
            assert!(!values.is_empty(), "{flag}");
            for value in values {
                let mut cx = ClusterContext::default();
                cx.set(key, value.get_name()).unwrap_or_else(|e| panic!("--{flag} {}: {e}", value.get_name()));
            }
        }
    }
}
