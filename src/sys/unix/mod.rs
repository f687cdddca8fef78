//! Linux and macOS (POSIX), with Linux's own parts (epoll, timerfd,
//! /proc, prctl, io_uring) behind `target_os = "linux"` inside each file.

use std::fs::File;
use std::io;
use std::path::Path;

pub mod dl;
pub mod net;
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

/// Raw Input is Windows'; Linux reads the mouse through X11 in the shell.
pub mod raw_mouse {
    use std::io;
    use std::time::Duration;

    use super::RawSource;
    use crate::sys::raw_mouse::RawReport;

    #[derive(Debug)]
    pub enum RawMouse {}

    impl RawMouse {
        pub fn open() -> io::Result<Self> {
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "Raw Input is Windows' (Linux reads the mouse through X11)",
            ))
        }
        pub fn read(&mut self, _: Duration, _: &mut dyn FnMut(RawReport)) -> io::Result<usize> {
            match *self {}
        }
        pub fn source(&mut self) -> io::Result<RawSource> {
            match *self {}
        }
        pub fn overruns(&self) -> u64 {
            match *self {}
        }
    }
}
