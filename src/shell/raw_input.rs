//! The real mouse on Windows and macOS: `sys::raw_mouse` (Raw Input,
//! IOHIDManager), the device's own motion deltas and buttons, read on the
//! thread that reads (the loop when polled, `read_mouse` when threaded)
//! rather than relayed from the window's cursor events by the loop.
//!
//! Each report is stamped with the program's clock as it is read (Raw
//! Input carries no time of its own; IOHID's is not used, so both read
//! alike), and its deltas are added up into a position on the arena: it
//! starts at the centre, one mickey is one arena pixel (no pointer
//! acceleration), and it stays on the arena.

use std::collections::VecDeque;
use std::time::Duration;

use super::clock::Clock;
use super::mouse::{DeviceError, MouseDevice};
use crate::core::arena::{HEIGHT, WIDTH};
use crate::core::input::MouseReport;
use crate::sys::RawSource;
use crate::sys::raw_mouse::{LABEL, NAME, RawMouse, RawReport};

/// Reports kept between reads before the oldest are dropped (counted).
const QUEUE: usize = 4096;

/// Where the deltas have taken the pointer, and what it has produced.
#[derive(Debug)]
struct Pointer {
    x: f32,
    y: f32,
    buttons: u8,
    seq: u64,
}

impl Pointer {
    /// One raw report added up into an arena report stamped `time`.
    fn apply(&mut self, raw: RawReport, time: Duration) -> MouseReport {
        let (w, h) = (WIDTH as f32, HEIGHT as f32);
        if raw.absolute {
            // The whole desktop as 0..=65535: the arena stands for it.
            self.x = raw.dx as f32 / 65535.0 * (w - 1.0);
            self.y = raw.dy as f32 / 65535.0 * (h - 1.0);
        } else {
            self.x += raw.dx as f32;
            self.y += raw.dy as f32;
        }
        self.x = self.x.clamp(0.0, w - 1.0);
        self.y = self.y.clamp(0.0, h - 1.0);
        self.buttons = (self.buttons | raw.pressed) & !raw.released;
        // No device time: made and read are the moment the reader took
        // it from the OS.
        let report = MouseReport {
            seq: self.seq,
            time,
            read: time,
            x: self.x,
            y: self.y,
            buttons: self.buttons,
        };
        self.seq += 1;
        report
    }
}

pub(crate) struct RawInputMouse {
    raw: RawMouse,
    clock: Clock,
    pointer: Pointer,
    queue: VecDeque<MouseReport>,
    latest: Option<MouseReport>,
    /// Reports dropped from a full queue.
    dropped: u64,
}

impl RawInputMouse {
    /// Starts reading the mouse on this thread. Open it after the window's
    /// event loop exists (on Windows the process has one raw mouse target,
    /// and the event loop registers its own when it is built). The error
    /// is a line for the user, saying what to do where there is something.
    pub(crate) fn open(clock: Clock) -> Result<Self, String> {
        let raw = RawMouse::open().map_err(|e| format!("{NAME} mouse unavailable ({e})"))?;
        Ok(Self {
            raw,
            clock,
            pointer: Pointer {
                x: WIDTH as f32 / 2.0,
                y: HEIGHT as f32 / 2.0,
                buttons: 0,
                seq: 0,
            },
            queue: VecDeque::with_capacity(QUEUE),
            latest: None,
            dropped: 0,
        })
    }

    /// Waits up to `timeout` and queues what came, stamped as it is read.
    fn fill(&mut self, timeout: Duration) -> Result<(), DeviceError> {
        let Self {
            raw,
            clock,
            pointer,
            queue,
            dropped,
            ..
        } = self;
        raw.read(timeout, &mut |r| {
            let report = pointer.apply(r, clock.now());
            if queue.len() == QUEUE {
                queue.pop_front();
                *dropped += 1;
            }
            queue.push_back(report);
        })
        .map_err(|e| DeviceError(format!("{NAME}: {e}")))?;
        Ok(())
    }
}

impl MouseDevice for RawInputMouse {
    fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError> {
        if self.queue.is_empty() {
            // A wait may end with no mouse report (a keyboard's raw input
            // on Windows, a mouse plugged in on macOS): wait again for
            // what is left of the timeout.
            let start = self.clock.now();
            loop {
                let left = timeout.saturating_sub(self.clock.now().saturating_sub(start));
                self.fill(left)?;
                if !self.queue.is_empty() || left.is_zero() {
                    break;
                }
            }
        }
        let next = self.queue.pop_front();
        if next.is_some() {
            self.latest = next;
        }
        Ok(next)
    }

    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        self.fill(Duration::ZERO)?;
        if let Some(newest) = self.queue.back().copied() {
            self.latest = Some(newest);
        }
        self.queue.clear();
        Ok(self.latest)
    }

    fn produced(&self) -> u64 {
        self.pointer.seq
    }

    fn overruns(&self) -> u64 {
        self.dropped + self.raw.overruns()
    }

    fn label(&self) -> String {
        LABEL.into()
    }

    /// The raw input reaching this thread's queue: the events mode sleeps
    /// on it and its deadline in one `MsgWaitForMultipleObjectsEx`.
    /// (Reports already taken into this device's queue do not wake it:
    /// the events mode drains the device before every wait.)
    fn ready_source(&mut self) -> Option<RawSource> {
        self.raw.source().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointer() -> Pointer {
        Pointer {
            x: WIDTH as f32 / 2.0,
            y: HEIGHT as f32 / 2.0,
            buttons: 0,
            seq: 0,
        }
    }

    #[test]
    fn deltas_add_up_on_the_arena_and_stay_on_it() {
        let mut p = pointer();
        let moved = |dx, dy| RawReport {
            dx,
            dy,
            ..Default::default()
        };
        let r = p.apply(moved(10, -5), Duration::from_millis(1));
        assert_eq!((r.x, r.y, r.seq), (330.0, 195.0, 0));
        let r = p.apply(moved(10_000, 10_000), Duration::from_millis(2));
        assert_eq!((r.x, r.y, r.seq), (639.0, 399.0, 1));
        assert_eq!(r.time, Duration::from_millis(2));
    }

    #[test]
    fn buttons_are_held_from_press_to_release() {
        let mut p = pointer();
        let left = crate::sys::raw_mouse::LEFT;
        let down = RawReport {
            pressed: left,
            ..Default::default()
        };
        let up = RawReport {
            released: left,
            ..Default::default()
        };
        assert_eq!(p.apply(down, Duration::ZERO).buttons, left);
        assert_eq!(p.apply(RawReport::default(), Duration::ZERO).buttons, left);
        assert_eq!(p.apply(up, Duration::ZERO).buttons, 0);
    }
}
