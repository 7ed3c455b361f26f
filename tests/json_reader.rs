//! The JSON reader (`yaml::load_json`) builds exactly what the YAML loader
//! (`yaml::load`) builds for the same JSON text: node trees with their spans
//! and styles, documents, and diagnostics. Inputs: the JSON files of the
//! repository's corpus and fixtures, serde_json's compact and pretty forms of
//! every YAML document the repository holds, hand-written layouts, limits,
//! and generated JSON values.
#![cfg(feature = "yaml")]

mod support;

use std::path::{Path, PathBuf};

use gateway_doctor::yaml::{load, load_json, load_stream, read_value, Limits, Loaded, Node};
use gateway_doctor::DiagnosticKind;
use gateway_doctor::{check, fix, FixRequest, InputFormat, Options};
use proptest::prelude::*;
use serde_json::Value as Json;

use support::{apply_edits, repo_root};

fn assert_same(text: &str, limits: &Limits, label: &str) -> Loaded {
    let json = load_json(text, limits);
    let yaml = load(text, limits);
    assert_eq!(json, yaml, "{label}: the JSON reader and the YAML loader disagree on {text:?}");
    json
}

/// Valid JSON: the same as the YAML loader's, and read without a syntax error.
fn assert_same_valid(text: &str, label: &str) {
    let loaded = assert_same(text, &Limits::default(), label);
    assert!(!loaded.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax), "{label}: {:?}", loaded.diagnostics);
    assert_eq!(loaded.documents.len(), 1, "{label}");
}

/// Files under `dir`, recursively, with one of `extensions`, sorted.
fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e)) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The repository's test inputs (the corpus copies are under `tests/`).
fn input_dirs() -> Vec<PathBuf> {
    vec![repo_root().join("tests"), repo_root().join("examples")]
}

#[test]
fn json_files_read_the_same() {
    let mut count = 0;
    for dir in input_dirs() {
        for path in files(&dir, &["json"]) {
            let text = std::fs::read_to_string(&path).unwrap();
            // Test data that is not a JSON manifest (reports, snapshots) is still JSON text.
            if serde_json::from_str::<Json>(&text).is_err() {
                continue;
            }
            assert_same_valid(&text, &path.display().to_string());
            count += 1;
        }
    }
    assert!(count >= 4, "only {count} JSON files found");
}

#[test]
fn serde_json_forms_of_every_yaml_document_read_the_same() {
    let mut count = 0;
    for dir in input_dirs() {
        for path in files(&dir, &["yaml", "yml"]) {
            let text = std::fs::read_to_string(&path).unwrap();
            let loaded = load(&text, &Limits::default());
            for root in loaded.documents.iter().filter_map(|d| d.root.as_ref()) {
                let value = root.to_json();
                let label = path.display().to_string();
                assert_same_valid(&serde_json::to_string(&value).unwrap(), &label);
                assert_same_valid(&serde_json::to_string_pretty(&value).unwrap(), &label);
                count += 1;
            }
        }
    }
    assert!(count >= 50, "only {count} YAML documents found");
}

#[test]
fn layouts_read_the_same() {
    let texts = [
        "{}",
        "[]",
        "  {  }  ",
        "[ [ ], { } ]",
        "\"just a string\"",
        "42",
        "-0.5e+10",
        "null",
        "true\n",
        "{ \"a\" : 1 , \"b\" : [ 1 , 2.5 , -3 ] }",
        "{\"a\":{\"b\":{\"c\":[true,false,null]}}}",
        "\u{feff}{\"kind\": \"Service\",\r\n \"spec\": {\"type\": \"LoadBalancer\"}}\r\n",
        "{\n\t\"a\": 1\n}",
        "[\"中文\", \"é\", \"😀\", \"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"]",
        "{\"a\": \"x\\\"y\", \"b\": \"\"}",
        "{\"<<\": {\"x\": 1}, \"<<\": 2}",
        "{\"a\": 1, \"a\": 2, \"b\": {\"a\": 3, \"a\": 4}}",
        "[1e5, 1E-5, 0, -0, 10.25, 123456789012345678901234567890]",
        "\n\n  {\"a\": [\n    1,\n    2\n  ]\n}\n\n",
    ];
    for text in texts {
        assert_same_valid(text, "layout");
    }
    // A big object finds duplicates through a set of its keys.
    let mut big: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
    big.push("\"k3\": 0".into());
    big.push("\"k39\": 0".into());
    let text = format!("{{{}}}", big.join(", "));
    let loaded = assert_same(&text, &Limits::default(), "big object");
    assert_eq!(loaded.diagnostics.len(), 2);
}

#[test]
fn limits_read_the_same() {
    let limits = Limits { max_depth: 5, max_scalar_bytes: 8, ..Limits::default() };
    for text in [
        "[[[[[[1]]]]]]",
        "[[[[[1]]]]]",
        "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}",
        "{\"a\": [{\"b\": [{\"c\": [1]}]}]}",
        "[\"12345678\", \"123456789\"]",
        "{\"123456789\": 1}",
        "[1234567890]",
        "[\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"]",
    ] {
        assert_same(text, &limits, "limits");
    }
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let loaded = assert_same(&deep, &Limits::default(), "default depth");
    assert_eq!(loaded.diagnostics[0].kind, DiagnosticKind::Limit);
    let none = Limits { max_documents: 0, ..Limits::default() };
    assert_same("{\"a\": 1}", &none, "no documents allowed");
}

#[test]
fn yaml_flow_documents_fall_back_to_the_yaml_loader() {
    let limits = Limits::default();
    for text in ["{a: 1}", "{\"a\": 1} # comment", "[1, 2,]", "{\"a\": 'x'}", "{\"a\": 1}\n---\n{\"b\": 2}\n", ""] {
        for format in [InputFormat::Json, InputFormat::Auto] {
            assert_eq!(load_stream(text, format, &limits), load(text, &limits), "{text:?}");
        }
    }
    let loaded = load_stream("{a: 1}", InputFormat::Json, &limits);
    assert_eq!(loaded.documents[0].root.as_ref().and_then(|r| r.get("a")).and_then(Node::as_i64), Some(1));
}

#[test]
fn yaml_input_never_goes_through_the_json_reader() {
    let limits = Limits::default();
    let text = "kind: Service\nspec: {type: LoadBalancer}\n";
    for format in [InputFormat::Yaml, InputFormat::Auto, InputFormat::Markdown] {
        assert_eq!(load_stream(text, format, &limits), load(text, &limits));
    }
    let big = Limits { max_input_bytes: 4, ..Limits::default() };
    let loaded = load_stream("{\"a\": 1}", InputFormat::Json, &big);
    assert!(loaded.documents.is_empty());
    assert_eq!(loaded.diagnostics[0].kind, DiagnosticKind::Limit);
}

/// Cluster contexts under which more rules fire, and the hostname some fixes need.
fn fixing_options() -> Vec<Options> {
    let contexts: &[&[(&str, &str)]] = &[
        &[],
        &[("kubeProxyMode", "ipvs"), ("inClusterClients", "pods"), ("cni", "terway-eniip")],
        &[("cni", "flannel"), ("kubernetesVersion", "1.20"), ("ccmVersion", "v2.0.0"), ("needsSourceIp", "true")],
    ];
    contexts
        .iter()
        .map(|context| {
            let mut options = Options::default();
            for (key, value) in *context {
                options.context.set(key, value).unwrap();
            }
            options.params.hostname = Some("gw.example.com".into());
            options
        })
        .collect()
}

/// Every JSON input of the repository, and the pretty and compact JSON form
/// of every YAML document.
fn json_inputs() -> Vec<(String, String)> {
    let mut inputs = Vec::new();
    for dir in input_dirs() {
        for path in files(&dir, &["json"]) {
            let text = std::fs::read_to_string(&path).unwrap();
            if serde_json::from_str::<Json>(&text).is_ok() {
                inputs.push((path.display().to_string(), text));
            }
        }
        for path in files(&dir, &["yaml", "yml"]) {
            let text = std::fs::read_to_string(&path).unwrap();
            let loaded = load(&text, &Limits::default());
            for root in loaded.documents.iter().filter_map(|d| d.root.as_ref()) {
                let value = root.to_json();
                if value.get("kind").is_some() {
                    let label = path.display().to_string();
                    inputs.push((label.clone(), serde_json::to_string_pretty(&value).unwrap()));
                    inputs.push((label, serde_json::to_string(&value).unwrap()));
                }
            }
        }
    }
    inputs
}

fn assert_json(text: &str, label: &str) {
    if let Err(e) = serde_json::from_str::<Json>(text) {
        panic!("{label}: the fixed text is not JSON ({e}):\n{text}");
    }
    let loaded = load_json(text, &Limits::default());
    assert!(loaded.diagnostics.iter().all(|d| d.kind != DiagnosticKind::Syntax), "{label}: {:?}", loaded.diagnostics);
}

/// A host without YAML must read its own fixed output: every fix lowered
/// into a JSON document (each one alone, and all safe ones through `fix`)
/// leaves JSON that serde_json and the JSON reader both read.
#[test]
fn fixed_json_stays_json() {
    let (mut fixes, mut documents) = (0, 0);
    for (label, text) in json_inputs() {
        for options in fixing_options() {
            let report = check(&text, &options);
            for finding in &report.findings {
                for f in finding.fixes.iter().filter(|f| !f.edits.is_empty()) {
                    assert_json(&apply_edits(&text, &f.edits), &format!("{label} {} {}", finding.code, f.id));
                    fixes += 1;
                }
            }
            let outcome = fix(&text, &FixRequest { ids: Vec::new(), allow_unsafe: true }, &options);
            if !outcome.applied.is_empty() {
                assert_json(&outcome.text, &format!("{label} (all safe fixes)"));
                documents += 1;
            }
        }
    }
    assert!(fixes >= 100 && documents >= 20, "only {fixes} fixes in {documents} documents were tried");
}

/// JSON values with escapes, unicode, nesting and numbers of every kind.
fn json_value() -> impl Strategy<Value = Json> {
    let string = prop_oneof![
        "[a-zA-Z0-9 ._/:-]{0,12}",
        any::<String>(),
        "[\"\\\\\u{0}-\u{1f}\u{7f}é中😀\u{2028}\u{fffd}]{0,8}",
    ];
    let number = prop_oneof![
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Json::Number)),
    ];
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        number,
        string.clone().prop_map(Json::String),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((string.clone(), inner), 0..6)
                .prop_map(|entries| Json::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_json_reads_the_same(value in json_value()) {
        let compact = serde_json::to_string(&value).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_same_valid(&compact, "compact");
        assert_same_valid(&pretty, "pretty");
    }

    /// What hosts read their requests with reads the value serde_json reads,
    /// floats included (both round to within one ulp: serde_json's default
    /// precision, `yaml::scalar::decimal_f64`).
    #[test]
    fn generated_json_reads_as_serde_json_reads_it(value in json_value()) {
        for text in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
            let serde = serde_json::from_str::<Json>(&text).unwrap();
            prop_assert_eq!(read_value(text.as_bytes(), &Limits::default()), Ok(serde));
        }
    }

    /// Damaged JSON: the reader accepts exactly what serde_json accepts, and
    /// reads it as the YAML loader reads it whenever that reads it too.
    #[test]
    fn damaged_json_is_accepted_exactly_when_serde_json_accepts_it(
        value in json_value(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, prop::sample::select(DAMAGE)), 1..4),
    ) {
        let mut text: Vec<char> = serde_json::to_string_pretty(&value).unwrap().chars().collect();
        for (at, kind, piece) in edits {
            let at = at.index(text.len() + 1);
            match kind {
                0 => text.insert(at, piece),
                1 if at < text.len() => { text.remove(at); }
                _ if at < text.len() => text[at] = piece,
                _ => text.push(piece),
            }
        }
        let text: String = text.into_iter().collect();
        let loaded = load_json(&text, &Limits::default());
        let read = !loaded.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax);
        // A leading byte order mark is the input's encoding, not its JSON.
        let serde = serde_json::from_str::<Json>(text.strip_prefix('\u{feff}').unwrap_or(&text));
        // serde_json stops at a number beyond f64's range, which JSON's grammar
        // (and the tree, which keeps numbers as written) allows: no verdict there.
        prop_assume!(!serde.as_ref().is_err_and(|e| e.to_string().contains("number out of range")));
        prop_assert_eq!(read, serde.is_ok(), "{:?}: {:?}", text, loaded.diagnostics);
        // saphyr-parser refuses some valid JSON (a tab after `:`); where it
        // reads the text, it reads the same tree.
        let yaml = load(&text, &Limits::default());
        if read && !yaml.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax) {
            prop_assert_eq!(&loaded, &yaml);
        }
    }
}

/// Characters that damage JSON in interesting ways.
const DAMAGE: &[char] = &[
    '{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '\t', '\u{0}', '0', '1', '-', '+', '.', 'e', 'E', 'u', 'd',
    'n', 't', 'f', '\u{feff}', 'é', '/', '#', '\'',
];
