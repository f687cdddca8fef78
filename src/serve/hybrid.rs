//! `--arch hybrid`: the slides' "Hybrid Multithreading", many user-level
//! threads on a few kernel threads (M:N). One tokio task per connection on
//! tokio's multi-threaded runtime with `--workers` kernel threads (default:
//! one per core).
//!
//! Each task is written like `threads`' thread, top to bottom, and runs the
//! same stages; where the thread would block, the task awaits readiness
//! and the kernel thread runs another task. The sockets are read and
//! written through tokio's non-blocking `try_read`/`try_write_vectored`,
//! so the stages see the same `std::io` calls as everywhere else.

use std::io::{self, ErrorKind, IoSlice, Read, Write};
use std::net::TcpListener as StdListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use super::Shared;
use super::conn::{Filled, Session, Socket};
use super::stages::{self, Next};

/// How often a task waiting for input looks at the shutdown flag.
const SLICE: Duration = Duration::from_millis(250);

pub(crate) fn run(listener: StdListener, shared: Arc<Shared>) -> Result<(), String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(shared.config.workers)
        .thread_name("hybrid")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
    runtime.block_on(serve(listener, shared))
}

async fn serve(listener: StdListener, shared: Arc<Shared>) -> Result<(), String> {
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    let stop = Arc::new(Notify::new());
    let notify = Arc::clone(&stop);
    shared.shutdown.on_trigger(move || notify.notify_one());
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.notified() => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Some(session) = stages::accept_conn(&shared, Instant::now()) else {
            if let Ok(mut stream) = stream.into_std() {
                stages::refuse(&mut stream);
            }
            continue;
        };
        tokio::spawn(connection(Arc::clone(&shared), stream, session));
    }
    let until = Instant::now() + Duration::from_secs(10);
    while shared
        .counters
        .active
        .load(std::sync::atomic::Ordering::Acquire)
        > 0
        && Instant::now() < until
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// One connection, as one task: `thread_main` with awaits.
async fn connection(shared: Arc<Shared>, stream: TcpStream, mut s: Session) {
    let mut next = Next::ReadRequest;
    loop {
        let now = Instant::now();
        next = match next {
            Next::ReadRequest => stages::read_request(&shared, &mut s, now),
            Next::NeedInput => {
                if shared.shutdown.is_set() && !s.head_started {
                    Next::Exit
                } else if now >= s.deadline {
                    stages::timed_out(&mut s)
                } else {
                    match read_some(&stream, &mut s) {
                        Ok(Filled::Bytes(_)) => Next::ReadRequest,
                        Ok(Filled::Eof) => Next::Exit,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            let wait = SLICE.min(s.deadline - now);
                            let _ = tokio::time::timeout(wait, stream.readable()).await;
                            Next::NeedInput
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => Next::NeedInput,
                        Err(_) => Next::Exit,
                    }
                }
            }
            Next::PinCache => stages::pin_cache(&shared, &mut s, now),
            Next::ReadFile => {
                // Disk reads may block: off the runtime's threads for a
                // moment, as tokio's own file I/O does.
                tokio::task::block_in_place(|| stages::read_file(&shared, &mut s, now))
            }
            Next::WriteResponse => {
                match stages::write_response(&shared, &mut s, &mut Nonblocking(&stream), now) {
                    Ok(next) => next,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        let wait = shared.config.request_timeout;
                        match tokio::time::timeout(wait, stream.writable()).await {
                            Ok(Ok(())) => Next::WriteResponse,
                            _ => Next::Exit,
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => Next::WriteResponse,
                    Err(e) => {
                        stages::aborted(&shared, &e);
                        Next::Exit
                    }
                }
            }
            Next::Exit => break,
        };
    }
    match stream.into_std() {
        Ok(mut stream) => stages::exit(&shared, s, &mut stream),
        Err(_) => stages::exit(&shared, s, &mut Closed),
    }
}

/// One read of what the socket has. A read that does not fill the room it
/// was given drained the socket: tokio is told so (the closure's
/// `WouldBlock`), which clears the readiness seen *before* the read, so the
/// next wait sleeps until new bytes come instead of costing a read that
/// would only say `WouldBlock` (events does the same with its `readable`).
fn read_some(stream: &TcpStream, s: &mut Session) -> io::Result<Filled> {
    let mut result = None;
    let _ = stream.try_io(Interest::READABLE, || {
        let filled = s.fill(&mut Nonblocking(stream));
        let drained = matches!(filled, Ok(Filled::Bytes(_))) && !s.input_full();
        result = Some(filled);
        if drained {
            Err(ErrorKind::WouldBlock.into())
        } else {
            Ok(())
        }
    });
    result.unwrap_or_else(|| Err(ErrorKind::WouldBlock.into()))
}

/// A socket already gone (tokio could not hand it back): nothing to close.
struct Closed;

impl Read for Closed {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Ok(0)
    }
}

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Ok(0)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Socket for Closed {
    fn close_write(&mut self) {}
}

/// tokio's socket seen through `std::io`, without blocking: `WouldBlock`
/// when not ready (the task then awaits readiness).
struct Nonblocking<'a>(&'a TcpStream);

impl Read for Nonblocking<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }
}

impl Write for Nonblocking<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.try_write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
