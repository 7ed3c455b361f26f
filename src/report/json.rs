//! The JSON shape of the report, version 2 (README.md#json-report): what a
//! fix is (id, title, applicability, trade-offs, `introduces`) is written
//! once in `fixCatalogue`, and each finding's fix points at its entry.
//!
//! The in-memory `Report` keeps every field on each `FixOut`, so the
//! renderers (text, SARIF, PolicyReport) read them directly; only the JSON
//! is made lean. Entries are keyed by their whole content, not by id: a fix's
//! title and trade-offs may name the finding's Service or replica count.

use std::collections::HashMap;

use serde::{Serialize, Serializer};

use super::{Finding, FixOut, InputDiagnostic, Location, Note, RelatedLocation, Report, ResourceInfo, ResourceRef};
use super::{Summary, REPORT_VERSION};
use crate::diagnostic::Severity;
use crate::patch::{Op, TextEdit};
use crate::rule::Applicability;

/// One distinct fix description of `fixCatalogue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CatalogueEntry<'r> {
    pub id: &'static str,
    pub title: &'r str,
    pub applicability: Applicability,
    pub tradeoffs: &'r [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub introduces: &'r [&'static str],
}

impl<'r> CatalogueEntry<'r> {
    fn of(fix: &'r FixOut) -> Self {
        CatalogueEntry {
            id: fix.id,
            title: &fix.title,
            applicability: fix.applicability,
            tradeoffs: &fix.tradeoffs,
            introduces: &fix.introduces,
        }
    }
}

/// The distinct fix descriptions of a report, in order of first use.
#[derive(Debug, Default)]
pub struct Catalogue<'r> {
    pub entries: Vec<CatalogueEntry<'r>>,
    index: HashMap<CatalogueEntry<'r>, usize>,
}

impl<'r> Catalogue<'r> {
    /// The index of `fix`'s description, added if it is new.
    pub fn index_of(&mut self, fix: &'r FixOut) -> usize {
        let entry = CatalogueEntry::of(fix);
        *self.index.entry(entry).or_insert_with(|| {
            self.entries.push(entry);
            self.entries.len() - 1
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportJson<'r> {
    version: u32,
    findings: Vec<FindingJson<'r>>,
    fix_catalogue: Vec<CatalogueEntry<'r>>,
    diagnostics: &'r [InputDiagnostic],
    resources: &'r [ResourceInfo],
    summary: &'r Summary,
}

#[derive(Serialize)]
struct FindingJson<'r> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'r str,
    resource: &'r ResourceRef,
    location: &'r Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'r str>,
    notes: &'r [Note],
    fixes: Vec<FixJson<'r>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    related: &'r [RelatedLocation],
}

/// A finding's fix: what it changes here, and its description by index.
#[derive(Serialize)]
struct FixJson<'r> {
    id: &'static str,
    catalogue: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    recommended: bool,
    patch: &'r [Op],
    edits: &'r [TextEdit],
    #[serde(skip_serializing_if = "Option::is_none")]
    unavailable: Option<&'r str>,
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Destructured in full, so that a new field is a compile error here until it is written.
        let Report { version, findings, diagnostics, resources, summary } = self;
        debug_assert_eq!(*version, REPORT_VERSION);
        let mut catalogue = Catalogue::default();
        let findings = findings.iter().map(|f| finding_json(f, &mut catalogue)).collect();
        ReportJson { version: *version, findings, fix_catalogue: catalogue.entries, diagnostics, resources, summary }
            .serialize(serializer)
    }
}

fn finding_json<'r>(finding: &'r Finding, catalogue: &mut Catalogue<'r>) -> FindingJson<'r> {
    let Finding { code, name, severity, message, resource, location, label, notes, fixes, related } = finding;
    let fixes = fixes
        .iter()
        .map(|fix| {
            let FixOut { id, recommended, patch, edits, unavailable, .. } = fix;
            FixJson {
                id,
                catalogue: catalogue.index_of(fix),
                recommended: *recommended,
                patch,
                edits,
                unavailable: unavailable.as_deref(),
            }
        })
        .collect();
    FindingJson {
        code,
        name,
        severity: *severity,
        message,
        resource,
        location,
        label: label.as_deref(),
        notes,
        fixes,
        related,
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use serde_json::Value;

    use crate::engine::{check, Options};

    /// Two gateways that differ only in name: fixes whose text does not name
    /// the Service share an entry; those that do (`use-service-dns`) get one each.
    #[test]
    fn the_catalogue_is_keyed_by_content_not_by_id() {
        let gateway = |name: &str| {
            format!("apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: istio-system}}\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: {{app: {name}}}\n  ports: [{{name: http, port: 80}}]\n")
        };
        let text = format!("{}---\n{}", gateway("gw-a"), gateway("gw-b"));
        let report = check(&text, &Options::default());
        let json = serde_json::to_value(&report).unwrap();
        let entries = json["fixCatalogue"].as_array().unwrap();
        let fixes: Vec<&Value> =
            json["findings"].as_array().unwrap().iter().flat_map(|f| f["fixes"].as_array().unwrap()).collect();
        assert!(entries.len() < fixes.len(), "{} entries for {} fixes", entries.len(), fixes.len());
        let with_id = |id: &str| entries.iter().filter(|e| e["id"] == id).count();
        assert_eq!(with_id("set-cluster-policy"), 1, "{entries:?}");
        assert_eq!(with_id("use-service-dns"), 2, "one per Service DNS name: {entries:?}");
        for fix in fixes {
            let entry = &entries[fix["catalogue"].as_u64().unwrap() as usize];
            assert_eq!(entry["id"], fix["id"]);
        }
    }
}
