//! Criterion benchmarks of `check` and `fix` against the parse-only floor
//! (saphyr-parser's events, nothing built), on the inputs BENCHMARKS.md
//! names: the founding manifest, the net-istio corpus file (when present),
//! two generated 10 MB streams, and a 10 MB cluster dump (`kind: List`).
//!
//! ```text
//! cargo bench --bench check                 # everything
//! cargo bench --bench check -- founding     # one input
//! ```

#[path = "support/dump.rs"]
mod dump;
#[path = "support/streams.rs"]
mod streams;

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gateway_doctor::{check, fix, FixRequest, Options};
use saphyr_parser::{Event, Parser};

const TEN_MB: usize = 10 * 1024 * 1024;

fn net_istio() -> Option<String> {
    let name = "net-istio-istio-latest-ci-no-mesh.yaml";
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["tests/corpus/files", "../shared/corpus/files"]
        .iter()
        .map(|dir| root.join(dir).join(name))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::read_to_string(p).ok())
}

fn parse_only(text: &str) -> usize {
    let mut parser = Parser::new_from_str(text);
    let mut events = 0;
    while let Some(Ok((event, _))) = parser.next_event() {
        if matches!(event, Event::StreamEnd) {
            break;
        }
        events += 1;
    }
    events
}

fn inputs() -> Vec<(&'static str, String)> {
    let mut out = vec![("founding", streams::FOUNDING.to_string())];
    if let Some(text) = net_istio() {
        out.push(("net-istio", text));
    }
    out.push(("gateways-10MB", streams::gateway_stream(TEN_MB)));
    out.push(("no-gateways-10MB", streams::plain_stream(TEN_MB)));
    out.push(("dump-10MB", dump::dump_stream(TEN_MB)));
    out
}

fn benches(c: &mut Criterion) {
    let options = Options::default();
    for (name, text) in inputs() {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(text.len() as u64));
        if text.len() > 1024 * 1024 {
            group.sample_size(10).measurement_time(Duration::from_secs(20));
        }
        group.bench_with_input(BenchmarkId::new("parse-only", name), &text, |b, t| b.iter(|| parse_only(t)));
        group.bench_with_input(BenchmarkId::new("check", name), &text, |b, t| b.iter(|| check(t, &options)));
        group.bench_with_input(BenchmarkId::new("fix-safe", name), &text, |b, t| {
            b.iter(|| fix(t, &FixRequest::default(), &options))
        });
        group.finish();
    }
}

criterion_group!(check_benches, benches);
criterion_main!(check_benches);
