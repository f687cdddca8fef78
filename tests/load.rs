//! `why-threads load` against a tiny server on 127.0.0.1 made here: the
//! counts must add up exactly (requests sent = answered = counted by the
//! server), whatever the timing.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use why_threads::load::{self, LoadArgs, client, summary};

const BODY: usize = 1000;

/// A thread-per-connection server: `/ok` (1000 bytes), `/close` (then
/// closes), `/chunked`, anything else 404. Counts the requests it answers.
fn server() -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicU64::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let c = c.clone();
            std::thread::spawn(move || serve(stream, &c));
        }
    });
    (port, count)
}

fn serve(stream: TcpStream, count: &AtomicU64) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split(' ').nth(1).unwrap_or("").to_string();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
        }
        count.fetch_add(1, Ordering::SeqCst);
        let body = vec![b'x'; BODY];
        let response = match path.as_str() {
            "/ok" => [
                format!("HTTP/1.1 200 OK\r\nContent-Length: {BODY}\r\n\r\n").into_bytes(),
                body,
            ]
            .concat(),
            "/close" => [
                format!("HTTP/1.1 200 OK\r\nContent-Length: {BODY}\r\nConnection: close\r\n\r\n")
                    .into_bytes(),
                body,
            ]
            .concat(),
            "/chunked" => {
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                    .to_vec()
            }
            _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
        };
        if out.write_all(&response).is_err() || path == "/close" {
            return;
        }
    }
}

fn args(url: String, connections: u32, requests: u64) -> LoadArgs {
    LoadArgs {
        url,
        connections,
        seconds: 60.0,
        requests,
        threads: Some(2),
    }
}

fn load(port: u16, path: &str, connections: u32, requests: u64) -> summary::Report {
    let (_, config) = load::config(&args(
        format!("http://127.0.0.1:{port}{path}"),
        connections,
        requests,
    ))
    .unwrap();
    client::run(&config).unwrap()
}

#[test]
fn exactly_the_requested_count_is_sent_answered_and_counted() {
    let (port, served) = server();
    let r = load(port, "/ok", 8, 500);
    assert_eq!(r.responses, 500);
    assert_eq!(served.load(Ordering::SeqCst), 500);
    assert_eq!(r.errors.total(), 0, "{:?}", r.errors);
    assert_eq!(r.non_2xx, 0);
    assert_eq!(r.connects, 8);
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {BODY}\r\n\r\n").len() as u64;
    assert_eq!(r.bytes, 500 * (head + BODY as u64));
    assert_eq!(r.latency.count(), 500);
    assert!(r.latency.max() > 0);
}

#[test]
fn non_2xx_answers_are_counted_apart() {
    let (port, _) = server();
    let r = load(port, "/missing", 3, 100);
    assert_eq!((r.responses, r.non_2xx, r.errors.total()), (100, 100, 0));
}

#[test]
fn closing_servers_get_a_new_connection_per_request() {
    let (port, served) = server();
    let r = load(port, "/close", 4, 60);
    assert_eq!((r.responses, r.errors.total()), (60, 0), "{:?}", r.errors);
    assert_eq!(served.load(Ordering::SeqCst), 60);
    // Four first connections, then one more after each response while the budget lasts.
    assert!((60..=64).contains(&r.connects), "{}", r.connects);
}

#[test]
fn chunked_responses_are_read_to_their_end() {
    let (port, _) = server();
    let r = load(port, "/chunked", 2, 50);
    assert_eq!((r.responses, r.non_2xx, r.errors.total()), (50, 0, 0));
}

#[test]
fn more_connections_than_requests_sends_only_the_requests() {
    let (port, served) = server();
    let r = load(port, "/ok", 40, 10);
    assert_eq!((r.responses, served.load(Ordering::SeqCst)), (10, 10));
}

/// An address that is not this machine's (the test machine may own TEST-NET addresses).
fn foreign_address() -> IpAddr {
    let own = why_threads::sys::net::own_addresses();
    ["203.0.113.9", "198.51.100.9", "192.0.2.77", "100.64.0.9"]
        .iter()
        .map(|a| a.parse().unwrap())
        .find(|a| !own.contains(a))
        .unwrap()
}

#[test]
fn other_machines_are_refused() {
    let url = format!("http://{}:80/", foreign_address());
    let err = load::config(&args(url, 1, 1)).unwrap_err();
    assert!(
        err.contains("refusing to load") && err.contains("loopback"),
        "{err}"
    );
}

#[test]
fn the_command_refuses_other_machines_and_bad_options_with_one_line() {
    let bin = env!("CARGO_BIN_EXE_why-threads");
    let out = Command::new(bin)
        .args(["load", &format!("http://{}/", foreign_address())])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("why-threads load: refusing"), "{err}");

    let out = Command::new(bin)
        .args(["load", "http://127.0.0.1:1/", "--seconds", "9999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seconds"));
}

#[test]
fn the_command_prints_its_report() {
    let (port, served) = server();
    let out = Command::new(env!("CARGO_BIN_EXE_why-threads"))
        .args([
            "load",
            &format!("http://127.0.0.1:{port}/ok"),
            "-c",
            "2",
            "-n",
            "40",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("req/s") && text.contains("p99") && text.contains("non-2xx 0"),
        "{text}"
    );
    assert_eq!(served.load(Ordering::SeqCst), 40);
}
