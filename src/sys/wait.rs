//! Waiting for two things at once, the event-driven way: one wait on a
//! device's readiness and a deadline timer (the events mode), a timer a
//! device arms for its next report (the synthetic mouse), and a wait for
//! one source to become readable (the X11 mouse's blocking read).
//!
//! Linux has all of it (epoll, timerfd, poll), Windows too (waitable
//! timers, `MsgWaitForMultipleObjectsEx` on handles and the raw-input
//! queue); elsewhere (macOS) [`Waiter::new`] and [`Timer::new`] answer
//! `Unsupported` with the reason, and the events mode says so and drains
//! the mouse once per tick instead.

use std::io;
use std::time::Duration;

use super::RawSource;

/// The OS's monotonic clock now, the one `Instant` reads (Linux and
/// macOS: `CLOCK_MONOTONIC`, which X server timestamps count in too;
/// Windows: the performance counter). `None` if the OS cannot say.
pub fn monotonic_now() -> Option<Duration> {
    super::imp::wait::monotonic_now()
}

/// A one-shot timer that makes its source readable at an absolute time on
/// the monotonic clock.
#[derive(Debug)]
pub struct Timer(super::imp::wait::Timer);

impl Timer {
    pub fn new() -> io::Result<Self> {
        super::imp::wait::Timer::new().map(Self)
    }

    /// Fires once at `at` (monotonic clock); arming afresh also clears an
    /// earlier expiry.
    pub fn arm_at(&self, at: Duration) -> io::Result<()> {
        self.0.arm_at(at)
    }

    /// What to wait on: readable once the timer has fired.
    pub fn source(&self) -> RawSource {
        self.0.source()
    }
}

/// One wait on a device's source and a deadline: returns when the source
/// is readable or the deadline has come, whichever is first.
#[derive(Debug)]
pub struct Waiter(super::imp::wait::Waiter);

impl Waiter {
    /// Waits on `device` (it must stay open while the waiter lives).
    pub fn new(device: RawSource) -> io::Result<Self> {
        super::imp::wait::Waiter::new(device).map(Self)
    }

    /// Sleeps until the device is ready or `deadline` (monotonic clock)
    /// has come, in one wait.
    pub fn wait(&mut self, deadline: Duration) -> io::Result<()> {
        self.0.wait(deadline)
    }
}

/// Waits up to `timeout` for `source` to be readable; `Ok(true)` if it is.
pub fn readable(source: RawSource, timeout: Duration) -> io::Result<bool> {
    super::imp::wait::readable(source, timeout)
}
