//! Which kind of text the input is: a YAML stream, JSON, or a Markdown file
//! whose code blocks hold the manifests.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Decided from the content (see [`InputFormat::detect`]).
    #[default]
    Auto,
    Yaml,
    Json,
    Markdown,
}

impl InputFormat {
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Some(Self::Auto),
            "yaml" | "yml" => Some(Self::Yaml),
            "json" => Some(Self::Json),
            "markdown" | "md" => Some(Self::Markdown),
            _ => None,
        }
    }

    /// The format a file name implies, if its extension names one.
    pub fn from_path(path: &str) -> Option<Self> {
        let (_, extension) = path.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Self::Yaml),
            "json" => Some(Self::Json),
            "md" | "markdown" => Some(Self::Markdown),
            _ => None,
        }
    }

    /// Resolves `Auto` from the text; other formats stay as they are.
    pub fn resolve(self, text: &str) -> Self {
        match self {
            Self::Auto => Self::detect(text),
            given => given,
        }
    }

    /// Markdown when a line starts with a code fence: a backtick can never
    /// start a YAML line outside a block scalar, and a block scalar's lines
    /// are indented. An indented fence (in a Markdown list, or inside a YAML
    /// block scalar) means Markdown only when the text is not valid YAML.
    /// JSON when the first non-blank character opens an object or array;
    /// YAML otherwise.
    ///
    /// A build without the `yaml` feature reads no Markdown: it never
    /// detects it.
    pub fn detect(text: &str) -> Self {
        #[cfg(feature = "yaml")]
        if is_markdown(text) {
            return Self::Markdown;
        }
        if Self::looks_like_json(text) {
            Self::Json
        } else {
            Self::Yaml
        }
    }

    /// The first non-blank character opens an object or an array.
    pub fn looks_like_json(text: &str) -> bool {
        matches!(text.trim_start_matches('\u{feff}').trim_start().as_bytes().first(), Some(b'{' | b'['))
    }
}

#[cfg(feature = "yaml")]
fn is_markdown(text: &str) -> bool {
    let is_fence = |line: &str| line.starts_with("```") || line.starts_with("~~~");
    text.lines().any(is_fence) || (text.lines().any(|line| is_fence(line.trim_start())) && !parses_as_yaml(text))
}

#[cfg(feature = "yaml")]
fn parses_as_yaml(text: &str) -> bool {
    let loaded = crate::yaml::load(text, &crate::yaml::Limits::default());
    !loaded.diagnostics.iter().any(|d| d.kind == crate::diagnostic::DiagnosticKind::Syntax)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    #[test]
    fn detects_markdown_by_column_zero_fences_only() {
        assert_eq!(InputFormat::detect("# Title\n\n```yaml\nkind: Service\n```\n"), InputFormat::Markdown);
        assert_eq!(InputFormat::detect("~~~\nkind: Service\n~~~\n"), InputFormat::Markdown);
        // A fence inside a block scalar is indented: still YAML.
        assert_eq!(InputFormat::detect("data:\n  README.md: |\n    ```yaml\n    a: 1\n    ```\n"), InputFormat::Yaml);
        // Fences indented in a list item: not YAML, so Markdown.
        assert_eq!(
            InputFormat::detect("- step one:\n\n    ```yaml\n    kind: Service\n    ```\n"),
            InputFormat::Markdown
        );
        assert_eq!(InputFormat::detect("  {\"kind\": \"Service\"}"), InputFormat::Json);
        assert_eq!(InputFormat::detect("kind: Service\n"), InputFormat::Yaml);
    }

    #[test]
    fn explicit_formats_win_over_content() {
        assert_eq!(InputFormat::Yaml.resolve("```\n"), InputFormat::Yaml);
        assert_eq!(InputFormat::Auto.resolve("```\n"), InputFormat::Markdown);
        assert_eq!(InputFormat::from_path("docs/Gateway.MD"), Some(InputFormat::Markdown));
        assert_eq!(InputFormat::from_path("a.yml"), Some(InputFormat::Yaml));
        assert_eq!(InputFormat::from_path("Makefile"), None);
        assert_eq!(InputFormat::parse("markdown"), Some(InputFormat::Markdown));
    }
}
