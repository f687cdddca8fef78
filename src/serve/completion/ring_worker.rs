//! One worker of `--arch completion`: its ring, its connection slots and
//! the loop that takes completions one after another, like Fire's
//! `WorkerProc` around `GetQueuedCompletionStatus`.
//!
//! A slot has at most one operation in flight; its state says which, so a
//! completion's `user_data` is just the slot's index and a tag. Slots are
//! boxed: the kernel holds pointers into them (receive buffer, the message
//! to send) while an operation is in flight, so they never move.

use std::io::ErrorKind;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::slot::{Capture, Slot, State};
use crate::serve::Shared;
use crate::serve::conn::Filled;
use crate::serve::stages::{self, Next};
use crate::sys::uring::{self, Completion, Op, RawFd, Ring, Timeout};

/// `user_data` of the quit completion posted to each worker.
pub(crate) const QUIT: u64 = 3;
const TAG_BITS: u64 = 8;
const OP: u64 = 1;
const TICK: u64 = 2;
const CANCEL: u64 = 4;

/// Accepts kept pending on the listener by each worker (Fire keeps one
/// `AcceptEx` per preallocated connection; a few suffice to never miss one).
const PENDING_ACCEPTS: usize = 16;
/// How often deadlines are checked (slow clients, idle keep-alive).
const TICK_EVERY: Duration = Duration::from_millis(250);

pub(crate) struct Worker {
    ring: Ring,
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
    tick: Box<Timeout>,
    completions: Vec<Completion>,
}

fn user_data(slot: usize, tag: u64) -> u64 {
    ((slot as u64) << TAG_BITS) | tag
}

impl Worker {
    pub(crate) fn new(ring: Ring, listener: RawFd, shared: Arc<Shared>) -> Worker {
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
            tick: Box::new(Timeout::new(TICK_EVERY)),
            completions: Vec::with_capacity(1024),
        }
    }

    /// Takes completions until quit, then lets responses in flight finish.
    pub(crate) fn run(mut self) -> Result<(), String> {
        self.arm_tick()?;
        self.keep_accepting()?;
        loop {
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if uring::wait_again(&e) => {}
                Err(e) => return Err(format!("io_uring_enter failed: {e}")),
            }
            let mut batch = std::mem::take(&mut self.completions);
            batch.extend(self.ring.completions());
            for &done in &batch {
                self.complete(done)?;
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
        self.push(&Op::cancel_all(CANCEL))?;
        while self.in_flight > 0 {
            if let Err(e) = self.ring.submit_and_wait(1)
                && e.kind() != ErrorKind::Interrupted
            {
                return Err(format!("io_uring_enter failed: {e}"));
            }
            let done = self
                .ring
                .completions()
                .filter(|c| c.user_data != QUIT)
                .count();
            self.in_flight = self.in_flight.saturating_sub(done);
        }
        Ok(())
    }

    fn push(&mut self, op: &Op) -> Result<(), String> {
        loop {
            // SAFETY: every operation's buffers live in a boxed slot (or in
            // `self.tick`) that stays put until the operation completes.
            if unsafe { self.ring.push(op) } {
                self.in_flight += 1;
                return Ok(());
            }
            self.ring
                .submit()
                .map_err(|e| format!("io_uring submit failed: {e}"))?;
        }
    }

    fn arm_tick(&mut self) -> Result<(), String> {
        let tick = Op::timeout(&self.tick, TICK);
        self.push(&tick)
    }

    /// Keeps `PENDING_ACCEPTS` accepts pending (WAIT_ACCEPT).
    fn keep_accepting(&mut self) -> Result<(), String> {
        while !self.quitting && self.accepts < PENDING_ACCEPTS {
            let i = self.free.pop().unwrap_or_else(|| {
                self.slots.push(Slot::new());
                self.slots.len() - 1
            });
            self.slots[i].state = State::WaitAccept;
            self.push(&Op::accept(self.listener, user_data(i, OP)))?;
            self.accepts += 1;
        }
        Ok(())
    }

    /// Dispatches one completion (Fire's `OnIoComplete`).
    fn complete(&mut self, done: Completion) -> Result<(), String> {
        let data = done.user_data;
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
                    Some(State::WaitAccept) => self.complete_accept(i, done),
                    Some(State::WaitRequest) => self.complete_read(i, done),
                    Some(State::WaitTransmit) => self.complete_transmit(i, done),
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
        self.push(&Op::cancel(user_data(i, OP), CANCEL))
    }

    /// WAIT_ACCEPT done: admission, then the stages.
    fn complete_accept(&mut self, i: usize, done: Completion) -> Result<(), String> {
        self.accepts -= 1;
        let slot = &mut self.slots[i];
        slot.cancelling = false;
        if done.result < 0 {
            slot.state = State::Free;
            self.free.push(i);
            // Out of descriptors and the like: the next tick accepts again.
            return Ok(());
        }
        slot.fd = done.result;
        uring::set_nodelay(slot.fd);
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
    fn complete_read(&mut self, i: usize, done: Completion) -> Result<(), String> {
        let slot = &mut *self.slots[i];
        let cancelled = std::mem::replace(&mut slot.cancelling, false);
        let Some(s) = slot.session.as_mut() else {
            return self.reset(i);
        };
        slot.next = match done.outcome() {
            Ok(n) if n > 0 => {
                slot.unread = 0..n as usize;
                Next::NeedInput // taken from `unread`
            }
            Ok(_) => Next::Exit,
            Err(_) if cancelled || done.cancelled() => stages::timed_out(s),
            Err(_) => Next::Exit,
        };
        self.advance(i, Instant::now())
    }

    /// WAIT_TRANSMIT done: the stage accounts the bytes and sends the rest.
    fn complete_transmit(&mut self, i: usize, done: Completion) -> Result<(), String> {
        let slot = &mut *self.slots[i];
        slot.cancelling = false;
        match done.outcome() {
            Ok(n) if n > 0 => slot.sent = n as usize,
            sent => {
                // Nothing sent means the client has gone: a broken pipe.
                let e = sent.err().unwrap_or_else(|| ErrorKind::BrokenPipe.into());
                stages::aborted(&self.shared, &e);
                slot.next = Next::Exit;
            }
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
    fn run_stages(&mut self, i: usize, now: Instant) -> Option<Op> {
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
                    return Some(Op::recv(slot.fd, &mut slot.recv, user_data(i, OP)));
                }
                Next::PinCache => stages::pin_cache(shared, s, now),
                Next::ReadFile => stages::read_file(shared, s, now),
                Next::WriteResponse => {
                    let mut to = Capture {
                        msg: &mut slot.msg,
                        sent: &mut slot.sent,
                    };
                    match stages::write_response(shared, s, &mut to, now) {
                        Ok(next) => next,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            s.deadline = now + shared.config.request_timeout;
                            slot.state = State::WaitTransmit;
                            slot.next = Next::WriteResponse;
                            let send = Op::send_msg(slot.fd, &mut slot.msg, user_data(i, OP));
                            return Some(send);
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
        let close = Op::close(slot.fd, user_data(i, OP));
        slot.fd = -1;
        self.push(&close)
    }
}
