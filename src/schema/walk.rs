//! Walks an object against its field table and lists what the API server
//! would not take: keys its type does not have, values of the wrong type.

use crate::model::Resource;
use crate::yaml::{pointer, Entry, Node, Resolved, ScalarStyle, Value};

use super::{FieldKind, ObjectType, Schema, SchemaSource};

/// A key the object type does not have.
#[derive(Debug)]
pub struct Unknown<'a> {
    /// The unknown key's route in the resource.
    pub path: String,
    /// Its parent object's route.
    pub parent: String,
    pub key: &'a str,
    pub entry: &'a Entry,
    /// The mapping that holds it (to see whether the suggested key is set).
    pub siblings: &'a [Entry],
    pub object: &'a ObjectType,
}

#[derive(Debug)]
pub enum Problem<'a> {
    Unknown(Unknown<'a>),
    /// A value whose JSON type the field does not take.
    Mistyped {
        path: String,
        node: &'a Node,
        expected: &'a FieldKind,
    },
}

/// A resource of a kind the tables cover, and its problems.
pub struct Checked<'a> {
    pub source: &'a SchemaSource,
    pub problems: Vec<Problem<'a>>,
}

/// The problems of `resource`, or `None` when the tables do not cover its kind.
pub fn problems<'a>(schema: &'a Schema, resource: &Resource<'a>) -> Option<Checked<'a>> {
    let (root, source) = schema.root(resource.api_version, resource.kind)?;
    let mut walker = Walker { schema, out: Vec::new() };
    walker.object(root, resource.node, "");
    Some(Checked { source, problems: walker.out })
}

struct Walker<'a> {
    schema: &'a Schema,
    out: Vec<Problem<'a>>,
}

impl<'a> Walker<'a> {
    fn value(&mut self, kind: &'a FieldKind, node: &'a Node, path: String) {
        // An explicit null is the field left unset.
        if node.is_null() {
            return;
        }
        let fits = match (kind, &node.value) {
            (FieldKind::Any | FieldKind::Quantity, _) => true,
            (FieldKind::Object(index), Value::Mapping(_)) => {
                self.object(*index, node, &path);
                true
            }
            (FieldKind::Array(item), Value::Sequence(seq)) => {
                for (i, child) in seq.items.iter().enumerate() {
                    self.value(item, child, pointer::push(&path, &i.to_string()));
                }
                true
            }
            (FieldKind::Map(value), Value::Mapping(map)) => {
                for entry in own_entries(&map.entries) {
                    if let Some(key) = entry.key.scalar_text() {
                        self.value(value, &entry.value, pointer::push(&path, key));
                    }
                }
                true
            }
            (FieldKind::Object(_) | FieldKind::Array(_) | FieldKind::Map(_), _) => false,
            (_, Value::Scalar(s)) => scalar_fits(kind, s.resolve()),
            _ => false,
        };
        if !fits {
            self.out.push(Problem::Mistyped { path, node, expected: kind });
        }
    }

    fn object(&mut self, index: usize, node: &'a Node, path: &str) {
        let (Some(object), Some(map)) = (self.schema.object(index), node.as_mapping()) else { return };
        for entry in own_entries(&map.entries) {
            let Some(key) = entry.key.scalar_text() else { continue };
            let child = pointer::push(path, key);
            match object.field(key) {
                Some(kind) => self.value(kind, &entry.value, child),
                None => self.out.push(Problem::Unknown(Unknown {
                    path: child,
                    parent: path.to_owned(),
                    key,
                    entry,
                    siblings: &map.entries,
                    object,
                })),
            }
        }
    }
}

/// A mapping's own entries: keys merged in from an anchor (`<<`) are checked
/// where the anchor is written, not again at each use.
fn own_entries(entries: &[Entry]) -> impl Iterator<Item = &Entry> {
    entries
        .iter()
        .filter(|e| !matches!(&e.key.value, Value::Scalar(s) if s.text == "<<" && s.style == ScalarStyle::Plain))
}

/// Whether a scalar of this YAML type reaches the API server as a JSON value
/// the field decodes: Go's `encoding/json` takes no string for a number or a
/// boolean, and no number for a string.
fn scalar_fits(kind: &FieldKind, resolved: Resolved) -> bool {
    match kind {
        FieldKind::Str => matches!(resolved, Resolved::Str),
        // YAML `80.0` reaches the API server as the JSON number 80 (a
        // float64 the YAML-to-JSON step writes without a fraction).
        FieldKind::Int => match resolved {
            Resolved::Int(_) => true,
            Resolved::Float(f) => f.fract() == 0.0,
            _ => false,
        },
        FieldKind::Num => matches!(resolved, Resolved::Int(_) | Resolved::Float(_)),
        FieldKind::Bool => matches!(resolved, Resolved::Bool(_)),
        FieldKind::IntOrString => matches!(resolved, Resolved::Int(_) | Resolved::Str),
        _ => false,
    }
}

/// How a message names what a field takes, in English and Chinese.
pub fn expected_text(kind: &FieldKind) -> (&'static str, &'static str) {
    match kind {
        FieldKind::Str => ("a string", "字符串"),
        FieldKind::Int => ("an integer", "整数"),
        FieldKind::Num => ("a number", "数字"),
        FieldKind::Bool => ("a boolean", "布尔值"),
        FieldKind::IntOrString => ("an integer or a string", "整数或字符串"),
        FieldKind::Quantity => ("a quantity", "数量"),
        FieldKind::Any => ("any value", "任意值"),
        FieldKind::Object(_) => ("an object", "对象"),
        FieldKind::Array(_) => ("a list", "列表"),
        FieldKind::Map(_) => ("a map", "映射"),
    }
}

/// How a message names what a value is, in English and Chinese.
pub fn found_text(node: &Node) -> (&'static str, &'static str) {
    match &node.value {
        Value::Mapping(_) => ("a map", "映射"),
        Value::Sequence(_) => ("a list", "列表"),
        Value::Scalar(s) => match s.resolve() {
            Resolved::Str => ("a string", "字符串"),
            Resolved::Int(_) => ("an integer", "整数"),
            Resolved::Float(_) => ("a number", "数字"),
            Resolved::Bool(_) => ("a boolean", "布尔值"),
            Resolved::Null => ("null", "null"),
        },
    }
}
