//! When the display showed each frame, as the X server says: the Present
//! extension's `CompleteNotify` events on the game's window, read on a
//! connection of our own. Any client may select them on any window, so the
//! presents the Vulkan driver makes for the window (Mesa's DRI3 path, on
//! Xorg and XWayland) reach us too, each with the time of the refresh that
//! showed the frame (UST: microseconds on the server's `CLOCK_MONOTONIC`).
//!
//! A driver that sends its frames another way (lavapipe under Xvfb sends
//! them with `PutImage`) makes no presents, so no completions come, and
//! the figures stay input-to-present.

use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::present::{self, CompleteKind, CompleteMode, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

use crate::core::latency::Completion;
use crate::shell::clock::Clock;

/// Where the display times come from, for the report and the overlay.
pub(crate) const SOURCE: &str = "X11 Present: the X server's completion of each present";

/// The X server's word on the game window's presents.
pub(crate) struct PresentClock {
    conn: RustConnection,
    window: u32,
    clock: Clock,
    /// The program's epoch on `CLOCK_MONOTONIC`, in microseconds.
    epoch_us: u64,
    /// Completions of the window's presents seen so far.
    seen: u64,
}

impl PresentClock {
    /// Connects to the X server and asks for the completions of `window`'s
    /// presents.
    pub(crate) fn open(window: u32, clock: Clock) -> Result<Self, String> {
        let epoch = clock
            .epoch_monotonic()
            .ok_or("this OS does not say what its monotonic clock reads")?;
        let (conn, _) = x11rb::connect(None).map_err(|e| format!("cannot connect: {e}"))?;
        conn.present_query_version(1, 0)
            .map_err(|e| format!("the X server has no Present extension: {e}"))?
            .reply()
            .map_err(|e| format!("the X server has no Present extension: {e}"))?;
        let eid = conn
            .generate_id()
            .map_err(|e| format!("X connection: {e}"))?;
        conn.present_select_input(eid, window, present::EventMask::COMPLETE_NOTIFY)
            .map_err(|e| format!("PresentSelectInput failed: {e}"))?
            .check()
            .map_err(|e| format!("PresentSelectInput failed: {e}"))?;
        Ok(Self {
            conn,
            window,
            clock,
            epoch_us: epoch.as_micros() as u64,
            seen: 0,
        })
    }

    /// Completions of the window's presents that have arrived, oldest
    /// first, without waiting. An error ends the clock (the connection is
    /// gone, or the server's clock is not this machine's).
    pub(crate) fn drain(&mut self, each: &mut dyn FnMut(Completion)) -> Result<(), String> {
        while let Some(event) = self
            .conn
            .poll_for_event()
            .map_err(|e| format!("X connection lost: {e}"))?
        {
            let Event::PresentCompleteNotify(c) = event else {
                continue;
            };
            if c.window != self.window || c.kind != CompleteKind::PIXMAP {
                continue;
            }
            let at = self.program_time(c.ust)?;
            self.seen += 1;
            each(if c.mode == CompleteMode::SKIP {
                Completion::Skipped(at)
            } else {
                Completion::Shown(at)
            });
        }
        Ok(())
    }

    /// Completions seen so far.
    pub(crate) fn seen(&self) -> u64 {
        self.seen
    }

    /// A UST on the program's clock. A refresh before the program started
    /// comes out as zero (older than any present, so it matches none); one
    /// later than now means the server counts on another clock (a remote
    /// display), and its times cannot be used.
    fn program_time(&self, ust: u64) -> Result<Duration, String> {
        let at = Duration::from_micros(ust.saturating_sub(self.epoch_us));
        let now = self.clock.now();
        if at > now + Duration::from_millis(2) {
            return Err(format!(
                "the X server's clock runs {:.1} s ahead of this machine's (a remote display?)",
                (at - now).as_secs_f64()
            ));
        }
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x11rb::protocol::xproto::{ConnectionExt as _, CreateWindowAux, WindowClass};

    /// A mapped 64×64 window on the X server, from `conn`.
    fn window(conn: &RustConnection, screen: usize) -> u32 {
        let root = conn.setup().roots[screen].root;
        let id = conn.generate_id().expect("an id");
        conn.create_window(
            0,
            id,
            root,
            0,
            0,
            64,
            64,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new(),
        )
        .expect("CreateWindow");
        conn.map_window(id).expect("MapWindow");
        conn.flush().expect("flush");
        id
    }

    /// Presents a fresh pixmap in `window`, as a driver's Present path does.
    fn present_pixmap(conn: &RustConnection, screen: usize, window: u32, serial: u32) {
        let s = &conn.setup().roots[screen];
        let pixmap = conn.generate_id().expect("an id");
        conn.create_pixmap(s.root_depth, pixmap, window, 64, 64)
            .expect("CreatePixmap");
        conn.present_pixmap(
            window,
            pixmap,
            serial,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            present::Option::NONE.into(),
            0,
            0,
            0,
            &[],
        )
        .expect("PresentPixmap");
        conn.free_pixmap(pixmap).expect("FreePixmap");
        conn.flush().expect("flush");
    }

    /// Under a real X server (scripts/e2e.sh runs it under Xvfb, whose
    /// Present completes presents on a fake 60 Hz CRTC): the completions of
    /// another client's presents in our window reach the clock, in order,
    /// at times on the program's clock no later than their arrival, and
    /// another window's do not.
    #[test]
    #[ignore = "needs an X server: scripts/e2e.sh runs it under Xvfb"]
    fn another_clients_presents_in_the_window_are_timed_on_our_clock() {
        let clock = Clock::new();
        let (conn, screen) = x11rb::connect(None).expect("an X server ($DISPLAY)");
        let ours = window(&conn, screen);
        let other = window(&conn, screen);
        let mut display = PresentClock::open(ours, clock).expect("Present on this X server");
        // One present at a time: presents queued for the same refresh
        // replace each other, and the replaced ones complete as skipped.
        let sent = 5;
        let mut got = Vec::new();
        for serial in 0..sent {
            present_pixmap(&conn, screen, ours, serial);
            present_pixmap(&conn, screen, other, 100 + serial);
            let give_up = clock.now() + Duration::from_secs(5);
            while got.len() <= serial as usize && clock.now() < give_up {
                display
                    .drain(&mut |c| got.push((c, clock.now())))
                    .expect("the connection holds");
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        assert_eq!(
            got.len(),
            sent as usize,
            "one completion per present: {got:?}"
        );
        assert_eq!(display.seen(), u64::from(sent));
        let mut last = Duration::ZERO;
        for (c, arrived) in got {
            let Completion::Shown(at) = c else {
                panic!("a present alone in its refresh is shown: {c:?}");
            };
            assert!(
                at <= arrived,
                "shown at {at:?}, after it was said at {arrived:?}"
            );
            assert!(at >= last, "in order");
            last = at;
        }
        // Nothing more: the other window's presents are not ours.
        std::thread::sleep(Duration::from_millis(100));
        display
            .drain(&mut |c| panic!("another window's completion: {c:?}"))
            .expect("the connection holds");
    }
}
