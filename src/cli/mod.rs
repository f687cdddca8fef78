//! The binary's command line: the subcommand table. Each program's flags
//! live beside the program (`app::args`, `programs::bench::args`,
//! `serve`, `load`, the `seda` figure); this top floor only names them,
//! and only `main.rs` imports it. clap finds the flags, refuses unknown
//! and repeated ones, and writes `--help` and `--version`; the value
//! parsers (`shell::flags`) read each value as an `OsStr` (odd bytes are an
//! error, never a panic) and every mistake becomes one line with a hint.

mod errors;

use std::ffi::OsString;
use std::fmt;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::app::args::{RunArgs, RunFlags};
use crate::degradation::SedaArgs;
use crate::load::LoadArgs;
use crate::programs::bench::args::{BenchArgs, BenchFlags};
use crate::serve::ServeArgs;
use crate::shell::hotkeys;
use crate::shell::modes::ModeId;
use errors::{help_or_error, one_line};

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Run(RunArgs),
    Bench(BenchArgs),
    Serve(ServeArgs),
    Load(LoadArgs),
    Seda(SedaArgs),
    /// `--help` (of the program or of `bench`): the text to print.
    Help(String),
    Version(String),
}

/// A command line that cannot be run, with the reason in one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const ABOUT: &str = "The 'Why Threads?' lecture, runnable: a game loop that reads the mouse \
in each way of the slides (polled, a read_mouse thread, events, user-level threads), measured live; \
and a web server in each architecture of the slides.";

#[derive(Parser, Debug)]
#[command(
    name = "why-threads",
    version,
    about = ABOUT,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true,
    subcommand_value_name = "COMMAND"
)]
struct Cli {
    #[command(flatten)]
    run: RunFlags,
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Run the same loop headless, measured, and print a table.
    Bench(BenchFlags),
    /// Serve static files over HTTP/1.1 with one architecture of the lecture.
    Serve(ServeArgs),
    /// Closed-loop HTTP/1.1 load on this machine's servers (loopback only).
    Load(LoadArgs),
    /// SEDA's Figure 2 on this machine: a thread per task against events.
    Seda(SedaArgs),
}

/// The subcommands: each has its own `--help`.
const SUBCOMMANDS: [&str; 4] = ["bench", "serve", "load", "seda"];

/// The clap command, with the hotkeys after the options.
fn command() -> clap::Command {
    let modes = ModeId::choices();
    Cli::command()
        .mut_arg("mode", |a| {
            a.help(format!(
                "Who reads the mouse at start: {modes} (default: {}; T moves to the next)",
                ModeId::default().name()
            ))
        })
        .after_help(hotkeys::help_text())
        .mut_subcommand("bench", |b| {
            b.after_help("Every configuration runs in half-second slices taken in turn.")
        })
}

/// Parses the arguments after the program name.
pub fn parse<I, S>(args: I) -> Result<Command, CliError>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let all: Vec<OsString> = std::iter::once(OsString::from("why-threads"))
        .chain(args.into_iter().map(Into::into))
        .collect();
    let sub = all
        .get(1)
        .and_then(|a| a.to_str())
        .and_then(|a| SUBCOMMANDS.iter().find(|&&s| s == a))
        .copied();
    let matches = match command().try_get_matches_from(all) {
        Ok(m) => m,
        Err(e) => return help_or_error(&e, sub),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| one_line(&e, sub))?;
    Ok(match cli.command {
        Some(Sub::Bench(b)) => Command::Bench(b.into()),
        Some(Sub::Serve(s)) => Command::Serve(s),
        Some(Sub::Load(l)) => Command::Load(l),
        Some(Sub::Seda(s)) => Command::Seda(s),
        None => Command::Run(cli.run.into()),
    })
}

#[cfg(test)]
mod tests;
