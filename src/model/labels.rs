//! A set of Kubernetes labels, kept sorted by key.
//!
//! Label maps are small (a handful of keys), so a sorted vector serves them
//! as well as a `BTreeMap` — and spares the wasm builds the B-tree's code.

/// Labels by key, iterated in key order; a repeated key keeps its last value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    pub fn new() -> Self {
        Self::default()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&String> {
        let i = self.position(key).ok()?;
        self.0.get(i).map(|(_, v)| v)
    }

    pub fn insert(&mut self, key: String, value: String) {
        match self.position(&key) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    pub fn extend(&mut self, other: Labels) {
        for (k, v) in other.0 {
            self.insert(k, v);
        }
    }

    /// Keeps only the labels for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        self.0.retain(|(k, v)| keep(k, v));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, String)>, fn(&'a (String, String)) -> Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_sorted_and_the_last_value() {
        let mut labels = Labels::new();
        for (k, v) in [("istio", "ingressgateway"), ("app", "a"), ("team", "edge"), ("app", "b")] {
            labels.insert(k.to_owned(), v.to_owned());
        }
        let pairs: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("app", "b"), ("istio", "ingressgateway"), ("team", "edge")]);
        assert_eq!(labels.get("team").map(String::as_str), Some("edge"));
        assert_eq!(labels.get("tier"), None);
        labels.retain(|k, _| k != "istio");
        assert_eq!(labels.len(), 2);
        let mut more = Labels::new();
        more.insert("app".into(), "c".into());
        more.insert("zone".into(), "x".into());
        labels.extend(more);
        let keys: Vec<&String> = (&labels).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["app", "team", "zone"]);
        assert_eq!(labels.get("app").map(String::as_str), Some("c"));
    }
}
