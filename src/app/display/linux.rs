//! Linux desktops: X11 and Wayland. Which one answers (probed with x11rb
//! and the compositor's socket), forcing winit's choice, and Xlib's I/O
//! error hook, set through `sys::dl` on the libX11 winit loaded.

use std::sync::atomic::{AtomicBool, Ordering};

use winit::event_loop::{EventLoop, EventLoopBuilder};
use winit::raw_window_handle::{
    HasDisplayHandle, HasWindowHandle, RawDisplayHandle, RawWindowHandle,
};
use winit::window::Window;

use super::LOST;
use super::choice::{Backend, Choice, Offer, choose};
use crate::shell::clock::Clock;
use crate::shell::mouse::{ArenaMapping, MouseDevice};
use crate::shell::x11::X11Mouse;
use crate::sys::dl::Library;
use std::sync::Arc;

/// The window is on an X server (set by [`guard`]): only then is a silent
/// X server the display gone.
static ON_X11: AtomicBool = AtomicBool::new(false);

/// Does the X server the window is on no longer answer?
pub(crate) fn server_gone() -> bool {
    ON_X11.load(Ordering::Relaxed) && x11rb::connect(None).is_err()
}

/// winit's builder, told which window system to use when the one the
/// environment names first does not answer; the note says so.
pub(crate) fn event_loop_builder(wayland_first: bool) -> (EventLoopBuilder<()>, Option<String>) {
    let choice = choose_from_env(wayland_first);
    let mut builder = EventLoop::builder();
    match choice.backend {
        Some(Backend::X11) => {
            use winit::platform::x11::EventLoopBuilderExtX11;
            builder.with_x11();
        }
        Some(Backend::Wayland) => {
            use winit::platform::wayland::EventLoopBuilderExtWayland;
            builder.with_wayland();
        }
        None => {}
    }
    (builder, choice.note)
}

fn choose_from_env(wayland_first: bool) -> Choice {
    let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
    let wayland = var("WAYLAND_DISPLAY");
    let socket = var("WAYLAND_SOCKET");
    let x11 = var("DISPLAY");
    if socket.is_some() {
        // A socket handed over by the compositor: nothing to probe.
        return Choice {
            backend: None,
            note: None,
        };
    }
    choose(&Offer {
        wayland: wayland.as_deref(),
        x11: x11.as_deref(),
        wayland_answers: &|| wayland_answers(wayland.as_deref()),
        x11_answers: &|| x11rb::connect(None).map(drop).map_err(|e| e.to_string()),
        wayland_first,
    })
}

/// Does a Wayland compositor listen where libwayland would look?
fn wayland_answers(name: Option<&str>) -> Result<(), String> {
    let name = name.unwrap_or("wayland-0");
    let path = if name.starts_with('/') {
        std::path::PathBuf::from(name)
    } else {
        std::path::PathBuf::from(
            std::env::var_os("XDG_RUNTIME_DIR").ok_or("XDG_RUNTIME_DIR is not set")?,
        )
        .join(name)
    };
    std::os::unix::net::UnixStream::connect(&path)
        .map(drop)
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) const NO_X11: &str = "the display is not an X server";

pub(crate) fn x11_mouse(
    window: u32,
    clock: Clock,
    mapping: Arc<ArenaMapping>,
) -> Result<Box<dyn MouseDevice>, String> {
    X11Mouse::open(window, clock, mapping)
        .map(|m| Box::new(m) as Box<dyn MouseDevice>)
        .map_err(|e| e.to_string())
}

/// Linux's mouse below the window system is X11's ([`x11_mouse`]).
pub(crate) fn os_mouse(_clock: Clock) -> Option<Result<Box<dyn MouseDevice>, String>> {
    None
}

pub(crate) use super::present::{PresentClock as DisplayClock, SOURCE as DISPLAY_TIME_SOURCE};

/// The X server's Present completions for an X11 window.
pub(crate) fn display_clock(window: &Window, clock: Clock) -> Result<DisplayClock, String> {
    let Some(id) = x11_window(window) else {
        return Err(
            "a native Wayland window: the compositor's presentation times go to \
                    wgpu's surface, which does not pass them on"
                .into(),
        );
    };
    DisplayClock::open(id, clock)
}

pub(crate) fn x11_window(window: &Window) -> Option<u32> {
    let is_x11 = matches!(
        window.display_handle().map(|d| d.as_raw()),
        Ok(RawDisplayHandle::Xlib(_) | RawDisplayHandle::Xcb(_))
    );
    if !is_x11 {
        return None;
    }
    match window.window_handle().ok()?.as_raw() {
        RawWindowHandle::Xlib(h) => u32::try_from(h.window).ok(),
        RawWindowHandle::Xcb(h) => Some(h.window.get()),
        _ => None,
    }
}

/// Xlib's default answer to a lost connection is to exit the process on
/// the spot; here it only raises the flag the loop checks.
pub(crate) fn guard(window: &Window) -> Option<String> {
    let Ok(RawDisplayHandle::Xlib(h)) = window.display_handle().map(|d| d.as_raw()) else {
        return None;
    };
    let display = h.display.map_or(std::ptr::null_mut(), |p| p.as_ptr());
    // SAFETY: the pointer is winit's own Xlib display, live while the window is.
    unsafe { guard_xlib(display) }
}

/// # Safety
/// `display` is null or the `Display*` of a live Xlib connection.
unsafe fn guard_xlib(display: *mut std::ffi::c_void) -> Option<String> {
    use std::ffi::{c_int, c_void};
    type IoHandler = unsafe extern "C" fn(*mut c_void) -> c_int;
    type ExitHandler = unsafe extern "C" fn(*mut c_void, *mut c_void);
    type SetIo = unsafe extern "C" fn(Option<IoHandler>) -> Option<IoHandler>;
    type SetExit = unsafe extern "C" fn(*mut c_void, Option<ExitHandler>, *mut c_void);

    unsafe extern "C" fn on_io_error(_: *mut c_void) -> c_int {
        LOST.store(true, Ordering::Relaxed);
        if !EXIT_HANDLER_SET.load(Ordering::Relaxed) {
            // Xlib before 1.7 exits when this returns: say why first. The
            // report's last checkpoint (at most a second old) stays.
            log::error!("the display went away; ending (the report holds the last checkpoint)");
        }
        0
    }
    // Returning lets Xlib carry on, every call failing: the loop sees the flag.
    unsafe extern "C" fn on_io_exit(_: *mut c_void, _: *mut c_void) {}
    static EXIT_HANDLER_SET: AtomicBool = AtomicBool::new(false);
    ON_X11.store(true, Ordering::Relaxed);

    // The libX11 winit already loaded (or none).
    let lib = Library::open(c"libX11.so.6", true)?;
    let set_io = lib.symbol(c"XSetIOErrorHandler")?;
    // SAFETY: the symbols have the types Xlib's headers give them; the
    // handlers touch only atomics and the log.
    unsafe {
        let set_io: SetIo = std::mem::transmute(set_io.as_ptr());
        if let Some(set_exit) = lib.symbol(c"XSetIOErrorExitHandler")
            && !display.is_null()
        {
            let set_exit: SetExit = std::mem::transmute(set_exit.as_ptr());
            set_exit(display, Some(on_io_exit), std::ptr::null_mut());
            EXIT_HANDLER_SET.store(true, Ordering::Relaxed);
        }
        set_io(Some(on_io_error));
    }
    (!EXIT_HANDLER_SET.load(Ordering::Relaxed)).then(|| {
        "this libX11 is older than 1.7: if the X server goes away, the report keeps its last checkpoint".to_string()
    })
}
