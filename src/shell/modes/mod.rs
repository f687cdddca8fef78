//! Input modes: how the loop gets each tick's mouse samples.
//!
//! A mode is one file here and one line in [`MODES`]. The engine, the
//! overlay, the report and the benchmark know modes only through this
//! table: its name, colour and one-line description, whether the mouse
//! keeps its place in the rate table, and how to start it. A started mode
//! ([`Mode`]) hands the loop its samples, may own the wait for the tick's
//! deadline, reports its figures, and gives the device back when stopped.

mod blocking;
mod events;
mod green_blocking;
mod green_yield;
mod polled;
mod threaded;

// What only the modes use: how samples reach the game, and the
// `read_mouse` thread (threaded mode's, and the green modes' twin).
mod intake;
pub mod reader;

pub(crate) use intake::{Intake, Wait};
pub(crate) use reader::THREAD_NAME;

use std::fmt::Write as _;
use std::time::Duration;

use super::clock::Clock;
use super::mouse::{DeviceError, MouseDevice};
use super::timeline::LaneSender;
use crate::core::input::{MouseReport, Rgba};
use crate::core::timeline::Lane;

/// Every input mode, in the order `T` and SIGUSR1 cycle through them.
/// The first is the one the loop falls back to: it must start whenever it
/// is given a device.
pub(crate) const MODES: &[ModeSpec] = &[
    polled::SPEC,
    threaded::SPEC,
    blocking::SPEC,
    events::SPEC,
    green_blocking::SPEC,
    green_yield::SPEC,
];

/// What the engine knows about a mode before it runs.
pub(crate) struct ModeSpec {
    /// The name in `--mode`, the report and the overlay.
    pub name: &'static str,
    /// The overlay's column and the trail's dots.
    pub colour: Rgba,
    /// One line for the overlay and `--help`.
    pub about: &'static str,
    /// Where the mouse is read when it is out of the rate table (the
    /// overlay's "runs in").
    pub mouse_runs_in: &'static str,
    /// The thread timeline's lane of the thread that reads the mouse: the
    /// `read_mouse` thread's own, or the loop's (a user-level `read_mouse`
    /// runs on the loop's kernel thread).
    pub lane: Lane,
    /// Does the loop read the mouse at the mouse's rate (the mouse stays
    /// in the rate table, so the loop must run that fast)? When false the
    /// mode is asked for samples every tick, whatever the mouse's rate.
    pub mouse_in_table: bool,
    /// Starts the mode with the device (between ticks).
    pub start: Starter,
}

/// How a mode starts: with the device, between ticks.
pub(crate) type Starter = fn(Box<dyn MouseDevice>, &StartContext) -> Result<Box<dyn Mode>, Refused>;

/// Whether a mode's mouse side goes on after a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Health {
    Working,
    /// The device failed or the reader is gone: stop the mode.
    Ended,
}

/// A mode by its place in [`MODES`] (the first by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ModeId(usize);

impl ModeId {
    pub(crate) const COUNT: usize = MODES.len();

    /// The mode called `name` (a `const fn`, so tables can name modes and
    /// a name missing from [`MODES`] fails the build).
    pub const fn parse(name: &str) -> Option<Self> {
        let mut i = 0;
        while i < MODES.len() {
            if same_bytes(MODES[i].name.as_bytes(), name.as_bytes()) {
                return Some(Self(i));
            }
            i += 1;
        }
        None
    }

    pub(crate) fn spec(self) -> &'static ModeSpec {
        &MODES[self.0]
    }

    pub(crate) fn name(self) -> &'static str {
        self.spec().name
    }

    pub(crate) fn index(self) -> usize {
        self.0
    }

    /// The next mode in table order (after the last, the first).
    pub(crate) fn next(self) -> Self {
        Self((self.0 + 1) % MODES.len())
    }

    /// Every mode, in table order.
    pub(crate) fn all() -> impl Iterator<Item = ModeId> {
        (0..MODES.len()).map(Self)
    }

    /// "polled, threaded or blocking": for messages that list the choices.
    pub(crate) fn choices() -> String {
        let mut out = String::new();
        for (i, m) in MODES.iter().enumerate() {
            let sep = match i {
                0 => "",
                i if i + 1 == MODES.len() => " or ",
                _ => ", ",
            };
            let _ = write!(out, "{sep}{}", m.name);
        }
        out
    }
}

/// `a == b`, usable in a `const fn`.
const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What starting a mode may need besides the device.
#[derive(Clone, Debug)]
pub(crate) struct StartContext {
    pub clock: Clock,
    /// Stack size for a reader thread (`None`: the default). An absurd one
    /// makes thread creation fail, to show the error path in class.
    pub reader_stack: Option<usize>,
    /// Where a reader thread records its spans on the thread timeline.
    pub lane: Option<LaneSender>,
}

/// A mode that could not start: the device comes back, with the reason
/// (the slide's `perror`).
pub(crate) struct Refused {
    pub device: Box<dyn MouseDevice>,
    pub reason: String,
}

/// A stopped mode: the device back (unless it broke), the final figures,
/// and the error that ended it, if one did.
pub(crate) struct Stopped {
    pub device: Option<Box<dyn MouseDevice>>,
    pub figures: MouseFigures,
    pub error: Option<String>,
}

/// Counters of the mouse side that only grow while a mode runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MouseFigures {
    /// Reports the device has produced (its `produced()`).
    pub produced: u64,
    /// Reports lost on the way (a full channel, a device buffer overrun).
    pub dropped: u64,
    /// CPU time of a reader thread, if the mode has one.
    pub reader_cpu: Duration,
}

/// A running mode.
pub(crate) trait Mode {
    /// This tick's samples into `intake`. [`Health::Ended`] says the mouse
    /// side ended (the device failed, the reader is gone): the engine stops
    /// the mode and falls back to the first one.
    fn take(&mut self, intake: &mut Intake<'_>) -> Health;

    /// Takes whatever is already waiting without blocking (before the
    /// figures are closed), so reports read in a stretch are counted in it.
    fn flush(&mut self, _intake: &mut Intake<'_>) {}

    /// Late latching: takes the newest reports without blocking, just
    /// before a frame is drawn. By default what [`Mode::flush`] takes (a
    /// channel's backlog, an event handler's); a mode that reads the device
    /// on the loop polls it once.
    fn latch(&mut self, intake: &mut Intake<'_>) {
        self.flush(intake);
    }

    /// The counters now.
    fn figures(&self) -> MouseFigures;

    /// Stops (joins a thread, ends a coroutine) after a last flush, and
    /// gives the device back.
    fn stop(self: Box<Self>, intake: &mut Intake<'_>) -> Stopped;

    /// Waits for the tick's `deadline` and returns when it woke. The
    /// default is the pacer's wait; a mode may own the wait (sleep on the
    /// mouse and a timer at once, running its handler in between).
    fn wait_until(&mut self, deadline: Duration, wait: &mut Wait<'_>) -> Duration {
        wait.pace(deadline)
    }

    /// A line for the overlay about this mode's state (empty: none).
    fn note(&self, _out: &mut String) {}
}

/// The figures of a mode whose device the loop itself reads.
fn device_figures(device: &dyn MouseDevice) -> MouseFigures {
    MouseFigures {
        produced: device.produced(),
        dropped: device.overruns(),
        reader_cpu: Duration::ZERO,
    }
}

/// The mouse as held by a mode that reads it on the loop thread (polled,
/// blocking, events): the modes differ in how they read it, not in what a
/// failed read does. A device that failed once is not asked again; the
/// error goes to the report when the mode stops.
struct LoopDevice {
    device: Option<Box<dyn MouseDevice>>,
    error: Option<String>,
}

impl LoopDevice {
    fn new(device: Box<dyn MouseDevice>) -> Self {
        LoopDevice {
            device: Some(device),
            error: None,
        }
    }

    /// One non-blocking poll, its report (if any) delivered: polled's
    /// read, and late latching's for every mode that reads on the loop.
    fn poll_into(&mut self, intake: &mut Intake<'_>) {
        if let Some(r) = self.read(|mouse| mouse.poll()) {
            intake.deliver(&r);
        }
    }

    /// One read, done by `read`: the report, if one came.
    fn read(
        &mut self,
        read: impl FnOnce(&mut dyn MouseDevice) -> Result<Option<MouseReport>, DeviceError>,
    ) -> Option<MouseReport> {
        let device = self.device.as_deref_mut()?;
        match read(device) {
            Ok(report) => report,
            Err(e) => {
                self.error = Some(format!("the mouse stopped working ({e})"));
                self.device = None;
                None
            }
        }
    }

    fn health(&self) -> Health {
        if self.device.is_some() {
            Health::Working
        } else {
            Health::Ended
        }
    }

    fn figures(&self) -> MouseFigures {
        self.device
            .as_deref()
            .map(device_figures)
            .unwrap_or_default()
    }

    fn stop(self) -> Stopped {
        Stopped {
            figures: self.figures(),
            device: self.device,
            error: self.error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_mode_once_and_cycles() {
        for id in ModeId::all() {
            assert_eq!(ModeId::parse(id.name()), Some(id));
            assert!(!id.spec().about.is_empty());
        }
        assert_eq!(ModeId::parse("Polled"), None);
        let mut id = ModeId::default();
        for _ in 0..MODES.len() {
            id = id.next();
        }
        assert_eq!(id, ModeId::default(), "T comes back to the first mode");
        assert_eq!(ModeId::default().name(), "polled");
        assert!(ModeId::choices().starts_with("polled, threaded"));
    }
}
