//! Terminal concerns shared by the commands: colour, language of the CLI's
//! own words, messages on standard error, and writing output.

use std::io::Write;

use anstream::ColorChoice;
use gateway_doctor::Lang;

use crate::args::{ColorArg, LangArg};

/// Exit statuses (docs/architecture.md#exit-codes, README.md#exit-codes).
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
}

#[derive(Clone, Copy, Debug)]
pub struct Ui {
    pub lang: Lang,
    /// Colour standard output.
    pub stdout_color: bool,
    /// Colour standard error.
    pub stderr_color: bool,
}

impl Ui {
    pub fn new(lang: LangArg, color: ColorArg) -> Self {
        let lang = match lang {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        };
        let decide = |auto: ColorChoice| match color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => auto != ColorChoice::Never,
        };
        Ui {
            lang,
            stdout_color: decide(anstream::AutoStream::choice(&std::io::stdout())),
            stderr_color: decide(anstream::AutoStream::choice(&std::io::stderr())),
        }
    }

    /// Picks the CLI's own wording in the user's language.
    pub fn t<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        match self.lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// `error: ...` on standard error.
    pub fn error(&self, message: &str) {
        self.say(self.t("error", "错误"), "1;31", message);
    }

    pub fn warn(&self, message: &str) {
        self.say(self.t("warning", "警告"), "1;33", message);
    }

    /// A plain line on standard error (fix reports).
    pub fn note(&self, message: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{message}");
    }

    fn say(&self, word: &str, sgr: &str, message: &str) {
        let word = if self.stderr_color { format!("\x1b[{sgr}m{word}\x1b[0m") } else { word.to_owned() };
        let _ = writeln!(std::io::stderr().lock(), "{word}: {message}");
    }
}

/// Writes to standard output. A closed pipe (`| head`) ends the program
/// quietly rather than with a panic.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(exit::OK.into());
        }
        let _ = writeln!(std::io::stderr(), "error: cannot write to standard output: {e}");
        std::process::exit(exit::ERROR.into());
    }
}

/// The candidate closest to `wanted`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wanted, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_only_for_near_misses() {
        let names = ["ASM-LB-001", "local-policy-in-cluster-lb-access"];
        assert_eq!(did_you_mean("ASM-LB-01", names), Some("ASM-LB-001"));
        assert_eq!(did_you_mean("asm-lb-0001", names), Some("ASM-LB-001"));
        assert_eq!(did_you_mean("local-policy-in-cluster", names), Some("local-policy-in-cluster-lb-access"));
        assert_eq!(did_you_mean("hpa", names), None);
    }
}
