//! The stages driven by one thread on a blocking socket, top to bottom:
//! von Behren's `thread_main(sock)`. Used by `threads` (for a connection's
//! whole life) and `pool` (until it is better to hand the connection back).
//!
//! Blocking reads wait at most until the session's deadline (a slow client
//! gets 408), and in slices so that shutdown is noticed.

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Shared;
use super::conn::{Filled, Session, write_now};
use super::stages::{self, Next};
use crate::core::http::Status;

/// How often a thread waiting for input looks at the shutdown flag.
const SLICE: Duration = Duration::from_millis(250);

pub(crate) enum Outcome {
    /// The connection ended (the Exit stage ran).
    Closed,
    /// Handed back while waiting for input (pool: others were queued);
    /// `served`: a response was written before.
    Yielded { served: bool },
}

/// Runs the stages for `s` until the connection ends, or until
/// `yield_now()` says another connection should have the thread: after a
/// response, or while waiting for input (it is then given `brief_wait` to
/// send something first; zero: only what has already arrived is read).
pub(crate) fn drive(
    shared: &Shared,
    stream: &mut TcpStream,
    s: &mut Session,
    yield_now: &dyn Fn() -> bool,
    brief_wait: Duration,
) -> Outcome {
    let mut next = Next::ReadRequest;
    let mut read_timeout = None;
    let mut served = false;
    // A client that stops reading holds the thread at most this long.
    let _ = stream.set_write_timeout(Some(shared.config.request_timeout));
    loop {
        let now = Instant::now();
        next = match next {
            Next::ReadRequest => stages::read_request(shared, s, now),
            Next::NeedInput => {
                if shared.shutdown.is_set() && !s.head_started {
                    Next::Exit
                } else if now >= s.deadline {
                    stages::timed_out(s)
                } else {
                    let yielding = yield_now();
                    let filled = if yielding && brief_wait.is_zero() {
                        s.fill(&mut DontWait(stream))
                    } else {
                        let wait = if yielding { brief_wait } else { SLICE };
                        let wait = wait.min(s.deadline - now).max(Duration::from_millis(1));
                        if read_timeout != Some(wait) {
                            let _ = stream.set_read_timeout(Some(wait));
                            read_timeout = Some(wait);
                        }
                        s.fill(stream)
                    };
                    match filled {
                        Ok(Filled::Bytes(_)) => Next::ReadRequest,
                        Ok(Filled::Eof) => Next::Exit,
                        Err(e)
                            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                        {
                            if yielding {
                                return Outcome::Yielded { served };
                            }
                            Next::NeedInput
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => Next::NeedInput,
                        Err(_) => Next::Exit,
                    }
                }
            }
            Next::PinCache => stages::pin_cache(shared, s, now),
            Next::ReadFile => stages::read_file(shared, s, now),
            Next::WriteResponse => match stages::write_response(shared, s, stream, now) {
                Ok(Next::ReadRequest) if yield_now() => {
                    // Others are waiting: one request per turn, or a client
                    // that answers fast would keep the thread for ever.
                    return Outcome::Yielded { served: true };
                }
                Ok(next) => {
                    served = true;
                    next
                }
                Err(e) => {
                    stages::aborted(shared, &e);
                    Next::Exit
                }
            },
            Next::Exit => return Outcome::Closed,
        };
    }
}

/// The acceptor of the thread-based servers (`threads`, `pool`): accepts
/// until shutdown, runs stage 1 (admission) and gives each admitted
/// connection to `hand_off`. A connection it hands back (no thread or
/// queue slot for it) is answered 503 at once and exits.
pub(crate) fn accept_until_shutdown(
    listener: &std::net::TcpListener,
    shared: &Shared,
    mut hand_off: impl FnMut(TcpStream, Session) -> Option<(TcpStream, Session)>,
) {
    for accepted in listener.incoming() {
        if shared.shutdown.is_set() {
            break;
        }
        let mut stream = match accepted {
            Ok(stream) => stream,
            Err(e) => {
                pause_after_accept_error(&e);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Some(session) = stages::accept_conn(shared, Instant::now()) else {
            stages::refuse(&mut stream);
            continue;
        };
        if let Some((mut stream, session)) = hand_off(stream, session) {
            shared.counters.refused.fetch_add(1, Ordering::Relaxed);
            write_now(&mut stream, Status::Unavailable);
            stages::exit(shared, session, &mut stream);
        }
    }
}

/// Waits (bounded) until every connection has ended; false if some remain.
pub(crate) fn wait_for_connections(shared: &Shared, grace: Duration) -> bool {
    let until = Instant::now() + grace;
    while shared.counters.active.load(Ordering::Acquire) > 0 {
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Wakes a thread blocked in `accept` on `listener` by connecting to it.
pub(crate) fn wake_accept(addr: std::net::SocketAddr) -> impl Fn() + Send + Sync + 'static {
    move || {
        let _ = TcpStream::connect_timeout(&super::reachable(addr), Duration::from_secs(1));
    }
}

/// An `accept` error that a server survives (out of file descriptors, a
/// connection reset before it was accepted): pause briefly and go on.
pub(crate) fn pause_after_accept_error(e: &std::io::Error) {
    if e.kind() != ErrorKind::ConnectionAborted && e.kind() != ErrorKind::Interrupted {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A blocking socket read once without waiting: only bytes already there.
struct DontWait<'a>(&'a TcpStream);

impl Read for DontWait<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        crate::sys::net::read_now(self.0, buf)
    }
}
