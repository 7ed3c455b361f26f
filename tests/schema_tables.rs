//! The field tables (`schema/tables.txt`) are generated from the upstream
//! sources vendored in `schema/upstream/`; this test regenerates them and
//! fails when the committed table differs, or when a vendored file is not
//! byte-identical to the pinned upstream blob `schema/upstream/SOURCES.md`
//! names. Regenerate with `scripts/schema-tables`
//! (`UPDATE_SCHEMA=1 cargo test --test schema_tables`).

mod schema_tables {
    pub mod gotypes;
    pub mod model;
    pub mod openapi;
}
mod support;

use std::path::Path;

use schema_tables::gotypes::GoTypes;
use schema_tables::model::{KindEntry, Source, Table};
use schema_tables::openapi::{crd_object, Components};
use serde_json::Value;
use sha1::{Digest, Sha1};

const UPSTREAM: &str = "schema/upstream";
const KUBECTL_VALIDATE_COMMIT: &str = "a97ccfaca20b164819afdae780392496f6ed6bbd";
const ISTIO_API_COMMIT: &str = "2e43f07b30b6744bc8252fce39fb58b03f85ff8b";
const ASM_API_COMMIT: &str = "a695947b729937095c076893848e2399f17094ed";

/// The Kubernetes kinds the rules read, by their OpenAPI type.
const KUBERNETES_KINDS: &[(&str, &str, &str)] = &[
    ("v1", "Service", "io.k8s.api.core.v1.Service"),
    ("apps/v1", "Deployment", "io.k8s.api.apps.v1.Deployment"),
    ("autoscaling/v2", "HorizontalPodAutoscaler", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"),
    ("policy/v1", "PodDisruptionBudget", "io.k8s.api.policy.v1.PodDisruptionBudget"),
];

/// The Istio CRDs the rules read, by CRD kind, and the table's type prefix.
const ISTIO_KINDS: &[&str] = &["Gateway", "AuthorizationPolicy"];

fn read(relative: &str) -> Vec<u8> {
    let path = support::repo_root().join(UPSTREAM).join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn text(relative: &str) -> String {
    String::from_utf8(read(relative)).expect("UTF-8")
}

fn generate() -> String {
    let sources = vec![
        Source {
            id: "k8s",
            label: "kubernetes@1.34".into(),
            address: format!(
                "kubernetes-sigs/kubectl-validate/pkg/openapiclient/builtins/1.34@{KUBECTL_VALIDATE_COMMIT}"
            ),
        },
        Source {
            id: "istio",
            label: "istio/api@1.30.3".into(),
            address: format!("istio/api/kubernetes/customresourcedefinitions.gen.yaml@{ISTIO_API_COMMIT}"),
        },
        Source {
            id: "asm",
            label: format!("alibabacloud-servicemesh-api@{}", &ASM_API_COMMIT[..8]),
            address: format!("aliyun/alibabacloud-servicemesh-api/alibabacloudservicemesh/v1@{ASM_API_COMMIT}"),
        },
    ];
    let mut table = Table { sources, ..Table::default() };

    let documents: Vec<Value> = ["api/v1.json", "apis/apps/v1.json", "apis/autoscaling/v2.json", "apis/policy/v1.json"]
        .iter()
        .map(|p| serde_json::from_slice(&read(&format!("kubernetes-1.34/{p}"))).expect("OpenAPI JSON"))
        .collect();
    let components = Components::new(&documents);
    for (api_version, kind, full) in KUBERNETES_KINDS {
        let root = components.emit_root(&mut table, full);
        table.kinds.push(KindEntry {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            root,
            source: "k8s",
        });
    }

    let crds = text("istio-api-1.30.3/customresourcedefinitions.gen.yaml");
    let limits = gateway_doctor::yaml::Limits { max_input_bytes: usize::MAX, ..Default::default() };
    let loaded = gateway_doctor::yaml::load(&crds, &limits);
    for kind in ISTIO_KINDS {
        let crd = loaded
            .documents
            .iter()
            .filter_map(|d| d.root.as_ref().map(|r| r.to_json()))
            .find(|c| c["spec"]["names"]["kind"] == *kind)
            .unwrap_or_else(|| panic!("no {kind} CRD"));
        let group = crd["spec"]["group"].as_str().expect("group").to_owned();
        for version in crd["spec"]["versions"].as_array().expect("versions") {
            let schema = &version["schema"]["openAPIV3Schema"];
            let spec = crd_object(&mut table, &schema["properties"]["spec"], &format!("istio.{kind}.spec"));
            // The API server serves apiVersion, kind and metadata of every CR itself.
            let fields = [
                ("apiVersion".to_owned(), schema_tables::model::Kind::Str),
                ("kind".to_owned(), schema_tables::model::Kind::Str),
                ("metadata".to_owned(), schema_tables::model::Kind::Ref("meta.v1.ObjectMeta".into())),
                ("spec".to_owned(), schema_tables::model::Kind::Ref(spec)),
                ("status".to_owned(), schema_tables::model::Kind::Any),
            ];
            let root = table.intern(format!("istio.{kind}"), fields.into_iter().collect());
            let api_version = format!("{group}/{}", version["name"].as_str().expect("version name"));
            table.kinds.push(KindEntry { api_version, kind: kind.to_string(), root, source: "istio" });
        }
    }

    let go = GoTypes::parse(&[
        &text("alibabacloud-servicemesh-api/istiogateway_types.go"),
        &text("alibabacloud-servicemesh-api/common.go"),
    ]);
    let mut k8s = |table: &mut Table, full: &str| schema_tables::model::Kind::Ref(components.emit_root(table, full));
    let root = go.emit_root(&mut table, "IstioGateway", &mut k8s);
    // Only v1 Go types are published; ASM's documents write the same fields
    // under v1beta1 (the rules read both, model::is_istio_gateway).
    for version in ["v1", "v1beta1"] {
        table.kinds.push(KindEntry {
            api_version: format!("istio.alibabacloud.com/{version}"),
            kind: "IstioGateway".into(),
            root: root.clone(),
            source: "asm",
        });
    }
    table.prune();
    table.render()
}

#[test]
fn tables_match_their_pinned_sources() {
    let expected = generate();
    let path = support::repo_root().join("schema/tables.txt");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &expected).expect("write schema/tables.txt");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "schema/tables.txt differs from what its sources give; regenerate it with scripts/schema-tables"
    );
}

/// Git's blob id of a file's bytes: sha1("blob <len>\0" + bytes).
fn git_blob_id(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every vendored file is listed in SOURCES.md with its upstream blob id,
/// and its bytes still hash to it.
#[test]
fn vendored_files_are_the_pinned_upstream_blobs() {
    let sources = std::fs::read_to_string(support::repo_root().join(UPSTREAM).join("SOURCES.md")).expect("SOURCES.md");
    let mut listed = Vec::new();
    for line in sources.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(|c| c.trim().trim_matches('`')).collect();
        // | file | upstream | commit | blob |
        let (file, blob) = (cells[1], cells[4]);
        assert_eq!(git_blob_id(&read(file)), blob, "{file} is not the pinned upstream blob");
        listed.push(file.to_owned());
    }
    let mut on_disk = Vec::new();
    collect_files(&support::repo_root().join(UPSTREAM), "", &mut on_disk);
    on_disk.retain(|f| f != "SOURCES.md" && f != ".gitattributes");
    listed.sort();
    on_disk.sort();
    assert_eq!(listed, on_disk, "SOURCES.md must list every vendored file");
}

fn collect_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read schema/upstream").flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            collect_files(&entry.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

#[test]
fn blob_id_is_gits() {
    // `printf 'hello\n' | git hash-object --stdin`
    assert_eq!(git_blob_id(b"hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
}
