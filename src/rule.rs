//! The rule trait, rule metadata, and what a rule reports.

use serde::Serialize;

use crate::context::ClusterContext;
use crate::diagnostic::Severity;
use crate::model::topology::Topology;
use crate::model::{Resource, ServiceView};
use crate::patch::Op;

/// The language of messages and fix titles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Picks the message in this language: the one way the core translates.
    /// Pass `format_args!` rather than `format!`: only the chosen language is
    /// then formatted.
    pub fn t(self, en: impl Text, zh: impl Text) -> String {
        match self {
            Lang::En => en.into_text(),
            Lang::Zh => zh.into_text(),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "en" => Some(Lang::En),
            "zh" | "zh-CN" | "zh-Hans" => Some(Lang::Zh),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// Whether a fix may be applied without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Advice only: nothing in the manifest changes (or it cannot be done safely by text).
    DisplayOnly,
    /// Changes behaviour: applied only when asked for by id with `--unsafe`.
    Unsafe,
    /// Keeps meaning: applied by `fix` by default.
    Safe,
}

/// Everything known about a rule, declared next to its code.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub title_zh: &'static str,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Markdown: *What it does*, *Why is this bad?*, *Example*, *Fix*.
    pub docs: &'static str,
    /// Ids of [`crate::sources::SOURCES`] (`S6`) backing the rule.
    pub sources: &'static [&'static str],
}

impl RuleMeta {
    /// The docs without the one leading space `///` comments leave.
    pub fn docs_text(&self) -> String {
        self.docs.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
    }

    pub fn title_in(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.title,
            Lang::Zh => self.title_zh,
        }
    }
}

/// A rule's doc comment as one string, or nothing without the `docs` feature
/// (a `cfg!` inside the const would still put the text in the binary).
#[cfg(feature = "docs")]
macro_rules! rule_docs {
    ($($doc:literal),*) => { concat!($($doc, "\n"),*) };
}
#[cfg(not(feature = "docs"))]
macro_rules! rule_docs {
    ($($doc:literal),*) => {
        ""
    };
}
pub(crate) use rule_docs;

/// Declares a rule struct with its metadata; its doc comment becomes its
/// docs. It implements [`Declared`], so the rule file implements only
/// [`Rule::check`].
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $kebab:literal,
            title: $title:literal,
            title_zh: $title_zh:literal,
            severity: $severity:ident,
            fix: $fix:ident,
            sources: [$($source:literal),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis struct $name;

        impl $name {
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                code: $code,
                name: $kebab,
                title: $title,
                title_zh: $title_zh,
                severity: $crate::diagnostic::Severity::$severity,
                fix: $crate::rule::FixAvailability::$fix,
                docs: $crate::rule::rule_docs!($($doc),*),
                sources: &[$($source),*],
            };
        }

        impl $crate::rule::Declared for $name {
            fn meta(&self) -> &'static $crate::rule::RuleMeta {
                &Self::META
            }
        }
    };
}
pub(crate) use declare_rule;

/// Fix parameters the user supplies (`--param hostname=gw.example.com`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FixParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// What a rule can see: the whole stream, so it can relate resources.
pub struct RuleContext<'a> {
    pub resources: &'a [Resource<'a>],
    pub services: &'a [ServiceView<'a>],
    pub cluster: &'a ClusterContext,
    pub lang: Lang,
    pub params: &'a FixParams,
    /// The documents are a Markdown file's code blocks: docs snippets, often
    /// partial (ACK's Service troubleshooting page, S11, gives a Service with no
    /// `type`, for `kubectl edit`; see ASM-CR-022). A field a block
    /// leaves out is unknown there, not its API default.
    pub snippets: bool,
    /// Each resource's schema problems (`crate::schema::problems`), walked
    /// once per check; `None` for a kind the tables do not cover, and empty
    /// when no tables are loaded.
    pub schema: &'a [Option<crate::schema::Checked<'a>>],
    /// The relations between the stream's objects, indexed once per check.
    pub topology: &'a Topology<'a, 'a>,
}

impl<'a> RuleContext<'a> {
    /// The schema problems of resource `index`, when the tables cover its kind.
    pub fn schema_of(&self, index: usize) -> Option<&crate::schema::Checked<'a>> {
        self.schema.get(index)?.as_ref()
    }

    /// Picks the message in the user's language ([`Lang::t`]).
    pub fn t(&self, en: impl Text, zh: impl Text) -> String {
        self.lang.t(en, zh)
    }
}

/// A message as [`Lang::t`] takes it: text, or arguments to format.
pub trait Text {
    fn into_text(self) -> String;
}

impl Text for &str {
    fn into_text(self) -> String {
        self.to_owned()
    }
}

impl Text for String {
    fn into_text(self) -> String {
        self
    }
}

impl Text for std::fmt::Arguments<'_> {
    fn into_text(self) -> String {
        std::fmt::format(self)
    }
}

/// A rule's metadata, implemented by [`declare_rule!`] and by nothing else.
pub trait Declared {
    fn meta(&self) -> &'static RuleMeta;
}

/// What a rule does; its metadata comes from [`declare_rule!`].
pub trait Rule: Declared + Sync {
    /// Reports every problem in the stream. Loop over resources with
    /// `continue`, never `return`: a clean first object must not hide a bad one.
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>);
}

/// The id of a fix or advice (`set-cluster-policy`): a public contract (the
/// CLI's `--fix ID`, the Kubewarden policy's `mutate` setting, the report's
/// `fixes[].id`), so its text never changes. A rule declares the ids it
/// alone offers as documented constants in its own file; ids several rules
/// offer live in `rules/support/fix_ids.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FixId(&'static str);

impl FixId {
    pub const fn new(id: &'static str) -> Self {
        FixId(id)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for FixId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A fix as a rule proposes it: operations on the resource, not text. A
/// remedy that changes nothing in the manifest is an [`Advice`].
#[derive(Clone, Debug)]
pub struct Fix {
    pub id: FixId,
    pub title: String,
    /// `Safe` or `Unsafe`: a fix that cannot be applied is an [`Advice`].
    pub applicability: Applicability,
    pub recommended: bool,
    pub tradeoffs: Vec<String>,
    /// Codes of the rules whose warning or info findings the fixed manifest
    /// may carry that the input did not (a trade-off the user accepts by
    /// applying it), declared through the other rule's predicate. A fix never
    /// introduces an error; the fixture harness checks the list is exact.
    pub introduces: Vec<&'static str>,
    /// A correction that makes a setting take effect (a misspelled key, a
    /// value's case): the engine measures what it introduces (`crate::reveal`).
    pub reveals: bool,
    /// RFC 6902 operations, paths relative to the resource; never empty.
    pub ops: Vec<Op>,
}

// The builders stay out of line (`#[inline(never)]`): every rule calls them,
// and copies inlined into each rule cost the policy modules about 10 KB.
impl Fix {
    #[inline(never)]
    pub fn new(id: FixId, applicability: Applicability, title: String) -> Self {
        debug_assert!(applicability != Applicability::DisplayOnly, "{id}: advice is an `Advice`, not a `Fix`");
        Self {
            id,
            title,
            applicability,
            recommended: false,
            tradeoffs: Vec::new(),
            introduces: Vec::new(),
            reveals: false,
            ops: Vec::new(),
        }
    }

    #[inline(never)]
    pub fn op(mut self, op: Op) -> Self {
        self.ops.push(op);
        self
    }

    #[inline(never)]
    pub fn tradeoff(mut self, text: String) -> Self {
        self.tradeoffs.push(text);
        self
    }

    /// Declares that the fixed manifest may carry a finding of `code` (a
    /// warning or info) that the input did not.
    #[inline(never)]
    pub fn introduces(mut self, code: &'static str) -> Self {
        if !self.introduces.contains(&code) {
            self.introduces.push(code);
        }
        self
    }

    /// Marks a correction whose `introduces` the engine measures by
    /// re-checking the fixed text: what an ignored setting means once it takes
    /// effect is every other rule's business, not this one's.
    #[inline(never)]
    pub fn reveals(mut self) -> Self {
        self.reveals = true;
        self
    }

    /// The same remedy as advice, where the edit cannot be offered: its id,
    /// title, trade-offs and recommendation stay; its operations and what they
    /// would introduce go.
    #[inline(never)]
    pub fn into_advice(self) -> Advice {
        Advice { id: self.id, title: self.title, recommended: self.recommended, tradeoffs: self.tradeoffs }
    }
}

/// A remedy the user carries out by hand: nothing in the manifest changes.
/// The report lists it among the fixes as `display-only`, with no patch.
#[derive(Clone, Debug)]
pub struct Advice {
    pub id: FixId,
    pub title: String,
    pub recommended: bool,
    pub tradeoffs: Vec<String>,
}

impl Advice {
    #[inline(never)]
    pub fn new(id: FixId, title: String) -> Self {
        Self { id, title, recommended: false, tradeoffs: Vec::new() }
    }

    #[inline(never)]
    pub fn tradeoff(mut self, text: String) -> Self {
        self.tradeoffs.push(text);
        self
    }
}

/// What a finding offers, in the order the report lists it.
#[derive(Clone, Debug)]
pub enum Remedy {
    Fix(Fix),
    Advice(Advice),
}

impl Remedy {
    pub fn id(&self) -> FixId {
        match self {
            Remedy::Fix(fix) => fix.id,
            Remedy::Advice(advice) => advice.id,
        }
    }

    /// The trade-offs, to add one to either kind.
    pub fn tradeoffs_mut(&mut self) -> &mut Vec<String> {
        match self {
            Remedy::Fix(fix) => &mut fix.tradeoffs,
            Remedy::Advice(advice) => &mut advice.tradeoffs,
        }
    }

    #[inline(never)]
    pub fn tradeoff(mut self, text: String) -> Self {
        self.tradeoffs_mut().push(text);
        self
    }

    /// [`Fix::introduces`]; advice changes nothing, so it introduces nothing.
    #[inline(never)]
    pub fn introduces(self, code: &'static str) -> Self {
        match self {
            Remedy::Fix(fix) => Remedy::Fix(fix.introduces(code)),
            advice => advice,
        }
    }

    pub fn set_recommended(&mut self, recommended: bool) {
        match self {
            Remedy::Fix(fix) => fix.recommended = recommended,
            Remedy::Advice(advice) => advice.recommended = recommended,
        }
    }
}

impl From<Fix> for Remedy {
    fn from(fix: Fix) -> Self {
        debug_assert!(!fix.ops.is_empty(), "{}: a fix without operations is an `Advice`", fix.id);
        Remedy::Fix(fix)
    }
}

impl From<Advice> for Remedy {
    fn from(advice: Advice) -> Self {
        Remedy::Advice(advice)
    }
}

/// What a note under a finding is; the report writes the kind's lead word
/// before the text (`assumed: ...`), and a plain note has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// Context: a source, a default, why no fix is offered.
    Plain,
    /// What the severity assumes about what the input cannot show (`assumed:`).
    Assumed,
    /// An assumption that primary sources back only in part (`assumed [M]:`,
    /// medium confidence).
    AssumedMedium,
    /// A plausible assumption no primary source verifies (`assumed [L]:`,
    /// low confidence).
    AssumedLow,
    /// Why the finding is a warning although the input is valid (`warning:`).
    Warning,
    /// Lowers the finding's weight: the setting may be intended (`info:`).
    Info,
    /// A further error the finding brings (`error:`).
    Error,
}

impl NoteKind {
    /// The lead word the report writes before a note of this kind.
    pub fn lead(self, lang: Lang) -> String {
        match self {
            NoteKind::Plain => String::new(),
            NoteKind::Assumed => lang.t("assumed: ", "假定："),
            NoteKind::AssumedMedium => lang.t("assumed [M]: ", "假定 [M]："),
            NoteKind::AssumedLow => lang.t("assumed [L]: ", "假定 [L]："),
            NoteKind::Warning => lang.t("warning: ", "警告："),
            NoteKind::Info => lang.t("info: ", "提示："),
            NoteKind::Error => lang.t("error: ", "错误："),
        }
    }
}

/// A note as a rule writes it: its kind, and its text without the lead word.
#[derive(Clone, Debug)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

impl Note {
    pub fn new(kind: NoteKind, text: String) -> Self {
        Self { kind, text }
    }

    /// What the finding assumes about what the input cannot show.
    pub fn assumed(text: String) -> Self {
        Self::new(NoteKind::Assumed, text)
    }
}

/// Text alone is a plain note.
impl From<String> for Note {
    fn from(text: String) -> Self {
        Self::new(NoteKind::Plain, text)
    }
}

/// Another place that explains a finding (the HPA that fights a gateway, ...).
#[derive(Clone, Debug)]
pub struct Related {
    pub resource: usize,
    pub path: String,
    pub message: String,
}

/// A finding before the engine resolves its location and lowers its fixes.
#[derive(Clone, Debug)]
pub struct Draft {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub resource: usize,
    /// Where in the resource; the nearest existing ancestor is shown if absent.
    pub path: String,
    /// Point at the key of `path`'s entry rather than at its value.
    pub on_key: bool,
    pub message: String,
    /// A short note shown under the caret.
    pub label: Option<String>,
    /// What the severity assumes about the cluster, and other context.
    pub notes: Vec<Note>,
    /// Fixes and advice, in the order the report lists them.
    pub remedies: Vec<Remedy>,
    pub related: Vec<Related>,
    /// What tells this finding apart from the rule's others on the same
    /// resource when its path alone does not ([`Draft::once_per`]).
    pub once_per: Option<Vec<String>>,
}

// Out of line, as `Fix`'s builders are.
impl Draft {
    #[inline(never)]
    pub fn new(rule: &'static RuleMeta, resource: usize, path: impl Into<String>, message: String) -> Self {
        Self {
            rule,
            severity: rule.severity,
            resource,
            path: path.into(),
            on_key: false,
            message,
            label: None,
            notes: Vec::new(),
            remedies: Vec::new(),
            related: Vec::new(),
            once_per: None,
        }
    }

    /// Reports the finding once per `parts` of its resource instead of once
    /// per path: the engine keeps a rule's first draft for each (resource,
    /// parts), as it does for each (resource, path, on_key) otherwise.
    #[inline(never)]
    pub fn once_per<S: AsRef<str>>(mut self, parts: &[S]) -> Self {
        self.once_per = Some(parts.iter().map(|p| p.as_ref().to_owned()).collect());
        self
    }

    #[inline(never)]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Points the finding at the key of its path (a misspelt annotation key).
    #[inline(never)]
    pub fn on_key(mut self) -> Self {
        self.on_key = true;
        self
    }

    #[inline(never)]
    pub fn label(mut self, label: String) -> Self {
        self.label = Some(label);
        self
    }

    /// A note: text alone is a plain note, [`Note::assumed`] an assumption.
    #[inline(never)]
    pub fn note(mut self, note: impl Into<Note>) -> Self {
        self.notes.push(note.into());
        self
    }

    #[inline(never)]
    pub fn fix(mut self, fix: Fix) -> Self {
        self.remedies.push(fix.into());
        self
    }

    #[inline(never)]
    pub fn advice(mut self, advice: Advice) -> Self {
        self.remedies.push(Remedy::Advice(advice));
        self
    }

    /// A fix or advice, whichever the rule built.
    #[inline(never)]
    pub fn remedy(mut self, remedy: Remedy) -> Self {
        self.remedies.push(remedy);
        self
    }

    #[inline(never)]
    pub fn related(mut self, related: Related) -> Self {
        self.related.push(related);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{Applicability, Fix, FixId, Remedy};

    /// `Fix::introduces` takes rule codes: every code written as a string
    /// literal in the rules' code (`"ASM-LB-005"`) names a registered rule.
    #[test]
    fn introduced_codes_are_rule_codes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let codes: Vec<&str> = crate::rules::ALL.iter().map(|r| r.meta().code).collect();
        let mut seen = 0;
        let support = std::fs::read_dir(dir.join("support")).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap().chain(support) {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let tests = ["#[cfg(test)]", "#[cfg(all(test"].iter().filter_map(|m| text.find(m)).min();
            let code = &text[..tests.unwrap_or(text.len())];
            for literal in code.split('"').skip(1).step_by(2) {
                let parts: Vec<&str> = literal.split('-').collect();
                if let ["ASM", _, number] = parts[..] {
                    if number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()) {
                        seen += 1;
                        assert!(codes.contains(&literal), "{}: {literal} is no rule's code", path.display());
                    }
                }
            }
        }
        assert!(seen > 10, "the scan finds the introduced codes ({seen})");
    }

    // The debug assertions that keep advice out of `Fix` fire in every test run.
    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "a fix without operations is an `Advice`")]
    fn a_fix_without_operations_is_rejected() {
        let _ = Remedy::from(Fix::new(FixId::new("set-cluster"), Applicability::Unsafe, String::new()));
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "advice is an `Advice`, not a `Fix`")]
    fn a_display_only_fix_is_rejected() {
        let _ = Fix::new(FixId::new("use-nlb"), Applicability::DisplayOnly, String::new());
    }
}
