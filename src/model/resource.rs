//! Kubernetes objects found in the documents of a stream.

use crate::yaml::{pointer, Document, Node};

/// One Kubernetes object: a document's root, or an item of a `kind: List`.
#[derive(Clone, Debug)]
pub struct Resource<'a> {
    pub document: usize,
    /// Where the object sits in its document: `""`, or `/items/3` in a List.
    pub base: String,
    pub node: &'a Node,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

impl<'a> Resource<'a> {
    pub(crate) fn from_node(document: usize, base: String, node: &'a Node) -> Option<Self> {
        let kind = node.get("kind")?.as_str()?;
        let api_version = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let metadata = node.get("metadata");
        Some(Self {
            document,
            base,
            node,
            api_version,
            kind,
            name: metadata.and_then(|m| m.get("name")).and_then(Node::scalar_text),
            namespace: metadata.and_then(|m| m.get("namespace")).and_then(Node::scalar_text),
        })
    }

    /// The API group: `""` for the core group.
    pub fn group(&self) -> &'a str {
        self.api_version.rsplit_once('/').map_or("", |(group, _)| group)
    }

    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.kind == kind && self.group() == group
    }

    pub fn get(&self, path: &str) -> Option<&'a Node> {
        self.node.pointer(path)
    }

    /// The document-level pointer of a path inside this resource.
    pub fn document_path(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.node.get("metadata")?.get("annotations")?.get(key)
    }

    /// `namespace/name`, or the name alone when the manifest sets no
    /// namespace (`kubectl -n` or the context decides it).
    pub fn display_name(&self) -> String {
        let name = self.name.unwrap_or("<unnamed>");
        match self.namespace {
            Some(namespace) => format!("{namespace}/{name}"),
            None => name.to_owned(),
        }
    }
}

/// Every object of every document; the items of `kind: List` count one by one.
pub fn collect<'a>(documents: &'a [Document]) -> Vec<Resource<'a>> {
    let mut out = Vec::new();
    for doc in documents {
        let Some(root) = &doc.root else { continue };
        let Some(resource) = Resource::from_node(doc.index, String::new(), root) else { continue };
        if resource.kind.ends_with("List") && resource.group().is_empty() {
            for (i, item) in root.get("items").map(Node::items).unwrap_or(&[]).iter().enumerate() {
                let base = pointer::push("/items", &i.to_string());
                out.extend(Resource::from_node(doc.index, base, item));
            }
        } else {
            out.push(resource);
        }
    }
    out
}
