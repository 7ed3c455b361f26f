//! Kubernetes OpenAPI v3 (`components.schemas`, named types joined by
//! `$ref`) and the inline `openAPIV3Schema` of CRDs, to field tables.

use serde_json::{Map, Value};

use super::model::{Fields, Kind, Table};

const REF_PREFIX: &str = "#/components/schemas/";

/// `io.k8s.api.core.v1.PodSpec` as the table names it: `core.v1.PodSpec`.
pub fn short_name(name: &str) -> String {
    let name = name.strip_prefix("io.k8s.api.").unwrap_or(name);
    name.strip_prefix("io.k8s.apimachinery.pkg.apis.").unwrap_or(name).to_owned()
}

/// The schemas of every vendored OpenAPI document, by full name. A type
/// several documents repeat (core types in `apps/v1.json`) must be identical.
pub struct Components(Map<String, Value>);

impl Components {
    pub fn new(documents: &[Value]) -> Self {
        let mut all = Map::new();
        for doc in documents {
            let schemas = doc["components"]["schemas"].as_object().expect("components.schemas");
            for (name, schema) in schemas {
                if let Some(seen) = all.get(name) {
                    assert_eq!(seen, schema, "{name} differs between the vendored documents");
                }
                all.insert(name.clone(), schema.clone());
            }
        }
        Self(all)
    }

    /// Emits the type `full` (and every type it reaches) and returns its kind.
    /// `status` of a root kind is `*`: the rules skip it, and so does the table.
    pub fn emit_root(&self, table: &mut Table, full: &str) -> String {
        let name = short_name(full);
        let schema = self.0.get(full).unwrap_or_else(|| panic!("{full} is not in the vendored OpenAPI"));
        let mut fields = self.object_fields(table, schema);
        if fields.contains_key("status") {
            fields.insert("status".into(), Kind::Any);
        }
        table.types.insert(name.clone(), fields);
        name
    }

    fn named(&self, table: &mut Table, full: &str) -> Kind {
        match full {
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString" => return Kind::IntOrString,
            "io.k8s.apimachinery.pkg.api.resource.Quantity" => return Kind::Quantity,
            _ => {}
        }
        let schema = self.0.get(full).unwrap_or_else(|| panic!("dangling $ref {full}"));
        if schema.get("properties").is_none() {
            // Time, MicroTime (strings), RawExtension, FieldsV1 (free objects): inline.
            return self.kind(table, schema, full);
        }
        let name = short_name(full);
        if !table.types.contains_key(&name) {
            // Reserve the name first: types refer to themselves (JSONSchemaProps).
            table.types.insert(name.clone(), Fields::new());
            let fields = self.object_fields(table, schema);
            table.types.insert(name.clone(), fields);
        }
        Kind::Ref(name)
    }

    fn object_fields(&self, table: &mut Table, schema: &Value) -> Fields {
        let properties = schema["properties"].as_object().cloned().unwrap_or_default();
        properties.iter().map(|(field, s)| (field.clone(), self.kind(table, s, field))).collect()
    }

    fn kind(&self, table: &mut Table, schema: &Value, context: &str) -> Kind {
        let reference = schema["$ref"].as_str().or_else(|| schema["allOf"][0]["$ref"].as_str());
        if let Some(reference) = reference {
            let full = reference.strip_prefix(REF_PREFIX).expect("a components $ref");
            return self.named(table, full);
        }
        scalar_or_collection(schema, context, &mut |s, c| self.kind(table, s, c), &mut |_, _| None)
    }
}

/// The kind of a schema that is not a `$ref`; `item` reads nested schemas,
/// `object` names an inline object's type (CRDs) or returns `None` (OpenAPI
/// types are named by `$ref`, never inline).
pub fn scalar_or_collection(
    schema: &Value,
    context: &str,
    item: &mut dyn FnMut(&Value, &str) -> Kind,
    object: &mut dyn FnMut(&Value, &str) -> Option<Kind>,
) -> Kind {
    if schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true) {
        return Kind::Any;
    }
    if schema["x-kubernetes-int-or-string"] == Value::Bool(true) || schema["format"] == "int-or-string" {
        return Kind::IntOrString;
    }
    match schema["type"].as_str() {
        Some("string") => Kind::Str,
        Some("integer") => Kind::Int,
        Some("number") => Kind::Num,
        Some("boolean") => Kind::Bool,
        Some("array") => Kind::Array(Box::new(item(&schema["items"], context))),
        Some("object") => {
            if schema.get("properties").is_some() {
                return object(schema, context).unwrap_or_else(|| panic!("inline object at {context}"));
            }
            match &schema["additionalProperties"] {
                Value::Object(_) => Kind::Map(Box::new(item(&schema["additionalProperties"], context))),
                _ => Kind::Any,
            }
        }
        None if schema.get("oneOf").is_some() || schema.as_object().is_some_and(|o| o.is_empty()) => Kind::Any,
        other => panic!("unexpected schema type {other:?} at {context}"),
    }
}

/// A CRD version's `openAPIV3Schema`: objects are inline, named by their path
/// under `prefix` (`istio.Gateway.spec.servers.items`), identical ones shared.
pub fn crd_object(table: &mut Table, schema: &Value, path: &str) -> String {
    let properties = schema["properties"].as_object().cloned().unwrap_or_default();
    let fields: Fields =
        properties.iter().map(|(field, s)| (field.clone(), crd_kind(table, s, &format!("{path}.{field}")))).collect();
    table.intern(path.to_owned(), fields)
}

fn crd_kind(table: &mut Table, schema: &Value, path: &str) -> Kind {
    if schema["type"] == "object"
        && schema.get("properties").is_some()
        && schema["x-kubernetes-preserve-unknown-fields"] != Value::Bool(true)
    {
        return Kind::Ref(crd_object(table, schema, path));
    }
    let suffix = if schema["type"] == "array" { "items" } else { "values" };
    let mut item = |s: &Value, p: &str| crd_kind(table, s, &format!("{p}.{suffix}"));
    scalar_or_collection(schema, path, &mut item, &mut |_, _| None)
}
