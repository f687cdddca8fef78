//! A connection slot of `--arch completion` (Fire's `Connection`): its
//! state, its socket, the session the stages pass along, and the memory
//! the kernel reads or writes while an operation is in flight (receive
//! buffer, the message naming what to send). Slots are boxed so that
//! memory never moves.

use std::io::{self, ErrorKind, IoSlice, Write};
use std::mem::ManuallyDrop;
use std::net::TcpStream;
use std::os::fd::FromRawFd;

use crate::serve::conn::Session;
use crate::serve::stages::Next;
use crate::sys::uring::{Message, RawFd};

pub(crate) const RECV_BYTES: usize = 8 * 1024;

/// Fire's `Connection::STATE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// No operation; on the free list.
    Free,
    WaitAccept,
    WaitRequest,
    WaitTransmit,
    WaitReset,
}

pub(crate) struct Slot {
    pub state: State,
    pub fd: RawFd,
    pub session: Option<Session>,
    /// The stage to resume at when the pending operation completes.
    pub next: Next,
    pub recv: Box<[u8]>,
    /// Received bytes the session has not taken yet (its input was full).
    pub unread: std::ops::Range<usize>,
    /// What the pending send points the kernel at.
    pub msg: Message,
    /// Bytes the last send completion reported, for the stage to account.
    pub sent: usize,
    pub cancelling: bool,
}

impl Slot {
    pub(crate) fn new() -> Box<Slot> {
        Box::new(Slot {
            state: State::Free,
            fd: -1,
            session: None,
            next: Next::Exit,
            recv: vec![0; RECV_BYTES].into_boxed_slice(),
            unread: 0..0,
            msg: Message::new(),
            sent: 0,
            cancelling: false,
        })
    }

    /// The socket, borrowed for the stages' `std::io` calls (never closed here).
    pub(crate) fn stream(&self) -> ManuallyDrop<TcpStream> {
        // SAFETY: `fd` is this slot's open socket until its Close completes.
        ManuallyDrop::new(unsafe { TcpStream::from_raw_fd(self.fd) })
    }
}

/// The stages' writer during WAIT_TRANSMIT: it reports the bytes the last
/// send completed, then points the message at what is left (the session's
/// own buffers) and answers `WouldBlock`: the send is then submitted.
pub(crate) struct Capture<'a> {
    pub msg: &'a mut Message,
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
        self.msg.point_at(bufs);
        Err(ErrorKind::WouldBlock.into())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
