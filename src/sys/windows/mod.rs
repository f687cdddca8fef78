//! Windows: the mouse through Raw Input, thread CPU time through
//! `GetThreadTimes`, the console's control events as signals; a folder cannot be synced, there is no
//! timerfd/epoll (the events mode drains per tick), no dlopen'd hooks and
//! no ALSA.

use std::fs::File;
use std::io;
use std::path::Path;

pub mod raw_mouse;
pub mod signals;
pub mod thread;

pub type RawSource = std::os::windows::io::RawSocket;

/// Windows cannot open a folder to sync it: the rename is as durable as
/// NTFS's journal makes it.
pub fn sync_folder(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// `seek_read`: a read at an offset (it moves the cursor, which no caller
/// shares a file through).
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

pub mod wait {
    use std::io;
    use std::time::Duration;

    use super::RawSource;

    /// Why there is no timer and wait here.
    pub const NO_WAIT: &str = "epoll and timerfd are Linux's (no Windows wait is used yet)";

    pub use crate::sys::no_wait::{Timer, Waiter};

    /// `Instant` is QueryPerformanceCounter here, which no device stamps with.
    pub fn monotonic_now() -> Option<Duration> {
        None
    }

    pub fn readable(_source: RawSource, _timeout: Duration) -> io::Result<bool> {
        Err(io::Error::new(io::ErrorKind::Unsupported, NO_WAIT))
    }
}

pub mod net {
    use std::io::{self, Read};
    use std::net::{IpAddr, TcpListener, TcpStream};

    /// std's backlog is SOMAXCONN on Windows already.
    pub fn deepen_backlog(_listener: &TcpListener, _depth: u32) {}

    pub fn read_now(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
        stream.set_nonblocking(true)?;
        let read = (&mut &*stream).read(buf);
        let _ = stream.set_nonblocking(false);
        read
    }

    pub fn own_addresses() -> Vec<IpAddr> {
        Vec::new()
    }

    /// Windows has no per-process open-file limit for sockets.
    pub fn raise_fd_limit(_want: u64) -> u64 {
        u64::MAX
    }
}

pub mod dl {
    use std::ffi::{CStr, c_void};
    use std::ptr::NonNull;

    pub fn open(_name: &CStr, _only_if_loaded: bool) -> Option<NonNull<c_void>> {
        None
    }

    pub fn symbol(_lib: NonNull<c_void>, _symbol: &CStr) -> Option<NonNull<c_void>> {
        None
    }
}

pub mod sound {
    pub fn quietly<T>(probe: impl FnOnce() -> T) -> T {
        probe()
    }
}
