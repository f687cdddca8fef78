//! Linux and macOS (POSIX), with Linux's own parts (epoll, timerfd,
//! /proc, prctl, io_uring) behind `target_os = "linux"` inside each file,
//! and macOS's raw mouse (IOHIDManager) in a file of its own.

use std::fs::File;
use std::io;
use std::path::Path;

pub mod dl;
pub mod net;
/// The mouse below the window system: IOHIDManager on macOS; none
/// elsewhere (Linux reads it through X11, in the shell).
#[cfg_attr(target_os = "macos", path = "raw_mouse/iohid.rs")]
#[cfg_attr(not(target_os = "macos"), path = "raw_mouse/unsupported.rs")]
pub mod raw_mouse;
pub mod signals;
pub mod sound;
pub mod thread;
pub mod wait;

pub type RawSource = std::os::fd::RawFd;

/// fsync of a folder makes a rename in it durable.
pub fn sync_folder(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// A system call's `-1` as the OS error it set.
pub fn check(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `pread(2)`: a read at an offset that leaves the file's cursor alone.
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}
