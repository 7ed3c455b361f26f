//! Which files a command reads: explicit files, directories walked for
//! manifests, standard input; and how each is named in the output.

use std::io::Read;
use std::path::{Path, PathBuf};

use gateway_doctor::report::text::STDIN_LABEL;
use gateway_doctor::InputFormat;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Extensions a directory walk picks up: manifests, and Markdown whose code
/// blocks hold manifests.
const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "md", "markdown"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

/// An input that was found, not yet read.
#[derive(Clone, Debug)]
pub struct Input {
    pub source: Source,
    /// How the input is named in messages (`examples/gateway.yaml`, `<stdin>`).
    pub label: String,
}

impl Input {
    /// What the input's name says it is (`.md` is Markdown); otherwise the
    /// content decides.
    pub fn format(&self) -> InputFormat {
        InputFormat::from_path(&self.label).unwrap_or_default()
    }
}

/// An input and its text.
pub struct Loaded {
    pub input: Input,
    pub text: String,
}

/// Resolves command-line operands into inputs. Problems (a missing path, a
/// second `-`) are returned alongside whatever could be resolved.
pub fn collect(operands: &[String], stdin_label: Option<&str>) -> (Vec<Input>, Vec<String>) {
    let mut inputs: Vec<Input> = Vec::new();
    let mut errors = Vec::new();
    let push = |inputs: &mut Vec<Input>, input: Input| {
        if !inputs.iter().any(|i| i.source == input.source) {
            inputs.push(input);
        }
    };
    for operand in operands {
        if operand == "-" {
            push(&mut inputs, Input { source: Source::Stdin, label: stdin_label.unwrap_or(STDIN_LABEL).to_owned() });
            continue;
        }
        let path = Path::new(operand);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let found = walk(path, &mut errors);
                if found.is_empty() {
                    errors.push(format!(
                        "{operand}: no *.yaml, *.yml, *.json, *.md or *.markdown files found in this directory"
                    ));
                }
                for file in found {
                    push(&mut inputs, Input { label: file.display().to_string(), source: Source::File(file) });
                }
            }
            Ok(_) => push(&mut inputs, Input { source: Source::File(path.to_path_buf()), label: operand.clone() }),
            Err(e) => errors.push(format!("{operand}: {}", describe_io(&e))),
        }
    }
    (inputs, errors)
}

/// Manifests under `root`, sorted by path; hidden entries below the root are skipped.
fn walk(root: &Path, errors: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(|entry| {
        entry.depth() == 0 || !entry.file_name().to_str().is_some_and(|name| name.starts_with('.'))
    });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file()) => {
                let is_manifest = entry
                    .path()
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| MANIFEST_EXTENSIONS.iter().any(|m| e.eq_ignore_ascii_case(m)));
                if is_manifest {
                    // `check .` names files `a.yaml`, not `./a.yaml`.
                    let path = entry.into_path();
                    files.push(path.strip_prefix(".").map(Path::to_path_buf).unwrap_or(path));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let at = e.path().map(|p| p.display().to_string()).unwrap_or_else(|| root.display().to_string());
                let reason = e.io_error().map(describe_io).unwrap_or_else(|| e.to_string());
                errors.push(format!("{at}: {reason}"));
            }
        }
    }
    files
}

/// Reads an input as UTF-8 text, exactly as it is (BOM and line endings kept).
pub fn read(input: &Input) -> Result<String, String> {
    let mut bytes = Vec::new();
    let result = match &input.source {
        Source::Stdin => std::io::stdin().lock().read_to_end(&mut bytes).map(drop),
        Source::File(path) => std::fs::read(path).map(|b| bytes = b),
    };
    result.map_err(|e| format!("{}: {}", input.label, describe_io(&e)))?;
    String::from_utf8(bytes).map_err(|e| {
        format!("{}: not UTF-8 text (invalid byte at offset {})", input.label, e.utf8_error().valid_up_to())
    })
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Characters a URI path segment must not carry unescaped (RFC 3986 pchar).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'/');

/// How an input is named in SARIF: a relative URI reference under the
/// working directory when it lies there, else an absolute `file:` URI.
pub fn sarif_uri(input: &Input, cwd: &Path) -> (String, bool) {
    let path = match &input.source {
        Source::Stdin if input.label == STDIN_LABEL => return ("stdin".into(), true),
        Source::Stdin => return (encode_segments(input.label.split('/')), true),
        Source::File(path) => path,
    };
    let absolute = if path.is_absolute() { path.clone() } else { cwd.join(path) };
    let absolute = normalize(&absolute);
    match absolute.strip_prefix(cwd) {
        Ok(relative) => (encode_segments(relative.iter().map(|s| s.to_string_lossy())), true),
        Err(_) => (file_uri(&absolute), false),
    }
}

/// `file:///...` for a directory, ending in `/` (SARIF's `%SRCROOT%`).
pub fn directory_uri(dir: &Path) -> String {
    let mut uri = file_uri(dir);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn file_uri(path: &Path) -> String {
    let segments = path.iter().filter(|s| *s != std::path::MAIN_SEPARATOR_STR).map(|s| s.to_string_lossy());
    format!("file:///{}", encode_segments(segments))
}

fn encode_segments<S: AsRef<str>>(segments: impl Iterator<Item = S>) -> String {
    segments.map(|s| utf8_percent_encode(s.as_ref(), SEGMENT).to_string()).collect::<Vec<_>>().join("/")
}

/// Drops `.` and resolves `..` lexically, so `./a/../b.yaml` is `b.yaml`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check --help` and the README name every extension a directory walk reads.
    #[test]
    fn the_help_and_the_readme_name_what_a_walk_reads() {
        let help = crate::args::CHECK_HELP.split_whitespace().collect::<Vec<_>>().join(" ");
        let readme = include_str!("../../../README.md");
        let readme_line = readme.lines().find(|l| l.starts_with("- `check` reads files")).unwrap();
        for extension in MANIFEST_EXTENSIONS {
            assert!(help.contains(&format!("*.{extension}")), "check --help misses *.{extension}");
            assert!(readme_line.contains(&format!("`*.{extension}`")), "README misses *.{extension}");
        }
    }

    #[test]
    fn sarif_uris_are_relative_under_the_working_directory() {
        let cwd = Path::new("/repo");
        let file = |p: &str| Input { source: Source::File(PathBuf::from(p)), label: p.into() };
        assert_eq!(sarif_uri(&file("./k8s/gw 1.yaml"), cwd), ("k8s/gw%201.yaml".into(), true));
        assert_eq!(sarif_uri(&file("/repo/网关.yaml"), cwd), ("%E7%BD%91%E5%85%B3.yaml".into(), true));
        assert_eq!(sarif_uri(&file("../other/x#.yaml"), cwd), ("file:///other/x%23.yaml".into(), false));
        assert_eq!(directory_uri(cwd), "file:///repo/");
        let stdin = Input { source: Source::Stdin, label: "k8s/gw.yaml".into() };
        assert_eq!(sarif_uri(&stdin, cwd), ("k8s/gw.yaml".into(), true));
    }
}
