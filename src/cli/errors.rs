//! clap's errors as our one-line messages: what was wrong, at most ~80
//! characters of what was given, and a hint where to look.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::{CliError, Command};
use crate::shell::flags::{self as values, quote};

/// Flags that exist only in `bench`, and only in the game.
const BENCH_ONLY: [&str; 5] = ["--seconds", "--load", "--json", "--modes", "--timeline"];
const RUN_ONLY: [&str; 8] = [
    "--wayland",
    "--mode",
    "--mouse",
    "--duration",
    "--pacer",
    "--reader-stack",
    "--trace",
    "--frames",
];

pub(super) fn help_or_error(e: &clap::Error, sub: Option<&str>) -> Result<Command, CliError> {
    match e.kind() {
        ErrorKind::DisplayHelp => Ok(Command::Help(e.render().to_string())),
        ErrorKind::DisplayVersion => Ok(Command::Version(e.render().to_string())),
        _ => Err(one_line(e, sub)),
    }
}

/// clap's error as one line: what was wrong, quoting at most ~80
/// characters of what was given, and where to look.
pub(super) fn one_line(e: &clap::Error, sub: Option<&str>) -> CliError {
    let in_bench = sub == Some("bench");
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.as_str()),
        Some(ContextValue::Strings(v)) => v.first().map(String::as_str),
        _ => None,
    };
    // "--hz <N>" → "--hz"
    let flag = text(ContextKind::InvalidArg)
        .or_else(|| text(ContextKind::InvalidSubcommand))
        .map(|a| a.split([' ', '=']).next().unwrap_or(a).to_string())
        .unwrap_or_default();
    let hint = match sub {
        Some(sub) => format!("see 'why-threads {sub} --help'"),
        None => "see --help".to_string(),
    };
    let message = match e.kind() {
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
            if text(ContextKind::Custom).is_some() =>
        {
            return CliError(text(ContextKind::Custom).unwrap_or_default().to_string());
        }
        ErrorKind::InvalidValue => {
            match text(ContextKind::InvalidValue).filter(|v| !v.is_empty()) {
                Some(given) => {
                    let valid = match e.get(ContextKind::ValidValue) {
                        Some(ContextValue::Strings(v)) => format!("; one of: {}", v.join(", ")),
                        _ => String::new(),
                    };
                    format!("{flag} cannot be {}{valid} ({hint})", quote(given))
                }
                None => format!("{flag} needs a value ({hint})"),
            }
        }
        ErrorKind::ArgumentConflict
            if text(ContextKind::PriorArg).is_none_or(|p| p.starts_with(&flag)) =>
        {
            format!("{flag} was given twice; give it once ({hint})")
        }
        ErrorKind::ArgumentConflict => format!(
            "{flag} cannot be used with {} ({hint})",
            quote(text(ContextKind::PriorArg).unwrap_or_default())
        ),
        ErrorKind::UnknownArgument if !in_bench && BENCH_ONLY.contains(&flag.as_str()) => {
            format!("{flag} belongs to 'why-threads bench'")
        }
        ErrorKind::UnknownArgument if in_bench && RUN_ONLY.contains(&flag.as_str()) => {
            format!("{flag} is a game option, not a bench one ({hint})")
        }
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand if flag.starts_with('-') => {
            match text(ContextKind::SuggestedArg) {
                Some(s) => format!(
                    "unknown option {}; did you mean {s}? ({hint})",
                    quote(&flag)
                ),
                None => format!("unknown option {} ({hint})", quote(&flag)),
            }
        }
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand => {
            format!("unexpected argument {} ({hint})", quote(&flag))
        }
        ErrorKind::InvalidUtf8 => format!("an argument is not valid UTF-8 ({hint})"),
        ErrorKind::NoEquals | ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("{flag} takes no value here ({hint})")
        }
        _ => {
            // Any other clap error: its first line, without the "error: " prefix.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid command line");
            format!(
                "{} ({hint})",
                values::clip(first.trim_start_matches("error: "))
            )
        }
    };
    CliError(message)
}
