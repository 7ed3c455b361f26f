//! Makes rule operations valid RFC 6902 against the document: an `add`
//! whose parent is missing (or null) becomes an `add` (or `replace`) of the
//! nearest existing ancestor's child, carrying the nested value.

use serde_json::{Map, Value as Json};

use crate::yaml::{pointer, Node};

use super::op::Op;

pub fn normalize(root: &Node, ops: &[Op]) -> Vec<Op> {
    ops.iter().map(|op| normalize_op(root, op)).collect()
}

fn normalize_op(root: &Node, op: &Op) -> Op {
    let Op::Add { path, value, quoted } = op else { return op.clone() };
    let (mut path, mut value) = (path.clone(), value.clone());
    while let Some((parent_path, key)) = pointer::split_last(&path) {
        let (parent_path, key) = (parent_path.to_owned(), key.into_owned());
        match root.pointer(&parent_path) {
            Some(parent) if parent.is_null() => {
                let mut wrapped = Map::new();
                wrapped.insert(key, value);
                return Op::Replace { path: parent_path, value: Json::Object(wrapped), quoted: *quoted };
            }
            Some(_) => break,
            None => {
                let mut wrapped = Map::new();
                wrapped.insert(key, value);
                value = Json::Object(wrapped);
                path = parent_path;
            }
        }
    }
    Op::Add { path, value, quoted: *quoted }
}
