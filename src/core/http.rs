//! HTTP/1.1 for the servers, the part that needs no socket: parsing a
//! request head (with httparse, never by hand), turning its target into a
//! safe relative path, content types, and response heads.
//!
//! Every server architecture calls these same functions, so they answer
//! every client alike. Nothing here can fail or panic: bad input is an
//! answer ([`Parsed::Reject`]), not an error.

/// The largest request head accepted (request line + headers), as nginx's
/// default `large_client_header_buffers`: beyond it, 431.
pub const MAX_HEAD: usize = 8 * 1024;

/// How many headers a request may carry; more is answered with 431.
const MAX_HEADERS: usize = 64;

/// The statuses the servers send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    BadRequest,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    HeadersTooLarge,
    InternalError,
    Unavailable,
}

impl Status {
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::BadRequest => 400,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::RequestTimeout => 408,
            Status::HeadersTooLarge => 431,
            Status::InternalError => 500,
            Status::Unavailable => 503,
        }
    }

    fn status_line(self) -> &'static [u8] {
        match self {
            Status::Ok => b"HTTP/1.1 200 OK\r\n",
            Status::BadRequest => b"HTTP/1.1 400 Bad Request\r\n",
            Status::Forbidden => b"HTTP/1.1 403 Forbidden\r\n",
            Status::NotFound => b"HTTP/1.1 404 Not Found\r\n",
            Status::MethodNotAllowed => b"HTTP/1.1 405 Method Not Allowed\r\n",
            Status::RequestTimeout => b"HTTP/1.1 408 Request Timeout\r\n",
            Status::HeadersTooLarge => b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
            Status::InternalError => b"HTTP/1.1 500 Internal Server Error\r\n",
            Status::Unavailable => b"HTTP/1.1 503 Service Unavailable\r\n",
        }
    }

    /// The short text body of an error response (one line, says why).
    pub fn error_body(self) -> &'static [u8] {
        match self {
            Status::Ok => b"",
            Status::BadRequest => b"400 bad request: malformed request line, headers or path\n",
            Status::Forbidden => b"403 forbidden: outside the root, or too large to serve\n",
            Status::NotFound => b"404 not found\n",
            Status::MethodNotAllowed => b"405 method not allowed: only GET and HEAD\n",
            Status::RequestTimeout => b"408 request timeout: the request head came too slowly\n",
            Status::HeadersTooLarge => b"431 request header fields too large (limit 8 KB)\n",
            Status::InternalError => b"500 internal server error\n",
            Status::Unavailable => b"503 service unavailable: the server is at its limit\n",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

/// A complete, acceptable request head. Its path is in the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// Whether the connection stays open after the response.
    pub keep_alive: bool,
    /// Bytes of the buffer the head took (the next request starts there).
    pub head_len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Not a whole head yet: read more.
    Partial,
    Complete(Request),
    /// Answer with this status, then close the connection.
    Reject(Status),
}

/// Parses the request head at the start of `buf`; on success the request's
/// path, made safe by [`normalise_path`], is left in `path`.
pub fn parse_request(buf: &[u8], path: &mut String) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let head_len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD => {
            return Parsed::Reject(Status::HeadersTooLarge);
        }
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => return Parsed::Reject(Status::HeadersTooLarge),
        Err(_) => return Parsed::Reject(Status::BadRequest),
    };
    if head_len > MAX_HEAD {
        return Parsed::Reject(Status::HeadersTooLarge);
    }
    let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version) else {
        return Parsed::Reject(Status::BadRequest);
    };
    let mut keep_alive = version == 1;
    let mut has_host = false;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("host") {
            has_host = true;
        } else if h.name.eq_ignore_ascii_case("connection") {
            for token in h.value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
            || (h.name.eq_ignore_ascii_case("content-length") && h.value.trim_ascii() != b"0")
        {
            // A body this server will not read: answering and closing is the
            // only way to stay in step with the client.
            return Parsed::Reject(match method {
                "GET" | "HEAD" => Status::BadRequest,
                _ => Status::MethodNotAllowed,
            });
        }
    }
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        _ => return Parsed::Reject(Status::MethodNotAllowed),
    };
    if version == 1 && !has_host {
        return Parsed::Reject(Status::BadRequest);
    }
    if !normalise_path(target, path) {
        return Parsed::Reject(Status::BadRequest);
    }
    Parsed::Complete(Request {
        method,
        keep_alive,
        head_len,
    })
}

/// Turns a request target (`/a/./b/../c%20d?q`) into a relative path under
/// the root (`a/c d`), percent-decoded, `.` and `..` resolved. Returns false
/// (and the request gets 400) for a target that is not origin-form, climbs
/// above the root, is not UTF-8 once decoded, or holds a NUL or backslash.
/// A path ending in `/` (or empty) names that folder's `index.html`.
pub fn normalise_path(target: &str, out: &mut String) -> bool {
    out.clear();
    let target = target.split(['?', '#']).next().unwrap_or_default();
    let bytes = target.as_bytes();
    if bytes.first() != Some(&b'/') {
        return false;
    }
    let mut decoded = [0u8; 4];
    let mut pending = 0; // bytes of one UTF-8 character being decoded
    let mut i = 1;
    let mut segment_start = 0;
    while i <= bytes.len() {
        let at_end = i == bytes.len();
        let byte = match bytes.get(i) {
            None => b'/', // the end closes the last segment
            Some(b'%') => match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&h), Some(&l)) => match (hex(h), hex(l)) {
                    (Some(h), Some(l)) => {
                        i += 2;
                        h * 16 + l
                    }
                    _ => return false,
                },
                _ => return false,
            },
            Some(&b) => b,
        };
        i += 1;
        if byte == 0 || byte == b'\\' {
            return false;
        }
        if byte >= 0x80 || pending > 0 {
            if pending >= decoded.len() {
                return false;
            }
            decoded[pending] = byte;
            pending += 1;
            match std::str::from_utf8(&decoded[..pending]) {
                Ok(s) => {
                    out.push_str(s);
                    pending = 0;
                }
                Err(e) if e.error_len().is_some() => return false,
                Err(_) => {}
            }
            continue;
        }
        if byte != b'/' {
            out.push(char::from(byte));
            continue;
        }
        match &out[segment_start..] {
            "" => {}
            "." => out.truncate(segment_start),
            ".." => {
                out.truncate(segment_start);
                if out.is_empty() {
                    return false;
                }
                out.pop(); // the '/' before the segment ".." cancels
                segment_start = out.rfind('/').map_or(0, |p| p + 1);
                out.truncate(segment_start);
            }
            _ if at_end => {}
            _ => {
                out.push('/');
                segment_start = out.len();
            }
        }
    }
    if pending > 0 {
        return false;
    }
    if out.is_empty() || out.ends_with('/') {
        out.push_str("index.html");
    }
    true
}

fn hex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|d| d as u8)
}

/// The Content-Type for a file name, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    let known = [
        ("html", "text/html; charset=utf-8"),
        ("htm", "text/html; charset=utf-8"),
        ("txt", "text/plain; charset=utf-8"),
        ("md", "text/plain; charset=utf-8"),
        ("css", "text/css; charset=utf-8"),
        ("js", "text/javascript; charset=utf-8"),
        ("json", "application/json"),
        ("csv", "text/csv; charset=utf-8"),
        ("svg", "image/svg+xml"),
        ("png", "image/png"),
        ("jpg", "image/jpeg"),
        ("jpeg", "image/jpeg"),
        ("gif", "image/gif"),
        ("webp", "image/webp"),
        ("ico", "image/x-icon"),
        ("wav", "audio/wav"),
        ("pdf", "application/pdf"),
        ("wasm", "application/wasm"),
    ];
    known
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map_or("application/octet-stream", |(_, t)| t)
}

/// Appends a response head to `out` (a reused buffer: no allocation once
/// it has grown to a head's size).
pub fn write_head(
    out: &mut Vec<u8>,
    status: Status,
    content_type: &str,
    content_length: usize,
    keep_alive: bool,
) {
    out.extend_from_slice(status.status_line());
    out.extend_from_slice(b"Server: why-threads\r\nContent-Type: ");
    out.extend_from_slice(content_type.as_bytes());
    out.extend_from_slice(b"\r\nContent-Length: ");
    push_decimal(out, content_length);
    match status {
        Status::MethodNotAllowed => out.extend_from_slice(b"\r\nAllow: GET, HEAD"),
        Status::Unavailable => out.extend_from_slice(b"\r\nRetry-After: 1"),
        _ => {}
    }
    out.extend_from_slice(if keep_alive {
        b"\r\nConnection: keep-alive\r\n\r\n"
    } else {
        b"\r\nConnection: close\r\n\r\n"
    });
}

/// Appends an error response (head and body; always `Connection: close`).
pub fn write_error(out: &mut Vec<u8>, status: Status) {
    let body = status.error_body();
    write_head(out, status, "text/plain; charset=utf-8", body.len(), false);
    out.extend_from_slice(body);
}

fn push_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}
