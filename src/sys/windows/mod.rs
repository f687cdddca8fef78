//! Windows: the mouse through Raw Input, one wait on handles and the input
//! queue (`MsgWaitForMultipleObjectsEx`), thread CPU time through
//! `GetThreadTimes`, the console's control events as signals; a folder
//! cannot be synced, and there are no dlopen'd hooks and no ALSA.

use std::fs::File;
use std::io;
use std::path::Path;

pub mod raw_mouse;
pub mod signals;
pub mod thread;
pub mod wait;

/// What a wait sleeps on here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawSource {
    /// A kernel object that becomes signalled (a waitable timer), as its
    /// `HANDLE`'s bits: a handle is the process's, not a thread's.
    Handle(usize),
    /// Raw input reaching the waiting thread's message queue (the Raw
    /// Input mouse, whose window is on that thread).
    RawInput,
}

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

pub mod net {
    use std::io::{self, Read};
    use std::net::{IpAddr, TcpListener, TcpStream};

    /// mio's IOCP-backed polling re-arms a socket only after `WouldBlock`.
    pub const SHORT_READ_DRAINS: bool = false;

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
