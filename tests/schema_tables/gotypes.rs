//! The Go types of `aliyun/alibabacloud-servicemesh-api` to field tables:
//! the JSON names of struct fields (`encoding/json` tags), `,inline` embeds
//! a struct's fields, unexported fields are not part of the JSON form.

use std::collections::BTreeMap;

use super::model::{Fields, Kind, Table};

/// Types of `k8s.io/api/core/v1` declared `type X string` in
/// kubernetes/api `core/v1/types.go`; the OpenAPI document inlines them, so
/// it has no entry to read. Any other `corev1.X` must be an OpenAPI type.
const CORE_STRING_TYPES: &[&str] = &["ServiceType", "DNSPolicy"];

struct Field {
    name: String,
    go_type: String,
    tag: String,
}

/// `type X struct { ... }` blocks and `type X string` aliases of Go sources.
pub struct GoTypes {
    structs: BTreeMap<String, Vec<Field>>,
    strings: Vec<String>,
}

impl GoTypes {
    pub fn parse(sources: &[&str]) -> Self {
        let mut structs = BTreeMap::new();
        let mut strings = Vec::new();
        for text in sources {
            let mut current: Option<(String, Vec<Field>)> = None;
            for line in text.lines() {
                let line = line.trim();
                if let Some((name, fields)) = &mut current {
                    if line == "}" {
                        structs.insert(name.clone(), std::mem::take(fields));
                        current = None;
                    } else if let Some(field) = parse_field(line) {
                        fields.push(field);
                    }
                    continue;
                }
                let Some(rest) = line.strip_prefix("type ") else { continue };
                let words: Vec<&str> = rest.split_whitespace().collect();
                match words.as_slice() {
                    [name, "struct", "{"] => current = Some((name.to_string(), Vec::new())),
                    [name, "string"] => strings.push(name.to_string()),
                    _ => {}
                }
            }
        }
        Self { structs, strings }
    }

    /// Emits `asm.v1.<name>` and every type it reaches; `status` is `*`.
    pub fn emit_root(&self, table: &mut Table, name: &str, k8s: &mut dyn FnMut(&mut Table, &str) -> Kind) -> String {
        let full = format!("asm.v1.{name}");
        let mut fields = self.fields(table, name, k8s);
        if fields.contains_key("status") {
            fields.insert("status".into(), Kind::Any);
        }
        table.types.insert(full.clone(), fields);
        full
    }

    fn fields(&self, table: &mut Table, name: &str, k8s: &mut dyn FnMut(&mut Table, &str) -> Kind) -> Fields {
        let go_fields = self.structs.get(name).unwrap_or_else(|| panic!("no Go struct {name}"));
        let mut out = Fields::new();
        for f in go_fields {
            let json_name = f.tag.split(',').next().unwrap_or("");
            if f.tag.split(',').skip(1).any(|o| o == "inline") {
                match f.go_type.as_str() {
                    "metav1.TypeMeta" => {
                        out.insert("apiVersion".into(), Kind::Str);
                        out.insert("kind".into(), Kind::Str);
                    }
                    local => out.extend(self.fields(table, local, k8s)),
                }
                continue;
            }
            // encoding/json skips unexported fields whatever their tag says.
            if json_name == "-" || !f.name.starts_with(|c: char| c.is_ascii_uppercase()) {
                continue;
            }
            out.insert(json_name.to_owned(), self.kind(table, &f.go_type, k8s));
        }
        out
    }

    fn kind(&self, table: &mut Table, go_type: &str, k8s: &mut dyn FnMut(&mut Table, &str) -> Kind) -> Kind {
        let go_type = go_type.trim_start_matches('*');
        if let Some(item) = go_type.strip_prefix("[]") {
            return Kind::Array(Box::new(self.kind(table, item, k8s)));
        }
        if let Some(value) = go_type.strip_prefix("map[string]") {
            return Kind::Map(Box::new(self.kind(table, value, k8s)));
        }
        match go_type {
            "string" => return Kind::Str,
            "bool" => return Kind::Bool,
            "int" | "int32" | "int64" | "uint32" | "uint64" => return Kind::Int,
            "float32" | "float64" => return Kind::Num,
            "metav1.ObjectMeta" => return k8s(table, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
            _ => {}
        }
        if let Some(core) = go_type.strip_prefix("corev1.") {
            if CORE_STRING_TYPES.contains(&core) {
                return Kind::Str;
            }
            return k8s(table, &format!("io.k8s.api.core.v1.{core}"));
        }
        if self.strings.iter().any(|s| s == go_type) {
            return Kind::Str;
        }
        let full = format!("asm.v1.{go_type}");
        if !table.types.contains_key(&full) {
            table.types.insert(full.clone(), Fields::new());
            let fields = self.fields(table, go_type, k8s);
            table.types.insert(full.clone(), fields);
        }
        Kind::Ref(full)
    }
}

/// `Name Type `json:"tag"`` or an embedded `Type `json:",inline"``.
fn parse_field(line: &str) -> Option<Field> {
    if line.starts_with("//") {
        return None;
    }
    let (head, rest) = line.split_once('`')?;
    let tag = rest.split("json:\"").nth(1)?.split('"').next()?.to_owned();
    let words: Vec<&str> = head.split_whitespace().collect();
    match words.as_slice() {
        [name, go_type] => Some(Field { name: name.to_string(), go_type: go_type.to_string(), tag }),
        // An embedded field is named after its type (`metav1.ObjectMeta` is `ObjectMeta`).
        [go_type] => {
            let name = go_type.rsplit('.').next().unwrap_or(go_type).trim_start_matches('*');
            Some(Field { name: name.to_string(), go_type: go_type.to_string(), tag })
        }
        _ => panic!("unreadable Go field: {line}"),
    }
}
