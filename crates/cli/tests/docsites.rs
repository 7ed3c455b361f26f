//! The build-time route for docs sites (README, "Checking the YAML of a docs site"):
//! `gateway-doctor check` on the Markdown sources of the MkDocs, Hugo and Docusaurus
//! sample sites in tests/docsites/, whose fences carry each generator's attributes
//! (`title=… linenums=…`, `{linenos=true}`, `showLineNumbers`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gateway-doctor");
const SOURCES: [&str; 3] = ["mkdocs/docs/index.md", "hugo/content/_index.md", "docusaurus/docs/gateway.md"];

fn docsites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/docsites")
}

fn check(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("check")
        .args(args)
        .current_dir(docsites())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

/// The 1-based line of the first line of `path` that holds `needle`.
fn line_of(path: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(docsites().join(path)).unwrap();
    text.lines().position(|l| l.contains(needle)).expect(needle) as u64 + 1
}

#[test]
fn each_generator_s_markdown_is_checked_in_its_own_lines() {
    let (status, stdout) = check(&[SOURCES[0], SOURCES[1], SOURCES[2], "--format", "json"]);
    assert_eq!(status, 0, "warnings and infos only: exit 0 under the default --fail-on error");
    let reports: Value = serde_json::from_str(&stdout).unwrap();
    for (report, source) in reports.as_array().unwrap().iter().zip(SOURCES) {
        assert_eq!(report["file"], source);
        let findings = report["findings"].as_array().unwrap();
        let lb =
            findings.iter().find(|f| f["code"] == "ASM-LB-001").unwrap_or_else(|| panic!("{source}: no ASM-LB-001"));
        assert_eq!(lb["location"]["start"]["line"], line_of(source, "externalTrafficPolicy: Local"), "{source}");
        assert_eq!(lb["location"]["start"]["column"], 26, "{source}");
        // Every finding is in the founding block: the clean Service's block has none.
        let clean = line_of(source, "kind: Service");
        assert!(findings.iter().all(|f| f["location"]["start"]["line"].as_u64().unwrap() < clean), "{source}");
        // Nothing is said about the shell block, and nothing was skipped.
        assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0, "{source}: {}", report["diagnostics"]);
    }
}

#[test]
fn fail_on_warning_fails_a_docs_job() {
    let (status, stdout) =
        check(&["mkdocs/docs", "hugo/content", "docusaurus/docs", "--format", "concise", "--fail-on", "warning"]);
    assert_eq!(status, 1, "{stdout}");
    let line = line_of(SOURCES[0], "externalTrafficPolicy: Local");
    assert!(stdout.contains(&format!("{}:{line}:26: warning[ASM-LB-001]", SOURCES[0])), "{stdout}");
}
