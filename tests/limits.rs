//! Hostile input meets the limits: every hit is a diagnostic with a position,
//! never a panic, a hang or an abort, and documents that can be checked
//! safely still are.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use gateway_doctor::report::InputDiagnostic;
use gateway_doctor::yaml::Limits;
use gateway_doctor::DiagnosticKind;
use gateway_doctor::{check, fix, FixRequest, Options, Report};

/// Counts live heap bytes and their peak, so a test can show that a document
/// was refused before it was expanded (a cheap count, not a timing).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator; only sizes are observed.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  externalTrafficPolicy: Local
  serviceType: LoadBalancer
";

fn limit_hits(report: &Report) -> Vec<&InputDiagnostic> {
    report.diagnostics.iter().filter(|d| matches!(d.kind, DiagnosticKind::Limit | DiagnosticKind::AliasLimit)).collect()
}

/// The only limit diagnostic of the report, checked to carry a position
/// inside the text.
fn one_limit_hit<'r>(report: &'r Report, text: &str) -> &'r InputDiagnostic {
    let hits = limit_hits(report);
    assert_eq!(hits.len(), 1, "{:#?}", report.diagnostics);
    let hit = hits[0];
    assert!(hit.location.span.start <= hit.location.span.end && hit.location.span.end <= text.len());
    assert!(hit.location.start.line >= 1 && hit.location.start.column >= 1);
    hit
}

fn lb001_documents(report: &Report) -> Vec<usize> {
    report.findings.iter().filter(|f| f.code == "ASM-LB-001").map(|f| f.location.document).collect()
}

#[test]
fn a_hundred_thousand_open_brackets_or_braces() {
    for open in ["[", "{", "[{"] {
        let text = open.repeat(100_000 / open.len());
        let report = check(&text, &Options::default());
        let hit = one_limit_hit(&report, &text);
        // saphyr's scanner reads flow collections ahead and stops at 256 levels
        // before the loader's own limit of 128 sees them.
        assert!(hit.message.starts_with("nesting deeper than"), "{}", hit.message);
        assert_eq!(hit.location.start.line, 1);
        assert!(hit.location.span.start <= 256, "{}", hit.location.span.start);
    }
}

#[test]
fn deep_block_nesting_stops_at_the_limit_with_its_line() {
    let mut text = String::new();
    for level in 0..5_000 {
        text.push_str(&" ".repeat(level));
        text.push_str("k:\n");
    }
    let report = check(&text, &Options::default());
    let hit = one_limit_hit(&report, &text);
    assert!(hit.message.contains("nesting deeper than 128"));
    // Level 129 (line 129) opens the mapping that is one too many.
    assert_eq!(hit.location.start.line, 129);
}

fn billion_laughs() -> String {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut previous = "a".to_string();
    for level in 0..9 {
        let name = format!("l{level}");
        let refs = vec![format!("*{previous}"); 10].join(", ");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    text
}

#[test]
fn a_billion_laughs_is_refused_before_it_expands() {
    let text = format!("{}---\n{GATEWAY}", billion_laughs());
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let report = check(&text, &Options::default());
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    let hit = one_limit_hit(&report, &text);
    assert_eq!(hit.kind, DiagnosticKind::AliasLimit);
    assert_eq!(hit.location.document, Some(0));
    // Fully expanded, the document has 10^10 nodes. The limit of 100,000
    // copied nodes keeps the heap to a few tens of megabytes at most, even
    // with other tests running in parallel.
    assert!(peak < 256 * 1024 * 1024, "peak heap {peak} bytes");
    // The gateway after it is still checked.
    assert_eq!(lb001_documents(&report), [1]);
}

#[test]
fn two_hundred_thousand_tiny_documents() {
    let text = "---\na: 1\n".repeat(200_000);
    let report = check(&text, &Options::default());
    let hit = one_limit_hit(&report, &text);
    assert!(hit.message.contains("more than 100000 documents"), "{}", hit.message);
    assert_eq!(report.summary.documents, 100_000);
    // The diagnostic points at the first document left out.
    assert_eq!(hit.location.span.start, 100_000 * "---\na: 1\n".len());
    assert_eq!(hit.location.start.line, 200_001);
}

#[test]
fn the_documents_before_the_document_limit_are_checked() {
    let options = Options { limits: Limits { max_documents: 2, ..Limits::default() }, ..Options::default() };
    let text = format!("{GATEWAY}---\n{GATEWAY}---\n{GATEWAY}");
    let report = check(&text, &options);
    one_limit_hit(&report, &text);
    assert_eq!(lb001_documents(&report), [0, 1]);
}

#[test]
fn a_twenty_megabyte_scalar_is_refused_and_the_next_document_checked() {
    let text = format!("a: {}\n---\n{GATEWAY}", "x".repeat(20 * 1024 * 1024));
    let report = check(&text, &Options::default());
    let hit = one_limit_hit(&report, &text);
    assert!(hit.message.contains("over the limit of 8388608 bytes"), "{}", hit.message);
    assert_eq!((hit.location.document, hit.location.start.line, hit.location.start.column), (Some(0), 1, 4));
    assert_eq!(lb001_documents(&report), [1]);
}

#[test]
fn one_document_over_a_limit_leaves_the_others_checked() {
    let deep = format!("{}{}\n", "[".repeat(500), "]".repeat(500));
    let text = format!("{GATEWAY}---\n{deep}---\n{}---\n{GATEWAY}", billion_laughs());
    let report = check(&text, &Options::default());
    let hits = limit_hits(&report);
    assert_eq!(hits.iter().map(|h| h.location.document).collect::<Vec<_>>(), [Some(1), Some(2)]);
    assert_eq!(lb001_documents(&report), [0, 3]);
    assert_eq!(report.summary.documents, 4);
}

#[test]
fn oversized_input_is_refused_at_the_byte_that_crosses_the_limit() {
    let options = Options { limits: Limits { max_input_bytes: 100, ..Limits::default() }, ..Options::default() };
    let text = format!("# 注释\n{GATEWAY}");
    let report = check(&text, &options);
    let hit = one_limit_hit(&report, &text);
    assert!(report.findings.is_empty());
    assert!(text.is_char_boundary(hit.location.span.start) && hit.location.span.start <= 100);
    assert!(hit.location.span.start > 90);
}

/// The deepest input the limits allow: 128 levels of flow sequences; block
/// mappings with merge keys; and an alias of a 64-level anchor copied at
/// level 64, which makes 128 levels once expanded. `extra_flow` and
/// `extra_alias` go one level deeper on either side.
fn deepest_allowed(extra_flow: usize, extra_alias: usize) -> String {
    let mut text = String::from("anchor: &deep ");
    text.push_str(&format!("{}{}\n", "[".repeat(64), "]".repeat(64)));
    let flat = 127 + extra_flow;
    text.push_str(&format!("flat: {}{}\n", "[".repeat(flat), "]".repeat(flat)));
    text.push_str("base: &base {x: 1}\nspec:\n");
    let mut indent = String::from("  ");
    // `spec` is level 2; its mapping and 60 more reach level 62.
    for level in 0..60 {
        text.push_str(&format!("{indent}<<: *base\n{indent}l{level}:\n"));
        indent.push_str("  ");
    }
    let wrap = 2 + extra_alias;
    text.push_str(&format!("{indent}<<: *base\n{indent}v: {}*deep{}\n", "[".repeat(wrap), "]".repeat(wrap)));
    text.push_str("---\n");
    text.push_str(GATEWAY);
    text
}

#[test]
fn the_deepest_allowed_input_runs_on_a_small_stack() {
    let text = deepest_allowed(0, 0);
    let report = check(&text, &Options::default());
    assert!(limit_hits(&report).is_empty(), "{:#?}", report.diagnostics);
    assert_eq!(lb001_documents(&report), [1]);
    // One more level of either kind is over the limit.
    assert_eq!(limit_hits(&check(&deepest_allowed(1, 0), &Options::default())).len(), 1);
    assert_eq!(limit_hits(&check(&deepest_allowed(0, 1), &Options::default())).len(), 1);

    // 256 KB is a quarter of a browser's wasm stack: check, fix, converting
    // to JSON and dropping the tree all fit, in an unoptimised build too.
    let worker = std::thread::Builder::new().stack_size(256 * 1024).spawn(move || {
        let report = check(&text, &Options::default());
        let outcome = fix(&text, &FixRequest { ids: Vec::new(), allow_unsafe: true }, &Options::default());
        let loaded = gateway_doctor::yaml::load(&text, &Limits::default());
        let root = loaded.documents[0].root.as_ref().expect("parses");
        let json = root.to_json();
        let merged = root.pointer("/spec").and_then(|s| s.as_mapping()).map(|m| m.merged_entries().len());
        drop(loaded);
        (report.findings.len(), outcome.report.summary.documents, json.is_object(), merged)
    });
    let (findings, documents, object, merged) = worker.expect("spawn").join().expect("no stack overflow");
    assert!(findings >= 1 && documents == 2 && object);
    // `spec` has its own `l0` and the merged `x`.
    assert_eq!(merged, Some(2));
}
