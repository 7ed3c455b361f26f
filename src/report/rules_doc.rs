//! Rule documentation rendered from the rules' own metadata: `docs/rules.md`,
//! `gateway-doctor rules --format markdown` and `gateway-doctor explain`.

use std::fmt::Write;

use crate::rule::{Rule, RuleMeta};
use crate::sources;

/// The full reference page, `docs/rules.md`.
pub fn rules_markdown(rules: &[&dyn Rule]) -> String {
    let mut out = String::from(
        "# Rules\n\n<!-- Generated from the rules' metadata by `gateway-doctor rules --format markdown`; do not edit. -->\n\n",
    );
    out.push_str("| code | name | default severity | fix | title |\n|---|---|---|---|---|\n");
    for rule in rules {
        let m = rule.meta();
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | `{name}` | {sev} | {fix} | {title} |",
            code = m.code,
            anchor = anchor(m),
            name = m.name,
            sev = m.severity.as_str(),
            fix = fix_word(m),
            title = m.title
        );
    }
    for rule in rules {
        out.push('\n');
        out.push_str(&explain(rule.meta()));
    }
    out
}

/// The fragment of a rule's section in `docs/rules.md`: its `## CODE` heading as GitHub's
/// Markdown renderer names it (lower case; SARIF's `helpUri` links to it too).
pub fn anchor(m: &RuleMeta) -> String {
    m.code.to_ascii_lowercase()
}

/// A rule's section of `docs/rules.md` on the web, under the repository's URL
/// (`CARGO_PKG_REPOSITORY`): SARIF's `helpUri` and the language server's `codeDescription`.
pub fn docs_url(repository: &str, m: &RuleMeta) -> String {
    format!("{}/blob/main/docs/rules.md#{}", repository.trim_end_matches('/'), anchor(m))
}

/// One rule's documentation as Markdown.
pub fn explain(m: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", m.code);
    let _ = writeln!(out, "**{}** (`{}`) — {}\n", m.title, m.name, m.title_zh);
    let _ = writeln!(out, "Default severity: {}. Fix: {}.\n", m.severity.as_str(), fix_word(m));
    // Rule docs use `##` sections; nest them under the rule's heading.
    for line in m.docs_text().lines() {
        if let Some(rest) = line.strip_prefix("## ") {
            let _ = writeln!(out, "### {rest}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    if !m.sources.is_empty() {
        out.push_str("\n### Sources\n\n");
        for id in m.sources {
            let _ = writeln!(out, "- {id}: {}", sources::describe(id).unwrap_or("(unknown source id)"));
        }
    }
    out
}

fn fix_word(m: &RuleMeta) -> &'static str {
    match m.fix {
        crate::rule::FixAvailability::None => "none",
        crate::rule::FixAvailability::Sometimes => "sometimes",
        crate::rule::FixAvailability::Always => "always",
    }
}
