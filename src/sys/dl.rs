//! Shared libraries opened by name at run time, for the few C libraries
//! whose hooks the program sets without linking them (Xlib's I/O error
//! handler, libjack's message functions). A library is never closed, so a
//! handler given to it stays valid for the life of the process.

use std::ffi::{CStr, c_void};
use std::ptr::NonNull;

/// An opened shared library.
#[derive(Debug)]
pub struct Library(NonNull<c_void>);

impl Library {
    /// Opens `name`; with `only_if_loaded`, only a library the process has
    /// already loaded (someone else's copy, whose hooks we want). `None`
    /// if it is not there, and always on Windows (no such library there).
    pub fn open(name: &CStr, only_if_loaded: bool) -> Option<Self> {
        super::imp::dl::open(name, only_if_loaded).map(Self)
    }

    /// The address of `symbol`, if the library has it. The caller turns it
    /// into the function type the library's header gives it.
    pub fn symbol(&self, symbol: &CStr) -> Option<NonNull<c_void>> {
        super::imp::dl::symbol(self.0, symbol)
    }
}
