//! SARIF 2.1.0 for code-scanning tools: one run, every rule as a descriptor,
//! one result per finding with its region (lines, columns and bytes) and the
//! fixes that have text edits; input problems become tool notifications.
//!
//! Only the parts of the object model this tool fills are typed here; the CLI
//! tests validate the output against the SARIF 2.1.0 JSON schema.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{DiagnosticKind, Severity};
use crate::report::{rules_doc, Finding, FixOut, Report};
use crate::rule::{Rule, RuleMeta};
use crate::source::{ColumnUnit, LineIndex, Span};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `uriBaseId` relative artifact locations are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// One checked input.
pub struct SarifInput<'a> {
    /// A URI reference: relative (to [`SRCROOT`]) with `/` separators and
    /// percent-encoding, or absolute (`file:///...`).
    pub uri: &'a str,
    pub relative: bool,
    pub source: &'a str,
    pub report: &'a Report,
}

/// Who produced the log.
pub struct Tool<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub information_uri: Option<&'a str>,
}

/// Builds the log; `srcroot` is the absolute URI (ending in `/`) that
/// relative artifact URIs are relative to, when known.
pub fn log(inputs: &[SarifInput<'_>], rules: &[&dyn Rule], tool: &Tool<'_>, srcroot: Option<&str>) -> Log {
    let rule_index = |code: &str| rules.iter().position(|r| r.meta().code == code);
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    let mut artifacts = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let location = |span: Span| {
            let artifact = ArtifactLocation::new(input, Some(index), srcroot);
            Location {
                physical_location: PhysicalLocation { artifact_location: artifact, region: region(input.source, span) },
            }
        };
        artifacts.push(Artifact { location: ArtifactLocation::new(input, None, srcroot), length: input.source.len() });
        for finding in &input.report.findings {
            results.push(SarifResult {
                rule_id: finding.code,
                rule_index: rule_index(finding.code),
                level: level(finding.severity),
                message: Message::new(finding.message.clone()),
                locations: vec![location(finding.location.span)],
                related_locations: finding
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, r)| RelatedLocation {
                        id,
                        message: Message::new(r.message.clone()),
                        inner: location(r.location.span),
                    })
                    .collect(),
                partial_fingerprints: fingerprint(finding),
                fixes: finding
                    .fixes
                    .iter()
                    .filter(|f| !f.edits.is_empty())
                    .map(|f| fix(input, index, srcroot, f))
                    .collect(),
                properties: ResultProperties {
                    document: finding.location.document,
                    path: finding.location.path.clone(),
                    resource: format!(
                        "{}/{}",
                        finding.resource.kind,
                        match (&finding.resource.namespace, &finding.resource.name) {
                            (Some(ns), Some(name)) => format!("{ns}/{name}"),
                            (None, Some(name)) => name.clone(),
                            _ => String::new(),
                        }
                    ),
                    notes: finding.notes.iter().map(|n| n.text.clone()).collect(),
                },
            });
        }
        for d in &input.report.diagnostics {
            notifications.push(Notification {
                level: level(d.severity),
                message: Message::new(d.message.clone()),
                locations: vec![location(d.location.span)],
                descriptor: Descriptor { id: DiagnosticKind::as_str(d.kind) },
            });
        }
    }
    let execution_successful = !inputs.iter().any(|i| i.report.has_input_errors());
    let original_uri_base_ids = srcroot.map(|uri| BTreeMap::from([(SRCROOT, OriginalUri { uri: uri.to_owned() })]));
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: ToolComponent {
                driver: Driver {
                    name: tool.name.to_owned(),
                    version: tool.version.to_owned(),
                    semantic_version: tool.version.to_owned(),
                    information_uri: tool.information_uri.map(str::to_owned),
                    rules: rules.iter().map(|r| descriptor(r.meta(), tool.information_uri)).collect(),
                },
            },
            original_uri_base_ids,
            artifacts,
            invocations: vec![Invocation { execution_successful, tool_execution_notifications: notifications }],
            results,
            column_kind: "unicodeCodePoints",
        }],
    }
}

fn region(source: &str, span: Span) -> Region {
    let lines = LineIndex::new(source);
    let start = lines.position(source, span.start, ColumnUnit::Char);
    let end = lines.position(source, span.end, ColumnUnit::Char);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
        byte_offset: span.start,
        byte_length: span.len(),
    }
}

fn fix(input: &SarifInput<'_>, index: usize, srcroot: Option<&str>, fix: &FixOut) -> Fix {
    Fix {
        description: Message::new(fix.title.clone()),
        artifact_changes: vec![ArtifactChange {
            artifact_location: ArtifactLocation::new(input, Some(index), srcroot),
            replacements: fix
                .edits
                .iter()
                .map(|e| Replacement {
                    deleted_region: ByteRegion { byte_offset: e.span.start, byte_length: e.span.len() },
                    inserted_content: Message::new(e.text.clone()),
                })
                .collect(),
        }],
        properties: (!fix.introduces.is_empty()).then(|| FixProperties { introduces: fix.introduces.clone() }),
    }
}

/// Stable across line moves: the rule, the object and the field.
fn fingerprint(f: &Finding) -> BTreeMap<&'static str, String> {
    let r = &f.resource;
    let value = format!(
        "{}:{}/{}/{}/{}:{}",
        f.code,
        r.api_version,
        r.kind,
        r.namespace.as_deref().unwrap_or(""),
        r.name.as_deref().unwrap_or(""),
        f.location.path
    );
    BTreeMap::from([("gatewayDoctor/v1", value)])
}

/// GitHub code scanning takes at most this many characters of a rule's `shortDescription` and
/// `fullDescription` (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object).
const DESCRIPTION_LIMIT: usize = 1024;

/// `repository` is the tool's `informationUri`: each rule's `helpUri` is its section of
/// `docs/rules.md` there.
fn descriptor(m: &RuleMeta, repository: Option<&str>) -> ReportingDescriptor {
    let docs = m.docs_text();
    let full = what_it_does(&docs).unwrap_or(m.title);
    ReportingDescriptor {
        id: m.code,
        name: m.name,
        short_description: Message::new(m.title.to_owned()),
        full_description: Message::new(within(full, DESCRIPTION_LIMIT).to_owned()),
        help_uri: repository.map(|repo| rules_doc::docs_url(repo, m)),
        help: MultiformatMessage { text: docs.clone(), markdown: docs },
        default_configuration: Configuration { level: level(m.severity) },
        properties: RuleProperties { title_zh: m.title_zh, sources: m.sources },
    }
}

/// The *What it does* section of a rule's docs, unwrapped to one paragraph.
fn what_it_does(docs: &str) -> Option<&str> {
    let start = docs.find("## What it does")? + "## What it does".len();
    let rest = &docs[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// `text` if it has at most `limit` characters, else its longest run of whole paragraphs that
/// does (a table is one paragraph), else of whole sentences, else of whole words (the whole
/// text is in `help`).
fn within(text: &str, limit: usize) -> &str {
    let Some((cut, _)) = text.char_indices().nth(limit) else { return text };
    let head = &text[..cut];
    // A sentence ends at ". " (or ".\n"); the cut may itself fall just after one.
    let sentence_end = |i: usize| text[i + 1..].starts_with([' ', '\n']);
    let paragraphs = head.rfind("\n\n").map(|i| text[..i].trim_end());
    let sentences = || head.rmatch_indices('.').map(|(i, _)| i).find(|&i| sentence_end(i)).map(|i| &text[..=i]);
    let words = || head.rfind(char::is_whitespace).map(|i| text[..i].trim_end());
    paragraphs.or_else(sentences).or_else(words).unwrap_or(head)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

#[derive(Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: ToolComponent,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, OriginalUri>>,
    artifacts: Vec<Artifact>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct ToolComponent {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    version: String,
    semantic_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    help: MultiformatMessage,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties {
    title_zh: &'static str,
    /// Ids of `src/sources.rs` backing the rule.
    sources: &'static [&'static str],
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: String) -> Self {
        Self { text }
    }
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct OriginalUri {
    uri: String,
}

#[derive(Serialize)]
struct Artifact {
    location: ArtifactLocation,
    length: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

impl ArtifactLocation {
    fn new(input: &SarifInput<'_>, index: Option<usize>, srcroot: Option<&str>) -> Self {
        let uri_base_id = (input.relative && srcroot.is_some()).then_some(SRCROOT);
        Self { uri: input.uri.to_owned(), uri_base_id, index }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    descriptor: Descriptor,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<Fix>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    document: usize,
    /// JSON Pointer of the field within its document.
    path: String,
    resource: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct RelatedLocation {
    id: usize,
    message: Message,
    #[serde(flatten)]
    inner: Location,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fix {
    description: Message,
    artifact_changes: Vec<ArtifactChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<FixProperties>,
}

/// A fix's property bag (SARIF 2.1.0, 3.8): the rule codes the fixed manifest may newly carry.
#[derive(Serialize)]
struct FixProperties {
    introduces: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: ByteRegion,
    inserted_content: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ByteRegion {
    byte_offset: usize,
    byte_length: usize,
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::engine::{check, Options};

    const FOUNDING: &str = "# 网关\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata:\n  name: ingressgateway\n  namespace: istio-system\nspec:\n  externalTrafficPolicy: Local   # keep client IPs\n  serviceType: LoadBalancer\n";

    fn sarif(text: &str) -> Value {
        let report = check(text, &Options::default());
        let input = SarifInput { uri: "gw%20dir/gw.yaml", relative: true, source: text, report: &report };
        let tool = Tool { name: "gateway-doctor", version: "0.1.0", information_uri: None };
        serde_json::to_value(log(&[input], crate::rules(), &tool, Some("file:///repo/"))).unwrap()
    }

    #[test]
    fn a_fix_declares_what_it_introduces_in_its_property_bag() {
        let found = sarif(FOUNDING);
        let result =
            found["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "ASM-LB-001").unwrap();
        let fixes = result["fixes"].as_array().unwrap();
        let cluster = fixes.iter().find(|f| f["description"]["text"] == "set externalTrafficPolicy: Cluster").unwrap();
        assert_eq!(cluster["properties"]["introduces"], serde_json::json!(["ASM-LB-005"]));
        let eni = fixes.iter().find(|f| f["description"]["text"].as_str().unwrap().contains("backend-type")).unwrap();
        assert_eq!(eni["properties"]["introduces"], serde_json::json!(["ASM-LB-002"]));
        // With Terway, ENI backends bring nothing new, and the empty list is left out.
        let report = check(FOUNDING, &crate::rules::test_support::options(&[("cni", "terway-eniip")]));
        let input = SarifInput { uri: "gw.yaml", relative: true, source: FOUNDING, report: &report };
        let tool = Tool { name: "gateway-doctor", version: "0.1.0", information_uri: None };
        let terway = serde_json::to_value(log(&[input], crate::rules(), &tool, None)).unwrap();
        let result =
            terway["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "ASM-LB-001").unwrap();
        let eni = result["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["description"]["text"].as_str().unwrap().contains("backend-type"))
            .unwrap();
        assert!(eni.get("properties").is_none(), "{eni}");
    }

    /// Results follow the report's one order (ASM-LB-001 before ASM-HA-011).
    #[test]
    fn results_follow_the_report_order() {
        let report = check(FOUNDING, &Options::default());
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
        let log = sarif(FOUNDING);
        let rule_ids: Vec<&str> =
            log["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
        assert_eq!(rule_ids, codes);
        let at = |code: &str| rule_ids.iter().position(|r| *r == code).unwrap();
        assert!(at("ASM-LB-001") < at("ASM-HA-011"), "{rule_ids:?}");
    }

    #[test]
    fn a_finding_becomes_a_result_with_region_and_fixes() {
        let log = sarif(FOUNDING);
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///repo/");
        let result = run["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "ASM-LB-001").unwrap();
        assert_eq!(result["ruleId"], "ASM-LB-001");
        assert_eq!(result["level"], "warning");
        let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][rule_index]["id"], "ASM-LB-001");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "gw%20dir/gw.yaml");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(8), Some(26)));
        assert_eq!((region["endLine"].as_u64(), region["endColumn"].as_u64()), (Some(8), Some(31)));
        let (offset, length) =
            (region["byteOffset"].as_u64().unwrap() as usize, region["byteLength"].as_u64().unwrap());
        assert_eq!(&FOUNDING[offset..offset + length as usize], "Local");

        // Only fixes with edits; applying the replacement gives the fixed text.
        let fixes = result["fixes"].as_array().unwrap();
        let titles: Vec<_> = fixes.iter().map(|f| f["description"]["text"].as_str().unwrap()).collect();
        assert_eq!(titles.len(), 2, "{titles:?}");
        let replacement = &fixes[0]["artifactChanges"][0]["replacements"][0];
        let start = replacement["deletedRegion"]["byteOffset"].as_u64().unwrap() as usize;
        let len = replacement["deletedRegion"]["byteLength"].as_u64().unwrap() as usize;
        let fixed = format!(
            "{}{}{}",
            &FOUNDING[..start],
            replacement["insertedContent"]["text"].as_str().unwrap(),
            &FOUNDING[start + len..]
        );
        assert_eq!(fixed, FOUNDING.replace("Local   #", "Cluster   #"));
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn rules_carry_their_docs_and_level() {
        let log = sarif(FOUNDING);
        let rule = &log["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["defaultConfiguration"]["level"], "warning");
        assert!(rule["fullDescription"]["text"].as_str().unwrap().starts_with("Flags a `LoadBalancer` Service"));
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("## Why is this bad?"));
    }

    /// What GitHub code scanning requires of an uploaded log
    /// (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
    /// every rule has a short and a full description of at most 1,024 characters and a help
    /// text, every result a message, a location with its region and partial fingerprints
    /// (codeql-action's upload-sarif adds its `primaryLocationLineHash` beside ours).
    #[test]
    fn what_github_code_scanning_requires() {
        let report = check(FOUNDING, &Options::default());
        let input = SarifInput { uri: "gw.yaml", relative: true, source: FOUNDING, report: &report };
        let repo = "https://github.com/gateway-doctor/gateway-doctor";
        let tool = Tool { name: "gateway-doctor", version: "0.1.0", information_uri: Some(repo) };
        let log = serde_json::to_value(log(&[input], crate::rules(), &tool, Some("file:///repo/"))).unwrap();
        let run = &log["runs"][0];
        let text = |v: &Value| v["text"].as_str().unwrap_or_default().to_owned();
        for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
            let code = rule["id"].as_str().unwrap();
            for field in ["shortDescription", "fullDescription"] {
                let chars = text(&rule[field]).chars().count();
                assert!((1..=DESCRIPTION_LIMIT).contains(&chars), "{code} {field}: {chars} characters");
            }
            assert!(!text(&rule["help"]).is_empty(), "{code} help.text");
            assert!(rule["name"].as_str().unwrap().len() <= 255, "{code} name");
            let anchor = code.to_ascii_lowercase();
            assert_eq!(rule["helpUri"], format!("{repo}/blob/main/docs/rules.md#{anchor}"));
            assert!(crate::report::rules_doc::rules_markdown(crate::rules()).contains(&format!("\n## {code}\n")));
        }
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for result in results {
            assert!(!text(&result["message"]).is_empty());
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uri"], "gw.yaml");
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(location["region"][key].as_u64().is_some_and(|n| n > 0), "{key}");
            }
            assert!(!result["partialFingerprints"].as_object().unwrap().is_empty());
        }
    }

    #[test]
    fn long_descriptions_end_at_a_sentence_within_the_limit() {
        let text = "One two. Three four five. Six";
        assert_eq!(within(text, 100), text);
        assert_eq!(within(text, 20), "One two.");
        assert_eq!(within(text, 25), "One two. Three four five.");
        assert_eq!(within("no sentence ends here at all", 14), "no sentence");
        assert_eq!(within("First. Paragraph:\n\n| a | table |\n| b | row |\n", 30), "First. Paragraph:");
        // Some rules say more under "What it does" than GitHub takes.
        let long = crate::rules()
            .iter()
            .map(|r| r.meta().docs_text())
            .find(|d| what_it_does(d).is_some_and(|w| w.chars().count() > DESCRIPTION_LIMIT));
        let long = what_it_does(long.as_deref().expect("a rule whose description is cut")).unwrap();
        let cut = within(long, DESCRIPTION_LIMIT);
        assert!(cut.len() < long.len() && long.starts_with(cut), "{cut}");
        assert!(cut.ends_with(['.', ':']), "ends at a sentence or paragraph: {cut}");
    }

    #[test]
    fn input_errors_are_notifications() {
        let log = sarif("apiVersion: v1\nkind: Service\nmetadata: [\n");
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let note = &invocation["toolExecutionNotifications"][0];
        assert_eq!(note["descriptor"]["id"], "syntax");
        assert_eq!(note["level"], "error");
        assert!(note["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 3);
    }
}
