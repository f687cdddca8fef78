//! The web server of the slides (von Behren, Condit, Brewer):
//!
//! ```text
//! Accept Conn. → Read Request → Pin Cache → Write Response → Exit
//!                                  ↘ Read File ↗
//! ```
//!
//! as six named functions that every architecture calls. Each returns the
//! [`Next`] stage; the architectures differ only in how they drive that
//! loop: a thread runs it top to bottom and blocks in its reads and writes
//! (`thread_main`), the event loop suspends it at [`Next::NeedInput`] or a
//! write that would block and resumes it on readiness (the handlers), SEDA
//! puts a queue and a thread pool between the stages. The same code, driven
//! differently: the duality made concrete.

use std::io::{self, ErrorKind};
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::core::http::{self, Method, Parsed, Status};

use super::Shared;
use super::conn::{Reply, Session, Socket};

/// Where a session goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Parse what has been read (stage 2).
    ReadRequest,
    /// Wait until the socket has more bytes, read them, then ReadRequest.
    NeedInput,
    PinCache,
    ReadFile,
    /// Write (the rest of) the response; a `WouldBlock` waits for room.
    WriteResponse,
    Exit,
}

/// Stage 1, "Accept Conn.": admission. A new connection gets a session,
/// unless the server already holds its limit: then it is refused (the
/// caller answers 503 at once, see [`refuse`]) rather than queued.
pub(crate) fn accept_conn(shared: &Shared, now: Instant) -> Option<Session> {
    let counters = &shared.counters;
    let active = counters.active.fetch_add(1, Ordering::AcqRel);
    if active >= shared.config.max_connections || shared.shutdown.is_set() {
        counters.active.fetch_sub(1, Ordering::AcqRel);
        counters.refused.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    counters.connections.fetch_add(1, Ordering::Relaxed);
    Some(Session::new(now + shared.config.idle_timeout))
}

/// Turns a connection away with 503 and closes it.
pub(crate) fn refuse(stream: &mut impl Socket) {
    super::conn::write_now(stream, Status::Unavailable);
    linger_close(stream);
}

/// Stage 2, "Read Request": parses the bytes read so far. `NeedInput` when
/// the head is not complete (the driver reads more, within the deadline).
pub(crate) fn read_request(shared: &Shared, s: &mut Session, now: Instant) -> Next {
    if s.input().is_empty() {
        return Next::NeedInput;
    }
    match s.parse() {
        Parsed::Partial => {
            if !s.head_started {
                s.head_started = true;
                s.deadline = s.deadline.min(now + shared.config.request_timeout);
            }
            Next::NeedInput
        }
        Parsed::Complete(request) => {
            s.consume_head(request.head_len);
            s.request = Some(request);
            s.keep_alive = request.keep_alive;
            Next::PinCache
        }
        Parsed::Reject(status) => {
            s.reply = Some(Reply::Error(status));
            s.keep_alive = false;
            Next::WriteResponse
        }
    }
}

/// The wait for input (or for the client to read) passed its deadline: a
/// head begun too slowly gets 408, an idle keep-alive connection just closes.
pub(crate) fn timed_out(s: &mut Session) -> Next {
    if s.head_started && s.reply.is_none() {
        s.reply = Some(Reply::Error(Status::RequestTimeout));
        s.keep_alive = false;
        Next::WriteResponse
    } else {
        Next::Exit
    }
}

/// Stage 3, "Pin Cache": a hit pins the file's bytes for the response; a
/// miss goes to Read File.
pub(crate) fn pin_cache(shared: &Shared, s: &mut Session, now: Instant) -> Next {
    match shared.cache.pin(&s.path, now) {
        Some(entry) => {
            s.reply = Some(Reply::File(entry));
            Next::WriteResponse
        }
        None => Next::ReadFile,
    }
}

/// Stage 4, "Read File": reads the file into the cache (or finds why not:
/// 404, 403 outside the root or too large).
pub(crate) fn read_file(shared: &Shared, s: &mut Session, now: Instant) -> Next {
    s.reply = Some(match shared.cache.load(&s.path, now) {
        Ok(entry) => Reply::File(entry),
        Err(status) => Reply::Error(status),
    });
    Next::WriteResponse
}

/// Stage 5, "Write Response": head and body in one `writev`, as much as the
/// socket takes. `Err(WouldBlock)` from a non-blocking socket means: wait
/// until it is writable, then call again. When all is out the file is
/// unpinned and the session waits for the next request (keep-alive) or
/// exits.
pub(crate) fn write_response(
    shared: &Shared,
    s: &mut Session,
    to: &mut impl io::Write,
    now: Instant,
) -> io::Result<Next> {
    let method = s.request.map(|r| r.method);
    let keep_alive = s.keep_alive;
    let (status, content_type, length) = match &s.reply {
        Some(Reply::File(entry)) => (Status::Ok, entry.content_type, entry.bytes.len()),
        Some(Reply::Error(status)) => (*status, "", 0),
        None => (Status::InternalError, "", 0),
    };
    if let Some(head) = s.head_mut() {
        if status == Status::Ok {
            http::write_head(head, status, content_type, length, keep_alive);
        } else if method == Some(Method::Head) {
            let body = status.error_body();
            http::write_head(head, status, "text/plain; charset=utf-8", body.len(), false);
        } else {
            http::write_error(head, status);
        }
    }
    s.flush(to)?;
    let counters = &shared.counters;
    counters.requests.fetch_add(1, Ordering::Relaxed);
    if status != Status::Ok {
        counters.errors.fetch_add(1, Ordering::Relaxed);
    }
    s.finish_response();
    s.deadline = now + shared.config.idle_timeout;
    if keep_alive && status == Status::Ok && !shared.shutdown.is_set() {
        Ok(Next::ReadRequest)
    } else {
        Ok(Next::Exit)
    }
}

/// Stage 6, "Exit": the session ends (its buffers are freed, the slot in
/// the connection count given back) and the socket closes gracefully.
pub(crate) fn exit(shared: &Shared, s: Session, stream: &mut impl Socket) {
    drop(s);
    linger_close(stream);
    shared.counters.active.fetch_sub(1, Ordering::AcqRel);
}

/// A connection that ended by an I/O error mid-response (the client left).
pub(crate) fn aborted(shared: &Shared, e: &io::Error) {
    if !matches!(e.kind(), ErrorKind::WouldBlock) {
        shared.counters.aborted.fetch_add(1, Ordering::Relaxed);
    }
}

/// Closes our side, then reads (without blocking) what the client still
/// sent: closing a socket with unread input makes the kernel send a reset,
/// which can destroy the last response before the client reads it.
fn linger_close(stream: &mut impl Socket) {
    stream.close_write();
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}
