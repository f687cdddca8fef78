//! Mouse devices: anything with a blocking read and a non-blocking poll,
//! the Rust shape of the slide's `read_from_mouse(buf, BUFSIZE)`.

use std::fmt;
use std::time::Duration;

use super::clock::Clock;
use crate::core::input::{MouseReport, SyntheticPath};
use crate::sys::RawSource;
use crate::sys::wait::Timer;

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

    /// A source (a file descriptor on Unix) that becomes readable when a
    /// report can be read without blocking, for an event loop to sleep on
    /// (`None`: the device has none). Asked again before every wait, so a
    /// device may re-arm it.
    fn ready_source(&mut self) -> Option<RawSource> {
        None
    }
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
    /// A timer armed for the next report and the clock's epoch on the
    /// timer's clock, made when first asked for.
    timer: Option<(Timer, Duration)>,
}

impl SyntheticMouse {
    /// Like an evdev client buffer: a reader further behind than this loses
    /// the oldest reports.
    pub(crate) const BUFFER: u64 = 1024;

    pub fn new(clock: Clock, hz: u32, width: f32, height: f32) -> Self {
        let path = SyntheticPath::new(clock.now(), hz, width, height);
        Self {
            path,
            clock,
            next: 0,
            overruns: 0,
            timer: None,
        }
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
        let mut report = self.path.report(self.next);
        report.read = self.clock.now();
        self.next += 1;
        Ok(Some(report))
    }

    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        let Some(latest) = self.path.latest_at(self.clock.now()) else {
            return Ok(None);
        };
        self.next = latest + 1;
        let mut report = self.path.report(latest);
        report.read = self.clock.now();
        Ok(Some(report))
    }

    fn produced(&self) -> u64 {
        self.path
            .latest_at(self.clock.now())
            .map_or(0, |seq| seq + 1)
    }

    fn overruns(&self) -> u64 {
        self.overruns
    }

    fn label(&self) -> String {
        format!("synthetic {} Hz", self.path.hz())
    }

    /// A timer that fires when the next report is due, like the interrupt
    /// of a real mouse (where the OS has such a timer: Linux's timerfd,
    /// Windows' waitable timer);
    /// re-armed on every call.
    fn ready_source(&mut self) -> Option<RawSource> {
        if self.timer.is_none() {
            let epoch = self.clock.epoch_monotonic()?;
            self.timer = Some((Timer::new().ok()?, epoch));
        }
        let (timer, epoch) = self.timer.as_ref()?;
        timer.arm_at(*epoch + self.path.time_of(self.next)).ok()?;
        Some(timer.source())
    }
}

/// Where the arena is in the window, shared with whoever turns window
/// pixels into arena pixels (the reader thread too). Lock-free: three
/// atomically stored `f32`s (corner x, y and scale), written by the display
/// when the layout changes.
#[derive(Debug)]
pub(crate) struct ArenaMapping {
    bits: [std::sync::atomic::AtomicU32; 3],
}

impl Default for ArenaMapping {
    fn default() -> Self {
        let m = Self {
            bits: Default::default(),
        };
        m.set(0.0, 0.0, 1.0);
        m
    }
}

impl ArenaMapping {
    /// The arena's top-left corner in window pixels, and window pixels per arena pixel.
    pub(crate) fn set(&self, x: f32, y: f32, scale: f32) {
        use std::sync::atomic::Ordering::Relaxed;
        self.bits[0].store(x.to_bits(), Relaxed);
        self.bits[1].store(y.to_bits(), Relaxed);
        self.bits[2].store(scale.max(1e-3).to_bits(), Relaxed);
    }

    /// Window pixels to arena pixels, and whether the point is on the arena.
    pub(crate) fn to_arena(&self, wx: f32, wy: f32) -> (f32, f32, bool) {
        use std::sync::atomic::Ordering::Relaxed;
        let x = f32::from_bits(self.bits[0].load(Relaxed));
        let y = f32::from_bits(self.bits[1].load(Relaxed));
        let s = f32::from_bits(self.bits[2].load(Relaxed));
        let (ax, ay) = ((wx - x) / s, (wy - y) / s);
        let (w, h) = (
            crate::core::arena::WIDTH as f32,
            crate::core::arena::HEIGHT as f32,
        );
        let inside = (0.0..w).contains(&ax) && (0.0..h).contains(&ay);
        (ax.clamp(0.0, w - 1.0), ay.clamp(0.0, h - 1.0), inside)
    }

    /// A report from window coordinates: clamped to the arena, and with
    /// no buttons held when off the arena (clicks on the overlay are the
    /// overlay's, not the game's).
    pub(crate) fn report(
        &self,
        seq: u64,
        time: Duration,
        wx: f32,
        wy: f32,
        buttons: u8,
    ) -> MouseReport {
        let (x, y, inside) = self.to_arena(wx, wy);
        MouseReport {
            seq,
            time,
            read: time,
            x,
            y,
            buttons: if inside { buttons } else { 0 },
        }
    }
}

/// Where the window's own cursor events are the only mouse (Wayland,
/// Windows, macOS): the loop relays them into this device. Labelled
/// "relay" on screen, since the loop itself is the one reading them (so a
/// report's `read` is its `time`: the loop had it when the window did).
pub(crate) struct RelayMouse {
    rx: crossbeam_channel::Receiver<MouseReport>,
    latest: Option<MouseReport>,
    produced: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// The window's end of a [`RelayMouse`].
#[derive(Clone)]
pub(crate) struct RelaySender {
    tx: crossbeam_channel::Sender<MouseReport>,
    produced: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl RelaySender {
    /// Passes a cursor report on; a full relay drops it (never blocks the window).
    pub(crate) fn send(&self, r: MouseReport) {
        self.produced
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _ = self.tx.try_send(r);
    }
}

impl RelayMouse {
    pub(crate) fn new() -> (Self, RelaySender) {
        let (tx, rx) = crossbeam_channel::bounded(4096);
        let produced = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let sender = RelaySender {
            tx,
            produced: produced.clone(),
        };
        let mouse = Self {
            rx,
            latest: None,
            produced,
        };
        (mouse, sender)
    }
}

impl MouseDevice for RelayMouse {
    fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError> {
        match self.rx.recv_timeout(timeout) {
            Ok(r) => {
                self.latest = Some(r);
                Ok(Some(r))
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => Ok(None),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                Err(DeviceError("the window closed".into()))
            }
        }
    }

    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        for r in self.rx.try_iter() {
            self.latest = Some(r);
        }
        Ok(self.latest)
    }

    fn produced(&self) -> u64 {
        self.produced.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn label(&self) -> String {
        "relay of the window's cursor events".into()
    }
}

#[cfg(test)]
mod tests;
