//! The pure HTTP part (src/core/http.rs): parsing, paths, heads. No
//! sockets: every input is a byte string, every answer a value.

use why_threads::core::http::*;

fn parse(bytes: &[u8]) -> (Parsed, String) {
    let mut path = String::new();
    let parsed = parse_request(bytes, &mut path);
    (parsed, path)
}

#[test]
fn a_complete_get_parses_with_its_path_and_length() {
    let req = b"GET /a/b.html?x=1 HTTP/1.1\r\nHost: h\r\n\r\nGET /next";
    let (parsed, path) = parse(req);
    assert_eq!(
        parsed,
        Parsed::Complete(Request {
            method: Method::Get,
            keep_alive: true,
            head_len: req.len() - 9,
        })
    );
    assert_eq!(path, "a/b.html");
}

#[test]
fn keep_alive_follows_version_and_connection_header() {
    let cases: [(&[u8], bool); 5] = [
        (b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
        (
            b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n",
            false,
        ),
        (b"GET / HTTP/1.0\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
    ];
    for (req, keep) in cases {
        match parse(req).0 {
            Parsed::Complete(r) => {
                assert_eq!(r.keep_alive, keep, "{}", String::from_utf8_lossy(req))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn partial_heads_wait_and_oversized_ones_get_431() {
    assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: h\r\n").0, Parsed::Partial);
    assert_eq!(parse(b"").0, Parsed::Partial);
    let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
    big.resize(MAX_HEAD, b'a');
    assert_eq!(parse(&big).0, Parsed::Reject(Status::HeadersTooLarge));
}

#[test]
fn bad_requests_get_the_right_status() {
    let cases: [(&[u8], Status); 7] = [
        (b"GARBAGE\r\n\r\n", Status::BadRequest),
        (b"GET / HTTP/2.0\r\nHost: h\r\n\r\n", Status::BadRequest),
        (b"GET / HTTP/1.1\r\n\r\n", Status::BadRequest),
        (
            b"PUT / HTTP/1.1\r\nHost: h\r\n\r\n",
            Status::MethodNotAllowed,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
            Status::MethodNotAllowed,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
            Status::BadRequest,
        ),
        (b"GET /../x HTTP/1.1\r\nHost: h\r\n\r\n", Status::BadRequest),
    ];
    for (req, status) in cases {
        assert_eq!(
            parse(req).0,
            Parsed::Reject(status),
            "{}",
            String::from_utf8_lossy(req)
        );
    }
}

#[test]
fn paths_are_decoded_and_never_leave_the_root() {
    let good = [
        ("/", "index.html"),
        ("/a/", "a/index.html"),
        ("/a/b", "a/b"),
        ("//a///b", "a/b"),
        ("/a/./b/../c", "a/c"),
        ("/a/..", "index.html"),
        ("/a/b/../../c.txt", "c.txt"),
        ("/%61%2Fb", "a/b"),
        ("/caf%C3%A9.txt", "café.txt"),
        ("/x?y=../../z", "x"),
        ("/..a/b..", "..a/b.."),
        ("/%252e%252e/x", "%2e%2e/x"),
    ];
    let mut out = String::new();
    for (target, want) in good {
        assert!(normalise_path(target, &mut out), "{target}");
        assert_eq!(out, want, "{target}");
    }
    let bad = [
        "",
        "a",
        "*",
        "http://h/x",
        "/..",
        "/../x",
        "/a/../../x",
        "/%2e%2e/x",
        "/a%2f..%2f..%2fx",
        "/%",
        "/%4",
        "/%zz",
        "/a%00b",
        "/a\\b",
        "/a%5cb",
        "/%C3",
        "/%FF",
        "/%C3/",
    ];
    for target in bad {
        assert!(
            !normalise_path(target, &mut out),
            "{target} accepted as {out}"
        );
    }
}

#[test]
fn content_types_by_extension() {
    assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
    assert_eq!(content_type("x.PNG"), "image/png");
    assert_eq!(content_type("x.svg"), "image/svg+xml");
    assert_eq!(content_type("8k.bin"), "application/octet-stream");
    assert_eq!(content_type("Makefile"), "application/octet-stream");
}

#[test]
fn heads_carry_status_length_and_connection() {
    let mut out = Vec::new();
    write_head(&mut out, Status::Ok, "text/plain", 1234567, true);
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(text.contains("\r\nContent-Length: 1234567\r\n"));
    assert!(text.ends_with("Connection: keep-alive\r\n\r\n"));
    out.clear();
    write_error(&mut out, Status::MethodNotAllowed);
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    assert!(text.contains("\r\nAllow: GET, HEAD\r\n"));
    assert!(text.contains("Connection: close\r\n\r\n405 method not allowed"));
    let body = Status::HeadersTooLarge.error_body();
    assert!(text.len() > body.len());
    let mut zero = Vec::new();
    write_head(&mut zero, Status::Unavailable, "t", 0, false);
    assert!(
        String::from_utf8(zero)
            .unwrap()
            .contains("Content-Length: 0\r\nRetry-After: 1\r\n")
    );
}
