//! `gateway-doctor`: the command-line adapter over the core library. It reads
//! files, picks a renderer and an exit status; everything else is the core's.

mod args;
mod check;
mod fix;
mod inputs;
mod rules;
mod ui;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use gateway_doctor::Options;

use crate::args::{CheckFormat, Cli, Command, ContextArgs};
use crate::ui::Ui;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui::new(cli.lang, cli.color);
    let status = match &cli.command {
        Command::Check(args) => {
            if args.show_fixes && !matches!(args.format, CheckFormat::Text | CheckFormat::Full) {
                usage_error("--show-fixes applies to the text format (--format text or full)");
            }
            check::run(args, &options(&args.context, &[], &ui), &ui)
        }
        Command::Fix(args) => fix::run(args, &options(&args.context, &args.params, &ui), &ui),
        Command::Rules(args) => rules::list(args, &ui),
        Command::Explain(args) => rules::explain(args, &ui),
        Command::Server(args) => gateway_doctor_lsp::run_stdio(options(&args.context, &[], &ui)),
    };
    ExitCode::from(status)
}

/// The core's options from the flags; a bad value is a usage error (exit 2).
fn options(context: &ContextArgs, params: &[String], ui: &Ui) -> Options {
    let mut options = Options { lang: ui.lang, ..Options::default() };
    for (key, value) in context.pairs() {
        if let Err(e) = options.context.set(key, value) {
            usage_error(&e);
        }
    }
    for param in params {
        match param.split_once('=') {
            Some(("hostname", value)) => options.params.hostname = Some(value.to_owned()),
            Some((key, _)) => usage_error(&format!("unknown fix parameter `{key}` (known: hostname)")),
            None => usage_error(&format!("`--param {param}`: expected KEY=VALUE, e.g. hostname=gw.example.com")),
        }
    }
    options
}

fn usage_error(message: &str) -> ! {
    Cli::command().error(clap::error::ErrorKind::ValueValidation, message).exit()
}
