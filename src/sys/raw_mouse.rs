//! The mouse as the OS reports it below the window system: Windows' Raw
//! Input, read on a message-only window of the reading thread, and
//! macOS's IOHIDManager, scheduled on the reading thread's run loop. This
//! is what the slide's `read_from_mouse` is there: a blocking read of the
//! device's own reports (motion deltas and buttons), not the window's
//! cursor events relayed by the loop.
//!
//! Windows and macOS; elsewhere [`RawMouse::open`] says `Unsupported`
//! (Linux reads the mouse through X11, in the shell).
//!
//! Windows keeps one target window per device class per process: opening
//! a `RawMouse` takes the mouse's raw input from whoever had it (winit's
//! window, for its device events, which pause meanwhile), and dropping it
//! gives the registration up (`RIDEV_REMOVE`). Open it after the window's
//! event loop exists, so the event loop does not take it back. macOS
//! shares the mouse: the window's cursor goes on moving, and opening it
//! needs the Input Monitoring permission (`PermissionDenied` says where
//! to give it).

use std::io;
use std::time::Duration;

use super::RawSource;

/// What reads the mouse here, for messages: "Raw Input", "IOHIDManager".
pub const NAME: &str = super::imp::raw_mouse::NAME;

/// How the overlay names the device, with where it is read.
pub const LABEL: &str = super::imp::raw_mouse::LABEL;

/// Button bits of [`RawReport::pressed`] and [`RawReport::released`]
/// (the game's own numbering: left 1, right 2, middle 4).
pub const LEFT: u8 = 1;
pub const RIGHT: u8 = 2;
pub const MIDDLE: u8 = 4;

/// One report of the mouse, as the device sent it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawReport {
    /// Motion: the device's counts (mickeys) since the last report, or,
    /// when `absolute` (Windows only), the position on the whole desktop
    /// scaled to 0..=65535 (tablets, remote desktops).
    pub dx: i32,
    pub dy: i32,
    pub absolute: bool,
    /// Buttons that went down, and up, in this report.
    pub pressed: u8,
    pub released: u8,
}

/// The raw mouse of this process, read by the thread that calls it.
///
/// It may move between threads (the loop polls it, `read_mouse` blocks on
/// it), but its OS objects belong to one thread: a read from another
/// thread than the last moves them there first. On Windows that is a new
/// message-only window with the registration moved to it (reports that
/// arrived at the old window in between are lost, like those of a mouse
/// unplugged and replugged); on macOS the manager is scheduled on the new
/// thread's run loop instead of the old one's.
#[derive(Debug)]
pub struct RawMouse(super::imp::raw_mouse::RawMouse);

impl RawMouse {
    /// Starts reading every mouse (usage page 1, usage 2) on the calling
    /// thread, even when the process is in the background: a message-only
    /// window registered for it (Windows), a manager scheduled on the
    /// thread's run loop (macOS; `PermissionDenied` without Input
    /// Monitoring).
    pub fn open() -> io::Result<Self> {
        super::imp::raw_mouse::RawMouse::open().map(Self)
    }

    /// Waits up to `timeout` for reports, then hands every report that
    /// has arrived to `each`, oldest first, in batches (no allocation).
    /// Returns how many it handed over (0: the timeout passed).
    pub fn read(
        &mut self,
        timeout: Duration,
        each: &mut dyn FnMut(RawReport),
    ) -> io::Result<usize> {
        self.0.read(timeout, each)
    }

    /// What a wait on the calling thread sleeps on until reports arrive
    /// (`sys::wait::Waiter`); like a read, it brings the mouse to this
    /// thread first.
    pub fn source(&mut self) -> io::Result<RawSource> {
        self.0.source()
    }

    /// Hands over what has arrived, without waiting.
    pub fn poll(&mut self, each: &mut dyn FnMut(RawReport)) -> io::Result<usize> {
        self.0.read(Duration::ZERO, each)
    }

    /// Reports the OS gave that had to be dropped because nobody read them
    /// in time.
    pub fn overruns(&self) -> u64 {
        self.0.overruns()
    }
}
