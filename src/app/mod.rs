//! The desktop game: the window frontend on the loop engine. The only
//! code that names winit, pixels, egui, rodio and gilrs.

pub(crate) mod args;
pub(crate) mod audio;
pub mod display;
pub(crate) mod fit;
pub(crate) mod gamepad;
pub(crate) mod keys;
pub(crate) mod lecture_panel;
pub(crate) mod overlay;
pub(crate) mod render;
pub(crate) mod timeline_panel;
pub(crate) mod window;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::core::arena::{HEIGHT, WIDTH};
use crate::core::report::Modes;
use crate::shell::clock::Clock;
use crate::shell::diagnostics;
use crate::shell::engine::{Engine, EngineConfig};
use crate::shell::mouse::{ArenaMapping, MouseDevice, RelayMouse, SyntheticMouse};
use crate::shell::report_file::{self as report, Checkpoint, RecordingReport, RunReport};
use args::{MouseSource, RunArgs};
use window::WindowFrontend;

/// How a run can fail, and with which exit status.
#[derive(Debug)]
pub enum RunError {
    /// The command line asked for something impossible (status 2).
    Usage(String),
    /// The machine cannot show the game, or took it away (status 1).
    Environment(String),
    /// A thread panicked; its one line is already out (status 1).
    Panicked,
}

/// How often the report on disk is brought up to date during the run. The
/// loop only gathers the figures (≈ 50–90 µs in a release build, once a
/// second); the `report` thread encodes and writes them.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Opens the window and plays until quit (Esc, window close, Ctrl-C,
/// SIGTERM, `--duration`, the display going away, a thread panicking).
/// Writes the report if asked: a checkpoint every second, and the whole
/// run at the end. A run that never started writes none.
pub fn run(args: RunArgs) -> Result<(), RunError> {
    for (flag, path) in args.outputs() {
        let what = match flag {
            "--report" => "the report",
            "--trace" => "the trace",
            _ => "the frames table",
        };
        report::check_writable(what, path).map_err(RunError::Usage)?;
    }
    let (event_loop, display_note) = display::event_loop(args.wayland).map_err(|e| {
        RunError::Environment(format!(
            "cannot open a window: no display ({e}). Run it on a desktop, or under Xvfb; \
             for numbers without a window use 'why-threads bench'"
        ))
    })?;
    let clock = Clock::new();
    let mapping = Arc::new(ArenaMapping::default());
    let mut frontend =
        WindowFrontend::open(event_loop, clock, mapping.clone()).map_err(RunError::Environment)?;
    let mut messages: Vec<String> = display_note.into_iter().collect();
    messages.extend(std::mem::take(&mut frontend.startup_messages));
    let device = open_mouse(&args, clock, &mapping, &mut frontend, &mut messages);
    let mut engine = Engine::new(
        EngineConfig {
            physics_hz: args.hz,
            mouse_hz: args.mouse_hz,
            mode: args.mode,
            pacer: args.pacer,
            device: Some(device),
            reader_stack: args.reader_stack,
            signals: true,
        },
        clock,
    );
    engine.set_late_latch(args.late_latch);
    start_exports(&mut engine, &args)?;
    for m in messages {
        engine.say(m);
    }
    let started = clock.now();
    let until = args.duration.map_or(Duration::MAX, |d| started + d);
    let checkpoint =
        match &args.report {
            Some(path) => Some(Checkpoint::start(path.clone()).map_err(|e| {
                RunError::Environment(format!("cannot start the report thread: {e}"))
            })?),
            None => None,
        };
    let mut next_checkpoint = started;
    let ended = loop {
        let now = clock.now();
        if now >= next_checkpoint {
            next_checkpoint = now + CHECKPOINT_EVERY;
            if let Some(c) = &checkpoint {
                let modes = engine.report();
                let seconds = now.saturating_sub(started).as_secs_f64();
                let mut r = report_of(&engine, &args, modes, seconds, "running");
                r.display_time = frontend.display_time().to_string();
                c.save(r);
                log::debug!(
                    "checkpoint {} handed over in {:?}",
                    c.written() + 1,
                    clock.now().saturating_sub(now)
                );
            }
        }
        let stop = until.min(next_checkpoint);
        if catch_unwind(AssertUnwindSafe(|| engine.run_until(&mut frontend, stop))).is_err() {
            // winit can panic on a dead X connection before Xlib notices.
            break if display::lost() {
                Ended::DisplayLost
            } else {
                Ended::Panic
            };
        }
        if display::lost() {
            break Ended::DisplayLost;
        }
        if frontend.closed_by_system().is_some() {
            break Ended::WindowSystem;
        }
        if diagnostics::panicked().is_some() {
            break Ended::Panic;
        }
        if engine.quit_requested() {
            break Ended::Quit;
        }
        if clock.now() >= until {
            break Ended::Duration;
        }
    };
    if let Some(c) = checkpoint {
        c.stop();
    }
    let refused = frontend.closed_by_system();
    let display_time = frontend.display_time().to_string();
    if ended != Ended::DisplayLost {
        // The last frames' display times, if the window system has said.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            engine.take_display_times(&mut frontend)
        }));
    }
    if ended == Ended::DisplayLost {
        // Nothing of the window can be closed cleanly any more.
        std::mem::forget(frontend);
    }
    // After a panic on the loop's own thread the engine may be half-way
    // through a tick; if finishing it panics too, the last checkpoint
    // (at most a second old) is the report.
    let final_mode = engine.mode().name();
    let modes =
        catch_unwind(AssertUnwindSafe(|| engine.finish())).map_err(|_| RunError::Panicked)?;
    let seconds = clock.now().saturating_sub(started).as_secs_f64();
    let problem = match ended {
        Ended::DisplayLost => Some(format!(
            "the display went away after {seconds:.1} s; the game ended"
        )),
        Ended::WindowSystem => Some(format!(
            "{} after {seconds:.1} s",
            refused.unwrap_or_default()
        )),
        Ended::Panic => diagnostics::panicked().map(str::to_string),
        Ended::Quit | Ended::Duration => None,
    };
    let mut r = report_of(&engine, &args, modes, seconds, ended.name());
    r.final_mode = final_mode;
    r.problem = problem.clone();
    r.display_time = display_time;
    if let Some(path) = &args.report {
        report::write(path, &r).map_err(RunError::Environment)?;
    }
    match (ended, problem) {
        (Ended::Quit | Ended::Duration, _) => Ok(()),
        // The panic hook has said it.
        (Ended::Panic, _) => Err(RunError::Panicked),
        (_, problem) => Err(RunError::Environment(format!(
            "{}{}",
            problem.unwrap_or_default(),
            saved(args.report.as_deref())
        ))),
    }
}

/// How the run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    Quit,
    Duration,
    DisplayLost,
    WindowSystem,
    Panic,
}

impl Ended {
    fn name(self) -> &'static str {
        match self {
            Ended::Quit => "quit",
            Ended::Duration => "duration",
            Ended::DisplayLost => "display lost",
            Ended::WindowSystem => "window system",
            Ended::Panic => "panic",
        }
    }
}

fn saved(report: Option<&Path>) -> String {
    match report {
        Some(p) => format!(" (report written to {})", p.display()),
        None => String::new(),
    }
}

/// The report of the run so far.
fn report_of(
    engine: &Engine,
    args: &RunArgs,
    modes: Modes,
    seconds: f64,
    ended: &'static str,
) -> RunReport {
    RunReport {
        modes,
        program: "why-threads",
        version: env!("CARGO_PKG_VERSION"),
        mouse: engine.mouse_label().to_string(),
        display_time: String::new(),
        display_completions: engine.display_counts(),
        pacer: engine.pacer().name(),
        hz: args.hz,
        mouse_hz: args.mouse_hz,
        final_mode: engine.mode().name(),
        seconds,
        ended,
        problem: None,
        recording: engine.last_recording().map(|(dir, stats)| RecordingReport {
            dir: dir.display().to_string(),
            frames_written: stats.written,
            frames_dropped: stats.dropped,
            frames_failed: stats.failed,
            error: stats.error.map(|e| e.to_string()),
        }),
    }
}

/// `--trace` and `--frames`: their writer threads start now, so a path
/// that cannot be written fails at once (status 2).
fn start_exports(engine: &mut Engine, args: &RunArgs) -> Result<(), RunError> {
    let timeline = engine.timeline_mut();
    if let Some(path) = &args.trace {
        timeline
            .start_trace(path)
            .map_err(|e| RunError::Usage(format!("--trace: {e}")))?;
    }
    if let Some(path) = &args.frames {
        timeline
            .start_frames(path)
            .map_err(|e| RunError::Usage(format!("--frames: {e}")))?;
    }
    Ok(())
}

/// The mouse the brief's `--mouse` asks for, or the nearest real thing.
fn open_mouse(
    args: &RunArgs,
    clock: Clock,
    mapping: &Arc<ArenaMapping>,
    frontend: &mut WindowFrontend,
    messages: &mut Vec<String>,
) -> Box<dyn MouseDevice> {
    if args.mouse == MouseSource::Synthetic {
        return Box::new(SyntheticMouse::new(
            clock,
            args.mouse_hz,
            WIDTH as f32,
            HEIGHT as f32,
        ));
    }
    match frontend.x11_window() {
        Some(window) => match display::x11_mouse(window, clock, mapping.clone()) {
            Ok(mouse) => return mouse,
            Err(e) => messages.push(format!(
                "X11 mouse unavailable ({e}); relaying the window's cursor events"
            )),
        },
        None if args.mouse == MouseSource::X11 => {
            messages.push(format!(
                "{}; relaying the window's cursor events",
                display::NO_X11
            ));
        }
        None => match display::os_mouse(clock) {
            Some(Ok(mouse)) => return mouse,
            Some(Err(e)) => messages.push(format!("{e}; relaying the window's cursor events")),
            None => {}
        },
    }
    let (relay, sender) = RelayMouse::new();
    frontend.set_relay(sender);
    Box::new(relay)
}
