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
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{Atom, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

use crate::core::latency::{Completion, Presentation};
use crate::shell::clock::Clock;

/// Where the display times come from, for the report and the overlay.
pub(crate) const SOURCE: &str = "X11 Present: the X server's completion of each present \
     (a flip, or a copy on a refresh, is a display time; a compositor's copy is not)";

/// The X server's word on the game window's presents.
pub(crate) struct PresentClock {
    conn: RustConnection,
    window: u32,
    clock: Clock,
    /// The program's epoch on `CLOCK_MONOTONIC`, in microseconds.
    epoch_us: u64,
    /// The compositing manager's selection (`_NET_WM_CM_S<screen>`).
    compositor_selection: Atom,
    /// Does a compositing manager run? Its copies are not the screen.
    composited: bool,
    /// Completions of the window's presents seen so far.
    seen: u64,
}

impl PresentClock {
    /// Connects to the X server and asks for the completions of `window`'s
    /// presents, and for word when a compositing manager starts or stops.
    pub(crate) fn open(window: u32, clock: Clock) -> Result<Self, String> {
        let display = std::env::var("DISPLAY").unwrap_or_default();
        if !is_local(&display) {
            return Err(format!(
                "the X server is on another machine (DISPLAY={display}): its clock is not this one's"
            ));
        }
        let epoch = clock
            .epoch_monotonic()
            .ok_or("this OS does not say what its monotonic clock reads")?;
        let (conn, screen) = x11rb::connect(None).map_err(|e| format!("cannot connect: {e}"))?;
        conn.present_query_version(1, 0)
            .map_err(|e| fail("the X server has no Present extension", e))?
            .reply()
            .map_err(|e| fail("the X server has no Present extension", e))?;
        conn.xfixes_query_version(5, 0)
            .map_err(|e| fail("the X server has no XFIXES", e))?
            .reply()
            .map_err(|e| fail("the X server has no XFIXES", e))?;
        let eid = conn.generate_id().map_err(|e| fail("X connection", e))?;
        conn.present_select_input(eid, window, present::EventMask::COMPLETE_NOTIFY)
            .map_err(|e| fail("PresentSelectInput failed", e))?
            .check()
            .map_err(|e| fail("PresentSelectInput failed", e))?;
        let name = format!("_NET_WM_CM_S{screen}");
        let compositor_selection = conn
            .intern_atom(false, name.as_bytes())
            .map_err(|e| fail("InternAtom", e))?
            .reply()
            .map_err(|e| fail("InternAtom", e))?
            .atom;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or("the X server has no such screen")?;
        let owner_changes = xfixes::SelectionEventMask::SET_SELECTION_OWNER
            | xfixes::SelectionEventMask::SELECTION_WINDOW_DESTROY
            | xfixes::SelectionEventMask::SELECTION_CLIENT_CLOSE;
        conn.xfixes_select_selection_input(root, compositor_selection, owner_changes)
            .map_err(|e| fail("XFixesSelectSelectionInput failed", e))?;
        let composited = conn
            .get_selection_owner(compositor_selection)
            .map_err(|e| fail("GetSelectionOwner", e))?
            .reply()
            .map_err(|e| fail("GetSelectionOwner", e))?
            .owner
            != x11rb::NONE;
        conn.flush().map_err(|e| fail("X connection", e))?;
        Ok(Self {
            conn,
            window,
            clock,
            epoch_us: epoch.as_micros() as u64,
            compositor_selection,
            composited,
            seen: 0,
        })
    }

    /// Completions of the window's presents that have arrived, oldest
    /// first, without waiting. An error ends the clock (the connection is
    /// gone).
    pub(crate) fn drain(&mut self, each: &mut dyn FnMut(Completion)) -> Result<(), String> {
        while let Some(event) = self
            .conn
            .poll_for_event()
            .map_err(|e| format!("X connection lost: {e}"))?
        {
            match event {
                Event::XfixesSelectionNotify(n) if n.selection == self.compositor_selection => {
                    self.composited = n.owner != x11rb::NONE;
                }
                Event::PresentCompleteNotify(c)
                    if c.window == self.window && c.kind == CompleteKind::PIXMAP =>
                {
                    self.seen += 1;
                    let how = match c.mode {
                        CompleteMode::FLIP => Presentation::Flip,
                        CompleteMode::SKIP => Presentation::Skip,
                        _ if self.composited => Presentation::Composited,
                        _ => Presentation::Copy,
                    };
                    each(Completion {
                        serial: c.serial,
                        at: self.program_time(c.ust),
                        how,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Completions seen so far.
    pub(crate) fn seen(&self) -> u64 {
        self.seen
    }

    /// A UST on the program's clock: `None` for a refresh before the
    /// program started, or implausibly far ahead of now (a refresh's
    /// timestamp may run a little ahead of its event, never 100 ms).
    fn program_time(&self, ust: u64) -> Option<Duration> {
        let at = Duration::from_micros(ust.checked_sub(self.epoch_us)?);
        (at <= self.clock.now() + Duration::from_millis(100)).then_some(at)
    }
}

fn fail(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// Is `DISPLAY` an X server on this machine (so its clock is ours)? ":0",
/// ":1.0", "unix:0", a loopback address, or a socket path (macOS's
/// launchd). `ssh -X`'s "localhost:10" is a local proxy for a far server
/// whose clock is not ours: the 100 ms check on each time guards that.
fn is_local(display: &str) -> bool {
    let host = display.rsplit_once(':').map_or("", |(host, _)| host);
    let loopback = ["localhost", "127.0.0.1", "[::1]", "::1"];
    host.is_empty() || host == "unix" || loopback.contains(&host) || host.starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use x11rb::protocol::xproto::{CreateWindowAux, WindowClass};

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

    #[test]
    fn only_a_display_on_this_machine_shares_its_clock() {
        for local in [
            ":0",
            ":1.0",
            "unix:0",
            "localhost:10.0",
            "127.0.0.1:0",
            "[::1]:0",
            "/private/tmp/launchd-1/org.xquartz:0",
        ] {
            assert!(is_local(local), "{local}");
        }
        for remote in ["lab-pc:0", "10.0.0.7:0.0", "[fe80::1]:0"] {
            assert!(!is_local(remote), "{remote}");
        }
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
            assert_eq!(c.how, Presentation::Copy, "Xvfb copies, with no compositor");
            let Some(at) = c.at else {
                panic!("a refresh after the program started: {c:?}");
            };
            // UST and the epoch are whole microseconds.
            assert!(
                at <= arrived + Duration::from_micros(2),
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
