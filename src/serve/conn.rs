//! A connection's session: the state that the slide's stages pass along
//! (von Behren's `struct session`). Its buffers are allocated once per
//! connection and reused for every request on it.
//!
//! I/O goes through `std::io::Read`/`Write`, so the same code reads a
//! blocking socket (threads, pool), a non-blocking one (events, seda: a
//! `WouldBlock` error means "wait for readiness") and tokio's (hybrid).

use std::io::{self, IoSlice, Read, Write};
use std::sync::Arc;
use std::time::Instant;

use crate::core::http::{MAX_HEAD, Method, Parsed, Request, Status, parse_request};

use super::cache::Entry;

/// Room for a whole head plus a pipelined request or two.
const INPUT_CAPACITY: usize = 2 * MAX_HEAD;

/// What the response being written is.
pub(crate) enum Reply {
    /// A file pinned in the cache (its bytes stay alive while it is sent).
    File(Arc<Entry>),
    /// An error page; the connection closes after it.
    Error(Status),
}

pub(crate) struct Session {
    input: Box<[u8]>,
    filled: usize,
    /// The current request's path, relative to the root (reused buffer).
    pub path: String,
    pub request: Option<Request>,
    pub reply: Option<Reply>,
    /// The head (and an error's body), built once the reply is known.
    head: Vec<u8>,
    /// Bytes of head + body already written.
    sent: usize,
    prepared: bool,
    /// When the current wait (for a head, or for the client to read) gives up.
    pub deadline: Instant,
    /// Whether the head being awaited has begun (a timeout then gets 408).
    pub head_started: bool,
    pub keep_alive: bool,
}

pub(crate) enum Filled {
    /// Bytes taken (only `--arch completion`, Linux's, reads the count).
    Bytes(#[allow(dead_code, reason = "read by --arch completion, on Linux only")] usize),
    /// The peer closed its side.
    Eof,
}

impl Session {
    pub(crate) fn new(deadline: Instant) -> Self {
        Session {
            input: vec![0; INPUT_CAPACITY].into_boxed_slice(),
            filled: 0,
            path: String::with_capacity(256),
            request: None,
            reply: None,
            head: Vec::with_capacity(256),
            sent: 0,
            prepared: false,
            deadline,
            head_started: false,
            keep_alive: true,
        }
    }

    /// The bytes read and not yet consumed by a request.
    pub(crate) fn input(&self) -> &[u8] {
        &self.input[..self.filled]
    }

    /// Stage 2's parse of the bytes read so far (the path lands in `path`).
    pub(crate) fn parse(&mut self) -> Parsed {
        parse_request(&self.input[..self.filled], &mut self.path)
    }

    /// One read into the free part of the input buffer. A full buffer reads
    /// nothing (the parser then answers 431).
    pub(crate) fn fill(&mut self, from: &mut impl Read) -> io::Result<Filled> {
        let room = &mut self.input[self.filled..];
        if room.is_empty() {
            return Ok(Filled::Bytes(0));
        }
        match from.read(room)? {
            0 => Ok(Filled::Eof),
            n => {
                self.filled += n;
                Ok(Filled::Bytes(n))
            }
        }
    }

    /// Whether the last read filled all the room it was given (so more may
    /// be waiting in the socket).
    pub(crate) fn input_full(&self) -> bool {
        self.filled == self.input.len()
    }

    /// Drops the current request's head from the input (the bytes of a
    /// pipelined next request move to the front).
    pub(crate) fn consume_head(&mut self, len: usize) {
        let len = len.min(self.filled);
        self.input.copy_within(len..self.filled, 0);
        self.filled -= len;
    }

    /// The head buffer, for the write-response stage to fill once.
    pub(crate) fn head_mut(&mut self) -> Option<&mut Vec<u8>> {
        if self.prepared {
            return None;
        }
        self.prepared = true;
        self.head.clear();
        self.sent = 0;
        Some(&mut self.head)
    }

    fn body(&self) -> &[u8] {
        match (&self.reply, self.request) {
            (Some(Reply::File(entry)), Some(r)) if r.method == Method::Get => &entry.bytes,
            _ => &[],
        }
    }

    /// Writes as much of the prepared response as the socket takes, head and
    /// body in one `writev`. Ok(true) when all of it is out.
    pub(crate) fn flush(&mut self, to: &mut impl Write) -> io::Result<bool> {
        loop {
            let head_len = self.head.len();
            let body = self.body();
            let total = head_len + body.len();
            if self.sent >= total {
                return Ok(true);
            }
            let written = if self.sent < head_len {
                let parts = [IoSlice::new(&self.head[self.sent..]), IoSlice::new(body)];
                to.write_vectored(&parts)?
            } else {
                to.write(&body[self.sent - head_len..])?
            };
            if written == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.sent += written;
        }
    }

    /// After a response is out: unpin the file, get ready for the next head.
    pub(crate) fn finish_response(&mut self) {
        self.reply = None;
        self.request = None;
        self.prepared = false;
        self.head.clear();
        self.sent = 0;
        self.head_started = false;
    }
}

/// Writes a short response directly (503 on refusal), best effort: the
/// client is being turned away, a failure here changes nothing.
pub(crate) fn write_now(to: &mut impl Write, status: Status) {
    let mut out = Vec::with_capacity(256);
    crate::core::http::write_error(&mut out, status);
    let _ = to.write_all(&out);
}

/// A socket the stages can read, write and close gracefully.
pub(crate) trait Socket: Read + Write {
    /// Stops blocking and sends FIN (the read side stays open to drain).
    fn close_write(&mut self);
}

impl Socket for std::net::TcpStream {
    fn close_write(&mut self) {
        let _ = self.set_nonblocking(true);
        let _ = self.shutdown(std::net::Shutdown::Write);
    }
}

impl Socket for mio::net::TcpStream {
    fn close_write(&mut self) {
        let _ = self.shutdown(std::net::Shutdown::Write);
    }
}
