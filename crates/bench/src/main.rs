//! Measures `check` and `fix` on the benchmark inputs against the floor:
//! saphyr-parser's event parser reading the same text and doing nothing else.
//!
//! ```text
//! cargo run --release -p gateway-doctor-bench -- [--runs N] [--size-mb N] [--only NAME] [--mode all|parse|load|check|fix|memory] [--write-streams DIR] [FILE...]
//! ```
//!
//! Times are CPU time of this process (so that other work on a shared machine
//! does not count), the fastest of `--runs` runs; peaks are of heap bytes
//! allocated during one run, counted by the global allocator. `--mode memory`
//! gives the heap of each step a host goes through (load, check, the JSON and
//! text output) per input byte.
//!
//! The check's input limit is raised to the input's size, so that a dump over
//! the default limit (64 MB) is measured rather than refused.

mod alloc;
#[path = "../../../benches/support/dump.rs"]
mod dump;
#[path = "../../../benches/support/streams.rs"]
mod streams;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use gateway_doctor::yaml::{Node, Value};
use gateway_doctor::{check, fix, FixRequest, Options};
use saphyr_parser::{Event, Parser};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

const MB: usize = 1024 * 1024;

/// The corpus file the issue names, wherever this checkout keeps it.
const NET_ISTIO: &str = "net-istio-istio-latest-ci-no-mesh.yaml";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    All,
    Parse,
    Load,
    Check,
    Fix,
    Memory,
}

struct Args {
    runs: usize,
    /// Size of the generated streams, in MB (a fraction is fine: `5.5`).
    size_mb: f64,
    only: Option<String>,
    mode: Mode,
    files: Vec<PathBuf>,
    /// Write the generated inputs here (for other tools to read) and stop.
    write_streams: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { runs: 3, size_mb: 10.0, only: None, mode: Mode::All, files: Vec::new(), write_streams: None };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                args.runs = it.next().and_then(|n| n.parse().ok()).filter(|n| *n > 0).ok_or("--runs needs a number")?
            }
            "--size-mb" => {
                args.size_mb =
                    it.next().and_then(|n| n.parse().ok()).filter(|n| *n > 0.0).ok_or("--size-mb needs a number")?
            }
            "--write-streams" => args.write_streams = Some(it.next().ok_or("--write-streams needs a directory")?.into()),
            "--only" => args.only = Some(it.next().ok_or("--only needs a name")?),
            "--mode" => {
                args.mode = match it.next().as_deref() {
                    Some("all") => Mode::All,
                    Some("parse") => Mode::Parse,
                    Some("load") => Mode::Load,
                    Some("check") => Mode::Check,
                    Some("fix") => Mode::Fix,
                    Some("memory") => Mode::Memory,
                    _ => return Err("--mode is one of all, parse, load, check, fix, memory".into()),
                }
            }
            "-h" | "--help" => {
                return Err("usage: gateway-doctor-bench [--runs N] [--size-mb N] [--only NAME] [--mode all|parse|load|check|fix|memory] [--write-streams DIR] [FILE...]"
                    .into())
            }
            file => args.files.push(PathBuf::from(file)),
        }
    }
    Ok(args)
}

fn find_net_istio() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    ["tests/corpus/files", "benches/data", "../shared/corpus/files", "../../shared/corpus/files"]
        .iter()
        .map(|dir| root.join(dir).join(NET_ISTIO))
        .chain(std::iter::once(PathBuf::from("/work/shared/corpus/files").join(NET_ISTIO)))
        .find(|p| p.is_file())
}

/// Makes about this many bytes of one kind of input.
type Generator = fn(usize) -> String;

fn inputs(args: &Args) -> Result<Vec<(String, String)>, String> {
    let mut out = vec![("founding".to_string(), streams::FOUNDING.to_string())];
    match find_net_istio() {
        Some(path) => out.push(("net-istio".into(), read(&path)?)),
        None => eprintln!("note: {NET_ISTIO} not found; skipped"),
    }
    let size = (args.size_mb * MB as f64) as usize;
    let only = |name: &str| args.only.as_deref().is_none_or(|only| only == name);
    let generated: [(&str, Generator); 3] =
        [("gateways", streams::gateway_stream), ("no-gateways", streams::plain_stream), ("dump", dump::dump_stream)];
    for (kind, generate) in generated {
        let name = format!("{kind}-{}MB", args.size_mb);
        // Generating a 200 MB input only to drop it would double the peak RSS.
        if only(&name) {
            out.push((name, generate(size)));
        }
    }
    for file in &args.files {
        out.push((file.display().to_string(), read(file)?));
    }
    if let Some(only) = &args.only {
        out.retain(|(name, _)| name == only);
    }
    Ok(out)
}

fn write_streams(dir: &Path, inputs: &[(String, String)]) -> ExitCode {
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        inputs
            .iter()
            .filter(|(name, _)| !name.contains('/'))
            .try_for_each(|(name, text)| std::fs::write(dir.join(format!("{name}.yaml")), text))
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The floor: every event of the stream, nothing built.
fn parse_only(text: &str) -> usize {
    let mut parser = Parser::new_from_str(text);
    let mut events = 0;
    while let Some(event) = parser.next_event() {
        match event {
            Ok((Event::StreamEnd, _)) | Err(_) => break,
            Ok(_) => events += 1,
        }
    }
    events
}

struct Measured<T> {
    best: Duration,
    peak: usize,
    out: T,
}

/// CPU time used by this process so far.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(u64::try_from(ts.tv_sec).unwrap_or(0), u32::try_from(ts.tv_nsec).unwrap_or(0))
}

fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> Measured<T> {
    let mut best = Duration::MAX;
    let mut peak = 0;
    let mut last = None;
    for _ in 0..runs {
        let start = cpu_time();
        let (out, p) = alloc::peak_during(&mut f);
        best = best.min(cpu_time().saturating_sub(start));
        peak = peak.max(p);
        last = Some(out);
    }
    Measured { best, peak, out: last.expect("runs > 0") }
}

/// The heap of each step a host goes through, one at a time: what a step
/// keeps (live after it, still held when the next step runs) and its peak
/// above what was live before it, per byte of input.
fn memory(name: &str, text: &str, options: &Options) {
    let size = text.len() as f64;
    let per_byte = |bytes: usize| bytes as f64 / size;
    let row = |step: &str, peak: usize, kept: usize, note: String| {
        println!(
            "| {name} | {step} | {:.1} MB | {:.2} | {:.1} MB | {:.2} | {note} |",
            mb(peak),
            per_byte(peak),
            mb(kept),
            per_byte(kept)
        );
    };
    println!("| input | step | peak heap | peak / input byte | kept | kept / input byte | note |");
    println!("|---|---|---:|---:|---:|---:|---|");
    let (events, peak) = alloc::peak_during(|| parse_only(text));
    row("parse only (saphyr-parser events)", peak, 0, format!("{events} events"));
    let before = alloc::live();
    let (loaded, peak) =
        alloc::peak_during(|| gateway_doctor::yaml::load_stream(text, options.format, &options.limits));
    row("load (YAML trees)", peak, alloc::live() - before, format!("{} documents", loaded.documents.len()));
    let mut shape = Shape::default();
    loaded.documents.iter().filter_map(|d| d.root.as_ref()).for_each(|root| shape.add(root));
    let tree = |count: usize, each: usize| format!("{count} × {each} B = {:.1} MB", mb(count * each));
    println!(
        "| {name} | tree: mapping entries | | | | | {} |",
        tree(shape.entries, std::mem::size_of::<gateway_doctor::yaml::Entry>())
    );
    println!("| {name} | tree: sequence items | | | | | {} |", tree(shape.items, std::mem::size_of::<Node>()));
    println!("| {name} | tree: scalar text | | | | | {} scalars, {:.1} MB of text |", shape.scalars, mb(shape.text));
    drop(loaded);
    let before = alloc::live();
    let (report, peak) = alloc::peak_during(|| check(text, options));
    let findings = report.findings.len();
    row("check (load, model, rules, report)", peak, alloc::live() - before, format!("{findings} findings"));
    // As the CLI writes `--format json`: a `serde_json::Value` with `file`
    // first, then pretty-printed.
    let (json, peak) = alloc::peak_during(|| {
        let mut object = serde_json::Map::new();
        object.insert("file".into(), serde_json::Value::String(name.into()));
        if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(&report) {
            object.extend(fields);
        }
        serde_json::to_string_pretty(&serde_json::Value::Object(object)).unwrap_or_default()
    });
    row("JSON output (as the CLI writes it)", peak, 0, format!("{} bytes", json.len()));
    drop(json);
    let text_options =
        gateway_doctor::report::text::TextOptions { colored: false, lang: options.lang, ..Default::default() };
    let (rendered, peak) =
        alloc::peak_during(|| gateway_doctor::report::text::render(&report, text, name, &text_options));
    row("text output", peak, 0, format!("{} bytes", rendered.len()));
}

/// What a YAML tree is made of.
#[derive(Default)]
struct Shape {
    entries: usize,
    items: usize,
    scalars: usize,
    text: usize,
}

impl Shape {
    fn add(&mut self, node: &Node) {
        match &node.value {
            Value::Scalar(s) => {
                self.scalars += 1;
                self.text += s.text.len();
            }
            Value::Sequence(s) => {
                self.items += s.items.len();
                s.items.iter().for_each(|item| self.add(item));
            }
            Value::Mapping(m) => {
                self.entries += m.entries.len();
                m.entries.iter().for_each(|e| {
                    self.add(&e.key);
                    self.add(&e.value);
                });
            }
        }
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let inputs = match inputs(&args) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(dir) = &args.write_streams {
        return write_streams(dir, &inputs);
    }
    let largest = inputs.iter().map(|(_, text)| text.len()).max().unwrap_or(0);
    let mut options = Options::default();
    options.limits.max_input_bytes = options.limits.max_input_bytes.max(largest);
    if args.mode == Mode::Memory {
        for (name, text) in &inputs {
            memory(name, text, &options);
        }
        return ExitCode::SUCCESS;
    }
    if args.mode != Mode::All {
        // One run of one step, for profilers (callgrind, heaptrack).
        for (name, text) in &inputs {
            match args.mode {
                Mode::Parse => println!("{name}: {} events", parse_only(text)),
                Mode::Load => {
                    println!("{name}: {} documents", gateway_doctor::yaml::load(text, &options.limits).documents.len())
                }
                Mode::Check => println!("{name}: {} findings", check(text, &options).findings.len()),
                Mode::Fix => println!("{name}: {} applied", fix(text, &FixRequest::default(), &options).applied.len()),
                Mode::All | Mode::Memory => {}
            }
        }
        return ExitCode::SUCCESS;
    }
    println!(
        "| input | size | documents | findings | parse-only | load (tree) | check | check/parse | check MB/s | parse peak heap | load peak heap | check peak heap | peak/input | fix (safe) | fixes applied |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, text) in &inputs {
        let parse = measure(args.runs, || parse_only(text));
        let loaded = measure(args.runs, || gateway_doctor::yaml::load(text, &options.limits));
        let checked = measure(args.runs, || check(text, &options));
        let fixed = measure(args.runs.min(2), || fix(text, &FixRequest::default(), &options));
        let size = text.len();
        let secs = checked.best.as_secs_f64();
        println!(
            "| {name} | {:.2} MB | {} | {} | {:.3} s | {:.3} s | {:.3} s | {:.2}x | {:.1} | {:.1} MB | {:.1} MB | {:.1} MB | {:.2}x | {:.3} s | {} |",
            mb(size),
            checked.out.summary.documents,
            checked.out.findings.len(),
            parse.best.as_secs_f64(),
            loaded.best.as_secs_f64(),
            secs,
            secs / parse.best.as_secs_f64().max(1e-9),
            mb(size) / secs.max(1e-9),
            mb(parse.peak),
            mb(loaded.peak),
            mb(checked.peak),
            checked.peak as f64 / size as f64,
            fixed.best.as_secs_f64(),
            fixed.out.applied.len(),
        );
    }
    ExitCode::SUCCESS
}
