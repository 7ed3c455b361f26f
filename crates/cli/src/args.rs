//! The command line (README.md#usage).

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};
use gateway_doctor::context::{Values, CONTEXT_KEYS};

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
    /// Run a language server (LSP) on standard input and output, for editors
    #[command(after_long_help = SERVER_HELP)]
    Server(ServerArgs),
}

pub(crate) const CHECK_HELP: &str = "\
Inputs:
  A FILE is read whatever its name; a DIR is walked recursively for *.yaml, *.yml, *.json, *.md
  and *.markdown (in sorted order, skipping hidden files and directories); `-` reads standard
  input. In Markdown (*.md, *.markdown, or text that looks like it) the fenced yaml and yml blocks
  are checked, and unlabelled or json blocks that name an apiVersion, also when indented in a
  list item; lines and columns are the Markdown file's.

Output formats (--format, or --output-format as ruff calls it):
  text     the default: rustc-style findings with a source snippet and the notes, every fix on
           one line with the trade-offs of the recommended one (--show-fixes shows them all), then
           a summary line
  full     the same with every fix's trade-offs and the findings it may introduce
  concise  one line per finding or input diagnostic, FILE:LINE:COL: severity[CODE] message (an
           input diagnostic has its kind, such as syntax, for CODE), for grep and editors' error
           formats; the summary goes to standard error
  json     the JSON report (README.md, \"JSON report\") with an added \"file\" field: one object for
           one input, an array of such objects for several inputs
  sarif    one SARIF 2.1.0 log with a run over every input; fixes with text edits are included
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

const SERVER_HELP: &str = "\
The server checks the YAML, JSON and Markdown documents an editor opens (by language id: yaml, json,
jsonc, markdown; else by the file's extension) on every change, and offers the fixes as code actions
and the rules' docs on hover. The cluster context flags are its defaults; the client's
initializationOptions and its `gateway-doctor` configuration section (workspace/configuration)
take the same keys as JSON (README.md, \"In your editor\").";

/// What the user knows about the cluster: one flag per key of the core's
/// `CONTEXT_KEYS` (docs/architecture.md#cluster-context), with its values and
/// help from there. Unset means "do not assume".
#[derive(Debug, Default, Clone)]
pub struct ContextArgs {
    pairs: Vec<(&'static str, String)>,
}

impl ContextArgs {
    /// The flags as `ClusterContext` keys and values, in the table's order.
    pub fn pairs(&self) -> &[(&'static str, String)] {
        &self.pairs
    }
}

const CONTEXT_HEADING: &str = "Cluster context";

impl Args for ContextArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        CONTEXT_KEYS.iter().fold(command, |command, key| {
            let arg = Arg::new(key.flag).long(key.flag).help(key.help).help_heading(CONTEXT_HEADING);
            match key.values {
                Values::Names(names) => command.arg(
                    arg.value_name(key.value_name)
                        .value_parser(PossibleValuesParser::new(names.iter().copied().chain(["unknown"]))),
                ),
                Values::Version(_) => command.arg(arg.value_name(key.value_name)),
                Values::Bool { off_flag, off_help } => {
                    command.arg(arg.action(ArgAction::SetTrue).conflicts_with(off_flag)).arg(
                        Arg::new(off_flag)
                            .long(off_flag)
                            .help(off_help)
                            .help_heading(CONTEXT_HEADING)
                            .action(ArgAction::SetTrue),
                    )
                }
            }
        })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for ContextArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut pairs = Vec::new();
        for key in CONTEXT_KEYS {
            match key.values {
                Values::Bool { off_flag, .. } => {
                    for (flag, value) in [(key.flag, "true"), (off_flag, "false")] {
                        if matches.get_flag(flag) {
                            pairs.push((key.key, value.to_owned()));
                        }
                    }
                }
                _ => {
                    if let Some(value) = matches.get_one::<String>(key.flag) {
                        pairs.push((key.key, value.clone()));
                    }
                }
            }
        }
        Ok(ContextArgs { pairs })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Manifests to check: files, directories, or `-` for standard input
    #[arg(value_name = "FILE|DIR|-", required = true)]
    pub inputs: Vec<String>,

    // One flag, two names: ruff calls it `--output-format` (with `full`,
    // `concise`, `json`, `sarif`, ...: https://docs.astral.sh/ruff/settings/#output-format),
    // and `--format json` keeps working. `text` is the short default, `full`
    // the complete form it used to be.
    /// Output format (see below)
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Show every fix's trade-offs, not only the recommended fix's (the text format; `full` shows them too)
    #[arg(long = "show-fixes")]
    pub show_fixes: bool,

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
pub struct ServerArgs {
    /// Accepted and ignored: standard input and output is the only transport
    /// (vscode-languageclient passes it to a stdio server)
    #[arg(long, hide = true)]
    pub stdio: bool,

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
    Full,
    Concise,
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

    /// Every key of the core's table has its flag, and every value a flag offers is one the core's
    /// context accepts.
    #[test]
    fn context_flags_come_from_the_core_table() {
        let command = Cli::command();
        let check = command.find_subcommand("check").unwrap();
        for key in gateway_doctor::context::CONTEXT_KEYS {
            let arg = check.get_arguments().find(|a| a.get_long() == Some(key.flag)).unwrap();
            assert_eq!(arg.get_help_heading(), Some("Cluster context"));
            for value in arg.get_possible_values() {
                let mut cx = ClusterContext::default();
                cx.set(key.key, value.get_name())
                    .unwrap_or_else(|e| panic!("--{} {}: {e}", key.flag, value.get_name()));
            }
        }
        let parsed =
            Cli::try_parse_from(["gateway-doctor", "check", "--kube-proxy", "ipvs", "--no-source-ip", "-"]).unwrap();
        let Command::Check(args) = parsed.command else { panic!("check") };
        assert_eq!(args.context.pairs(), [("kubeProxyMode", "ipvs".to_owned()), ("needsSourceIp", "false".to_owned())]);
        let both = Cli::try_parse_from(["gateway-doctor", "check", "--needs-source-ip", "--no-source-ip", "-"]);
        assert!(both.is_err());
    }
}
