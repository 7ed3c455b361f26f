//! Markdown files: given explicitly or found in a directory, checked block by
//! block with the Markdown file's own lines, and fixed in place.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gateway-doctor");

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn lb001(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "ASM-LB-001").collect()
}

#[test]
fn an_explicit_markdown_file_is_checked_in_its_own_lines() {
    let (status, stdout, stderr) = run(&["check", "docs/faq.md", "--format", "json"]);
    assert_eq!(status, 0, "{stderr}");
    // One input: one report object.
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["file"], "docs/faq.md");
    let finding = lb001(&report)[0];
    assert_eq!(finding["location"]["start"]["line"], 13);
    assert_eq!(finding["location"]["start"]["column"], 26);
    let elision = report["diagnostics"].as_array().unwrap().iter().find(|d| d["kind"] == "elision").expect("elision");
    assert_eq!(elision["location"]["start"]["line"], 11);

    let (_, text, _) = run(&["check", "docs/faq.md"]);
    assert!(text.contains("docs/faq.md:13:26"), "{text}");
    assert!(text.contains("  externalTrafficPolicy: Local   # keep client IPs"), "{text}");
}

#[test]
fn directories_include_markdown_files() {
    let (_, stdout, _) = run(&["check", "docs", "tree/nested", "--format", "json"]);
    let reports: Value = serde_json::from_str(&stdout).unwrap();
    let files: Vec<_> = reports.as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["docs/faq.md", "docs/list-items.md", "tree/nested/b-clean.yaml", "tree/nested/c-service.json"]);
    assert_eq!(lb001(&reports[0]).len(), 1);
}

#[test]
fn fixes_are_applied_inside_the_code_block() {
    let input = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/docs/faq.md")).unwrap();
    let (status, stdout, stderr) = run(&["fix", "docs/faq.md", "--fix", "set-cluster-policy", "--unsafe"]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, input.replace("Local   # keep", "Cluster   # keep"));
}

#[test]
fn fences_in_list_items_are_read_and_fixed_in_place() {
    let (status, stdout, stderr) = run(&["check", "docs/list-items.md", "--format", "json"]);
    assert_eq!(status, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(report["diagnostics"].as_array().unwrap().is_empty(), "{}", report["diagnostics"]);
    assert_eq!(report["summary"]["resources"], 4);
    let lines: Vec<_> = lb001(&report).iter().map(|f| f["location"]["start"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [13, 51]);

    let (status, stdout, stderr) =
        run(&["fix", "docs/list-items.md", "--fix", "set-cluster-policy", "--unsafe", "--diff"]);
    assert_eq!(status, 0, "{stderr}");
    let changed: Vec<_> = stdout
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert_eq!(
        changed,
        [
            "-      externalTrafficPolicy: Local   # keep client IPs",
            "+      externalTrafficPolicy: Cluster   # keep client IPs",
            "-        externalTrafficPolicy: Local",
            "+        externalTrafficPolicy: Cluster",
        ]
    );
}

#[test]
fn a_markdown_block_indented_with_no_break_spaces_is_an_input_error_with_its_line() {
    let dir = std::env::temp_dir().join(format!("gateway-doctor-nbsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("nbsp.md");
    std::fs::write(&file, "```yaml\napiVersion: v1\nkind: Service\nspec:\n\u{a0}\u{a0}type: LoadBalancer\n```\n")
        .unwrap();
    let (status, stdout, _) = run(&["check", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(status, 2, "{stdout}");
    assert!(stdout.contains("error[indentation]: no-break space U+00A0 used as indentation at line 5"), "{stdout}");
    assert!(!stdout.contains("no problems found"), "{stdout}");
}
