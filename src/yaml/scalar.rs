//! What a scalar means to Kubernetes, and how to write one back.
//!
//! Kubernetes reads YAML through sigs.k8s.io/yaml, which follows go-yaml v2's
//! YAML 1.1 resolution: unquoted `on`, `yes` and `y` are booleans there, and
//! `0777` is octal. The API server then rejects a boolean where a string is
//! required (an annotation value, for one).

use super::node::{Scalar, ScalarStyle};

/// The type a plain scalar resolves to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str,
}

impl Resolved {
    pub fn type_name(self) -> &'static str {
        match self {
            Resolved::Null => "null",
            Resolved::Bool(_) => "boolean",
            Resolved::Int(_) => "integer",
            Resolved::Float(_) => "number",
            Resolved::Str => "string",
        }
    }
}

pub fn resolve(scalar: &Scalar) -> Resolved {
    if scalar.style != ScalarStyle::Plain {
        return Resolved::Str;
    }
    match scalar.tag.as_deref() {
        Some("!!str") => return Resolved::Str,
        Some("!!int") => {
            return resolve_plain(&scalar.text).filter(|r| matches!(r, Resolved::Int(_))).unwrap_or(Resolved::Str)
        }
        Some("!!bool") | Some("!!null") | Some("!!float") | None => {}
        Some(_) => return Resolved::Str,
    }
    resolve_plain(&scalar.text).unwrap_or(Resolved::Str)
}

/// go-yaml v2's `resolve` for an untagged plain scalar; `None` means string.
pub fn resolve_plain(text: &str) -> Option<Resolved> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Resolved::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Some(Resolved::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Some(Resolved::Bool(false))
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(Resolved::Float(f64::INFINITY)),
        "-.inf" | "-.Inf" | "-.INF" => return Some(Resolved::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Resolved::Float(f64::NAN)),
        _ => {}
    }
    let first = text.as_bytes().first().copied().unwrap_or_default();
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    let plain: String = text.chars().filter(|c| *c != '_').collect();
    if let Some(i) = parse_int(&plain) {
        return Some(Resolved::Int(i));
    }
    if is_yaml_float(&plain) {
        return decimal_f64(&plain).map(Resolved::Float);
    }
    None
}

/// A decimal number (`[-+]?(.5|1|1.|1.5)([eE][-+]?7)?`) as an f64, read by
/// serde_json's number parser once the text is in JSON's syntax: the wasm
/// builds already carry that parser, and core's `f64::from_str` costs ~6 KB.
/// Its default precision is within one ulp of the nearest f64, as when
/// serde_json reads a document (`float_roundtrip` would cost 16 KB).
/// `None` beyond f64's range, where Go's `ParseFloat` fails too.
pub fn decimal_f64(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let int = int.trim_start_matches('0');
    let mut json = String::with_capacity(text.len() + 2);
    if negative {
        json.push('-');
    }
    json.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    json.push_str(exponent);
    json.parse::<serde_json::Number>().ok()?.as_f64()
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, then `0x`, `0o`, `0b`, leading-zero octal or decimal.
fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(rest) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = digits.strip_prefix("0o").or_else(|| digits.strip_prefix("0O")) {
        (8, rest)
    } else if let Some(rest) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// go-yaml v2's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Where a scalar is written: flow collections forbid `,[]{}` in plain scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Block,
    Flow,
}

/// Whether `text` can be written unquoted and still read back as the same string.
pub fn plain_safe(text: &str, context: Context) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if resolve_plain(text).is_some() {
        return false;
    }
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
        return false;
    }
    if text.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return false;
    }
    if context == Context::Flow && text.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    // A document marker at the start of a line would end the document.
    !(text.starts_with("---") || text.starts_with("..."))
}

/// A double-quoted scalar that any YAML or JSON reader turns back into `text`.
pub fn double_quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// A single-quoted scalar, when `text` has nothing that needs escaping.
pub fn single_quoted(text: &str) -> Option<String> {
    if text.chars().any(|c| c.is_control()) {
        return None;
    }
    Some(format!("'{}'", text.replace('\'', "''")))
}

/// Writes a string in `style` when that style can hold it, else double-quoted.
pub fn emit_string(text: &str, style: ScalarStyle, context: Context) -> String {
    match style {
        ScalarStyle::Plain if plain_safe(text, context) => text.to_owned(),
        ScalarStyle::SingleQuoted => single_quoted(text).unwrap_or_else(|| double_quoted(text)),
        _ => double_quoted(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Scalar {
        Scalar { text: text.into(), style: ScalarStyle::Plain, tag: None }
    }

    #[test]
    fn decimals_read_as_the_standard_parser_reads_them() {
        for text in ["0", "-0", "+5", "5.", ".5", "-.5", "007.25", "1e3", "1.5E-2", "+1.e+2", "123456.789", "0.1"] {
            assert_eq!(decimal_f64(text), text.parse::<f64>().ok(), "{text}");
        }
        assert_eq!(decimal_f64("1e400"), None, "out of range, as Go's ParseFloat");
        assert_eq!(decimal_f64("1e"), None);
        assert_eq!(decimal_f64(""), None);
    }

    #[test]
    fn yaml_1_1_booleans_and_numbers() {
        for t in ["on", "Off", "yes", "N", "TRUE"] {
            assert!(matches!(resolve(&plain(t)), Resolved::Bool(_)), "{t}");
        }
        assert_eq!(resolve(&plain("8080")), Resolved::Int(8080));
        assert_eq!(resolve(&plain("0777")), Resolved::Int(0o777));
        assert_eq!(resolve(&plain("0x1F")), Resolved::Int(31));
        assert_eq!(resolve(&plain("1_000")), Resolved::Int(1000));
        assert_eq!(resolve(&plain("1.0")), Resolved::Float(1.0));
        assert_eq!(resolve(&plain("~")), Resolved::Null);
        assert_eq!(resolve(&plain("")), Resolved::Null);
        assert_eq!(resolve(&plain("08")), Resolved::Float(8.0));
        for t in ["eni", "Local", "1.2.3", "2G", "200m", "-", "0x", "1e"] {
            assert_eq!(resolve(&plain(t)), Resolved::Str, "{t}");
        }
        let quoted = Scalar { text: "on".into(), style: ScalarStyle::DoubleQuoted, tag: None };
        assert_eq!(resolve(&quoted), Resolved::Str);
        let tagged = Scalar { text: "on".into(), style: ScalarStyle::Plain, tag: Some("!!str".into()) };
        assert_eq!(resolve(&tagged), Resolved::Str);
    }

    #[test]
    fn emitted_strings_stay_strings() {
        assert_eq!(emit_string("Cluster", ScalarStyle::Plain, Context::Block), "Cluster");
        assert_eq!(emit_string("on", ScalarStyle::Plain, Context::Block), "\"on\"");
        assert_eq!(emit_string("a: b", ScalarStyle::Plain, Context::Block), "\"a: b\"");
        assert_eq!(emit_string("it's", ScalarStyle::SingleQuoted, Context::Block), "'it''s'");
        assert_eq!(emit_string("a,b", ScalarStyle::Plain, Context::Flow), "\"a,b\"");
    }
}

#[cfg(all(test, feature = "yaml"))]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::yaml::{load, Limits};

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC*",
            "[a-zA-Z0-9 :#,'\"{}\\[\\]&*!|>%@`~.-]{0,12}",
            Just("on".to_string()),
            Just("0x1F".to_string()),
            Just("- x".to_string()),
            Just("a\nb".to_string()),
            Just("tab\there".to_string()),
            Just("中文 # 注释".to_string()),
        ]
    }

    fn style() -> impl Strategy<Value = ScalarStyle> {
        prop_oneof![Just(ScalarStyle::Plain), Just(ScalarStyle::SingleQuoted), Just(ScalarStyle::DoubleQuoted)]
    }

    proptest! {
        /// Whatever the string, the emitted scalar reads back as that string.
        #[test]
        fn emitted_scalars_round_trip(text in any_text(), style in style(), flow in any::<bool>()) {
            let context = if flow { Context::Flow } else { Context::Block };
            let emitted = emit_string(&text, style, context);
            let doc = if flow { format!("{{k: {emitted}}}\n") } else { format!("k: {emitted}\n") };
            let loaded = load(&doc, &Limits::default());
            prop_assert!(loaded.diagnostics.is_empty(), "{doc:?} {:?}", loaded.diagnostics);
            let value = loaded.documents[0].root.as_ref().unwrap().get("k").unwrap();
            prop_assert_eq!(value.as_str(), Some(text.as_str()), "{:?}", doc);
        }
    }
}
