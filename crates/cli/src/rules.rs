//! `gateway-doctor rules` and `gateway-doctor explain`.

use gateway_doctor::report::rules_doc;
use gateway_doctor::{Rule, RuleMeta};
use serde_json::json;

use crate::args::{ExplainArgs, RulesArgs, RulesFormat};
use crate::ui::{did_you_mean, emit, exit, Ui};

pub fn list(args: &RulesArgs, ui: &Ui) -> u8 {
    let rules = gateway_doctor::rules();
    let out = match args.format {
        RulesFormat::Text => table(rules, ui),
        RulesFormat::Json => {
            let list: Vec<_> = rules.iter().map(|r| metadata(r.meta())).collect();
            serde_json::to_string_pretty(&list).expect("rule metadata serialises") + "\n"
        }
        RulesFormat::Markdown => rules_doc::rules_markdown(rules),
    };
    emit(&out);
    exit::OK
}

pub fn explain(args: &ExplainArgs, ui: &Ui) -> u8 {
    if let Some(rule) = gateway_doctor::find_rule(&args.rule) {
        emit(&rules_doc::explain(rule.meta()));
        return exit::OK;
    }
    let metas = gateway_doctor::rules().iter().map(|r| r.meta());
    let names = metas.flat_map(|m| [m.code, m.name]);
    let mut message = format!("{} `{}`", ui.t("unknown rule", "未知规则"), args.rule);
    if let Some(close) = did_you_mean(&args.rule, names) {
        message.push_str(&format!("; {} `{close}`?", ui.t("did you mean", "是否想查")));
    }
    message.push_str(ui.t(" (`gateway-doctor rules` lists them)", "（`gateway-doctor rules` 可列出全部规则）"));
    ui.error(&message);
    exit::ERROR
}

/// `code  name  severity  title`, aligned.
fn table(rules: &[&dyn Rule], ui: &Ui) -> String {
    let metas: Vec<&RuleMeta> = rules.iter().map(|r| r.meta()).collect();
    let code_width = metas.iter().map(|m| m.code.len()).max().unwrap_or(0);
    let name_width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for m in metas {
        let line = format!(
            "{:code_width$}  {:name_width$}  {:7}  {}",
            m.code,
            m.name,
            m.severity.as_str(),
            m.title_in(ui.lang)
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn metadata(m: &RuleMeta) -> serde_json::Value {
    json!({
        "code": m.code,
        "name": m.name,
        "title": m.title,
        "titleZh": m.title_zh,
        "severity": m.severity,
        "fix": m.fix,
        "sources": m.sources,
        "references": m.sources.iter().map(|id| json!({"id": id, "text": gateway_doctor::describe_source(id).unwrap_or("")})).collect::<Vec<_>>(),
        "docs": m.docs_text(),
    })
}
