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

/// Which window system answers, on a desktop that offers two.
#[cfg(target_os = "linux")]
mod choice;
/// The window systems' own parts: X11 and Wayland on Linux (with x11rb
/// and Xlib's hooks); elsewhere winit's one window system needs none, and
/// Windows and macOS read the mouse below it (Raw Input, IOHIDManager).
#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
#[cfg(any(target_os = "linux", windows, target_os = "macos"))]
mod platform;
/// Any other desktop: winit's one window system, the cursor relayed.
#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
#[path = "other.rs"]
mod platform;
/// X11's Present completions: when each frame was shown.
#[cfg(target_os = "linux")]
mod present;
/// A desktop with one window system (Windows, macOS).
#[cfg(not(target_os = "linux"))]
mod single;

static LOST: AtomicBool = AtomicBool::new(false);

/// Has the display connection gone away?
pub(crate) fn lost() -> bool {
    LOST.load(Ordering::Relaxed)
}

/// Has the display gone away, asking the X server when no handler has
/// said so yet? For error paths only (it opens a connection): a window
/// system error right after the X server died can come before Xlib's I/O
/// error handler runs. Raises the flag when the server no longer answers.
pub(crate) fn gone() -> bool {
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

/// The event loop on the display that answers; `Ok` carries the note to
/// show if a named display was skipped or the desktop offered two.
/// `wayland_first` (`--wayland`): a native Wayland window where a Linux
/// desktop offers X11 too (elsewhere there is one window system).
pub(crate) fn event_loop(
    wayland_first: bool,
) -> Result<(EventLoop<()>, Option<String>), winit::error::EventLoopError> {
    let (mut builder, note) = platform::event_loop_builder(wayland_first);
    builder.build().map(|l| (l, note))
}

/// Makes a lost display connection a flag instead of an exit (Xlib's I/O
/// error handler; nothing to do elsewhere). Returns a note if the display
/// library is too old to let the run end cleanly.
pub(crate) fn guard(window: &Window) -> Option<String> {
    platform::guard(window)
}

/// Why there is no X11 mouse when the window has no X11 id.
pub(crate) const NO_X11: &str = platform::NO_X11;

/// The XInput2 mouse on the X server of `window` (an X11 window id).
pub(crate) fn x11_mouse(
    window: u32,
    clock: Clock,
    mapping: Arc<ArenaMapping>,
) -> Result<Box<dyn MouseDevice>, String> {
    platform::x11_mouse(window, clock, mapping)
}

/// The mouse read below the window system, where the game reads one
/// there (Raw Input on Windows, IOHIDManager on macOS; `None` elsewhere),
/// or why it cannot be had. Open it after the event loop is built.
pub(crate) fn os_mouse(clock: Clock) -> Option<Result<Box<dyn MouseDevice>, String>> {
    platform::os_mouse(clock)
}

/// When each presented frame was shown, where the window system says
/// (X11's Present extension); otherwise why not, in one line. Open it
/// before the first present, so that every completion has its present.
pub(crate) fn display_clock(window: &Window, clock: Clock) -> Result<DisplayClock, String> {
    platform::display_clock(window, clock)
}

pub(crate) use platform::{DISPLAY_TIME_SOURCE, DisplayClock};

/// The X11 id of `window`, when it is on an X server (for the XInput2 mouse).
pub(crate) fn x11_window(window: &Window) -> Option<u32> {
    platform::x11_window(window)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
