//! The command line, with clap: clap finds the flags, refuses unknown and
//! repeated ones, and writes `--help` and `--version`; the value parsers in
//! [`values`] read each value as an `OsStr` (odd bytes are an error, never a
//! panic) and every mistake becomes one line with a hint.

mod errors;
mod values;

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use super::hotkeys;
use super::modes::ModeId;
use super::pacer::PacerKind;
use crate::degradation::SedaArgs;
use crate::load::LoadArgs;
use crate::serve::ServeArgs;
use errors::{help_or_error, one_line};
pub use values::clip;

/// Where the mouse comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MouseSource {
    /// X11 when the display is an X server, else a relay of the window's cursor events.
    Auto,
    X11,
    Synthetic,
}

/// Options of the game window.
#[derive(Clone, Debug, PartialEq)]
pub struct RunArgs {
    pub mode: ModeId,
    pub hz: u32,
    pub mouse: MouseSource,
    pub mouse_hz: u32,
    pub duration: Option<Duration>,
    pub report: Option<PathBuf>,
    /// Chrome trace JSON of the thread timeline.
    pub trace: Option<PathBuf>,
    /// CSV, one row per displayed frame.
    pub frames: Option<PathBuf>,
    pub pacer: PacerKind,
    pub reader_stack: Option<usize>,
}

impl Default for RunArgs {
    fn default() -> Self {
        Self {
            mode: ModeId::default(),
            hz: 60,
            mouse: MouseSource::Auto,
            mouse_hz: 1000,
            duration: None,
            report: None,
            trace: None,
            frames: None,
            pacer: PacerKind::Adaptive,
            reader_stack: None,
        }
    }
}

impl RunArgs {
    /// Every file the run will write, with its flag (checked before it starts).
    pub fn outputs(&self) -> impl Iterator<Item = (&'static str, &PathBuf)> {
        [
            ("--report", &self.report),
            ("--trace", &self.trace),
            ("--frames", &self.frames),
        ]
        .into_iter()
        .filter_map(|(flag, p)| p.as_ref().map(|p| (flag, p)))
    }
}

/// The slide's compute-heavy jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// A* for 32 enemies on a 4 px grid, 10 times a second.
    Ai,
    /// Every displayed frame compressed to PNG.
    Video,
}

impl Job {
    pub fn name(self) -> &'static str {
        match self {
            Job::Ai => "ai",
            Job::Video => "video",
        }
    }
}

/// Options of the headless benchmark.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchArgs {
    /// Seconds measured per configuration.
    pub seconds: f64,
    pub hz: u32,
    pub mouse_hz: u32,
    pub json: bool,
    /// Extra compute per tick, in microseconds.
    pub load_us: u32,
    /// A compute-heavy job to place inline vs on a worker.
    pub job: Option<Job>,
    pub report: Option<PathBuf>,
    /// The input modes to measure, by name (`None`: every mode).
    pub modes: Option<Vec<String>>,
    /// Also measure the loop with the thread timeline recording, beside it off.
    pub timeline: bool,
}

impl Default for BenchArgs {
    fn default() -> Self {
        Self {
            seconds: 5.0,
            hz: 240,
            mouse_hz: 1000,
            json: false,
            load_us: 0,
            job: None,
            report: None,
            modes: None,
            timeline: false,
        }
    }
}

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

/// Highest physics rate accepted on the command line.
pub const MAX_HZ: u32 = 2000;

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

#[derive(Args, Debug)]
struct RunFlags {
    /// Who reads the mouse at start (default: the table's first; T moves through every mode)
    #[arg(long, value_name = "MODE", value_parser = values::mode())]
    mode: Option<ModeId>,
    /// Base rate in Hz: keyboard, gamepad, physics, 1-2000 (default: 60)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = values::hz())]
    hz: Option<u32>,
    /// The mouse: auto = X11 if the display is an X server, else the window's cursor events
    #[arg(long, value_name = "auto|x11|synthetic", value_parser = values::mouse())]
    mouse: Option<MouseSource>,
    /// Synthetic mouse report rate, 125-8000; also the rate a polled loop must run at (default: 1000)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = values::mouse_rate())]
    mouse_hz: Option<u32>,
    /// Quit after this long (fractions allowed)
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true, value_parser = values::seconds())]
    duration: Option<f64>,
    /// JSON report, kept current every second and complete at exit (also on Ctrl-C, SIGTERM)
    #[arg(long, value_name = "PATH", value_parser = values::path())]
    report: Option<PathBuf>,
    /// Chrome trace JSON of the thread timeline
    #[arg(long, value_name = "PATH", value_parser = values::path())]
    trace: Option<PathBuf>,
    /// CSV, one row per displayed frame
    #[arg(long, value_name = "PATH", value_parser = values::path())]
    frames: Option<PathBuf>,
    /// How the loop waits for a deadline: std-sleep | spin-sleep | adaptive | busy-spin (default: adaptive)
    #[arg(long, value_name = "NAME", value_parser = values::pacer())]
    pacer: Option<PacerKind>,
    /// Stack size for read_mouse; an absurd one makes pthread_create fail, to show the error path
    #[arg(long, value_name = "BYTES", allow_negative_numbers = true, value_parser = values::bytes())]
    reader_stack: Option<usize>,
}

#[derive(Args, Debug)]
struct BenchFlags {
    /// Seconds measured per configuration (default: 5)
    #[arg(long, value_name = "S", allow_negative_numbers = true, value_parser = values::seconds())]
    seconds: Option<f64>,
    /// Base rate in Hz, 1-2000 (default: 240)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = values::hz())]
    hz: Option<u32>,
    /// Synthetic mouse report rate, 125-8000 (default: 1000)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = values::mouse_rate())]
    mouse_hz: Option<u32>,
    /// AI or video compression inline vs on a worker thread, or MICROS of extra work per tick
    #[arg(long, value_name = "ai|video|MICROS", value_parser = values::load())]
    load: Option<values::Load>,
    /// The input modes to measure, comma-separated (default: every mode)
    #[arg(long, value_name = "LIST", value_parser = values::modes())]
    modes: Option<values::ModeList>,
    /// Print JSON instead of the table
    #[arg(long)]
    json: bool,
    /// Also run with the thread timeline recording, beside it off, and show what recording costs the loop
    #[arg(long)]
    timeline: bool,
    /// Also write the JSON to PATH
    #[arg(long, value_name = "PATH", value_parser = values::path())]
    report: Option<PathBuf>,
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
        Some(Sub::Bench(b)) => Command::Bench(bench_args(b)),
        Some(Sub::Serve(s)) => Command::Serve(s),
        Some(Sub::Load(l)) => Command::Load(l),
        Some(Sub::Seda(s)) => Command::Seda(s),
        None => Command::Run(run_args(cli.run)),
    })
}

fn run_args(f: RunFlags) -> RunArgs {
    let d = RunArgs::default();
    RunArgs {
        mode: f.mode.unwrap_or(d.mode),
        hz: f.hz.unwrap_or(d.hz),
        mouse: f.mouse.unwrap_or(d.mouse),
        mouse_hz: f.mouse_hz.unwrap_or(d.mouse_hz),
        duration: f.duration.map(Duration::from_secs_f64),
        report: f.report,
        trace: f.trace,
        frames: f.frames,
        pacer: f.pacer.unwrap_or(d.pacer),
        reader_stack: f.reader_stack,
    }
}

fn bench_args(f: BenchFlags) -> BenchArgs {
    let d = BenchArgs::default();
    let (job, load_us) = match f.load {
        Some(values::Load::Job(j)) => (Some(j), 0),
        Some(values::Load::Micros(us)) => (None, us),
        None => (None, 0),
    };
    BenchArgs {
        seconds: f.seconds.unwrap_or(d.seconds),
        hz: f.hz.unwrap_or(d.hz),
        mouse_hz: f.mouse_hz.unwrap_or(d.mouse_hz),
        json: f.json,
        load_us,
        job,
        report: f.report,
        modes: f.modes.map(|m| m.0),
        timeline: f.timeline,
    }
}

#[cfg(test)]
mod tests;
