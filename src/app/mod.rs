//! The desktop game: the window frontend on the loop engine. The only
//! code that names winit, pixels, egui, rodio and gilrs.

pub mod audio;
pub mod fit;
pub mod gamepad;
pub mod lecture;
pub mod overlay;
pub mod render;
pub mod timeline;
pub mod window;

use std::sync::Arc;
use std::time::Duration;

use winit::event_loop::EventLoop;

use crate::core::arena::{HEIGHT, WIDTH};
use crate::shell::cli::{MouseSource, RunArgs};
use crate::shell::clock::Clock;
use crate::shell::engine::{Engine, EngineConfig};
use crate::shell::mouse::{ArenaMapping, MouseDevice, RelayMouse, SyntheticMouse};
use crate::shell::report::{self, RecordingReport, RunReport};
use window::WindowFrontend;

/// How a run can fail, and with which exit status.
#[derive(Debug)]
pub enum RunError {
    /// The command line asked for something impossible (status 2).
    Usage(String),
    /// The machine cannot show the game (status 1).
    Environment(String),
}

/// Opens the window and plays until quit (Esc, window close, Ctrl-C,
/// SIGTERM or `--duration`); writes the report if asked.
pub fn run(args: RunArgs) -> Result<(), RunError> {
    if let Some(path) = &args.report {
        report::check_writable(path).map_err(RunError::Usage)?;
    }
    let event_loop = EventLoop::new().map_err(|e| {
        RunError::Environment(format!(
            "cannot open a window: no display ({e}). Run it on a desktop, or under Xvfb; \
             for numbers without a window use 'why-threads bench'"
        ))
    })?;
    let clock = Clock::new();
    let mapping = Arc::new(ArenaMapping::default());
    let mut frontend =
        WindowFrontend::open(event_loop, clock, mapping.clone()).map_err(RunError::Environment)?;
    let mut messages = std::mem::take(&mut frontend.startup_messages);
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
    start_exports(&mut engine, &args)?;
    for m in messages {
        engine.say(m);
    }
    let started = clock.now();
    let until = args.duration.map_or(Duration::MAX, |d| started + d);
    engine.run_until(&mut frontend, until);
    let final_mode = engine.mode().name();
    let modes = engine.finish();
    if let Some(path) = &args.report {
        let r = RunReport {
            modes,
            program: "why-threads",
            version: env!("CARGO_PKG_VERSION"),
            mouse: engine.mouse_label().to_string(),
            pacer: engine.pacer().name(),
            hz: args.hz,
            mouse_hz: args.mouse_hz,
            final_mode,
            seconds: clock.now().saturating_sub(started).as_secs_f64(),
            recording: engine.last_recording().map(|(dir, stats)| RecordingReport {
                dir: dir.display().to_string(),
                frames_written: stats.written,
                frames_dropped: stats.dropped,
            }),
        };
        report::write(path, &r).map_err(RunError::Environment)?;
    }
    Ok(())
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
    #[cfg(target_os = "linux")]
    {
        match frontend.x11_window() {
            Some(window) => match crate::shell::x11::X11Mouse::open(window, clock, mapping.clone())
            {
                Ok(mouse) => return Box::new(mouse),
                Err(e) => messages.push(format!(
                    "X11 mouse unavailable ({e}); relaying the window's cursor events"
                )),
            },
            None if args.mouse == MouseSource::X11 => {
                messages.push(
                    "the display is not an X server; relaying the window's cursor events".into(),
                );
            }
            None => {}
        }
    }
    #[cfg(not(target_os = "linux"))]
    if args.mouse == MouseSource::X11 {
        messages.push("X11 input is Linux-only here; relaying the window's cursor events".into());
    }
    let _ = mapping;
    let (relay, sender) = RelayMouse::new();
    frontend.set_relay(sender);
    Box::new(relay)
}
