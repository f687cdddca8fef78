//! The command line (the brief's contract). Hand-written so every mistake
//! gets one line that says what was wrong and what is allowed.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::modes::ModeId;
use super::pacer::PacerKind;
use crate::core::input::SyntheticPath;

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
    pub pacer: PacerKind,
    pub reader_stack: Option<usize>,
    /// Chrome trace-event JSON of the thread timeline, written at exit.
    pub trace: Option<PathBuf>,
    /// A CSV row per displayed frame, written at exit.
    pub frames: Option<PathBuf>,
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
            pacer: PacerKind::Adaptive,
            reader_stack: None,
            trace: None,
            frames: None,
        }
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
    Help,
    Version,
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
/// Longest `--duration` / `--seconds`: a day.
const MAX_SECONDS: f64 = 86_400.0;

pub const HELP: &str = "\
why-threads: a game loop that reads the mouse itself (polled) or lets a
read_mouse thread do it (threaded), and shows what that does to timing.

USAGE:
    why-threads [OPTIONS]          open the game window
    why-threads bench [OPTIONS]    run the same loop headless and print a table

GAME OPTIONS:
    --mode polled|threaded|blocking
                              who reads the mouse at start (default: polled; T
                              toggles; blocking is the trap: the loop waits for it)
    --hz N                    base rate in Hz (keyboard, gamepad, physics), 1-2000
                              (default: 60)
    --mouse auto|x11|synthetic
                              the mouse device (default: auto = X11 if the display
                              is an X server, else the window's cursor events)
    --mouse-hz N              synthetic mouse report rate, 125-8000 Hz; also the
                              rate a polled loop must run at (default: 1000)
    --duration SECONDS        quit after this long (fractions allowed)
    --report PATH             write a JSON report at exit (also on Ctrl-C, SIGTERM)
    --trace PATH              the thread timeline as Chrome trace-event JSON, at
                              exit (opens in ui.perfetto.dev, chrome://tracing)
    --frames PATH             a CSV row per displayed frame, at exit
    --pacer NAME              std-sleep | spin-sleep | adaptive | busy-spin
                              (default: adaptive)
    --reader-stack BYTES      stack size for read_mouse; an absurd one makes
                              pthread_create fail, to show the error path

BENCH OPTIONS:
    --seconds S               seconds measured per configuration (default: 5)
    --hz N                    base rate (default: 240)
    --mouse-hz N              synthetic mouse rate, 125-8000 (default: 1000)
    --load ai|video|MICROS    AI or video compression, inline vs on a worker
                              thread, beside the unloaded loop; or extra compute
                              per tick in microseconds (default: none)
    --json                    print JSON instead of the table
    --timeline                also run with the thread timeline recording, and
                              show what recording costs the loop
    --report PATH             also write the JSON to PATH

HOTKEYS (in the window; H or F1 shows them on screen):
    T toggle polled/threaded   R reset statistics   O overlay on/off
    +/- overlay scale          L lights on/off      Up/Down physics rate
    M mute                     P pause              H or F1 help    Esc quit
    Arrows/WASD move           mouse: the puck follows the cursor

  -h, --help     this text
  -V, --version  the version
";

/// Parses the arguments after the program name.
pub fn parse<I, S>(args: I) -> Result<Command, CliError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let args: Vec<String> = args.into_iter().map(Into::into).collect();
    let mut it = args.iter().map(String::as_str).peekable();
    if it.peek() == Some(&"bench") {
        it.next();
        return parse_bench(it).map(Command::Bench);
    }
    let mut run = RunArgs::default();
    while let Some(arg) = it.next() {
        let (flag, inline) = split_flag(arg);
        let mut value = || value_of(flag, inline, &mut it);
        match flag {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--mode" => {
                let v = value()?;
                run.mode = ModeId::parse(v).ok_or_else(|| {
                    CliError(format!("--mode must be {}, got '{v}'", ModeId::choices()))
                })?;
            }
            "--hz" => run.hz = rate("--hz", value()?, 1..=MAX_HZ)?,
            "--mouse" => {
                let v = value()?;
                run.mouse = match v {
                    "auto" => MouseSource::Auto,
                    "x11" => MouseSource::X11,
                    "synthetic" => MouseSource::Synthetic,
                    _ => {
                        return Err(CliError(format!(
                            "--mouse must be auto, x11 or synthetic, got '{v}'"
                        )));
                    }
                };
            }
            "--mouse-hz" => run.mouse_hz = rate("--mouse-hz", value()?, SyntheticPath::HZ_RANGE)?,
            "--duration" => {
                run.duration = Some(Duration::from_secs_f64(seconds("--duration", value()?)?))
            }
            "--report" => run.report = Some(PathBuf::from(value()?)),
            "--trace" => run.trace = Some(PathBuf::from(value()?)),
            "--frames" => run.frames = Some(PathBuf::from(value()?)),
            "--pacer" => {
                let v = value()?;
                run.pacer = PacerKind::parse(v).ok_or_else(|| {
                    CliError(format!(
                        "--pacer must be std-sleep, spin-sleep, adaptive or busy-spin, got '{v}'"
                    ))
                })?;
            }
            "--reader-stack" => {
                let v = value()?;
                run.reader_stack = Some(v.parse().map_err(|_| {
                    CliError(format!(
                        "--reader-stack must be a number of bytes, got '{v}'"
                    ))
                })?);
            }
            "--seconds" | "--json" | "--load" => {
                return Err(CliError(format!("{flag} belongs to 'why-threads bench'")));
            }
            other => return Err(unknown(other)),
        }
    }
    Ok(Command::Run(run))
}

fn parse_bench<'a>(mut it: impl Iterator<Item = &'a str>) -> Result<BenchArgs, CliError> {
    let mut bench = BenchArgs::default();
    while let Some(arg) = it.next() {
        let (flag, inline) = split_flag(arg);
        let mut value = || value_of(flag, inline, &mut it);
        match flag {
            "-h" | "--help" => {
                return Err(CliError(
                    "see 'why-threads --help' for the bench options".into(),
                ));
            }
            "--seconds" => bench.seconds = seconds("--seconds", value()?)?,
            "--hz" => bench.hz = rate("--hz", value()?, 1..=MAX_HZ)?,
            "--mouse-hz" => bench.mouse_hz = rate("--mouse-hz", value()?, SyntheticPath::HZ_RANGE)?,
            "--load" => match value()? {
                "ai" => bench.job = Some(Job::Ai),
                "video" => bench.job = Some(Job::Video),
                v => {
                    bench.load_us = rate("--load", v, 0..=1_000_000).map_err(|_| {
                        CliError(format!(
                            "--load must be ai, video or microseconds per tick, got '{v}'"
                        ))
                    })?;
                }
            },
            "--json" => {
                if inline.is_some() {
                    return Err(CliError("--json takes no value".into()));
                }
                bench.json = true;
            }
            "--report" => bench.report = Some(PathBuf::from(value()?)),
            "--timeline" => {
                if inline.is_some() {
                    return Err(CliError("--timeline takes no value".into()));
                }
                bench.timeline = true;
            }
            other => return Err(unknown(other)),
        }
    }
    Ok(bench)
}

/// `--flag=value` or `--flag`.
fn split_flag(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
        _ => (arg, None),
    }
}

fn value_of<'a>(
    flag: &str,
    inline: Option<&'a str>,
    it: &mut impl Iterator<Item = &'a str>,
) -> Result<&'a str, CliError> {
    inline
        .or_else(|| it.next())
        .ok_or_else(|| CliError(format!("{flag} needs a value")))
}

fn unknown(arg: &str) -> CliError {
    if arg.starts_with('-') {
        CliError(format!("unknown option '{arg}' (see --help)"))
    } else {
        CliError(format!("unexpected argument '{arg}' (see --help)"))
    }
}

fn rate(flag: &str, v: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, CliError> {
    let (lo, hi) = (*range.start(), *range.end());
    match v.parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        Ok(n) => Err(CliError(format!(
            "{flag} must be between {lo} and {hi}, got {n}"
        ))),
        Err(_) => Err(CliError(format!(
            "{flag} must be a whole number from {lo} to {hi}, got '{v}'"
        ))),
    }
}

fn seconds(flag: &str, v: &str) -> Result<f64, CliError> {
    match v.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= MAX_SECONDS => Ok(s),
        Ok(_) => Err(CliError(format!(
            "{flag} must be more than 0 and at most {MAX_SECONDS} seconds, got {v}"
        ))),
        Err(_) => Err(CliError(format!(
            "{flag} must be a number of seconds, got '{v}'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<RunArgs, CliError> {
        match parse(args.iter().copied())? {
            Command::Run(r) => Ok(r),
            other => Err(CliError(format!("not a run: {other:?}"))),
        }
    }

    fn bench(args: &[&str]) -> Result<BenchArgs, CliError> {
        let mut all = vec!["bench"];
        all.extend_from_slice(args);
        match parse(all)? {
            Command::Bench(b) => Ok(b),
            other => Err(CliError(format!("not a bench: {other:?}"))),
        }
    }

    #[test]
    fn no_arguments_opens_the_game_with_defaults() {
        assert_eq!(run(&[]), Ok(RunArgs::default()));
    }

    #[test]
    fn the_contract_flags_parse() {
        let r = run(&[
            "--mode",
            "threaded",
            "--hz=120",
            "--mouse",
            "synthetic",
            "--mouse-hz",
            "8000",
            "--duration",
            "2.5",
            "--report",
            "out.json",
        ])
        .expect("valid");
        assert_eq!(r.mode, ModeId::parse("threaded").unwrap_or_default());
        assert_eq!(
            (r.hz, r.mouse, r.mouse_hz),
            (120, MouseSource::Synthetic, 8000)
        );
        assert_eq!(r.duration, Some(Duration::from_millis(2500)));
        assert_eq!(r.report, Some(PathBuf::from("out.json")));
    }

    #[test]
    fn bad_input_gets_one_clear_line() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["--frobnicate"],
                "unknown option '--frobnicate' (see --help)",
            ),
            (&["--hz", "0"], "--hz must be between 1 and 2000, got 0"),
            (
                &["--hz", "-5"],
                "--hz must be a whole number from 1 to 2000, got '-5'",
            ),
            (
                &["--hz", "fast"],
                "--hz must be a whole number from 1 to 2000, got 'fast'",
            ),
            (&["--hz"], "--hz needs a value"),
            (
                &["--mouse-hz", "100"],
                "--mouse-hz must be between 125 and 8000, got 100",
            ),
            (
                &["--duration", "-1"],
                "--duration must be more than 0 and at most 86400 seconds, got -1",
            ),
            (
                &["--duration", "NaN"],
                "--duration must be more than 0 and at most 86400 seconds, got NaN",
            ),
            (&["--json"], "--json belongs to 'why-threads bench'"),
            (&["extra"], "unexpected argument 'extra' (see --help)"),
        ];
        for (args, message) in cases {
            assert_eq!(run(args), Err(CliError(message.to_string())), "{args:?}");
            assert!(!message.contains('\n'));
        }
        // Every mode of the table is offered.
        let both = format!("--mode must be {}, got 'both'", ModeId::choices());
        assert!(both.starts_with("--mode must be polled, threaded"));
        assert_eq!(run(&["--mode", "both"]), Err(CliError(both)));
    }

    #[test]
    fn bench_flags_parse_and_are_checked() {
        let b = bench(&[
            "--seconds",
            "0.5",
            "--hz",
            "240",
            "--mouse-hz",
            "1000",
            "--json",
            "--load",
            "300",
        ])
        .expect("valid");
        assert_eq!(
            (b.seconds, b.hz, b.mouse_hz, b.json, b.load_us),
            (0.5, 240, 1000, true, 300)
        );
        assert_eq!(bench(&[]), Ok(BenchArgs::default()));
        assert!(bench(&["--seconds", "0"]).is_err());
        assert!(bench(&["--mode", "polled"]).is_err());
        assert!(bench(&["--json=yes"]).is_err());
        assert_eq!(bench(&["--load", "ai"]).map(|b| b.job), Ok(Some(Job::Ai)));
        assert_eq!(
            bench(&["--load", "video"]).map(|b| b.job),
            Ok(Some(Job::Video))
        );
        assert_eq!(
            bench(&["--load", "lots"]),
            Err(CliError(
                "--load must be ai, video or microseconds per tick, got 'lots'".into()
            ))
        );
    }

    #[test]
    fn trace_and_frames_take_paths() {
        let r = run(&["--trace", "t.json", "--frames=f.csv"]).expect("valid");
        assert_eq!(r.trace, Some(PathBuf::from("t.json")));
        assert_eq!(r.frames, Some(PathBuf::from("f.csv")));
        assert_eq!(
            run(&["--trace"]),
            Err(CliError("--trace needs a value".into()))
        );
        assert_eq!(bench(&["--timeline"]).map(|b| b.timeline), Ok(true));
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse(["--help"]), Ok(Command::Help));
        assert_eq!(parse(["-V"]), Ok(Command::Version));
        assert!(HELP.contains("--mouse-hz") && HELP.contains("bench"));
    }
}
