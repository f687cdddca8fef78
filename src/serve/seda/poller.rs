//! SEDA's asynchronous socket layer: one thread that accepts connections
//! (with admission control) and holds every session that waits for its
//! socket, putting it back on the right stage's queue when the socket is
//! ready (or its deadline passes).
//!
//! A parked socket is re-armed with `reregister`, which also reports it at
//! once if it became ready meanwhile: no wake-up is lost between a stage's
//! `WouldBlock` and the park.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::TcpListener as StdListener;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use mio::net::TcpListener;
use mio::{Events as MioEvents, Interest, Poll, Token, Waker};

use super::{Job, Seda};
use crate::serve::Shared;
use crate::serve::stages::{self, Next};

const LISTENER: Token = Token(usize::MAX - 1);
const WAKER: Token = Token(usize::MAX - 2);
const SWEEP: Duration = Duration::from_millis(250);
const HELD_RETRY: Duration = Duration::from_millis(1);

enum Message {
    Park(Box<Job>),
    Free(usize),
}

enum Slot {
    Free,
    /// In a stage's queue or being handled.
    Busy,
    Parked(Box<Job>),
}

/// How stage threads reach the poller.
pub(crate) struct Handle {
    tx: Sender<Message>,
    waker: Arc<Waker>,
}

impl Handle {
    /// Parks a job until its socket is ready (readable for `NeedInput`,
    /// writable for `WriteResponse`).
    pub(crate) fn park(&self, seda: &Seda, job: Box<Job>) {
        match self.tx.try_send(Message::Park(job)) {
            Ok(()) => {
                let _ = self.waker.wake();
            }
            Err(
                TrySendError::Full(Message::Park(job))
                | TrySendError::Disconnected(Message::Park(job)),
            ) => {
                seda.exit_now(job);
            }
            Err(_) => {}
        }
    }

    /// A connection has exited: its slot can be reused.
    pub(crate) fn free(&self, token: usize) {
        let _ = self.tx.try_send(Message::Free(token));
    }
}

pub(crate) struct Events {
    poll: Poll,
    listener: TcpListener,
    rx: Receiver<Message>,
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// Ready jobs whose stage queue was full, oldest first.
    held: VecDeque<Box<Job>>,
}

pub(crate) fn create(listener: StdListener, shared: &Shared) -> Result<(Handle, Events), String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let mut listener = TcpListener::from_std(listener);
    let poll = Poll::new().map_err(|e| format!("cannot create the event queue: {e}"))?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .map_err(|e| e.to_string())?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER).map_err(|e| e.to_string())?);
    let wake = Arc::clone(&waker);
    shared.shutdown.on_trigger(move || {
        let _ = wake.wake();
    });
    // Every connection parks at most once at a time, and frees its slot once.
    let (tx, rx) = bounded(2 * shared.config.max_connections + 64);
    let events = Events {
        poll,
        listener,
        rx,
        slots: Vec::new(),
        free: Vec::new(),
        held: VecDeque::new(),
    };
    Ok((Handle { tx, waker }, events))
}

impl Events {
    /// Runs until shutdown has been asked for and every connection is gone.
    pub(crate) fn run(&mut self, seda: &Seda) -> Result<(), String> {
        let shared = &seda.shared;
        let mut events = MioEvents::with_capacity(1024);
        let mut accepting = true;
        let mut last_sweep = Instant::now();
        loop {
            // Held jobs are retried soon; otherwise wake for the sweep.
            let wait = if self.held.is_empty() {
                SWEEP
            } else {
                HELD_RETRY
            };
            if let Err(e) = self.poll.poll(&mut events, Some(wait))
                && e.kind() != ErrorKind::Interrupted
            {
                return Err(format!("waiting for events failed: {e}"));
            }
            let now = Instant::now();
            for event in events.iter() {
                match event.token() {
                    LISTENER if accepting => self.accept_all(seda, now),
                    LISTENER | WAKER => {}
                    Token(i) => {
                        if let Some(job) = self.take(i) {
                            self.hand_over(seda, job);
                        }
                    }
                }
            }
            while let Some(job) = self.held.pop_front() {
                if let Err(job) = seda.try_route(job) {
                    self.held.push_front(job);
                    break;
                }
            }
            while let Ok(message) = self.rx.try_recv() {
                match message {
                    Message::Park(job) => self.park(seda, job),
                    Message::Free(token) => {
                        if let Some(slot) = self.slots.get_mut(token) {
                            *slot = Slot::Free;
                            self.free.push(token);
                        }
                    }
                }
            }
            if shared.shutdown.is_set() && accepting {
                accepting = false;
                let _ = self.poll.registry().deregister(&mut self.listener);
            }
            if !accepting || now.duration_since(last_sweep) >= SWEEP {
                last_sweep = now;
                if accepting {
                    // Left in the backlog when descriptors ran out: no new edge.
                    self.accept_all(seda, now);
                }
                self.sweep(seda, now, !accepting);
                if !accepting && shared.counters.active.load(Ordering::Acquire) == 0 {
                    return Ok(());
                }
            }
        }
    }

    fn accept_all(&mut self, seda: &Seda, now: Instant) {
        loop {
            let mut stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue,
                Err(_) => return,
            };
            let _ = stream.set_nodelay(true);
            if !seda.admits(self.held.len()) {
                seda.shared.counters.refused.fetch_add(1, Ordering::Relaxed);
                stages::refuse(&mut stream);
                continue;
            }
            let Some(session) = stages::accept_conn(&seda.shared, now) else {
                stages::refuse(&mut stream);
                continue;
            };
            let token = self.free.pop().unwrap_or_else(|| {
                self.slots.push(Slot::Free);
                self.slots.len() - 1
            });
            let registered =
                self.poll
                    .registry()
                    .register(&mut stream, Token(token), Interest::READABLE);
            // Parked as what it is, an idle connection waiting for input,
            // so that stopping closes it at once (not at its idle deadline).
            let job = Box::new(Job {
                stream,
                session,
                token,
                next: Next::NeedInput,
            });
            self.slots[token] = Slot::Busy;
            match registered {
                Ok(()) => self.slots[token] = Slot::Parked(job),
                Err(_) => seda.exit_now(job),
            }
        }
    }

    fn take(&mut self, token: usize) -> Option<Box<Job>> {
        let slot = self.slots.get_mut(token)?;
        match std::mem::replace(slot, Slot::Busy) {
            Slot::Parked(job) => Some(job),
            other => {
                *slot = other;
                None
            }
        }
    }

    fn park(&mut self, seda: &Seda, mut job: Box<Job>) {
        let interest = if job.next == Next::WriteResponse {
            Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        let token = job.token;
        match self
            .poll
            .registry()
            .reregister(&mut job.stream, Token(token), interest)
        {
            Ok(()) => {
                if let Some(slot) = self.slots.get_mut(token) {
                    *slot = Slot::Parked(job);
                }
            }
            Err(_) => seda.exit_now(job),
        }
    }

    /// Parked sessions past their deadline time out; when stopping, idle
    /// ones exit (responses in flight finish first).
    fn sweep(&mut self, seda: &Seda, now: Instant, stopping: bool) {
        for token in 0..self.slots.len() {
            let due = match &self.slots[token] {
                Slot::Parked(job) => {
                    let idle = job.next == Next::NeedInput && !job.session.head_started;
                    (stopping && idle) || now >= job.session.deadline
                }
                _ => false,
            };
            if !due {
                continue;
            }
            if let Some(mut job) = self.take(token) {
                job.next = if stopping && now < job.session.deadline {
                    Next::Exit
                } else {
                    stages::timed_out(&mut job.session)
                };
                self.hand_over(seda, job);
            }
        }
    }

    /// Puts a job on its stage's queue, or holds it while that is full.
    fn hand_over(&mut self, seda: &Seda, job: Box<Job>) {
        if !self.held.is_empty() {
            self.held.push_back(job); // keep the order
        } else if let Err(job) = seda.try_route(job) {
            self.held.push_back(job);
        }
    }
}
