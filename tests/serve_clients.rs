//! Bad clients and stopping, against every architecture: slow clients,
//! idle connections past the limit, a client leaving mid-response, a file
//! shrinking while it is sent, Ctrl-C with a response in flight.
//! Deterministic: waits are bounded by generous timeouts, never asserted
//! as durations.

mod serve_common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serve_common::*;
use why_threads::serve::site;

/// Slow clients (a byte every 100 ms, more of them than pool threads) get
/// 408 after the request timeout, and hold no thread meanwhile: a normal
/// client is served before any of them has been answered.
fn slow_clients(arch: &str) {
    let root = TestRoot::new(arch);
    let server = start(arch, &options(Some(&root.dir)));
    let slow: Vec<std::thread::JoinHandle<(Option<u16>, bool)>> = (0..4)
        .map(|_| {
            let mut stream = connect(&server);
            std::thread::spawn(move || {
                let request = get("/8k.bin");
                let (start, _) = request.split_at(request.len() - 2); // never complete
                for &byte in start {
                    if stream.write_all(&[byte]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                    if readable(&stream) {
                        break;
                    }
                }
                let answered = read_response(&mut stream, false).map(|r| r.status);
                (answered, closed(&mut stream))
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300)); // they have all begun
    let r = fetch(&server, &get("/8k.bin"), false).expect("a normal client beside slow ones");
    assert_eq!(r.status, 200);
    let unanswered = slow.iter().filter(|h| !h.is_finished()).count();
    assert_eq!(
        unanswered, 4,
        "{arch}: a slow client was answered before the normal one"
    );
    for handle in slow {
        let (status, closed) = handle.join().unwrap();
        assert_eq!(status, Some(408), "{arch}: a slow client gets 408");
        assert!(closed, "{arch}: and is closed");
    }
    stop(server);
}

/// Whether the server has sent something (or closed): a peek, not a read.
fn readable(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let ready =
        !matches!(stream.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    ready
}

/// Idle connections up to the limit are held; the next is answered 503 at
/// once (not queued, not a crash), and the server serves again after.
fn idle_connections_past_the_limit(arch: &str, limit: usize) {
    let mut o = options(None);
    o.max_connections = Some(limit);
    let server = start(arch, &o);
    let idle: Vec<TcpStream> = (0..limit).map(|_| connect(&server)).collect();
    wait_active(&server, limit);
    for _ in 0..3 {
        let mut probe = connect(&server);
        let r = read_response(&mut probe, false).expect("a 503 response");
        assert_eq!(r.status, 503, "{arch}");
        assert!(closed(&mut probe));
    }
    wait_active(&server, limit);
    drop(idle);
    wait_active(&server, 0);
    let r = fetch(&server, &get("/1k.bin"), false).expect("served again");
    assert_eq!(r.status, 200, "{arch}");
    let summary = stop(server);
    assert!(
        summary.errors >= 3,
        "{arch}: refusals count as errors: {summary}"
    );
}

/// A client that leaves after a few bytes of a 4 MB response; and a file
/// truncated while it is being sent: the body still matches its
/// Content-Length (the response holds the bytes it started with).
fn client_leaves_and_file_shrinks(arch: &str) {
    let root = TestRoot::new(arch);
    let server = start(arch, &options(Some(&root.dir)));
    for _ in 0..3 {
        let mut leaving = connect(&server);
        leaving.write_all(&get("/big.bin")).unwrap();
        let mut some = [0u8; 1000];
        leaving.read_exact(&mut some).unwrap();
    }
    let mut stream = connect(&server);
    stream.write_all(&get("/big.bin")).unwrap();
    let head = read_response(&mut stream, true).expect("a head");
    assert_eq!(
        head.header("content-length"),
        (4 << 20).to_string(),
        "{arch}"
    );
    std::fs::write(root.dir.join("big.bin"), b"now short\n").unwrap();
    stream.write_all(&get("/1k.bin")).unwrap();
    let mut body = vec![0; 4 << 20];
    stream.read_exact(&mut body).unwrap();
    assert!(
        body == site::file_contents("big.bin", 4 << 20),
        "{arch}: body changed mid-response"
    );
    let next = read_response(&mut stream, false).expect("the next response");
    assert_eq!(next.status, 200, "{arch}");
    // The cache re-checks the file within a second: then the new contents.
    let until = std::time::Instant::now() + PATIENCE;
    loop {
        let r = fetch(&server, &get("/big.bin"), false).expect("big.bin again");
        if r.body == b"now short\n" {
            break;
        }
        assert!(std::time::Instant::now() < until, "{arch}: stale forever");
        std::thread::sleep(Duration::from_millis(200));
    }
    stop(server);
}

/// Stopping with a response in flight: it finishes, idle connections close.
fn stop_finishes_in_flight(arch: &str) {
    let root = TestRoot::new(arch);
    let server = start(arch, &options(Some(&root.dir)));
    let mut idle = connect(&server);
    let mut busy = connect(&server);
    busy.write_all(&get("/big.bin")).unwrap();
    let head = read_response(&mut busy, true).expect("a head");
    assert_eq!(
        head.header("content-length"),
        (4 << 20).to_string(),
        "{arch}"
    );
    wait_active(&server, 2);
    server.stop();
    let mut body = Vec::new();
    busy.read_to_end(&mut body).unwrap();
    assert_eq!(body.len(), 4 << 20, "{arch}: the response was cut short");
    assert!(closed(&mut idle), "{arch}: idle connection left open");
    let summary = stop(server);
    assert_eq!(summary.connections, 2, "{arch}: {summary}");
    assert_eq!(summary.requests, 1, "{arch}: {summary}");
}

/// Six connections held at once on an architecture, then a seventh.
fn idle_connections_past_the_limit_of_6(arch: &str) {
    idle_connections_past_the_limit(arch, 6);
}

every_architecture! {
    slow_clients_time_out_and_hold_no_thread => slow_clients,
    idle_connections_past_the_limit_get_503 => idle_connections_past_the_limit_of_6,
    a_client_leaving_or_a_file_shrinking_changes_nothing => client_leaves_and_file_shrinks,
    stopping_finishes_responses_in_flight => stop_finishes_in_flight,
}

/// SEDA Figure 1's weakness, bounded: a thousand and more idle connections
/// on `threads` cost a thousand threads, and the rest get 503.
#[test]
fn threads_survive_thousands_of_idle_connections() {
    let limit = 1000;
    raise_fd_limit(3 * limit as u64);
    let mut o = options(None);
    o.max_connections = Some(limit);
    let server = start("threads", &o);
    let idle: Vec<TcpStream> = (0..limit).map(|_| connect(&server)).collect();
    wait_active(&server, limit);
    let mut refused = 0;
    for _ in 0..200 {
        let mut probe = connect(&server);
        if read_response(&mut probe, false).is_some_and(|r| r.status == 503) {
            refused += 1;
        }
    }
    assert_eq!(refused, 200);
    drop(idle);
    wait_active(&server, 0);
    assert_eq!(
        fetch(&server, &get("/8k.bin"), false).map(|r| r.status),
        Some(200)
    );
    stop(server);
}
