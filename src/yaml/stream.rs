//! The one way callers read an input stream: JSON through the JSON reader,
//! everything else (and JSON that is not valid JSON) through the YAML loader
//! when the build has one.

use crate::diagnostic::DiagnosticKind;
use crate::format::InputFormat;

use super::json::load_json;
use super::loaded::{input_too_large, Loaded};
use super::Limits;

/// Reads `text` as `format` says. A Markdown `format` means the blocks of a
/// Markdown file already extracted into a YAML stream; `Auto` reads text that
/// opens with `{` or `[` as JSON. JSON that the JSON reader refuses is read
/// as YAML (`{a: 1}` is a YAML flow mapping), so no YAML input reads worse
/// than before; without the `yaml` feature it is refused with a diagnostic
/// that says this build reads JSON only.
pub fn load_stream(text: &str, format: InputFormat, limits: &Limits) -> Loaded {
    if text.len() > limits.max_input_bytes {
        return Loaded { documents: Vec::new(), diagnostics: vec![input_too_large(text, limits)] };
    }
    read(text, format, limits)
}

#[cfg(feature = "yaml")]
fn read(text: &str, format: InputFormat, limits: &Limits) -> Loaded {
    let json = match format {
        InputFormat::Json => true,
        InputFormat::Auto => InputFormat::looks_like_json(text),
        InputFormat::Yaml | InputFormat::Markdown => false,
    };
    if json {
        let loaded = load_json(text, limits);
        if !is_syntax_error(&loaded) {
            return loaded;
        }
    }
    super::loader::load(text, limits)
}

#[cfg(not(feature = "yaml"))]
fn read(text: &str, _format: InputFormat, limits: &Limits) -> Loaded {
    let mut loaded = load_json(text, limits);
    let start = text.len() - text.trim_start_matches('\u{feff}').trim_start().len();
    if is_syntax_error(&loaded) && start < text.len() {
        // First, so that it leads wherever the diagnostics are sorted by position.
        loaded.diagnostics.insert(
            0,
            crate::diagnostic::Diagnostic::new(
                DiagnosticKind::Syntax,
                crate::diagnostic::Severity::Error,
                JSON_ONLY,
                Some(0),
                crate::source::Span::empty(start),
            ),
        );
    }
    loaded
}

/// Why YAML or Markdown input gets nothing but an error from a JSON-only build.
pub const JSON_ONLY: &str = "this build of gateway-doctor reads JSON only (it was built without the `yaml` feature): \
     YAML and Markdown input cannot be checked by it";

fn is_syntax_error(loaded: &Loaded) -> bool {
    loaded.diagnostics.iter().any(|d| d.kind == DiagnosticKind::Syntax)
}

/// The YAML loader of a build without the `yaml` feature: JSON only.
#[cfg(not(feature = "yaml"))]
pub fn load(text: &str, limits: &Limits) -> Loaded {
    load_stream(text, InputFormat::Yaml, limits)
}
