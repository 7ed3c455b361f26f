//! Reads the text of `schema/tables.txt` (its header describes the format).

/// What a field holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Str,
    Int,
    Num,
    Bool,
    IntOrString,
    Quantity,
    /// Anything (`x-kubernetes-preserve-unknown-fields`, a free-form object).
    Any,
    /// An object of the type at this index of [`Schema::types`].
    Object(usize),
    Array(Box<FieldKind>),
    /// Free-form keys (labels, annotations, `overrides` clusters) to values of a kind.
    Map(Box<FieldKind>),
}

#[derive(Debug)]
pub struct ObjectType {
    pub name: String,
    /// Sorted by name.
    pub fields: Vec<(String, FieldKind)>,
}

impl ObjectType {
    pub fn field(&self, name: &str) -> Option<&FieldKind> {
        let i = self.fields.binary_search_by(|(f, _)| f.as_str().cmp(name)).ok()?;
        self.fields.get(i).map(|(_, kind)| kind)
    }
}

/// Where a table comes from: `kubernetes@1.34` and its `repo/path@commit`.
#[derive(Debug)]
pub struct SchemaSource {
    pub id: String,
    pub label: String,
    pub address: String,
}

#[derive(Debug)]
struct KindEntry {
    api_version: String,
    kind: String,
    root: usize,
    source: usize,
}

#[derive(Debug)]
pub struct Schema {
    pub sources: Vec<SchemaSource>,
    kinds: Vec<KindEntry>,
    pub types: Vec<ObjectType>,
}

impl Schema {
    pub fn parse(text: &str) -> Result<Self, String> {
        let lines = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty());
        // Types come sorted by name: references are found by binary search.
        let names: Vec<&str> = lines.clone().filter_map(|l| l.strip_prefix("type ")?.split(' ').next()).collect();
        if names.windows(2).any(|w| w.first() >= w.get(1)) {
            return Err("type names are not sorted".to_owned());
        }
        let mut sources = Vec::new();
        let mut kinds = Vec::new();
        let mut types = Vec::new();
        for line in lines {
            let mut words = line.split(' ');
            match (words.next(), words.next()) {
                (Some("type"), Some(name)) => {
                    let mut fields = Vec::new();
                    for field in words {
                        let parsed =
                            field.split_once(':').and_then(|(f, k)| Some((f.to_owned(), parse_kind(k, &names)?)));
                        fields.push(parsed.ok_or_else(|| format!("unreadable field `{field}` of {name}"))?);
                    }
                    // Field names are unique within a type.
                    fields.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                    types.push(ObjectType { name: name.to_owned(), fields });
                }
                (Some("source"), Some(id)) => match (words.next(), words.next()) {
                    (Some(label), Some(address)) => sources.push(SchemaSource {
                        id: id.to_owned(),
                        label: label.to_owned(),
                        address: address.to_owned(),
                    }),
                    _ => return Err(format!("unreadable line `{line}`")),
                },
                (Some("kind"), Some(api_version)) => {
                    let (Some(kind), Some(root), Some(source)) = (words.next(), words.next(), words.next()) else {
                        return Err(format!("unreadable line `{line}`"));
                    };
                    let root = names.binary_search(&root).map_err(|_| format!("kind of unknown type `{line}`"))?;
                    let source = sources
                        .iter()
                        .position(|s: &SchemaSource| s.id == source)
                        .ok_or_else(|| format!("kind of unknown source `{line}`"))?;
                    kinds.push(KindEntry { api_version: api_version.to_owned(), kind: kind.to_owned(), root, source });
                }
                _ => return Err(format!("unreadable line `{line}`")),
            }
        }
        Ok(Self { sources, kinds, types })
    }

    /// The root type of a kind and the source it was generated from.
    pub fn root(&self, api_version: &str, kind: &str) -> Option<(usize, &SchemaSource)> {
        let entry = self.kinds.iter().find(|k| k.api_version == api_version && k.kind == kind)?;
        Some((entry.root, self.sources.get(entry.source)?))
    }

    pub fn object(&self, index: usize) -> Option<&ObjectType> {
        self.types.get(index)
    }
}

fn parse_kind(text: &str, names: &[&str]) -> Option<FieldKind> {
    if let Some(item) = text.strip_prefix("[]") {
        return Some(FieldKind::Array(Box::new(parse_kind(item, names)?)));
    }
    if let Some(value) = text.strip_prefix("{}") {
        return Some(FieldKind::Map(Box::new(parse_kind(value, names)?)));
    }
    if let Some(name) = text.strip_prefix('@') {
        return names.binary_search(&name).ok().map(FieldKind::Object);
    }
    Some(match text {
        "s" => FieldKind::Str,
        "i" => FieldKind::Int,
        "n" => FieldKind::Num,
        "b" => FieldKind::Bool,
        "io" => FieldKind::IntOrString,
        "q" => FieldKind::Quantity,
        "*" => FieldKind::Any,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "# header\nsource k8s kubernetes@1.34 a/b/c@0123456789\nkind v1 Service Service k8s\ntype Service spec:@ServiceSpec kind:s\ntype ServicePort port:i targetPort:io\ntype ServiceSpec ports:[]@ServicePort selector:{}s\n";

    #[test]
    fn reads_kinds_types_and_fields() {
        let schema = Schema::parse(TINY).unwrap();
        let (root, source) = schema.root("v1", "Service").unwrap();
        assert_eq!(source.label, "kubernetes@1.34");
        let service = schema.object(root).unwrap();
        assert_eq!(service.fields[0].0, "kind", "fields are sorted");
        assert_eq!(service.field("spec"), Some(&FieldKind::Object(2)));
        let spec = schema.object(2).unwrap();
        assert_eq!(spec.field("ports"), Some(&FieldKind::Array(Box::new(FieldKind::Object(1)))));
        assert_eq!(spec.field("selector"), Some(&FieldKind::Map(Box::new(FieldKind::Str))));
        assert!(schema.root("apps/v1", "Deployment").is_none());
    }

    #[test]
    fn rejects_unreadable_lines() {
        assert!(Schema::parse("type A b:@Missing\n").is_err());
        assert!(Schema::parse("type B\ntype A\n").is_err(), "unsorted");
        assert!(Schema::parse("type A b\n").is_err());
        assert!(Schema::parse(" a s\n").is_err());
        assert!(Schema::parse("kind v1 Service Nope k8s\n").is_err());
    }
}
