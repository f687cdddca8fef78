//! Mouse devices: anything with a blocking read and a non-blocking poll,
//! the Rust shape of the slide's `read_from_mouse(buf, BUFSIZE)`.

use std::fmt;
use std::time::Duration;

use super::clock::Clock;
use crate::core::input::{MouseReport, SyntheticPath};

/// A device that stopped working (the X server went away, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceError(pub String);

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeviceError {}

/// A mouse, read either way: the loop polls it, or a thread blocks on it.
/// Moved into the `read_mouse` thread and back, so it must be `Send`.
pub trait MouseDevice: Send {
    /// Blocks until the next report, or `timeout` (`Ok(None)`), so a reader
    /// can notice it was asked to stop. Reports come in order; a device
    /// that had to drop some says so in [`MouseDevice::overruns`].
    fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError>;

    /// The newest state without blocking: everything that arrived since the
    /// last call is folded into the one report returned (`None` if the
    /// mouse never reported).
    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError>;

    /// Reports the device has produced since it was opened.
    fn produced(&self) -> u64;

    /// Reports the device itself lost because nobody read them in time.
    fn overruns(&self) -> u64 {
        0
    }

    /// What the overlay calls this device.
    fn label(&self) -> String;
}

/// The scripted mouse in real time: report `k` of a [`SyntheticPath`]
/// becomes readable at its time. A blocking read sleeps until then, as a
/// reader of a real device sleeps until its interrupt.
#[derive(Debug)]
pub struct SyntheticMouse {
    path: SyntheticPath,
    clock: Clock,
    next: u64,
    overruns: u64,
}

impl SyntheticMouse {
    /// Like an evdev client buffer: a reader further behind than this loses
    /// the oldest reports.
    pub const BUFFER: u64 = 1024;

    pub fn new(clock: Clock, hz: u32, width: f32, height: f32) -> Self {
        let path = SyntheticPath::new(clock.now(), hz, width, height);
        Self {
            path,
            clock,
            next: 0,
            overruns: 0,
        }
    }

    pub fn path(&self) -> &SyntheticPath {
        &self.path
    }
}

impl MouseDevice for SyntheticMouse {
    fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError> {
        let now = self.clock.now();
        if let Some(latest) = self.path.latest_at(now) {
            let oldest_kept = (latest + 1).saturating_sub(Self::BUFFER);
            if self.next < oldest_kept {
                self.overruns += oldest_kept - self.next;
                self.next = oldest_kept;
            }
        }
        let due = self.path.time_of(self.next);
        if due > now + timeout {
            std::thread::sleep(timeout);
            return Ok(None);
        }
        if due > now {
            std::thread::sleep(due - now);
        }
        let report = self.path.report(self.next);
        self.next += 1;
        Ok(Some(report))
    }

    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        let Some(latest) = self.path.latest_at(self.clock.now()) else {
            return Ok(None);
        };
        self.next = latest + 1;
        Ok(Some(self.path.report(latest)))
    }

    fn produced(&self) -> u64 {
        self.path.latest_at(self.clock.now()).map_or(0, |seq| seq + 1)
    }

    fn overruns(&self) -> u64 {
        self.overruns
    }

    fn label(&self) -> String {
        format!("synthetic {} Hz", self.path.hz())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_reads_return_every_report_in_order() {
        let clock = Clock::new();
        let mut mouse = SyntheticMouse::new(clock, 8000, 640.0, 400.0);
        let mut last = None;
        for _ in 0..40 {
            if let Ok(Some(r)) = mouse.read(Duration::from_secs(1)) {
                assert_eq!(r.seq, last.map_or(0, |s: u64| s + 1));
                assert!(clock.now() >= r.time, "a report is never read before it exists");
                last = Some(r.seq);
            }
        }
        assert_eq!(last, Some(39));
    }

    #[test]
    fn poll_returns_the_newest_report_and_skips_the_rest() {
        let clock = Clock::new();
        let mut mouse = SyntheticMouse::new(clock, 8000, 640.0, 400.0);
        std::thread::sleep(Duration::from_millis(3));
        let polled = mouse.poll().ok().flatten().map(|r| r.seq).unwrap_or(0);
        assert!(polled >= 23, "3 ms at 8 kHz is at least 24 reports");
        // A read after a poll continues after the polled report.
        let next = mouse.read(Duration::from_secs(1)).ok().flatten().map(|r| r.seq);
        assert_eq!(next, Some(polled + 1));
        assert!(mouse.produced() > polled);
    }

    #[test]
    fn a_reader_far_behind_loses_the_oldest_reports() {
        let clock = Clock::new();
        let mut mouse = SyntheticMouse::new(clock, 8000, 640.0, 400.0);
        std::thread::sleep(Duration::from_millis(200)); // 1600 reports
        let first = mouse.read(Duration::ZERO).ok().flatten().map(|r| r.seq).unwrap_or(0);
        assert!(mouse.overruns() >= 1600 - SyntheticMouse::BUFFER);
        assert_eq!(first, mouse.overruns());
    }
}
