//! The value parsers every program's flags use: each reads an `OsStr`, so bytes that are not UTF-8 get a
//! clear message (or, for paths, simply work), and each error is one line
//! naming the flag, what it accepts, and at most ~80 characters of the value.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::TypedValueParser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::core::input::SyntheticPath;
use crate::shell::modes::ModeId;
use crate::shell::pacer::PacerKind;

/// Longest `--duration` / `--seconds`: a day.
const MAX_SECONDS: f64 = 86_400.0;
/// How much of a value a message quotes.
const QUOTE_CHARS: usize = 80;

/// Why a value was refused: it does not parse (`what` is said), or a
/// specific reason (said after the flag).
pub(crate) enum Refusal {
    Unreadable,
    Because(String),
}

/// A value parser: `what` it accepts, and the check itself.
#[derive(Clone, Copy)]
pub(crate) struct Value<T> {
    what: &'static str,
    check: fn(&str) -> Result<T, Refusal>,
}

impl<T> Value<T> {
    /// A parser that accepts `what` (said when a value does not parse).
    pub(crate) const fn new(what: &'static str, check: fn(&str) -> Result<T, Refusal>) -> Self {
        Self { what, check }
    }
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Value<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let flag = flag_of(arg);
        let refusal = match value.to_str() {
            Some(text) => match (self.check)(text) {
                Ok(v) => return Ok(v),
                Err(r) => r,
            },
            None => Refusal::Unreadable,
        };
        let shown = quote(&value.to_string_lossy());
        let message = match refusal {
            Refusal::Unreadable => format!("{flag} must be {}, got {shown}", self.what),
            Refusal::Because(why) => format!("{flag} {why}"),
        };
        Err(refuse(cmd, message))
    }
}

/// A path value: any bytes the system allows, but never one that looks
/// like a flag (`--report --mode` must not write a file named `--mode`).
#[derive(Clone, Copy)]
pub(crate) struct PathValue;

impl TypedValueParser for PathValue {
    type Value = PathBuf;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<PathBuf, clap::Error> {
        let flag = flag_of(arg);
        let bytes = value.as_encoded_bytes();
        if bytes.is_empty() {
            return Err(refuse(cmd, format!("{flag} needs a file name, got ''")));
        }
        if bytes.starts_with(b"-") {
            let shown = quote(&value.to_string_lossy());
            return Err(refuse(
                cmd,
                format!(
                    "{flag} needs a file name, got the flag-like {shown} (write ./{} for a file of that name)",
                    clip(&value.to_string_lossy())
                ),
            ));
        }
        Ok(PathBuf::from(value))
    }
}

fn flag_of(arg: Option<&clap::Arg>) -> String {
    arg.and_then(clap::Arg::get_long)
        .map_or_else(|| "a value".to_string(), |l| format!("--{l}"))
}

/// An error carrying our one-line message (read back by `errors::one_line`).
fn refuse(cmd: &clap::Command, message: String) -> clap::Error {
    let mut e = clap::Error::new(ErrorKind::ValueValidation).with_cmd(cmd);
    e.insert(ContextKind::Custom, ContextValue::String(message));
    e
}

/// `text` cut to ~80 characters (on a character boundary), control
/// characters escaped, so a message stays one short line.
pub(crate) fn clip(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == QUOTE_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `'text'`, clipped.
pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", clip(text))
}

pub(crate) fn path() -> PathValue {
    PathValue
}

pub(crate) fn hz() -> Value<u32> {
    Value {
        what: "a whole number from 1 to 2000",
        check: |v| in_range(v, 1, crate::shell::engine::MAX_HZ),
    }
}

pub(crate) fn mouse_rate() -> Value<u32> {
    Value {
        what: "a whole number from 125 to 8000",
        check: |v| {
            let r = SyntheticPath::HZ_RANGE;
            in_range(v, *r.start(), *r.end())
        },
    }
}

fn in_range(v: &str, lo: u32, hi: u32) -> Result<u32, Refusal> {
    match v.parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        Ok(n) => Err(Refusal::Because(format!(
            "must be between {lo} and {hi}, got {n}"
        ))),
        Err(_) => Err(Refusal::Unreadable),
    }
}

pub(crate) fn seconds() -> Value<f64> {
    Value {
        what: "a number of seconds",
        check: |v| match v.parse::<f64>() {
            Ok(s) if s > 0.0 && s <= MAX_SECONDS => Ok(s),
            Ok(_) => Err(Refusal::Because(format!(
                "must be more than 0 and at most {MAX_SECONDS} seconds, got {}",
                clip(v)
            ))),
            Err(_) => Err(Refusal::Unreadable),
        },
    }
}

pub(crate) fn bytes() -> Value<usize> {
    Value {
        what: "a number of bytes",
        check: |v| v.parse().map_err(|_| Refusal::Unreadable),
    }
}

/// "polled, threaded or blocking": every mode of the table.
static MODE_CHOICES: LazyLock<String> = LazyLock::new(ModeId::choices);

pub(crate) fn mode() -> Value<ModeId> {
    Value {
        what: &MODE_CHOICES,
        check: |v| ModeId::parse(v).ok_or(Refusal::Unreadable),
    }
}

pub(crate) fn pacer() -> Value<PacerKind> {
    Value {
        what: "std-sleep, spin-sleep, adaptive or busy-spin",
        check: |v| PacerKind::parse(v).ok_or(Refusal::Unreadable),
    }
}

/// Is `name` a mode the loop knows? (The mode table's lookup.)
fn known_mode(name: &str) -> bool {
    ModeId::parse(name).is_some()
}

/// `bench --modes`: the names, in order, each once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModeList(pub Vec<String>);

pub(crate) fn modes() -> Value<ModeList> {
    Value {
        what: "a comma-separated list of mode names",
        check: |v| {
            let names: Vec<String> = v.split(',').map(str::to_string).collect();
            for (i, name) in names.iter().enumerate() {
                if !known_mode(name) {
                    return Err(Refusal::Because(format!(
                        "lists an unknown mode {}",
                        quote(name)
                    )));
                }
                if names[..i].contains(name) {
                    return Err(Refusal::Because(format!("lists {} twice", quote(name))));
                }
            }
            Ok(ModeList(names))
        },
    }
}
