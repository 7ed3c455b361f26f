//! Makes rule operations valid RFC 6902 against the document: an `add`
//! whose parent is missing (or null) becomes an `add` (or `replace`) of the
//! nearest existing ancestor's child, carrying the nested value.

use serde_json::{Map, Value as Json};

use crate::yaml::{pointer, Node};

use super::op::{Op, OpKind};

pub fn normalize(root: &Node, ops: &[Op]) -> Vec<Op> {
    ops.iter().map(|op| normalize_op(root, op)).collect()
}

fn normalize_op(root: &Node, op: &Op) -> Op {
    if op.op != OpKind::Add {
        return op.clone();
    }
    let Some(mut value) = op.value.clone() else { return op.clone() };
    let mut path = op.path.clone();
    while let Some((parent_path, key)) = pointer::split_last(&path) {
        let (parent_path, key) = (parent_path.to_owned(), key.into_owned());
        match root.pointer(&parent_path) {
            Some(parent) if parent.is_null() => {
                let mut wrapped = Map::new();
                wrapped.insert(key, value);
                return Op {
                    op: OpKind::Replace,
                    from: None,
                    path: parent_path,
                    value: Some(Json::Object(wrapped)),
                    quoted: op.quoted,
                };
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
    Op { op: OpKind::Add, from: None, path, value: Some(value), quoted: op.quoted }
}
