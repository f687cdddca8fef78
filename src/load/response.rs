//! Where one HTTP/1.1 response ends, fed bytes as they arrive: the head is
//! parsed with httparse, then the body is counted (Content-Length), decoded
//! (chunked, sizes parsed by httparse) or read to the close. Bodies are
//! never stored: a 1 MB file costs nothing but the count.

/// What the bytes fed so far amount to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    NeedMore,
    /// The response is complete after `consumed` bytes of the last feed.
    Done {
        status: u16,
        consumed: usize,
        /// The server will close the connection (`Connection: close`, or a
        /// body delimited by the close).
        close: bool,
    },
    Error(&'static str),
}

/// The server closed a keep-alive connection instead of answering.
pub(crate) const CLOSED_BEFORE_RESPONSE: &str = "connection closed before a response";

/// Heads larger than this are a protocol error (servers send ~200 bytes).
const MAX_HEAD: usize = 64 * 1024;
/// A chunk-size or trailer line longer than this is a protocol error.
const MAX_LINE: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Head,
    Length(u64),
    /// Accumulating a chunk-size line.
    ChunkSize,
    ChunkData(u64),
    /// The CRLF after a chunk's data; the count is how many bytes are left.
    ChunkEnd(u8),
    /// Trailer lines up to the empty one.
    Trailer,
    UntilClose,
}

/// Reads one response after another on a keep-alive connection.
#[derive(Debug)]
pub(crate) struct ResponseReader {
    head: Vec<u8>,
    line: Vec<u8>,
    body: Body,
    status: u16,
    close: bool,
}

impl Default for ResponseReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseReader {
    pub(crate) fn new() -> Self {
        Self {
            head: Vec::with_capacity(1024),
            line: Vec::with_capacity(64),
            body: Body::Head,
            status: 0,
            close: false,
        }
    }

    /// Forgets any partial response (after a reconnect).
    pub(crate) fn reset(&mut self) {
        self.head.clear();
        self.line.clear();
        self.body = Body::Head;
        self.status = 0;
        self.close = false;
    }

    /// Feeds the next bytes read from the socket.
    pub(crate) fn feed(&mut self, data: &[u8]) -> Progress {
        if self.body != Body::Head {
            return self.feed_body(data, 0);
        }
        // The common case: the whole head arrives in one read, parsed in place.
        if self.head.is_empty() {
            return match self.parse_head(data) {
                Ok(Some(n)) => self.feed_body(data, n),
                Ok(None) => {
                    self.head.extend_from_slice(data);
                    self.head_too_long()
                }
                Err(e) => Progress::Error(e),
            };
        }
        let before = self.head.len();
        self.head.extend_from_slice(data);
        let head = std::mem::take(&mut self.head);
        let parsed = self.parse_head(&head);
        self.head = head;
        match parsed {
            Ok(Some(n)) => {
                self.head.clear();
                self.feed_body(data, n - before)
            }
            Ok(None) => self.head_too_long(),
            Err(e) => Progress::Error(e),
        }
    }

    fn head_too_long(&self) -> Progress {
        if self.head.len() > MAX_HEAD {
            Progress::Error("response head over 64 KiB")
        } else {
            Progress::NeedMore
        }
    }

    /// The connection reached end of file.
    pub(crate) fn eof(&mut self) -> Progress {
        match self.body {
            Body::UntilClose => {
                let status = self.status;
                self.reset();
                Progress::Done {
                    status,
                    consumed: 0,
                    close: true,
                }
            }
            Body::Head if self.head.is_empty() => Progress::Error(CLOSED_BEFORE_RESPONSE),
            _ => Progress::Error("connection closed mid-response"),
        }
    }

    /// Parses a head; `Some(length)` once complete.
    fn parse_head(&mut self, bytes: &[u8]) -> Result<Option<usize>, &'static str> {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let n = match response.parse(bytes) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(_) => return Err("malformed response head"),
        };
        let status = response.code.unwrap_or(0);
        let keep_alive_default = response.version == Some(1);
        let (mut length, mut chunked, mut close) = (None, false, !keep_alive_default);
        for h in response.headers.iter() {
            let value = std::str::from_utf8(h.value).unwrap_or("").trim();
            if h.name.eq_ignore_ascii_case("content-length") {
                match value.parse::<u64>() {
                    Ok(v) => length = Some(v),
                    Err(_) => return Err("bad Content-Length"),
                }
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().ends_with("chunked");
            } else if h.name.eq_ignore_ascii_case("connection") {
                let v = value.to_ascii_lowercase();
                close = v.contains("close") || (close && !v.contains("keep-alive"));
            }
        }
        self.status = status;
        self.close = close;
        self.body = if (100..200).contains(&status) {
            Body::Head // an interim response: the real one follows
        } else if status == 204 || status == 304 {
            Body::Length(0)
        } else if chunked {
            Body::ChunkSize
        } else if let Some(len) = length {
            Body::Length(len)
        } else {
            self.close = true;
            Body::UntilClose
        };
        Ok(Some(n))
    }

    /// Runs the body state machine over `data[at..]`.
    fn feed_body(&mut self, data: &[u8], mut at: usize) -> Progress {
        loop {
            let rest = &data[at..];
            match self.body {
                Body::Head => {
                    // After a 1xx: the next head starts here.
                    return if rest.is_empty() {
                        Progress::NeedMore
                    } else {
                        match self.feed(rest) {
                            Progress::Done {
                                status,
                                consumed,
                                close,
                            } => Progress::Done {
                                status,
                                consumed: consumed + at,
                                close,
                            },
                            other => other,
                        }
                    };
                }
                Body::Length(0) => return self.finish(at),
                Body::ChunkData(0) => self.body = Body::ChunkEnd(2),
                Body::Length(_) | Body::ChunkData(_) if rest.is_empty() => {
                    return Progress::NeedMore;
                }
                Body::Length(left) => {
                    let take = left.min(rest.len() as u64);
                    at += take as usize;
                    self.body = Body::Length(left - take);
                }
                Body::ChunkData(left) => {
                    let take = left.min(rest.len() as u64);
                    at += take as usize;
                    self.body = Body::ChunkData(left - take);
                }
                Body::ChunkEnd(0) => self.body = Body::ChunkSize,
                Body::ChunkEnd(left) => match rest.first() {
                    None => return Progress::NeedMore,
                    Some(b'\r') if left == 2 => {
                        at += 1;
                        self.body = Body::ChunkEnd(1);
                    }
                    Some(b'\n') => {
                        at += 1;
                        self.body = Body::ChunkEnd(0);
                    }
                    Some(_) => return Progress::Error("missing CRLF after a chunk"),
                },
                Body::ChunkSize | Body::Trailer => {
                    let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
                        self.line.extend_from_slice(rest);
                        return if self.line.len() > MAX_LINE {
                            Progress::Error("chunk line too long")
                        } else {
                            Progress::NeedMore
                        };
                    };
                    self.line.extend_from_slice(&rest[..=nl]);
                    at += nl + 1;
                    if let Err(e) = self.end_of_line() {
                        return Progress::Error(e);
                    }
                    if self.body == Body::Length(0) {
                        return self.finish(at);
                    }
                }
                Body::UntilClose => return Progress::NeedMore,
            }
        }
    }

    /// A complete chunk-size or trailer line is in `self.line`.
    fn end_of_line(&mut self) -> Result<(), &'static str> {
        let line = std::mem::take(&mut self.line);
        let result = if self.body == Body::Trailer {
            if line == b"\r\n" || line == b"\n" {
                self.body = Body::Length(0); // the end of the response
            }
            Ok(())
        } else {
            match httparse::parse_chunk_size(&line) {
                Ok(httparse::Status::Complete((_, 0))) => {
                    self.body = Body::Trailer;
                    Ok(())
                }
                Ok(httparse::Status::Complete((_, size))) => {
                    self.body = Body::ChunkData(size);
                    Ok(())
                }
                _ => Err("bad chunk size"),
            }
        };
        self.line = line;
        self.line.clear();
        result
    }

    fn finish(&mut self, consumed: usize) -> Progress {
        let (status, close) = (self.status, self.close);
        self.reset();
        Progress::Done {
            status,
            consumed,
            close,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` in pieces of `step`, returning every outcome that is not NeedMore.
    fn run(bytes: &[u8], step: usize) -> Vec<Progress> {
        let mut r = ResponseReader::new();
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let end = (at + step).min(bytes.len());
            let mut piece = &bytes[at..end];
            loop {
                match r.feed(piece) {
                    Progress::NeedMore => break,
                    p @ Progress::Done { consumed, .. } => {
                        out.push(p);
                        piece = &piece[consumed..];
                        if piece.is_empty() {
                            break;
                        }
                    }
                    p => {
                        out.push(p);
                        return out;
                    }
                }
            }
            at = end;
        }
        match r.eof() {
            Progress::Error("connection closed before a response") => {}
            p => out.push(p),
        }
        out
    }

    fn statuses(bytes: &[u8], step: usize) -> Vec<(u16, bool)> {
        run(bytes, step)
            .into_iter()
            .map(|p| match p {
                Progress::Done { status, close, .. } => (status, close),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn content_length_and_keep_alive_at_every_split() {
        let two = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        for step in 1..=two.len() {
            assert_eq!(
                statuses(two, step),
                [(200, false), (404, true)],
                "step {step}"
            );
        }
    }

    #[test]
    fn chunked_bodies_at_every_split() {
        let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
        for step in 1..=r.len() {
            assert_eq!(
                statuses(r, step),
                [(200, false), (204, false)],
                "step {step}"
            );
        }
    }

    #[test]
    fn bodies_to_the_close_and_interim_responses() {
        let r = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nall of it";
        for step in 1..=r.len() {
            assert_eq!(statuses(r, step), [(200, true)], "step {step}");
        }
    }

    #[test]
    fn broken_responses_are_errors() {
        let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
        assert_eq!(
            run(cut, 7).last(),
            Some(&Progress::Error("connection closed mid-response"))
        );
        assert_eq!(
            run(b"SMTP ready\r\n\r\n", 4),
            [Progress::Error("malformed response head")]
        );
        let bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        assert_eq!(run(bad, 100), [Progress::Error("bad chunk size")]);
        let length = b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n";
        assert_eq!(run(length, 100), [Progress::Error("bad Content-Length")]);
    }
}
