use std::ffi::{CStr, c_void};
use std::ptr::NonNull;

pub fn open(name: &CStr, only_if_loaded: bool) -> Option<NonNull<c_void>> {
    let mut flags = libc::RTLD_NOW;
    if only_if_loaded {
        flags |= libc::RTLD_NOLOAD;
    }
    // SAFETY: dlopen with a NUL-terminated name; the handle is never closed.
    NonNull::new(unsafe { libc::dlopen(name.as_ptr(), flags) })
}

pub fn symbol(lib: NonNull<c_void>, symbol: &CStr) -> Option<NonNull<c_void>> {
    // SAFETY: `lib` is an open handle (never closed) and `symbol` NUL-terminated.
    NonNull::new(unsafe { libc::dlsym(lib.as_ptr(), symbol.as_ptr()) })
}
