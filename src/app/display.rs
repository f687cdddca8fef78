//! The display connection and what happens when it fails: which window
//! system to use when the environment names a dead one (a stale
//! `WAYLAND_DISPLAY` beside a working `DISPLAY`, or the reverse), and the
//! X server going away mid-run. Xlib's default answer to a lost connection
//! is to exit the process on the spot, losing the report and the
//! recording; here it only raises a flag the loop checks, so the run ends
//! like any other.

use std::sync::atomic::{AtomicBool, Ordering};

use winit::event_loop::EventLoop;

static LOST: AtomicBool = AtomicBool::new(false);
/// The window is on an X server (set by [`guard_x11`]): only then is a
/// silent X server the display gone.
#[cfg(target_os = "linux")]
static ON_X11: AtomicBool = AtomicBool::new(false);

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
    #[cfg(target_os = "linux")]
    if ON_X11.load(Ordering::Relaxed) && x11rb::connect(None).is_err() {
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
    let choice = choose_from_env();
    #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
    let mut builder = EventLoop::builder();
    #[cfg(target_os = "linux")]
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
    builder.build().map(|l| (l, choice.note))
}

#[cfg(target_os = "linux")]
fn choose_from_env() -> Choice {
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
    })
}

#[cfg(not(target_os = "linux"))]
fn choose_from_env() -> Choice {
    Choice {
        backend: None,
        note: None,
    }
}

/// Does a Wayland compositor listen where libwayland would look?
#[cfg(target_os = "linux")]
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

/// Makes a lost X connection a flag instead of an exit. `display` is
/// the Xlib `Display*` winit uses (from the window's display handle).
/// Returns a note if Xlib is too old to let the run end cleanly.
///
/// # Safety
/// `display` is null or the `Display*` of a live Xlib connection.
#[cfg(target_os = "linux")]
pub unsafe fn guard_x11(display: *mut std::ffi::c_void) -> Option<String> {
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

    // SAFETY: dlopen/dlsym with valid C strings; RTLD_NOLOAD returns the
    // libX11 winit already loaded (or null). The symbols have the types
    // Xlib's headers give them. The handlers touch only atomics and log.
    unsafe {
        let lib = libc::dlopen(c"libX11.so.6".as_ptr(), libc::RTLD_NOW | libc::RTLD_NOLOAD);
        if lib.is_null() {
            return None;
        }
        let set_io = libc::dlsym(lib, c"XSetIOErrorHandler".as_ptr());
        if set_io.is_null() {
            return None;
        }
        let set_io: SetIo = std::mem::transmute(set_io);
        let set_exit = libc::dlsym(lib, c"XSetIOErrorExitHandler".as_ptr());
        if !set_exit.is_null() && !display.is_null() {
            let set_exit: SetExit = std::mem::transmute(set_exit);
            set_exit(display, Some(on_io_exit), std::ptr::null_mut());
            EXIT_HANDLER_SET.store(true, Ordering::Relaxed);
        }
        set_io(Some(on_io_error));
    }
    (!EXIT_HANDLER_SET.load(Ordering::Relaxed)).then(|| {
        "this libX11 is older than 1.7: if the X server goes away, the report keeps its last checkpoint".to_string()
    })
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
