//! The game's command-line flags (the binary's subcommand table in
//! `cli` names them) and the options they make.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::shell::flags::{self, Refusal, Value};
use crate::shell::modes::ModeId;
use crate::shell::pacer::PacerKind;

/// Where the mouse comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MouseSource {
    /// X11 when the display is an X server, Raw Input on Windows,
    /// IOHIDManager on macOS, else a relay of the window's cursor events.
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
    /// Start with late latching on (X toggles it).
    pub late_latch: bool,
    /// A native Wayland window where the desktop offers X11 too.
    pub wayland: bool,
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
            late_latch: false,
            wayland: false,
        }
    }
}

impl RunArgs {
    /// Every file the run will write, with its flag (checked before it starts).
    pub(crate) fn outputs(&self) -> impl Iterator<Item = (&'static str, &PathBuf)> {
        [
            ("--report", &self.report),
            ("--trace", &self.trace),
            ("--frames", &self.frames),
        ]
        .into_iter()
        .filter_map(|(flag, p)| p.as_ref().map(|p| (flag, p)))
    }
}

/// The game's flags, as clap reads them (`None`: not given).
#[derive(Args, Debug)]
pub(crate) struct RunFlags {
    /// Who reads the mouse at start (default: the table's first; T moves through every mode)
    #[arg(long, value_name = "MODE", value_parser = flags::mode())]
    mode: Option<ModeId>,
    /// Base rate in Hz: keyboard, gamepad, physics, 1-2000 (default: 60)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = flags::hz())]
    hz: Option<u32>,
    /// The mouse: auto = X11 if the display is an X server, Raw Input on Windows, IOHIDManager on macOS, else the window's cursor events
    #[arg(long, value_name = "auto|x11|synthetic", value_parser = mouse())]
    mouse: Option<MouseSource>,
    /// Synthetic mouse report rate, 125-8000; also the rate a polled loop must run at (default: 1000)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = flags::mouse_rate())]
    mouse_hz: Option<u32>,
    /// Quit after this long (fractions allowed)
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true, value_parser = flags::seconds())]
    duration: Option<f64>,
    /// JSON report, kept current every second and complete at exit (also on Ctrl-C, SIGTERM)
    #[arg(long, value_name = "PATH", value_parser = flags::path())]
    report: Option<PathBuf>,
    /// Chrome trace JSON of the thread timeline
    #[arg(long, value_name = "PATH", value_parser = flags::path())]
    trace: Option<PathBuf>,
    /// CSV, one row per displayed frame
    #[arg(long, value_name = "PATH", value_parser = flags::path())]
    frames: Option<PathBuf>,
    /// How the loop waits for a deadline: std-sleep | spin-sleep | adaptive | busy-spin (default: adaptive)
    #[arg(long, value_name = "NAME", value_parser = flags::pacer())]
    pacer: Option<PacerKind>,
    /// Stack size for read_mouse; an absurd one makes pthread_create fail, to show the error path
    #[arg(long, value_name = "BYTES", allow_negative_numbers = true, value_parser = flags::bytes())]
    reader_stack: Option<usize>,
    /// Start with late latching on: the cursor drawn at the newest report, read just before each frame (X toggles it)
    #[arg(long)]
    late_latch: bool,
    /// On a Wayland desktop, a native Wayland window (the mouse is then a relay of its events); by default the window opens through XWayland so read_mouse reads the mouse itself
    #[arg(long)]
    wayland: bool,
}

impl From<RunFlags> for RunArgs {
    fn from(f: RunFlags) -> Self {
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
            late_latch: f.late_latch,
            wayland: f.wayland,
        }
    }
}

fn mouse() -> Value<MouseSource> {
    Value::new("auto, x11 or synthetic", |v| match v {
        "auto" => Ok(MouseSource::Auto),
        "x11" => Ok(MouseSource::X11),
        "synthetic" => Ok(MouseSource::Synthetic),
        _ => Err(Refusal::Unreadable),
    })
}
