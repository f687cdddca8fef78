#[cfg(target_os = "linux")]
pub fn quietly<T>(probe: impl FnOnce() -> T) -> T {
    jack();
    // ALSA's thread-local handler: the probe runs on this thread.
    let buffer = alsa::Output::local_error_handler().ok();
    let result = probe();
    // SAFETY: passing None restores ALSA's default for this thread.
    unsafe { alsa_sys::snd_lib_error_set_local(None) };
    if let Some(buffer) = buffer {
        for line in buffer.borrow().to_string().lines() {
            log::debug!("alsa: {line}");
        }
    }
    result
}

#[cfg(not(target_os = "linux"))]
pub fn quietly<T>(probe: impl FnOnce() -> T) -> T {
    probe()
}

/// If libjack is installed, loads it first and points its error and info
/// messages at our log; ALSA's JACK plugin then gets this same library
/// (one copy per process) with the handlers set.
#[cfg(target_os = "linux")]
fn jack() {
    use std::ffi::{CStr, c_char};

    use crate::sys::dl::Library;

    type SetHandler = unsafe extern "C" fn(Option<unsafe extern "C" fn(*const c_char)>);

    unsafe extern "C" fn jack_message(message: *const c_char) {
        if !message.is_null() {
            // SAFETY: libjack passes a NUL-terminated string.
            let text = unsafe { CStr::from_ptr(message) };
            log::debug!("jack: {}", text.to_string_lossy());
        }
    }

    let Some(lib) = Library::open(c"libjack.so.0", false) else {
        return;
    };
    for name in [c"jack_set_error_function", c"jack_set_info_function"] {
        if let Some(f) = lib.symbol(name) {
            // SAFETY: the symbol has the type <jack/jack.h> gives it; the
            // library is never closed, so the handler stays valid.
            let set: SetHandler = unsafe { std::mem::transmute(f.as_ptr()) };
            unsafe { set(Some(jack_message)) };
        }
    }
}
