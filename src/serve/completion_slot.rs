//! A connection slot of `--arch completion` (Fire's `Connection`): its
//! state, its socket, the session the stages pass along, and the memory
//! the kernel reads or writes while an operation is in flight (receive
//! buffer, iovecs, message header). Slots are boxed so that memory never
//! moves.

use std::io::{self, ErrorKind, IoSlice, Write};
use std::mem::ManuallyDrop;
use std::net::TcpStream;
use std::os::fd::{FromRawFd, RawFd};

use super::super::conn::Session;
use super::super::stages::Next;

pub const RECV_BYTES: usize = 8 * 1024;

/// Fire's `Connection::STATE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No operation; on the free list.
    Free,
    WaitAccept,
    WaitRequest,
    WaitTransmit,
    WaitReset,
}

pub struct Slot {
    pub state: State,
    pub fd: RawFd,
    pub session: Option<Session>,
    /// The stage to resume at when the pending operation completes.
    pub next: Next,
    pub recv: Box<[u8]>,
    /// Received bytes the session has not taken yet (its input was full).
    pub unread: std::ops::Range<usize>,
    pub iov: [libc::iovec; 2],
    pub msg: libc::msghdr,
    /// Bytes the last send completion reported, for the stage to account.
    pub sent: usize,
    pub cancelling: bool,
}

impl Slot {
    pub fn new() -> Box<Slot> {
        // SAFETY: msghdr is plain data; all-zero is an empty header.
        let msg: libc::msghdr = unsafe { std::mem::zeroed() };
        let empty = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        Box::new(Slot {
            state: State::Free,
            fd: -1,
            session: None,
            next: Next::Exit,
            recv: vec![0; RECV_BYTES].into_boxed_slice(),
            unread: 0..0,
            iov: [empty, empty],
            msg,
            sent: 0,
            cancelling: false,
        })
    }

    /// The socket, borrowed for the stages' `std::io` calls (never closed here).
    pub fn stream(&self) -> ManuallyDrop<TcpStream> {
        // SAFETY: `fd` is this slot's open socket until its Close completes.
        ManuallyDrop::new(unsafe { TcpStream::from_raw_fd(self.fd) })
    }
}

/// The stages' writer during WAIT_TRANSMIT: it reports the bytes the last
/// send completed, then captures what is left (as iovecs into the session's
/// own buffers) and answers `WouldBlock`: the send is then submitted.
pub struct Capture<'a> {
    pub iov: &'a mut [libc::iovec; 2],
    pub count: usize,
    pub sent: &'a mut usize,
}

impl Write for Capture<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        if *self.sent > 0 {
            return Ok(std::mem::take(self.sent));
        }
        self.count = 0;
        for (slot, buf) in self
            .iov
            .iter_mut()
            .zip(bufs.iter().filter(|b| !b.is_empty()))
        {
            slot.iov_base = buf.as_ptr() as *mut libc::c_void;
            slot.iov_len = buf.len();
            self.count += 1;
        }
        Err(ErrorKind::WouldBlock.into())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub fn set_nodelay(fd: RawFd) {
    let one: libc::c_int = 1;
    // SAFETY: setsockopt on a socket we own, with a valid int option.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}
