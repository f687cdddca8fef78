//! Linux's completion interface, io_uring, as `--arch completion` asks for
//! it: a ring ([`Ring`]), the operations it submits ([`Op`]: accept,
//! receive, send a message, close, cancel, a timeout, a message to another
//! ring), what comes back ([`Completion`]), the memory a send points the
//! kernel at ([`Message`]) and the few socket details of the server
//! (TCP_NODELAY on a raw descriptor, the errors worth waiting through).
//!
//! The server's state machine stays in `serve/completion`; this file only
//! speaks the kernel's language (the `io_uring` crate, `libc`'s constants).

use std::io::{self, IoSlice};
use std::os::fd::AsRawFd;
use std::time::Duration;

use io_uring::{IoUring, opcode, squeue, types};

/// A socket or ring as the kernel numbers it.
pub type RawFd = std::os::fd::RawFd;

/// One io_uring: a submission queue and its completion queue.
pub struct Ring(IoUring);

impl Ring {
    /// A plain ring of `entries` submissions (the probe, the quit poster).
    /// An error means the kernel refuses io_uring.
    pub fn new(entries: u32) -> io::Result<Ring> {
        IoUring::new(entries).map(Ring)
    }

    /// A worker's ring, made on the thread that will use it: single issuer
    /// with deferred task work (Linux 6.1+), so completions are processed
    /// only when the worker asks for them, not by interrupting it. Older
    /// kernels (EINVAL) get a plain ring with the same queue sizes.
    pub fn for_one_thread(submissions: u32, completions: u32) -> io::Result<Ring> {
        let tuned = IoUring::builder()
            .setup_cqsize(completions)
            .setup_single_issuer()
            .setup_defer_taskrun()
            .build(submissions);
        match tuned {
            Ok(ring) => Ok(Ring(ring)),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => IoUring::builder()
                .setup_cqsize(completions)
                .build(submissions)
                .map(Ring),
            Err(e) => Err(e),
        }
    }

    /// The ring's descriptor, for [`Op::message_ring`] from another ring.
    pub fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// Queues `op`; `false` when the submission queue is full (submit, then
    /// push again).
    ///
    /// # Safety
    /// Every buffer, header or timeout `op` points at must stay where it is
    /// and alive until its completion has been taken.
    pub unsafe fn push(&mut self, op: &Op) -> bool {
        // SAFETY: the caller keeps what `op` points at alive and in place.
        unsafe { self.0.submission().push(&op.0) }.is_ok()
    }

    /// Hands the queued operations to the kernel.
    pub fn submit(&mut self) -> io::Result<usize> {
        self.0.submit()
    }

    /// Hands them over and waits until at least `want` have completed.
    pub fn submit_and_wait(&mut self, want: usize) -> io::Result<usize> {
        self.0.submit_and_wait(want)
    }

    /// The completions there now, oldest first.
    pub fn completions(&mut self) -> impl Iterator<Item = Completion> + '_ {
        self.0.completion().map(|c| Completion {
            user_data: c.user_data(),
            result: c.result(),
        })
    }
}

/// An error of `submit_and_wait` after which a loop just looks at its
/// completions and waits again: a signal (EINTR), a full completion queue
/// (EBUSY), no memory for the submission just now (EAGAIN).
pub fn wait_again(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINTR | libc::EBUSY | libc::EAGAIN)
    )
}

/// One finished operation: the `user_data` it was submitted with, and the
/// kernel's result (a count or descriptor, or a negated errno).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    pub user_data: u64,
    pub result: i32,
}

impl Completion {
    /// The result as std reads it: a count or descriptor, or the error.
    pub fn outcome(&self) -> io::Result<u32> {
        if self.result < 0 {
            Err(io::Error::from_raw_os_error(-self.result))
        } else {
            Ok(self.result.unsigned_abs())
        }
    }

    /// The operation was cancelled before it finished (ECANCELED).
    pub fn cancelled(&self) -> bool {
        self.result == -libc::ECANCELED
    }
}

/// An operation to submit, tagged with the `user_data` its completion
/// will carry.
pub struct Op(squeue::Entry);

impl Op {
    /// Accepts a connection on `listener`; the completion's result is the
    /// new socket (close-on-exec).
    pub fn accept(listener: RawFd, user_data: u64) -> Op {
        let accept = opcode::Accept::new(
            types::Fd(listener),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
        .flags(libc::SOCK_CLOEXEC);
        Op(accept.build().user_data(user_data))
    }

    /// Receives up to `buf.len()` bytes from `socket` into `buf`, which must
    /// stay put until the completion (see [`Ring::push`]).
    pub fn recv(socket: RawFd, buf: &mut [u8], user_data: u64) -> Op {
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let recv = opcode::Recv::new(types::Fd(socket), buf.as_mut_ptr(), len);
        Op(recv.build().user_data(user_data))
    }

    /// Sends what `message` points at on `socket`, without SIGPIPE if the
    /// client has gone (the completion says EPIPE instead).
    pub fn send_msg(socket: RawFd, message: &mut Message, user_data: u64) -> Op {
        message.header.msg_iov = message.iov.as_mut_ptr();
        message.header.msg_iovlen = message.count as _;
        let send = opcode::SendMsg::new(types::Fd(socket), &message.header)
            .flags(libc::MSG_NOSIGNAL as u32);
        Op(send.build().user_data(user_data))
    }

    /// Closes `fd` asynchronously.
    pub fn close(fd: RawFd, user_data: u64) -> Op {
        Op(opcode::Close::new(types::Fd(fd))
            .build()
            .user_data(user_data))
    }

    /// Cancels the operation submitted with `target`.
    pub fn cancel(target: u64, user_data: u64) -> Op {
        Op(opcode::AsyncCancel::new(target)
            .build()
            .user_data(user_data))
    }

    /// Cancels every operation still in flight on this ring.
    pub fn cancel_all(user_data: u64) -> Op {
        let any = opcode::AsyncCancel2::new(types::CancelBuilder::any());
        Op(any.build().user_data(user_data))
    }

    /// Completes after `after` has elapsed (ETIME), which must stay put
    /// until then.
    pub fn timeout(after: &Timeout, user_data: u64) -> Op {
        let timeout = opcode::Timeout::new(&after.0 as *const types::Timespec);
        Op(timeout.build().user_data(user_data))
    }

    /// Posts a completion carrying `data` (result 0) into the ring `ring`:
    /// a message from one ring to another (MSG_RING).
    pub fn message_ring(ring: RawFd, data: u64, user_data: u64) -> Op {
        let post = opcode::MsgRingData::new(types::Fd(ring), 0, data, None);
        Op(post.build().user_data(user_data))
    }
}

/// A relative timeout for [`Op::timeout`].
pub struct Timeout(types::Timespec);

impl Timeout {
    pub fn new(after: Duration) -> Timeout {
        Timeout(
            types::Timespec::new()
                .sec(after.as_secs())
                .nsec(after.subsec_nanos()),
        )
    }
}

/// What a send points the kernel at: up to two buffers (a response's head
/// and body) and the message header naming them. It must not move while a
/// send is in flight (keep it boxed).
pub struct Message {
    iov: [libc::iovec; 2],
    header: libc::msghdr,
    count: usize,
}

impl Message {
    pub fn new() -> Message {
        let empty = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        Message {
            iov: [empty, empty],
            // SAFETY: msghdr is plain data; all-zero is an empty header.
            header: unsafe { std::mem::zeroed() },
            count: 0,
        }
    }

    /// Points the message at the first two non-empty `bufs`, which must
    /// stay alive and in place until the send completes; returns how many.
    pub fn point_at(&mut self, bufs: &[IoSlice<'_>]) -> usize {
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
        self.count
    }
}

impl Default for Message {
    fn default() -> Self {
        Message::new()
    }
}

/// Turns off Nagle's algorithm on a socket we hold only as a descriptor
/// (an accepted connection): responses go out at once.
pub fn set_nodelay(socket: RawFd) {
    let one: libc::c_int = 1;
    // SAFETY: setsockopt on a socket we own, with a valid int option.
    unsafe {
        libc::setsockopt(
            socket,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}
