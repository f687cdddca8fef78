//! `--arch events`: SEDA's Figure 3, one thread "processes incoming events
//! from the network … and uses these to drive the execution of many finite
//! state machines". Non-blocking sockets through mio (epoll on Linux,
//! kqueue on macOS, IOCP-backed polling on Windows).
//!
//! Each connection's state machine is the stages' [`Next`]: a connection
//! parked at `NeedInput` or at a `WriteResponse` that would block resumes
//! when its socket is ready. Nothing here blocks, so a slow client never
//! stalls the others; a sweep every 250 ms closes connections past their
//! deadline (408 for a head begun too slowly).
//!
//! For speed: sockets are registered once (edge-triggered, read and write),
//! a connection remembers whether its last read drained the socket (no
//! read that would only say `WouldBlock`, where the OS allows that:
//! `sys::net::SHORT_READ_DRAINS`), buffers live as long as the
//! connection, and head and body go out in one `writev`.

use std::io::ErrorKind;
use std::net::TcpListener as StdListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

use super::Shared;
use super::conn::{Filled, Session};
use super::stages::{self, Next};
use crate::sys::net;

const LISTENER: Token = Token(usize::MAX - 1);
const WAKER: Token = Token(usize::MAX - 2);
const SWEEP: Duration = Duration::from_millis(250);

/// One connection's state machine.
struct Conn {
    stream: TcpStream,
    session: Session,
    /// The stage it is parked at (`NeedInput` or `WriteResponse`).
    next: Next,
    /// The socket may have unread bytes (an event came since the last
    /// read that drained it).
    readable: bool,
    /// The peer has closed its side: read on until the end is seen.
    peer_closed: bool,
}

pub(crate) fn run(listener: StdListener, shared: Arc<Shared>) -> Result<(), String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let mut listener = TcpListener::from_std(listener);
    let mut poll = Poll::new().map_err(|e| format!("cannot create the event queue: {e}"))?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .map_err(|e| e.to_string())?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER).map_err(|e| e.to_string())?);
    shared.shutdown.on_trigger(move || {
        let _ = waker.wake();
    });
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut events = Events::with_capacity(1024);
    let mut last_sweep = Instant::now();
    let mut accepting = true;
    loop {
        if let Err(e) = poll.poll(&mut events, Some(SWEEP))
            && e.kind() != ErrorKind::Interrupted
        {
            return Err(format!("waiting for events failed: {e}"));
        }
        let now = Instant::now();
        for event in events.iter() {
            match event.token() {
                LISTENER if accepting => {
                    accept_all(&shared, &poll, &mut listener, &mut conns, &mut free, now)
                }
                LISTENER | WAKER => {}
                Token(i) => {
                    if let Some(conn) = conns.get_mut(i).and_then(Option::as_mut) {
                        conn.peer_closed |= event.is_read_closed();
                        conn.readable |= event.is_readable() || conn.peer_closed;
                        if !advance(&shared, conn, now) {
                            close(&shared, &poll, &mut conns, &mut free, i);
                        }
                    }
                }
            }
        }
        if shared.shutdown.is_set() && accepting {
            accepting = false;
            let _ = poll.registry().deregister(&mut listener);
        }
        if !accepting || now.duration_since(last_sweep) >= SWEEP {
            last_sweep = now;
            if accepting {
                // Connections left in the backlog when descriptors ran out
                // bring no new edge: look again.
                accept_all(&shared, &poll, &mut listener, &mut conns, &mut free, now);
            }
            sweep(&shared, &poll, &mut conns, &mut free, now, !accepting);
            if !accepting && conns.iter().all(Option::is_none) {
                return Ok(());
            }
        }
    }
}

fn accept_all(
    shared: &Shared,
    poll: &Poll,
    listener: &mut TcpListener,
    conns: &mut Vec<Option<Conn>>,
    free: &mut Vec<usize>,
    now: Instant,
) {
    loop {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue,
            // Out of descriptors: the pending ones wait for the next event.
            Err(_) => return,
        };
        let _ = stream.set_nodelay(true);
        let Some(session) = stages::accept_conn(shared, now) else {
            stages::refuse(&mut stream);
            continue;
        };
        let slot = free.pop().unwrap_or_else(|| {
            conns.push(None);
            conns.len() - 1
        });
        let interest = Interest::READABLE | Interest::WRITABLE;
        if poll
            .registry()
            .register(&mut stream, Token(slot), interest)
            .is_err()
        {
            free.push(slot);
            stages::exit(shared, session, &mut stream);
            continue;
        }
        conns[slot] = Some(Conn {
            stream,
            session,
            next: Next::ReadRequest,
            readable: true,
            peer_closed: false,
        });
    }
}

/// Runs a connection's stages until it must wait for its socket. False
/// when it has reached Exit.
fn advance(shared: &Shared, conn: &mut Conn, now: Instant) -> bool {
    let s = &mut conn.session;
    loop {
        conn.next = match conn.next {
            Next::ReadRequest => stages::read_request(shared, s, now),
            Next::NeedInput => {
                if !conn.readable {
                    return true;
                }
                match s.fill(&mut conn.stream) {
                    Ok(Filled::Bytes(_)) => {
                        // A read that did not fill its room drained the socket:
                        // the next bytes come with a new edge (where the OS
                        // says so; elsewhere read on to `WouldBlock`).
                        conn.readable =
                            s.input_full() || conn.peer_closed || !net::SHORT_READ_DRAINS;
                        Next::ReadRequest
                    }
                    Ok(Filled::Eof) => Next::Exit,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        conn.readable = false;
                        return true;
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => Next::NeedInput,
                    Err(_) => Next::Exit,
                }
            }
            Next::PinCache => stages::pin_cache(shared, s, now),
            Next::ReadFile => stages::read_file(shared, s, now),
            Next::WriteResponse => match stages::write_response(shared, s, &mut conn.stream, now) {
                Ok(next) => next,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    s.deadline = now + shared.config.request_timeout;
                    return true;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => Next::WriteResponse,
                Err(e) => {
                    stages::aborted(shared, &e);
                    Next::Exit
                }
            },
            Next::Exit => return false,
        };
    }
}

fn close(
    shared: &Shared,
    poll: &Poll,
    conns: &mut [Option<Conn>],
    free: &mut Vec<usize>,
    i: usize,
) {
    if let Some(mut conn) = conns[i].take() {
        let _ = poll.registry().deregister(&mut conn.stream);
        stages::exit(shared, conn.session, &mut conn.stream);
        free.push(i);
    }
}

/// Connections past their deadline time out; when stopping, idle ones
/// close at once (a response in flight finishes first).
fn sweep(
    shared: &Shared,
    poll: &Poll,
    conns: &mut [Option<Conn>],
    free: &mut Vec<usize>,
    now: Instant,
    stopping: bool,
) {
    for i in 0..conns.len() {
        let Some(conn) = conns[i].as_mut() else {
            continue;
        };
        let idle = conn.next == Next::NeedInput && !conn.session.head_started;
        let keep = if stopping && idle {
            false
        } else if now >= conn.session.deadline {
            conn.next = stages::timed_out(&mut conn.session);
            advance(shared, conn, now)
        } else {
            true
        };
        if !keep {
            close(shared, poll, conns, free, i);
        }
    }
}
