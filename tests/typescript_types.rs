//! The TypeScript types the browser module publishes (the
//! `typescript_custom_section` of crates/wasm/src/lib.rs) describe the JSON the core
//! really serialises: every fixture's report is held to `Report`, and the
//! result of `fix` to `FixResult`. A field the Rust types serialise that the
//! TypeScript lacks fails, and so does a required TypeScript field the JSON
//! lacks; every field of those types must show up in some report, so an
//! optional field cannot go stale unseen.
//!
//! The TypeScript is read with a small parser of the subset the section uses:
//! interfaces (with `extends`), type aliases, inline object types, `T[]`,
//! `A & B`, unions of string literals or object types, and the primitives.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use gateway_doctor::Op;
use gateway_doctor::{FixRequest, Options};
use serde_json::Value;

use support::*;

/// A TypeScript type, as far as the section uses them.
#[derive(Clone, Debug, PartialEq)]
enum Ty {
    /// `string`, `number`, `boolean`, `unknown`, or a declared name.
    Name(String),
    /// `"safe"`.
    Literal(String),
    Array(Box<Ty>),
    Object(Vec<Member>),
    Union(Vec<Ty>),
    Intersection(Vec<Ty>),
}

#[derive(Clone, Debug, PartialEq)]
struct Member {
    name: String,
    optional: bool,
    ty: Ty,
}

/// The text of `const TYPES: &str = r#"..."#` in crates/wasm/src/lib.rs, without comments.
fn typescript_section() -> String {
    let source = std::fs::read_to_string(repo_root().join("crates/wasm/src/lib.rs")).unwrap();
    let start = source.find("const TYPES: &str = r#\"").expect("crates/wasm/src/lib.rs has the TYPES section") + 23;
    let end = start + source[start..].find("\"#;").expect("the TYPES section ends");
    let mut text = source[start..end].to_owned();
    while let Some(open) = text.find("/*") {
        let close = open + text[open..].find("*/").expect("comments close") + 2;
        text.replace_range(open..close, " ");
    }
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '"' => out.push(format!("\"{}", chars.by_ref().take_while(|&c| c != '"').collect::<String>())),
            c if c.is_alphanumeric() || c == '_' => {
                let mut word = c.to_string();
                while let Some(&c) = chars.peek().filter(|c| c.is_alphanumeric() || **c == '_') {
                    word.push(c);
                    chars.next();
                }
                out.push(word);
            }
            '[' if chars.peek() == Some(&']') => {
                chars.next();
                out.push("[]".into());
            }
            c => out.push(c.to_string()),
        }
    }
    out
}

struct Parser {
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn next(&mut self) -> String {
        let token = self.tokens.get(self.at).cloned().unwrap_or_else(|| panic!("the TypeScript ends early"));
        self.at += 1;
        token
    }

    fn expect(&mut self, want: &str) {
        let got = self.next();
        assert_eq!(got, want, "TypeScript: expected `{want}` at token {}", self.at - 1);
    }

    fn eat(&mut self, want: &str) -> bool {
        let found = self.peek() == Some(want);
        self.at += usize::from(found);
        found
    }

    /// `A | B`, with an optional leading `|`.
    fn ty(&mut self) -> Ty {
        self.eat("|");
        let mut options = vec![self.intersection()];
        while self.eat("|") {
            options.push(self.intersection());
        }
        if options.len() == 1 {
            options.pop().unwrap()
        } else {
            Ty::Union(options)
        }
    }

    fn intersection(&mut self) -> Ty {
        let mut parts = vec![self.postfix()];
        while self.eat("&") {
            parts.push(self.postfix());
        }
        if parts.len() == 1 {
            parts.pop().unwrap()
        } else {
            Ty::Intersection(parts)
        }
    }

    fn postfix(&mut self) -> Ty {
        let mut ty = match self.next().as_str() {
            "(" => {
                let ty = self.ty();
                self.expect(")");
                ty
            }
            "{" => Ty::Object(self.members()),
            literal if literal.starts_with('"') => Ty::Literal(literal[1..].to_owned()),
            name => Ty::Name(name.to_owned()),
        };
        while self.eat("[]") {
            ty = Ty::Array(Box::new(ty));
        }
        ty
    }

    /// The members of an object type, after its `{`, through its `}`.
    fn members(&mut self) -> Vec<Member> {
        let mut members = Vec::new();
        while !self.eat("}") {
            let name = self.next();
            let optional = self.eat("?");
            self.expect(":");
            let ty = self.ty();
            members.push(Member { name, optional, ty });
            let _ = self.eat(";") || self.eat(",");
        }
        members
    }
}

/// Every `export interface` and `export type` of the section, by name.
fn declarations(text: &str) -> BTreeMap<String, Ty> {
    let mut parser = Parser { tokens: tokens(text), at: 0 };
    let mut out = BTreeMap::new();
    while parser.peek().is_some() {
        parser.expect("export");
        match parser.next().as_str() {
            "interface" => {
                let name = parser.next();
                let mut parts = Vec::new();
                if parser.eat("extends") {
                    parts.push(Ty::Name(parser.next()));
                    while parser.eat(",") {
                        parts.push(Ty::Name(parser.next()));
                    }
                }
                parser.expect("{");
                parts.push(Ty::Object(parser.members()));
                let ty = if parts.len() == 1 { parts.pop().unwrap() } else { Ty::Intersection(parts) };
                out.insert(name, ty);
            }
            "type" => {
                let name = parser.next();
                parser.expect("=");
                let ty = parser.ty();
                parser.expect(";");
                out.insert(name, ty);
            }
            other => panic!("TypeScript: unexpected `{other}` after `export`"),
        }
    }
    out
}

/// Holds JSON values to the declared types and records which members it saw.
struct Checker {
    types: BTreeMap<String, Ty>,
    /// `Interface.member` (or `path.member` for inline object types) seen in a value.
    seen: BTreeSet<String>,
    /// Every member reached, seen or not.
    reached: BTreeSet<String>,
}

impl Checker {
    /// The members of an object type, with named and intersected types resolved.
    fn members(&self, ty: &Ty, owner: &str) -> Option<Vec<(String, Member)>> {
        match ty {
            Ty::Name(name) => self.members(self.types.get(name)?, name),
            Ty::Object(members) => Some(members.iter().map(|m| (owner.to_owned(), m.clone())).collect()),
            Ty::Intersection(parts) => parts
                .iter()
                .map(|part| self.members(part, owner))
                .collect::<Option<Vec<_>>>()
                .map(|lists| lists.concat()),
            _ => None,
        }
    }

    /// Where `value` disagrees with `ty`; `owner` names an inline object type.
    fn check(&mut self, value: &Value, ty: &Ty, path: &str, owner: &str) -> Vec<String> {
        let mismatch = |what: &str| vec![format!("{path}: {value} is not {what}")];
        match ty {
            Ty::Name(name) => match (name.as_str(), value) {
                ("string", Value::String(_)) | ("number", Value::Number(_)) | ("boolean", Value::Bool(_)) => vec![],
                ("unknown", _) => vec![],
                ("string" | "number" | "boolean", _) => mismatch(name),
                _ => {
                    let declared =
                        self.types.get(name).cloned().unwrap_or_else(|| panic!("TypeScript: no type {name}"));
                    self.check(value, &declared, path, name)
                }
            },
            Ty::Literal(text) => match value {
                Value::String(s) if s == text => vec![],
                _ => mismatch(&format!("\"{text}\"")),
            },
            Ty::Array(item) => match value {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .flat_map(|(i, v)| self.check(v, item, &format!("{path}/{i}"), owner))
                    .collect(),
                _ => mismatch("an array"),
            },
            Ty::Union(options) => {
                // The first option the value fits; otherwise the problems of the closest one.
                let mut best: Option<(Vec<String>, BTreeSet<String>, BTreeSet<String>)> = None;
                for option in options {
                    let (seen, reached) = (self.seen.clone(), self.reached.clone());
                    let problems = self.check(value, option, path, owner);
                    let result = (
                        problems,
                        std::mem::replace(&mut self.seen, seen),
                        std::mem::replace(&mut self.reached, reached),
                    );
                    if best.as_ref().is_none_or(|b| result.0.len() < b.0.len()) {
                        best = Some(result);
                    }
                }
                let (problems, seen, reached) = best.expect("a union has options");
                if problems.is_empty() {
                    self.seen = seen;
                    self.reached.extend(reached);
                }
                problems
            }
            Ty::Object(_) | Ty::Intersection(_) => {
                let members = self.members(ty, owner).unwrap_or_else(|| panic!("{path}: not an object type: {ty:?}"));
                let Value::Object(fields) = value else { return mismatch("an object") };
                let mut problems = Vec::new();
                for key in fields.keys().filter(|k| !members.iter().any(|(_, m)| &m.name == *k)) {
                    problems
                        .push(format!("{path}: field `{key}` is serialised but not in the TypeScript type {owner}"));
                }
                for (owner, member) in &members {
                    let name = format!("{owner}.{}", member.name);
                    self.reached.insert(name.clone());
                    match fields.get(&member.name) {
                        Some(field) => {
                            self.seen.insert(name);
                            let inner = format!("{owner}.{}", member.name);
                            problems.extend(self.check(field, &member.ty, &format!("{path}/{}", member.name), &inner));
                        }
                        None if member.optional => {}
                        None => problems.push(format!(
                            "{path}: the TypeScript type {owner} requires `{}`, the JSON has none",
                            member.name
                        )),
                    }
                }
                problems
            }
        }
    }
}

fn checker() -> Checker {
    Checker { types: declarations(&typescript_section()), seen: BTreeSet::new(), reached: BTreeSet::new() }
}

#[test]
fn the_typescript_types_describe_every_fixture_report_and_fix_result() {
    let mut checker = checker();
    let mut problems = Vec::new();
    let fixtures = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flat_map(|dir| files_with_extensions(&dir.unwrap().path(), &["yaml", "yml", "json", "md"]));
    let mut ops = BTreeSet::new();
    for path in fixtures {
        let name = path.strip_prefix(repo_root()).unwrap().display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut options = Options::default();
        options.params.hostname = Some("gw.example.com".into());
        let report = serde_json::to_value(gateway_doctor::check(&text, &options)).unwrap();
        for op in report["findings"].as_array().unwrap().iter().flat_map(|f| f["fixes"].as_array().unwrap()) {
            ops.extend(op["patch"].as_array().unwrap().iter().map(|p| p["op"].as_str().unwrap().to_owned()));
        }
        problems.extend(checker.check(&report, &Ty::Name("Report".into()), &name, "Report"));
        // Every fix id the report offers, unsafe ones refused: the result has applied and skipped fixes.
        let ids = report["findings"].as_array().unwrap().iter().flat_map(|f| f["fixes"].as_array().unwrap());
        let ids = ids.map(|x| x["id"].as_str().unwrap().to_owned()).collect();
        let request = FixRequest { ids, allow_unsafe: false };
        let fixed = serde_json::to_value(gateway_doctor::fix(&text, &request, &options)).unwrap();
        problems.extend(checker.check(&fixed, &Ty::Name("FixResult".into()), &format!("fix of {name}"), "FixResult"));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    assert_eq!(ops, op_names(), "the fixtures' fixes use every operation");
    let unseen: Vec<&String> = checker.reached.difference(&checker.seen).collect();
    assert!(unseen.is_empty(), "TypeScript fields no fixture report carries (stale, or add a fixture): {unseen:?}");
}

/// One operation of each kind the engine has: the match makes a new `Op`
/// variant fail to compile here until it gets a sample.
fn op_samples() -> Vec<Op> {
    let samples = vec![Op::add("/a", 1), Op::replace("/a", "x"), Op::remove("/a"), Op::rename("/a", "/b")];
    let kinds: BTreeSet<usize> = samples
        .iter()
        .map(|op| match op {
            Op::Add { .. } => 0,
            Op::Replace { .. } => 1,
            Op::Remove { .. } => 2,
            Op::Move { .. } => 3,
        })
        .collect();
    assert_eq!(kinds.len(), 4, "a sample of every variant");
    samples
}

fn op_names() -> BTreeSet<String> {
    op_samples().iter().map(|op| op.name().to_owned()).collect()
}

/// Every variant of the Rust `Op`, serialised, is a TypeScript `PatchOp`,
/// and the TypeScript has no operation the engine lacks.
#[test]
fn every_patch_operation_is_a_typescript_patch_op() {
    let mut checker = checker();
    for op in op_samples() {
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["op"], op.name());
        let problems = checker.check(&json, &Ty::Name("PatchOp".into()), op.name(), "PatchOp");
        assert!(problems.is_empty(), "{op:?}: {problems:?}");
    }
    let Some(Ty::Union(options)) = checker.types.get("PatchOp").cloned() else { panic!("PatchOp is a union") };
    let mut declared = BTreeSet::new();
    for option in &options {
        let members = checker.members(option, "PatchOp").expect("PatchOp options are objects");
        let op = members.iter().find(|(_, m)| m.name == "op").expect("each PatchOp option has `op`");
        match &op.1.ty {
            Ty::Literal(name) => _ = declared.insert(name.clone()),
            Ty::Union(names) => declared.extend(names.iter().map(|n| match n {
                Ty::Literal(name) => name.clone(),
                other => panic!("PatchOp.op: {other:?}"),
            })),
            other => panic!("PatchOp.op: {other:?}"),
        }
    }
    assert_eq!(declared, op_names(), "the TypeScript PatchOp operations");
}

/// The checker itself catches a field either side lacks, so a green run means something.
#[test]
fn the_checker_catches_a_missing_or_an_extra_field() {
    let mut checker = checker();
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/ASM-LB-005/service-cluster.yaml")).unwrap();
    let report = serde_json::to_value(gateway_doctor::check(&text, &Options::default())).unwrap();
    let report_ty = Ty::Name("Report".into());
    assert_eq!(checker.check(&report, &report_ty, "r", "Report"), Vec::<String>::new());
    let mut fix = |edit: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut report = report.clone();
        edit(report["findings"][0]["fixes"][0].as_object_mut().unwrap());
        checker.check(&report, &report_ty, "r", "Report").join("\n")
    };
    let extra = fix(&|f| _ = f.insert("reveals".into(), Value::Bool(true)));
    assert!(extra.contains("field `reveals` is serialised but not in the TypeScript type FixOption"), "{extra}");
    let missing = fix(&|f| _ = f.remove("edits"));
    assert!(missing.contains("the TypeScript type FixOption requires `edits`, the JSON has none"), "{missing}");
    let op = fix(&|f| f["patch"] = serde_json::json!([{"op": "copy", "from": "/a", "path": "/b"}]));
    assert!(op.contains("r/findings/0/fixes/0/patch/0"), "{op}");
    let catalogue = fix(&|f| f["catalogue"] = "0".into());
    assert!(catalogue.contains("catalogue: \"0\" is not number"), "{catalogue}");
    let mut entry = report.clone();
    entry["fixCatalogue"][0]["applicability"] = "maybe".into();
    let kind = checker.check(&entry, &report_ty, "r", "Report").join("\n");
    assert!(kind.contains("applicability: \"maybe\" is not"), "{kind}");
}
