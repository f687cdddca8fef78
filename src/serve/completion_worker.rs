//! One worker of `--arch completion`: its ring, its connection slots and
//! the loop that takes completions one after another, like Fire's
//! `WorkerProc` around `GetQueuedCompletionStatus`.
//!
//! A slot has at most one operation in flight; its state says which, so a
//! completion's `user_data` is just the slot's index and a tag. Slots are
//! boxed: the kernel holds pointers into them (receive buffer, iovecs,
//! message header) while an operation is in flight, so they never move.

use std::io::{self, ErrorKind};
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use io_uring::{IoUring, cqueue, opcode, squeue, types};

use super::super::Shared;
use super::super::conn::Filled;
use super::super::stages::{self, Next};
use super::slot::{Capture, RECV_BYTES, Slot, State, set_nodelay};

/// `user_data` of the quit completion posted to each worker.
pub const QUIT: u64 = 3;
const TAG_BITS: u64 = 8;
const OP: u64 = 1;
const TICK: u64 = 2;
const CANCEL: u64 = 4;

/// Accepts kept pending on the listener by each worker (Fire keeps one
/// `AcceptEx` per preallocated connection; a few suffice to never miss one).
const PENDING_ACCEPTS: usize = 16;
/// How often deadlines are checked (slow clients, idle keep-alive).
const TICK_EVERY: Duration = Duration::from_millis(250);

pub struct Worker {
    ring: IoUring,
    listener: RawFd,
    shared: Arc<Shared>,
    /// Boxed on purpose: the Vec grows while the kernel holds pointers into slots.
    #[allow(clippy::vec_box)]
    slots: Vec<Box<Slot>>,
    free: Vec<usize>,
    /// Operations submitted and not yet completed.
    in_flight: usize,
    accepts: usize,
    live: usize,
    quitting: bool,
    tick: Box<types::Timespec>,
    completions: Vec<(u64, i32)>,
}

fn user_data(slot: usize, tag: u64) -> u64 {
    ((slot as u64) << TAG_BITS) | tag
}

impl Worker {
    pub fn new(ring: IoUring, listener: RawFd, shared: Arc<Shared>) -> Worker {
        let tick = TICK_EVERY;
        Worker {
            ring,
            listener,
            shared,
            slots: Vec::new(),
            free: Vec::new(),
            in_flight: 0,
            accepts: 0,
            live: 0,
            quitting: false,
            tick: Box::new(
                types::Timespec::new()
                    .sec(tick.as_secs())
                    .nsec(tick.subsec_nanos()),
            ),
            completions: Vec::with_capacity(1024),
        }
    }

    /// Takes completions until quit, then lets responses in flight finish.
    pub fn run(mut self) -> Result<(), String> {
        self.arm_tick()?;
        self.keep_accepting()?;
        loop {
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EINTR | libc::EBUSY | libc::EAGAIN)
                    ) => {}
                Err(e) => return Err(format!("io_uring_enter failed: {e}")),
            }
            let mut batch = std::mem::take(&mut self.completions);
            batch.extend(
                self.ring
                    .completion()
                    .map(|c: cqueue::Entry| (c.user_data(), c.result())),
            );
            for &(data, result) in &batch {
                self.complete(data, result)?;
            }
            batch.clear();
            self.completions = batch;
            if self.quitting && self.live == 0 && self.accepts == 0 {
                return self.drain();
            }
        }
    }

    /// Cancels what is left (the tick) and waits until the kernel holds no
    /// pointer into this worker's memory.
    fn drain(mut self) -> Result<(), String> {
        let cancel = opcode::AsyncCancel2::new(types::CancelBuilder::any())
            .build()
            .user_data(CANCEL);
        self.push(&cancel)?;
        while self.in_flight > 0 {
            if let Err(e) = self.ring.submit_and_wait(1)
                && e.raw_os_error() != Some(libc::EINTR)
            {
                return Err(format!("io_uring_enter failed: {e}"));
            }
            let done = self
                .ring
                .completion()
                .filter(|c| c.user_data() != QUIT)
                .count();
            self.in_flight = self.in_flight.saturating_sub(done);
        }
        Ok(())
    }

    fn push(&mut self, entry: &squeue::Entry) -> Result<(), String> {
        loop {
            // SAFETY: every entry's buffers live in a boxed slot (or in
            // `self.tick`) that stays put until the operation completes.
            if unsafe { self.ring.submission().push(entry) }.is_ok() {
                self.in_flight += 1;
                return Ok(());
            }
            self.ring
                .submit()
                .map_err(|e| format!("io_uring submit failed: {e}"))?;
        }
    }

    fn arm_tick(&mut self) -> Result<(), String> {
        let entry = opcode::Timeout::new(&*self.tick as *const types::Timespec)
            .build()
            .user_data(TICK);
        self.push(&entry)
    }

    /// Keeps `PENDING_ACCEPTS` accepts pending (WAIT_ACCEPT).
    fn keep_accepting(&mut self) -> Result<(), String> {
        while !self.quitting && self.accepts < PENDING_ACCEPTS {
            let i = self.free.pop().unwrap_or_else(|| {
                self.slots.push(Slot::new());
                self.slots.len() - 1
            });
            self.slots[i].state = State::WaitAccept;
            let accept = opcode::Accept::new(
                types::Fd(self.listener),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
            .flags(libc::SOCK_CLOEXEC)
            .build()
            .user_data(user_data(i, OP));
            self.push(&accept)?;
            self.accepts += 1;
        }
        Ok(())
    }

    /// Dispatches one completion (Fire's `OnIoComplete`).
    fn complete(&mut self, data: u64, result: i32) -> Result<(), String> {
        let tag = data & ((1 << TAG_BITS) - 1);
        if tag != QUIT {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        match tag {
            QUIT => self.on_quit(),
            TICK => self.on_tick(),
            OP => {
                let i = (data >> TAG_BITS) as usize;
                match self.slots.get(i).map(|s| s.state) {
                    Some(State::WaitAccept) => self.complete_accept(i, result),
                    Some(State::WaitRequest) => self.complete_read(i, result),
                    Some(State::WaitTransmit) => self.complete_transmit(i, result),
                    Some(State::WaitReset) => {
                        self.slots[i].state = State::Free;
                        self.free.push(i);
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
            _ => Ok(()), // a cancellation's own completion
        }
    }

    fn on_quit(&mut self) -> Result<(), String> {
        self.quitting = true;
        for i in 0..self.slots.len() {
            let slot = &self.slots[i];
            let idle = slot.state == State::WaitRequest
                && slot
                    .session
                    .as_ref()
                    .is_some_and(|s| !s.head_started && s.input().is_empty());
            if slot.state == State::WaitAccept || idle {
                self.cancel(i)?;
            }
        }
        Ok(())
    }

    /// Deadlines: an operation waiting past its session's deadline is cancelled.
    fn on_tick(&mut self) -> Result<(), String> {
        let now = Instant::now();
        for i in 0..self.slots.len() {
            let slot = &self.slots[i];
            let waiting = matches!(slot.state, State::WaitRequest | State::WaitTransmit);
            if waiting && slot.session.as_ref().is_some_and(|s| now >= s.deadline) {
                self.cancel(i)?;
            }
        }
        if self.quitting && self.live == 0 {
            return Ok(());
        }
        self.keep_accepting()?;
        self.arm_tick()
    }

    fn cancel(&mut self, i: usize) -> Result<(), String> {
        if std::mem::replace(&mut self.slots[i].cancelling, true) {
            return Ok(());
        }
        let cancel = opcode::AsyncCancel::new(user_data(i, OP))
            .build()
            .user_data(CANCEL);
        self.push(&cancel)
    }

    /// WAIT_ACCEPT done: admission, then the stages.
    fn complete_accept(&mut self, i: usize, result: i32) -> Result<(), String> {
        self.accepts -= 1;
        let slot = &mut self.slots[i];
        slot.cancelling = false;
        if result < 0 {
            slot.state = State::Free;
            self.free.push(i);
            // Out of descriptors and the like: the next tick accepts again.
            return Ok(());
        }
        slot.fd = result;
        set_nodelay(slot.fd);
        let now = Instant::now();
        let admitted = if self.quitting {
            None
        } else {
            stages::accept_conn(&self.shared, now)
        };
        match admitted {
            Some(session) => {
                slot.session = Some(session);
                slot.next = Next::ReadRequest;
                self.live += 1;
                self.advance(i, now)?;
            }
            None => {
                stages::refuse(&mut *slot.stream());
                self.reset(i)?;
            }
        }
        self.keep_accepting()
    }

    /// WAIT_REQUEST done: the bytes go to the session, the stages go on.
    fn complete_read(&mut self, i: usize, result: i32) -> Result<(), String> {
        let slot = &mut *self.slots[i];
        let cancelled = std::mem::replace(&mut slot.cancelling, false);
        let Some(s) = slot.session.as_mut() else {
            return self.reset(i);
        };
        slot.next = match result {
            n if n > 0 => {
                slot.unread = 0..n as usize;
                Next::NeedInput // taken from `unread`
            }
            0 => Next::Exit,
            _ if cancelled || result == -libc::ECANCELED => stages::timed_out(s),
            _ => Next::Exit,
        };
        self.advance(i, Instant::now())
    }

    /// WAIT_TRANSMIT done: the stage accounts the bytes and sends the rest.
    fn complete_transmit(&mut self, i: usize, result: i32) -> Result<(), String> {
        let slot = &mut *self.slots[i];
        slot.cancelling = false;
        if result <= 0 {
            let e = io::Error::from_raw_os_error(if result == 0 { libc::EPIPE } else { -result });
            stages::aborted(&self.shared, &e);
            slot.next = Next::Exit;
        } else {
            slot.sent = result as usize;
        }
        self.advance(i, Instant::now())
    }

    /// Runs the stages until the connection waits for the kernel.
    fn advance(&mut self, i: usize, now: Instant) -> Result<(), String> {
        match self.run_stages(i, now) {
            Some(operation) => self.push(&operation),
            None => self.reset(i),
        }
    }

    /// The stages from `slot.next` on; the operation to wait for, or None
    /// when the connection is over (Exit).
    fn run_stages(&mut self, i: usize, now: Instant) -> Option<squeue::Entry> {
        let shared = &*self.shared;
        let slot = &mut *self.slots[i];
        let s = slot.session.as_mut()?;
        loop {
            slot.next = match slot.next {
                Next::ReadRequest => stages::read_request(shared, s, now),
                Next::NeedInput if !slot.unread.is_empty() => {
                    match s.fill(&mut &slot.recv[slot.unread.clone()]) {
                        Ok(Filled::Bytes(k)) => {
                            slot.unread.start += k;
                            Next::ReadRequest
                        }
                        _ => Next::Exit,
                    }
                }
                Next::NeedInput => {
                    slot.state = State::WaitRequest;
                    let recv = opcode::Recv::new(
                        types::Fd(slot.fd),
                        slot.recv.as_mut_ptr(),
                        RECV_BYTES as u32,
                    );
                    return Some(recv.build().user_data(user_data(i, OP)));
                }
                Next::PinCache => stages::pin_cache(shared, s, now),
                Next::ReadFile => stages::read_file(shared, s, now),
                Next::WriteResponse => {
                    let mut to = Capture {
                        iov: &mut slot.iov,
                        count: 0,
                        sent: &mut slot.sent,
                    };
                    match stages::write_response(shared, s, &mut to, now) {
                        Ok(next) => next,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            let count = to.count;
                            s.deadline = now + shared.config.request_timeout;
                            slot.state = State::WaitTransmit;
                            slot.next = Next::WriteResponse;
                            slot.msg.msg_iov = slot.iov.as_mut_ptr();
                            slot.msg.msg_iovlen = count as _;
                            let send = opcode::SendMsg::new(types::Fd(slot.fd), &slot.msg)
                                .flags(libc::MSG_NOSIGNAL as u32);
                            return Some(send.build().user_data(user_data(i, OP)));
                        }
                        Err(e) => {
                            stages::aborted(shared, &e);
                            Next::Exit
                        }
                    }
                }
                Next::Exit => return None,
            };
        }
    }

    /// WAIT_RESET: the socket closes asynchronously (Fire's TF_DISCONNECT);
    /// its completion frees the slot for the next accept.
    fn reset(&mut self, i: usize) -> Result<(), String> {
        let slot = &mut self.slots[i];
        if let Some(s) = slot.session.take() {
            stages::exit(&self.shared, s, &mut *slot.stream());
            self.live -= 1;
        }
        slot.state = State::WaitReset;
        slot.cancelling = false;
        slot.sent = 0;
        slot.unread = 0..0;
        let close = opcode::Close::new(types::Fd(slot.fd))
            .build()
            .user_data(user_data(i, OP));
        slot.fd = -1;
        self.push(&close)
    }
}
