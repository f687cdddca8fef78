//! The closed loop: each connection sends one request, waits for the whole
//! response, records its latency and sends the next (wrk's model). A few
//! threads each drive their share of the connections with mio, so a
//! thousand connections cost a thousand sockets, not a thousand threads.
//!
//! Bounded twice: a shared request budget (claimed before each send, so
//! exactly `requests` are sent when time allows) and a deadline.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use super::response::{CLOSED_BEFORE_RESPONSE, Progress, ResponseReader};
use super::summary::{Errors, LoadConfig, Report};
use crate::core::stats::Histogram;

/// Latencies are gathered in batches and merged under a lock, rarely.
const LATENCY_BATCH: usize = 4096;
/// Wait before reconnecting after a failed connect (no busy loop on a dead port).
const CONNECT_RETRY: Duration = Duration::from_millis(50);

struct Shared {
    issued: AtomicU64,
    budget: u64,
    deadline: Instant,
    latency: Mutex<Histogram>,
}

/// Runs the load; returns when the budget is answered or time is up.
pub fn run(config: &LoadConfig) -> Result<Report, String> {
    let start = Instant::now();
    let shared = Arc::new(Shared {
        issued: AtomicU64::new(0),
        budget: config.requests,
        deadline: start + config.duration,
        latency: Mutex::new(Histogram::new()),
    });
    let request: Arc<[u8]> = config.request.clone().into();
    let threads = config.threads.clamp(1, config.connections.max(1));
    let mut handles = Vec::with_capacity(threads);
    for i in 0..threads {
        let n = config.connections / threads + usize::from(i < config.connections % threads);
        let (shared, request, addr) = (shared.clone(), request.clone(), config.addr);
        let handle = std::thread::Builder::new()
            .name(format!("load-{i}"))
            .spawn(move || Worker::new(addr, request, n, shared).and_then(Worker::run))
            .map_err(|e| format!("cannot start a load thread: {e}"))?;
        handles.push(handle);
    }
    let mut report = Report::default();
    let mut failure = None;
    for h in handles {
        match h.join() {
            Ok(Ok(t)) => {
                report.responses += t.responses;
                report.non_2xx += t.non_2xx;
                report.bytes += t.bytes;
                report.connects += t.connects;
                report.errors.add(&t.errors);
            }
            Ok(Err(e)) => failure = Some(e),
            Err(_) => failure = Some("a load thread panicked".to_string()),
        }
    }
    report.elapsed = start.elapsed();
    if let Some(e) = failure {
        return Err(e);
    }
    report.latency = match shared.latency.lock() {
        Ok(h) => h.clone(),
        Err(p) => p.into_inner().clone(),
    };
    Ok(report)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Connecting,
    Sending,
    Receiving,
    /// Reconnect at this time.
    Waiting(Instant),
    Finished,
}

struct Conn {
    stream: Option<TcpStream>,
    state: State,
    written: usize,
    sent_at: Instant,
    reader: ResponseReader,
}

#[derive(Default)]
struct Tally {
    responses: u64,
    non_2xx: u64,
    bytes: u64,
    connects: u64,
    errors: Errors,
}

/// The connection is over (closed by the server or broken; errors are
/// already counted): open a new one.
struct Reconnect;

struct Worker {
    addr: SocketAddr,
    request: Arc<[u8]>,
    shared: Arc<Shared>,
    poll: Poll,
    conns: Vec<Conn>,
    buf: Vec<u8>,
    latencies: Vec<u64>,
    tally: Tally,
    finished: usize,
}

impl Worker {
    fn new(
        addr: SocketAddr,
        request: Arc<[u8]>,
        n: usize,
        shared: Arc<Shared>,
    ) -> Result<Self, String> {
        let poll = Poll::new().map_err(|e| format!("cannot create a poller: {e}"))?;
        let now = Instant::now();
        let conns = (0..n)
            .map(|_| Conn {
                stream: None,
                state: State::Waiting(now),
                written: 0,
                sent_at: now,
                reader: ResponseReader::new(),
            })
            .collect();
        Ok(Self {
            addr,
            request,
            shared,
            poll,
            conns,
            buf: vec![0; 64 * 1024],
            latencies: Vec::with_capacity(LATENCY_BATCH),
            tally: Tally::default(),
            finished: 0,
        })
    }

    fn run(mut self) -> Result<Tally, String> {
        let mut events = Events::with_capacity(1024);
        let mut next_retry = Some(Instant::now());
        loop {
            let now = Instant::now();
            if now >= self.shared.deadline {
                break;
            }
            if next_retry.is_some_and(|t| t <= now) {
                next_retry = self.reconnect_due(now);
            }
            if self.finished == self.conns.len() {
                break;
            }
            let until = next_retry.map_or(self.shared.deadline, |t| t.min(self.shared.deadline));
            match self
                .poll
                .poll(&mut events, Some(until.saturating_duration_since(now)))
            {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("poll failed: {e}")),
            }
            for event in events.iter() {
                let i = event.token().0;
                if let Some(t) = self.on_event(i, event.is_writable(), event.is_readable()) {
                    next_retry = Some(next_retry.map_or(t, |n| n.min(t)));
                }
            }
        }
        self.flush_latencies();
        Ok(self.tally)
    }

    /// Connects every connection whose wait is over; returns the next wait.
    fn reconnect_due(&mut self, now: Instant) -> Option<Instant> {
        let mut next = None;
        for i in 0..self.conns.len() {
            if let State::Waiting(t) = self.conns[i].state {
                let t = if t <= now { self.connect(i) } else { Some(t) };
                if let Some(t) = t {
                    next = Some(next.map_or(t, |n: Instant| n.min(t)));
                }
            }
        }
        next
    }

    /// Starts a connection; on failure returns when to try again.
    fn connect(&mut self, i: usize) -> Option<Instant> {
        if Instant::now() >= self.shared.deadline || self.budget_spent() {
            self.finish(i);
            return None;
        }
        self.tally.connects += 1;
        let registered = TcpStream::connect(self.addr).and_then(|mut s| {
            self.poll.registry().register(
                &mut s,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )?;
            Ok(s)
        });
        let c = &mut self.conns[i];
        c.reader.reset();
        match registered {
            Ok(s) => {
                c.stream = Some(s);
                c.state = State::Connecting;
                None
            }
            Err(_) => {
                self.tally.errors.connect += 1;
                let at = Instant::now() + CONNECT_RETRY;
                c.state = State::Waiting(at);
                Some(at)
            }
        }
    }

    /// Closes connection `i` for good.
    fn finish(&mut self, i: usize) {
        let c = &mut self.conns[i];
        if let Some(mut s) = c.stream.take() {
            let _ = self.poll.registry().deregister(&mut s);
        }
        if c.state != State::Finished {
            c.state = State::Finished;
            self.finished += 1;
        }
    }

    fn budget_spent(&self) -> bool {
        self.shared.issued.load(Ordering::Relaxed) >= self.shared.budget
    }

    /// Handles readiness; returns a reconnect time when one was scheduled.
    fn on_event(&mut self, i: usize, writable: bool, readable: bool) -> Option<Instant> {
        let state = self.conns.get(i)?.state;
        let outcome = match state {
            State::Connecting if writable => self.on_connected(i),
            State::Sending if writable => self.send(i),
            State::Receiving if readable => self.receive(i),
            _ => Ok(()),
        };
        match outcome {
            Ok(()) => None,
            Err(Reconnect) => self.reconnect(i),
        }
    }

    fn on_connected(&mut self, i: usize) -> Result<(), Reconnect> {
        let stream = self.conns[i].stream.as_ref().ok_or(Reconnect)?;
        match (stream.take_error(), stream.peer_addr()) {
            (Ok(None), Ok(_)) => {}
            (Ok(None), Err(e)) if e.kind() == ErrorKind::NotConnected => return Ok(()),
            _ => {
                self.tally.errors.connect += 1;
                self.conns[i].stream = None;
                let at = Instant::now() + CONNECT_RETRY;
                self.conns[i].state = State::Waiting(at);
                return Ok(());
            }
        }
        let _ = stream.set_nodelay(true);
        self.start_request(i)
    }

    /// Claims one request from the budget and sends it, or finishes.
    fn start_request(&mut self, i: usize) -> Result<(), Reconnect> {
        let now = Instant::now();
        if now >= self.shared.deadline
            || self.shared.issued.fetch_add(1, Ordering::Relaxed) >= self.shared.budget
        {
            self.finish(i);
            return Ok(());
        }
        let c = &mut self.conns[i];
        c.sent_at = now;
        c.written = 0;
        c.state = State::Sending;
        self.send(i)
    }

    fn send(&mut self, i: usize) -> Result<(), Reconnect> {
        let c = &mut self.conns[i];
        let stream = c.stream.as_mut().ok_or(Reconnect)?;
        while c.written < self.request.len() {
            match stream.write(&self.request[c.written..]) {
                Ok(0) => {
                    self.tally.errors.write += 1;
                    return Err(Reconnect);
                }
                Ok(n) => c.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.tally.errors.write += 1;
                    return Err(Reconnect);
                }
            }
        }
        c.state = State::Receiving;
        // The response may already be waiting (its readiness edge passed while sending).
        self.receive(i)
    }

    fn receive(&mut self, i: usize) -> Result<(), Reconnect> {
        loop {
            let c = &mut self.conns[i];
            let stream = c.stream.as_mut().ok_or(Reconnect)?;
            let progress = match stream.read(&mut self.buf) {
                Ok(0) => c.reader.eof(),
                Ok(n) => {
                    self.tally.bytes += n as u64;
                    match c.reader.feed(&self.buf[..n]) {
                        Progress::Done { consumed, .. } if consumed < n => {
                            Progress::Error("bytes after the response (no request was pipelined)")
                        }
                        p => p,
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.tally.errors.read += 1;
                    return Err(Reconnect);
                }
            };
            match progress {
                Progress::NeedMore => {}
                Progress::Done { status, close, .. } => {
                    self.record(i, status);
                    return if close {
                        Err(Reconnect)
                    } else {
                        self.start_request(i)
                    };
                }
                Progress::Error(why) => {
                    if why == CLOSED_BEFORE_RESPONSE {
                        self.tally.errors.read += 1;
                    } else {
                        self.tally.errors.protocol += 1;
                    }
                    return Err(Reconnect);
                }
            }
        }
    }

    fn record(&mut self, i: usize, status: u16) {
        let nanos = self.conns[i]
            .sent_at
            .elapsed()
            .as_nanos()
            .min(u128::from(u64::MAX)) as u64;
        self.tally.responses += 1;
        if !(200..300).contains(&status) {
            self.tally.non_2xx += 1;
        }
        self.latencies.push(nanos);
        if self.latencies.len() == LATENCY_BATCH {
            self.flush_latencies();
        }
    }

    fn flush_latencies(&mut self) {
        let mut h = match self.shared.latency.lock() {
            Ok(h) => h,
            Err(p) => p.into_inner(),
        };
        for &v in &self.latencies {
            h.record(v);
        }
        self.latencies.clear();
    }

    /// Closes connection `i` and opens a new one (now, or later after a failed connect).
    fn reconnect(&mut self, i: usize) -> Option<Instant> {
        if let Some(mut s) = self.conns[i].stream.take() {
            let _ = self.poll.registry().deregister(&mut s);
        }
        self.conns[i].reader.reset();
        self.connect(i)
    }
}
