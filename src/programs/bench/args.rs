//! The benchmark's command-line flags (`why-threads bench …`) and the
//! options they make.

use std::path::PathBuf;

use clap::Args;

use crate::shell::flags::{self, Refusal, Value};

/// The slide's compute-heavy jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// A* for 32 enemies on a 4 px grid, 10 times a second.
    Ai,
    /// Every displayed frame compressed to PNG.
    Video,
}

impl Job {
    pub(crate) fn name(self) -> &'static str {
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
    /// Also measure every mode with late latching on, beside it off.
    pub late_latch: bool,
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
            late_latch: false,
        }
    }
}

/// The benchmark's flags, as clap reads them (`None`: not given).
#[derive(Args, Debug)]
pub(crate) struct BenchFlags {
    /// Seconds measured per configuration (default: 5)
    #[arg(long, value_name = "S", allow_negative_numbers = true, value_parser = flags::seconds())]
    seconds: Option<f64>,
    /// Base rate in Hz, 1-2000 (default: 240)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = flags::hz())]
    hz: Option<u32>,
    /// Synthetic mouse report rate, 125-8000 (default: 1000)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = flags::mouse_rate())]
    mouse_hz: Option<u32>,
    /// AI or video compression inline vs on a worker thread, or MICROS of extra work per tick
    #[arg(long, value_name = "ai|video|MICROS", value_parser = load())]
    load: Option<Load>,
    /// The input modes to measure, comma-separated (default: every mode)
    #[arg(long, value_name = "LIST", value_parser = flags::modes())]
    modes: Option<flags::ModeList>,
    /// Print JSON instead of the table
    #[arg(long)]
    json: bool,
    /// Also run with the thread timeline recording, beside it off, and show what recording costs the loop
    #[arg(long)]
    timeline: bool,
    /// Also run every mode with late latching on, beside it off: what it saves from the mouse to the screen, what it costs the loop
    #[arg(long)]
    late_latch: bool,
    /// Also write the JSON to PATH
    #[arg(long, value_name = "PATH", value_parser = flags::path())]
    report: Option<PathBuf>,
}

impl From<BenchFlags> for BenchArgs {
    fn from(f: BenchFlags) -> Self {
        let d = BenchArgs::default();
        let (job, load_us) = match f.load {
            Some(Load::Job(j)) => (Some(j), 0),
            Some(Load::Micros(us)) => (None, us),
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
            late_latch: f.late_latch,
        }
    }
}

/// `bench --load`: a job, or microseconds of work per tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Load {
    Job(Job),
    Micros(u32),
}

fn load() -> Value<Load> {
    Value::new("ai, video or microseconds per tick", |v| match v {
        "ai" => Ok(Load::Job(Job::Ai)),
        "video" => Ok(Load::Job(Job::Video)),
        _ => match v.parse::<u32>() {
            Ok(us) if us <= 1_000_000 => Ok(Load::Micros(us)),
            _ => Err(Refusal::Unreadable),
        },
    })
}
