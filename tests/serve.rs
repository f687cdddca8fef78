//! The conformance table: every case, against every architecture, on
//! loopback. One table, so that every architecture answers every client
//! alike (the stages are shared; this checks how each drives them).

mod serve_common;

use std::io::Write;

use serve_common::*;
use why_threads::serve::site;

/// What happens to the connection after the case's response.
#[derive(Clone, Copy, Debug)]
enum Then {
    /// It stays open: a next request on it is answered correctly.
    KeepAlive,
    /// The server closes it.
    Close,
    /// A pipelined second response (1k.bin) follows, then keep-alive.
    Pipelined,
}

struct Case {
    name: &'static str,
    request: fn() -> Vec<u8>,
    head_only: bool,
    status: u16,
    check: fn(&Response),
    then: Then,
}

fn body_is(r: &Response, name: &str, size: usize) {
    assert_eq!(r.header("content-length"), size.to_string());
    assert!(
        r.body == site::file_contents(name, size),
        "body of {name} differs"
    );
}

fn nothing(_: &Response) {}

const CASES: &[Case] = &[
    Case {
        name: "index page",
        request: || get("/"),
        head_only: false,
        status: 200,
        check: |r| {
            assert!(r.header("content-type").starts_with("text/html"));
            assert_eq!(r.body, b"<html>test index</html>\n");
        },
        then: Then::KeepAlive,
    },
    Case {
        name: "8 KB file",
        request: || get("/8k.bin"),
        head_only: false,
        status: 200,
        check: |r| {
            body_is(r, "8k.bin", 8192);
            assert_eq!(r.header("content-type"), "application/octet-stream");
        },
        then: Then::KeepAlive,
    },
    Case {
        name: "1 MB file",
        request: || get("/1m.bin"),
        head_only: false,
        status: 200,
        check: |r| body_is(r, "1m.bin", 1 << 20),
        then: Then::KeepAlive,
    },
    Case {
        name: "HEAD sends the head only",
        request: || b"HEAD /64k.bin HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(),
        head_only: true,
        status: 200,
        check: |r| assert_eq!(r.header("content-length"), "65536"),
        then: Then::KeepAlive,
    },
    Case {
        name: "two pipelined requests",
        request: || [get("/8k.bin"), get("/1k.bin")].concat(),
        head_only: false,
        status: 200,
        check: |r| body_is(r, "8k.bin", 8192),
        then: Then::Pipelined,
    },
    Case {
        name: "folder index",
        request: || get("/sub/"),
        head_only: false,
        status: 200,
        check: |r| assert_eq!(r.body, b"sub index\n"),
        then: Then::KeepAlive,
    },
    Case {
        name: "percent-encoded name, query string",
        request: || get("/%38k.bin?x=1#y"),
        head_only: false,
        status: 200,
        check: |r| body_is(r, "8k.bin", 8192),
        then: Then::KeepAlive,
    },
    Case {
        name: "dot segments inside the root",
        request: || get("/sub/../sub/./index.html"),
        head_only: false,
        status: 200,
        check: |r| assert_eq!(r.body, b"sub index\n"),
        then: Then::KeepAlive,
    },
    Case {
        name: "missing file",
        request: || get("/no-such-file"),
        head_only: false,
        status: 404,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "HTTP/1.0 closes after the response",
        request: || b"GET /1k.bin HTTP/1.0\r\n\r\n".to_vec(),
        head_only: false,
        status: 200,
        check: |r| assert!(r.closes()),
        then: Then::Close,
    },
    Case {
        name: "Connection: close",
        request: || b"GET /1k.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".to_vec(),
        head_only: false,
        status: 200,
        check: |r| assert!(r.closes()),
        then: Then::Close,
    },
    Case {
        name: "POST is not allowed",
        request: || b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc".to_vec(),
        head_only: false,
        status: 405,
        check: |r| assert_eq!(r.header("allow"), "GET, HEAD"),
        then: Then::Close,
    },
    Case {
        name: "DELETE is not allowed",
        request: || b"DELETE /8k.bin HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(),
        head_only: false,
        status: 405,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "malformed request line",
        request: || b"GARBAGE\r\n\r\n".to_vec(),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "spaces in the request line",
        request: || b"GET / / HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "unknown HTTP version",
        request: || b"GET / HTTP/3.0\r\nHost: t\r\n\r\n".to_vec(),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "HTTP/1.1 without Host",
        request: || b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "headers over 8 KB",
        request: || {
            let filler = "x".repeat(9000);
            format!("GET / HTTP/1.1\r\nHost: t\r\nX-Filler: {filler}\r\n\r\n").into_bytes()
        },
        head_only: false,
        status: 431,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "too many headers",
        request: || {
            let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
            format!("GET / HTTP/1.1\r\nHost: t\r\n{many}\r\n").into_bytes()
        },
        head_only: false,
        status: 431,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "../ out of the root",
        request: || get("/../../../../etc/passwd"),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "%2e%2e out of the root",
        request: || get("/%2e%2e/%2E%2E/etc/passwd"),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "encoded slashes and dots out of the root",
        request: || get("/sub%2f..%2f..%2f..%2fetc%2fpasswd"),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "bad percent escape",
        request: || get("/%zz"),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "encoded NUL",
        request: || get("/8k.bin%00.html"),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "backslash",
        request: || get("/..%5c..%5cetc%5cpasswd"),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    Case {
        name: "absolute-form target",
        request: || get("http://evil/etc/passwd"),
        head_only: false,
        status: 400,
        check: nothing,
        then: Then::Close,
    },
    #[cfg(unix)]
    Case {
        name: "symlinked folder out of the root",
        request: || get("/out/secret.txt"),
        head_only: false,
        status: 403,
        check: |r| assert!(!r.body.starts_with(b"secret")),
        then: Then::Close,
    },
    #[cfg(unix)]
    Case {
        name: "symlinked file out of the root",
        request: || get("/secret-link.txt"),
        head_only: false,
        status: 403,
        check: |r| assert!(!r.body.starts_with(b"secret")),
        then: Then::Close,
    },
];

fn conformance(arch: &str) {
    let root = TestRoot::new(arch);
    let server = start(arch, &options(Some(&root.dir)));
    for case in CASES {
        let what = format!("{arch}: {}", case.name);
        let mut stream = connect(&server);
        stream.write_all(&(case.request)()).unwrap();
        let r = read_response(&mut stream, case.head_only)
            .unwrap_or_else(|| panic!("{what}: closed without a response"));
        assert_eq!(r.status, case.status, "{what}: {r:?}");
        (case.check)(&r);
        if case.status != 200 {
            assert!(r.closes(), "{what}: an error closes the connection");
        }
        if let Then::Pipelined = case.then {
            let second = read_response(&mut stream, false).expect("second response");
            assert_eq!(second.status, 200, "{what}");
            body_is(&second, "1k.bin", 1024);
        }
        match case.then {
            Then::KeepAlive | Then::Pipelined => {
                assert!(!r.closes(), "{what}: keep-alive");
                stream.write_all(&get("/1k.bin")).unwrap();
                let next = read_response(&mut stream, false)
                    .unwrap_or_else(|| panic!("{what}: closed after a keep-alive response"));
                assert_eq!(next.status, 200, "{what}");
                body_is(&next, "1k.bin", 1024);
            }
            Then::Close => assert!(closed(&mut stream), "{what}: not closed"),
        }
    }
    let summary = stop(server);
    assert!(summary.requests >= CASES.len() as u64, "{arch}: {summary}");
}

/// Without `--root`: the generated site, whose index links every file.
fn generated_site(arch: &str) {
    let server = start(arch, &options(None));
    let index = fetch(&server, &get("/"), false).expect("index");
    assert_eq!(index.status, 200);
    let page = String::from_utf8_lossy(&index.body).into_owned();
    for (name, size) in site::FILES {
        assert!(
            page.contains(&format!("href=\"/{name}\"")),
            "{arch}: index lacks {name}"
        );
        let r = fetch(&server, &get(&format!("/{name}")), false).expect("file");
        assert_eq!(r.status, 200, "{arch}: {name}");
        body_is(&r, name, size);
    }
    let dir = server.root().to_path_buf();
    stop(server);
    assert!(!dir.exists(), "{arch}: the generated site was not removed");
}

every_architecture! {
    answers_the_conformance_table => conformance,
    serves_the_generated_site => generated_site,
}
