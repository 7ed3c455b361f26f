//! Unrendered template markers (`{{ .Values.namespace }}`, Go templates as
//! Helm writes them: <https://helm.sh/docs/chart_template_guide/getting_started/>).
//! A marker is not a value: the field's value is unknown until the template
//! is rendered. Each templated field is named in a diagnostic, and no rule
//! judges it; nothing takes the place of the missing value (an unquoted
//! `namespace: {{ .Values.ns }}` is not "no namespace", so not `default`).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::model::Resource;
use crate::rule::Lang;
use crate::yaml::{pointer, Document, Node, Scalar, ScalarStyle, Value};

/// Whether a text holds a template action.
pub fn is_marker(text: &str) -> bool {
    text.find("{{").is_some_and(|open| text[open..].contains("}}"))
}

/// Unquoted, `{{ .Values.ns }}` reads as YAML flow mappings nested in each
/// other; it is turned into the plain scalar it was written as, so that it
/// stays visible as a marker instead of reading as a mapping.
pub fn markers_as_scalars(text: &str, documents: &mut [Document]) {
    fn walk(text: &str, node: &mut Node) {
        let written = text.get(node.span.start..node.span.end).map(str::trim);
        match &mut node.value {
            Value::Mapping(m) if m.flow && written.is_some_and(|w| w.starts_with("{{") && w.ends_with("}}")) => {
                let text = written.unwrap_or_default().to_owned();
                node.value = Value::Scalar(Scalar { text, style: ScalarStyle::Plain, tag: None });
            }
            Value::Mapping(m) => m.entries.iter_mut().for_each(|e| walk(text, &mut e.value)),
            Value::Sequence(s) => s.items.iter_mut().for_each(|item| walk(text, item)),
            Value::Scalar(_) => {}
        }
    }
    for root in documents.iter_mut().filter_map(|d| d.root.as_mut()) {
        walk(text, root);
    }
}

/// A field of a resource whose value is a template marker.
#[derive(Clone, Debug)]
pub struct Templated {
    pub resource: usize,
    /// The route inside the resource.
    pub path: String,
    pub marker: String,
    pub span: crate::source::Span,
}

impl Templated {
    /// Whether a finding at `path` of `resource` is about this field.
    pub fn covers(&self, resource: usize, path: &str) -> bool {
        resource == self.resource
            && path.strip_prefix(self.path.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// Every templated value (not key) of every resource.
pub fn templated_fields(resources: &[Resource<'_>]) -> Vec<Templated> {
    fn walk(resource: usize, node: &Node, path: &mut String, out: &mut Vec<Templated>) {
        match &node.value {
            // A multi-line text holding `{{` is content (a template kept as data), not a marker.
            Value::Scalar(s) if is_marker(&s.text) && !s.text.contains('\n') => {
                out.push(Templated { resource, path: path.clone(), marker: s.text.clone(), span: node.span });
            }
            Value::Scalar(_) => {}
            Value::Mapping(m) => {
                for (key, value) in m.entries.iter().filter_map(|e| Some((e.key.scalar_text()?, &e.value))) {
                    let len = path.len();
                    *path = pointer::push(path, key);
                    walk(resource, value, path, out);
                    path.truncate(len);
                }
            }
            Value::Sequence(s) => {
                for (i, item) in s.items.iter().enumerate() {
                    let len = path.len();
                    *path = pointer::push(path, &i.to_string());
                    walk(resource, item, path, out);
                    path.truncate(len);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (index, resource) in resources.iter().enumerate() {
        walk(index, resource.node, &mut String::new(), &mut out);
        // A ConfigMap or Secret carries text for programs, templates included.
        if resource.group().is_empty() && matches!(resource.kind, "ConfigMap" | "Secret") {
            out.retain(|t| {
                t.resource != index || !["/data/", "/stringData/", "/binaryData/"].iter().any(|p| t.path.starts_with(p))
            });
        }
    }
    out
}

/// `/spec/ports/0/name` as `spec.ports[0].name`.
fn dotted(path: &str) -> String {
    let mut out = String::new();
    for token in pointer::tokens(path) {
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

pub fn diagnostic(field: &Templated, resource: &Resource<'_>, lang: Lang) -> Diagnostic {
    let name = dotted(&field.path);
    // Long values are shown by their start: the field name and position say the rest.
    let mut marker: String = field.marker.chars().take(80).collect();
    if marker.len() < field.marker.len() {
        marker.push('…');
    }
    let message = lang.t(
        format_args!("{name} is an unrendered template marker `{marker}`: its value is unknown, so no rule judges it; check the rendered manifest (`helm template`)"),
        format_args!("{name} 是未渲染的模板标记 `{marker}`：其值未知，规则不对其作判断；请检查渲染后的清单（`helm template`）"),
    );
    Diagnostic::new(DiagnosticKind::Template, Severity::Info, message, Some(resource.document), field.span)
}

/// A syntax error in a document that holds template markers is most likely
/// the template's own syntax (`{{- if ... }}` lines): say so.
pub fn explain_syntax_errors(text: &str, documents: &[Document], diagnostics: &mut [Diagnostic], lang: Lang) {
    for d in diagnostics.iter_mut().filter(|d| d.kind == DiagnosticKind::Syntax) {
        let templated = d
            .document
            .and_then(|i| documents.iter().find(|doc| doc.index == i))
            .and_then(|doc| text.get(doc.span.start..doc.span.end))
            .is_some_and(is_marker);
        if templated {
            d.message.push_str(&lang.t(
                " (the document holds template markers `{{ }}`: check the rendered manifest)",
                "（该文档含模板标记 `{{ }}`：请检查渲染后的清单）",
            ));
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::yaml::{self, Limits};

    #[test]
    fn unquoted_and_quoted_markers_are_named_by_field() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{{ .Release.Name }}-gw\"\n  namespace: {{ .Values.namespace }}\nspec:\n  ports:\n  - port: {{ .Values.port }}\n  type: LoadBalancer\n";
        let mut loaded = yaml::load(text, &Limits::default());
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        markers_as_scalars(text, &mut loaded.documents);
        let resources = crate::model::collect(&loaded.documents);
        assert_eq!(resources[0].namespace, Some("{{ .Values.namespace }}"), "the marker, never `default`");
        let fields = templated_fields(&resources);
        let named: Vec<_> = fields.iter().map(|f| (dotted(&f.path), f.marker.as_str())).collect();
        assert_eq!(
            named,
            [
                ("metadata.name".to_owned(), "{{ .Release.Name }}-gw"),
                ("metadata.namespace".to_owned(), "{{ .Values.namespace }}"),
                ("spec.ports[0].port".to_owned(), "{{ .Values.port }}"),
            ]
        );
        let namespace = &fields[1];
        assert_eq!(&text[namespace.span.start..namespace.span.end], "{{ .Values.namespace }}");
        assert!(namespace.covers(0, "/metadata/namespace") && !namespace.covers(0, "/metadata/namespaces"));
        assert!(!namespace.covers(1, "/metadata/namespace") && !namespace.covers(0, "/metadata"));
        let message = diagnostic(namespace, &resources[0], Lang::En).message;
        assert_eq!(message, "metadata.namespace is an unrendered template marker `{{ .Values.namespace }}`: its value is unknown, so no rule judges it; check the rendered manifest (`helm template`)");
    }

    #[test]
    fn templates_kept_as_data_are_content_not_markers() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: injector}\ndata:\n  template: \"{{ .Values.x }}\"\n  config: |\n    a: {{ .b }}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    note: |\n      {{ .Values.note }}\n      more\n";
        let mut loaded = yaml::load(text, &Limits::default());
        markers_as_scalars(text, &mut loaded.documents);
        assert!(templated_fields(&crate::model::collect(&loaded.documents)).is_empty());
    }

    #[test]
    fn markers_are_recognised() {
        assert!(is_marker("{{ .Values.x }}") && is_marker("a-{{ include \"x\" . }}"));
        assert!(!is_marker("}} {{") && !is_marker("${zone-A}") && !is_marker("{a: b}"));
    }
}
