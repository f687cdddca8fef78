//! The display connection and what happens when it fails: which window
//! system to use when the environment names a dead one (a stale
//! `WAYLAND_DISPLAY` beside a working `DISPLAY`, or the reverse), and the
//! X server going away mid-run. Xlib's default answer to a lost connection
//! is to exit the process on the spot, losing the report and the
//! recording; here it only raises a flag the loop checks, so the run ends
//! like any other.

use std::sync::atomic::{AtomicBool, Ordering};

use winit::event_loop::EventLoop;
use winit::window::Window;

use crate::shell::clock::Clock;
use crate::shell::mouse::{ArenaMapping, MouseDevice};
use std::sync::Arc;

/// The window systems' own parts: X11 and Wayland on Linux (with x11rb
/// and Xlib's hooks); elsewhere winit's one window system needs none.
#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(not(target_os = "linux"), path = "other.rs")]
mod platform;

static LOST: AtomicBool = AtomicBool::new(false);

/// Has the display connection gone away?
pub fn lost() -> bool {
    LOST.load(Ordering::Relaxed)
}

/// Has the display gone away, asking the X server when no handler has
/// said so yet? For error paths only (it opens a connection): a window
/// system error right after the X server died can come before Xlib's I/O
/// error handler runs. Raises the flag when the server no longer answers.
pub fn gone() -> bool {
    if lost() {
        return true;
    }
    if platform::server_gone() {
        LOST.store(true, Ordering::Relaxed);
        return true;
    }
    false
}

/// winit's X11 backend unwraps its replies: when the X server goes away,
/// the first sign can be a panic inside winit (`Connection(IoError(..))`,
/// say from `inner_size`) rather than Xlib's I/O error handler. Such a
/// panic is the display going away, not a bug: it raises the same flag,
/// and the panic hook leaves it to the loop (see `install_panic_hook`).
pub fn claims_panic(file: &str, message: &str) -> bool {
    let lost_connection = is_x11_connection_failure(file, message);
    if lost_connection {
        LOST.store(true, Ordering::Relaxed);
    }
    lost_connection
}

fn is_x11_connection_failure(file: &str, message: &str) -> bool {
    let in_winit_x11 = file.contains("winit") && file.contains("/x11/");
    in_winit_x11 && message.contains("Connection(")
}

/// A window system winit can be told to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Wayland,
    X11,
}

/// Which backend to force (`None`: winit's own choice) and the line that
/// says why, when it is not the one the environment asks for first.
#[derive(Debug, PartialEq, Eq)]
pub struct Choice {
    pub backend: Option<Backend>,
    pub note: Option<String>,
}

/// What the environment offers: each display's name, if set, and whether
/// it answers (asked only when needed).
pub struct Offer<'a> {
    pub wayland: Option<&'a str>,
    pub x11: Option<&'a str>,
    pub wayland_answers: &'a dyn Fn() -> Result<(), String>,
    pub x11_answers: &'a dyn Fn() -> Result<(), String>,
}

/// Wayland first when it is named (as winit does). A named Wayland
/// display that does not answer, beside a named X display, gives way to
/// it (not probed: a probe's disconnect can reset an Xvfb). A named X
/// display that does not answer gives way to a compositor that does.
pub fn choose(offer: &Offer<'_>) -> Choice {
    let keep = Choice {
        backend: None,
        note: None,
    };
    match (offer.wayland, offer.x11) {
        (Some(wayland), Some(x11)) => match (offer.wayland_answers)() {
            Ok(()) => keep,
            Err(why) => Choice {
                backend: Some(Backend::X11),
                note: Some(format!(
                    "the Wayland display '{wayland}' does not answer ({why}); using the X display '{x11}'"
                )),
            },
        },
        (None, Some(x11)) if (offer.wayland_answers)().is_ok() => match (offer.x11_answers)() {
            Ok(()) => keep,
            Err(why) => Choice {
                backend: Some(Backend::Wayland),
                note: Some(format!(
                    "the X display '{x11}' does not answer ({why}); using the Wayland compositor"
                )),
            },
        },
        _ => keep,
    }
}

/// The event loop on the display that answers; `Ok` carries the note to
/// show if a named display was skipped.
pub fn event_loop() -> Result<(EventLoop<()>, Option<String>), winit::error::EventLoopError> {
    let choice = platform::choose_from_env();
    let mut builder = EventLoop::builder();
    platform::force(&mut builder, choice.backend);
    builder.build().map(|l| (l, choice.note))
}

/// Makes a lost display connection a flag instead of an exit (Xlib's I/O
/// error handler; nothing to do elsewhere). Returns a note if the display
/// library is too old to let the run end cleanly.
pub fn guard(window: &Window) -> Option<String> {
    platform::guard(window)
}

/// Why there is no X11 mouse when the window has no X11 id.
pub const NO_X11: &str = platform::NO_X11;

/// The XInput2 mouse on the X server of `window` (an X11 window id).
pub fn x11_mouse(
    window: u32,
    clock: Clock,
    mapping: Arc<ArenaMapping>,
) -> Result<Box<dyn MouseDevice>, String> {
    platform::x11_mouse(window, clock, mapping)
}

/// The X11 id of `window`, when it is on an X server (for the XInput2 mouse).
pub fn x11_window(window: &Window) -> Option<u32> {
    platform::x11_window(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer<'a>(
        wayland: Option<&'a str>,
        x11: Option<&'a str>,
        w: &'a dyn Fn() -> Result<(), String>,
        x: &'a dyn Fn() -> Result<(), String>,
    ) -> Offer<'a> {
        Offer {
            wayland,
            x11,
            wayland_answers: w,
            x11_answers: x,
        }
    }

    #[test]
    fn a_panic_of_winits_x11_backend_on_a_dead_connection_is_the_display_going_away() {
        // As winit 0.30 reported it when Xvfb was killed mid-frame.
        let file = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/winit-0.30.13/src/platform_impl/linux/x11/window.rs";
        let message = "called `Result::unwrap()` on an `Err` value: Connection(IoError(Custom { kind: Other, error: UnknownError }))";
        assert!(is_x11_connection_failure(file, message));
        assert!(!is_x11_connection_failure("src/app/render.rs", message));
        assert!(!is_x11_connection_failure(
            file,
            "called `Option::unwrap()` on a `None` value"
        ));
    }

    #[test]
    fn a_stale_wayland_display_falls_back_to_a_live_x_server() {
        let dead = || Err("refused".to_string());
        let live = || Ok(());
        let c = choose(&offer(Some("garbage"), Some(":171"), &dead, &live));
        assert_eq!(c.backend, Some(Backend::X11));
        assert_eq!(
            c.note.as_deref(),
            Some(
                "the Wayland display 'garbage' does not answer (refused); using the X display ':171'"
            )
        );
    }

    #[test]
    fn a_dead_x_server_falls_back_to_a_live_compositor() {
        let dead = || Err("no server".to_string());
        let live = || Ok(());
        let c = choose(&offer(None, Some(":9"), &live, &dead));
        assert_eq!(c.backend, Some(Backend::Wayland));
        assert!(
            c.note
                .unwrap_or_default()
                .starts_with("the X display ':9' does not answer (no server)")
        );
    }

    #[test]
    fn live_or_hopeless_displays_are_left_to_winit() {
        let dead = || Err("no".to_string());
        let live = || Ok(());
        let none = Choice {
            backend: None,
            note: None,
        };
        assert_eq!(choose(&offer(Some("w"), Some(":1"), &live, &dead)), none);
        assert_eq!(choose(&offer(None, Some(":1"), &dead, &live)), none);
        assert_eq!(choose(&offer(None, Some(":1"), &dead, &dead)), none);
        assert_eq!(choose(&offer(Some("w"), None, &dead, &live)), none);
        assert_eq!(choose(&offer(None, None, &live, &live)), none);
    }
}
