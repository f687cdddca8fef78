//! The real mouse on X11: XInput2 events on the program's own X connection
//! (independent of winit's), with the X server's timestamps.
//!
//! `read` blocks in `poll(2)` on the connection's socket until an event
//! comes (or the timeout, so the reader can be stopped); `poll` drains what
//! has arrived and keeps only the newest, as a polling loop sees it.

use std::collections::VecDeque;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xinput::{self, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

use super::clock::Clock;
use super::mouse::{ArenaMapping, DeviceError, MouseDevice};
use crate::core::input::MouseReport;
use crate::sys::wait;

/// Events kept between reads before the oldest are dropped (counted).
const QUEUE: usize = 4096;

pub(crate) struct X11Mouse {
    conn: RustConnection,
    window: u32,
    clock: Clock,
    /// CLOCK_MONOTONIC at the program's epoch, in ms (X server time is on that clock).
    epoch_ms: u64,
    mapping: Arc<ArenaMapping>,
    queue: VecDeque<MouseReport>,
    latest: Option<MouseReport>,
    seq: u64,
    buttons: u8,
    overruns: u64,
}

impl X11Mouse {
    /// Connects to the X server, checks XInput 2.2 and listens for pointer
    /// motion and buttons on `window`.
    pub(crate) fn open(
        window: u32,
        clock: Clock,
        mapping: Arc<ArenaMapping>,
    ) -> Result<Self, String> {
        let (conn, _) =
            x11rb::connect(None).map_err(|e| format!("cannot connect to the X server: {e}"))?;
        let version = conn
            .xinput_xi_query_version(2, 2)
            .map_err(|e| format!("the X server has no XInput2: {e}"))?
            .reply()
            .map_err(|e| format!("the X server has no XInput2: {e}"))?;
        if (version.major_version, version.minor_version) < (2, 0) {
            return Err(format!(
                "the X server speaks XInput {}.{}, 2.0 is needed",
                version.major_version, version.minor_version
            ));
        }
        let mask = xinput::XIEventMask::MOTION
            | xinput::XIEventMask::BUTTON_PRESS
            | xinput::XIEventMask::BUTTON_RELEASE;
        conn.xinput_xi_select_events(
            window,
            &[xinput::EventMask {
                deviceid: xinput::Device::ALL_MASTER.into(),
                mask: vec![mask],
            }],
        )
        .map_err(|e| format!("XISelectEvents failed: {e}"))?
        .check()
        .map_err(|e| format!("XISelectEvents failed: {e}"))?;
        conn.flush().map_err(|e| format!("X connection: {e}"))?;
        Ok(Self {
            conn,
            window,
            clock,
            epoch_ms: clock.epoch_monotonic().unwrap_or_default().as_millis() as u64,
            mapping,
            queue: VecDeque::with_capacity(QUEUE),
            latest: None,
            seq: 0,
            buttons: 0,
            overruns: 0,
        })
    }

    /// Server time (ms, CLOCK_MONOTONIC, wraps at 2^32) on the program's
    /// clock; the arrival time if the two clocks do not agree (a remote X server).
    fn server_time(&self, server_ms: u32, arrived: Duration) -> Duration {
        let mono_now_ms = self.epoch_ms + arrived.as_millis() as u64;
        // Unwrap the 32-bit server time against our own clock.
        let candidate = (mono_now_ms & !0xFFFF_FFFF) | u64::from(server_ms);
        let candidate = if candidate > mono_now_ms + (1 << 31) {
            candidate.wrapping_sub(1 << 32)
        } else {
            candidate
        };
        match candidate.checked_sub(self.epoch_ms) {
            Some(ms)
                if ms <= arrived.as_millis() as u64 + 5
                    && arrived.as_millis() as u64 <= ms + 1000 =>
            {
                Duration::from_millis(ms).min(arrived)
            }
            _ => arrived,
        }
    }

    /// Moves every event the connection has into the queue.
    fn drain(&mut self) -> Result<(), DeviceError> {
        loop {
            let event = self
                .conn
                .poll_for_event()
                .map_err(|e| DeviceError(format!("X connection lost: {e}")))?;
            let Some(event) = event else { return Ok(()) };
            let arrived = self.clock.now();
            let (e, pressed) = match event {
                Event::XinputMotion(e) => (e, None),
                Event::XinputButtonPress(e) => (e, Some(true)),
                Event::XinputButtonRelease(e) => (e, Some(false)),
                _ => continue,
            };
            if e.event != self.window {
                continue;
            }
            if let Some(down) = pressed {
                let bit = match e.detail {
                    1 => 1u8,
                    3 => 2,
                    2 => 4,
                    _ => 0,
                };
                self.buttons = if down {
                    self.buttons | bit
                } else {
                    self.buttons & !bit
                };
            }
            let (wx, wy) = (e.event_x as f32 / 65536.0, e.event_y as f32 / 65536.0);
            let time = self.server_time(e.time, arrived);
            let mut report = self.mapping.report(self.seq, time, wx, wy, self.buttons);
            // Read from the connection now, by whichever thread drains it.
            report.read = arrived;
            self.seq += 1;
            if self.queue.len() == QUEUE {
                self.queue.pop_front();
                self.overruns += 1;
            }
            self.queue.push_back(report);
        }
    }
}

impl MouseDevice for X11Mouse {
    fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError> {
        if self.queue.is_empty() {
            self.drain()?;
        }
        if self.queue.is_empty() {
            let socket = self.conn.stream().as_raw_fd();
            if wait::readable(socket, timeout).unwrap_or(false) {
                self.drain()?;
            }
        }
        let next = self.queue.pop_front();
        if next.is_some() {
            self.latest = next;
        }
        Ok(next)
    }

    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        self.drain()?;
        if let Some(newest) = self.queue.back().copied() {
            self.latest = Some(newest);
        }
        self.queue.clear();
        Ok(self.latest)
    }

    fn produced(&self) -> u64 {
        self.seq
    }

    fn overruns(&self) -> u64 {
        self.overruns
    }

    fn label(&self) -> String {
        format!("X11 XInput2 (window 0x{:x})", self.window)
    }

    /// The X connection's socket: readable when the server sent events.
    fn ready_source(&mut self) -> Option<crate::sys::RawSource> {
        Some(self.conn.stream().as_raw_fd())
    }
}
