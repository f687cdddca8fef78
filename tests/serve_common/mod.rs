//! What the server tests share: a test root, servers on ephemeral loopback
//! ports, and a small HTTP client that reads exactly one response.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use why_threads::serve::{self, Options, Server, site};

/// Why `arch` cannot run on this machine (its probe's refusal: completion
/// needs Linux's io_uring, which a kernel may also refuse), if it cannot.
pub fn absent_here(arch: &str) -> Option<String> {
    serve::ARCHITECTURES
        .iter()
        .find(|a| a.name == arch)
        .and_then(|a| (a.probe)().err())
}

/// Generous: only a hang (a bug) gets near it.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A folder to serve, removed when dropped: the generated files, a
/// sub-folder with an index, a big file, and two symlinks out of the root.
pub struct TestRoot {
    pub dir: PathBuf,
    outside: PathBuf,
}

impl TestRoot {
    pub fn new(tag: &str) -> TestRoot {
        static N: AtomicU32 = AtomicU32::new(0);
        let base = std::env::temp_dir().join(format!(
            "why-threads-test-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let dir = base.join("root");
        let outside = base.join("outside");
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        for (name, size) in site::FILES {
            fs::write(dir.join(name), site::file_contents(name, size)).unwrap();
        }
        fs::write(dir.join("index.html"), "<html>test index</html>\n").unwrap();
        fs::write(dir.join("sub/index.html"), "sub index\n").unwrap();
        fs::write(dir.join("big.bin"), site::file_contents("big.bin", 4 << 20)).unwrap();
        fs::write(outside.join("secret.txt"), "secret\n").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, dir.join("out")).unwrap();
            std::os::unix::fs::symlink(outside.join("secret.txt"), dir.join("secret-link.txt"))
                .unwrap();
        }
        TestRoot { dir, outside }
    }
}

impl Drop for TestRoot {
    fn drop(&mut self) {
        if let Some(base) = self.dir.parent() {
            let _ = fs::remove_dir_all(base);
        }
    }
}

pub fn options(root: Option<&Path>) -> Options {
    let mut o = Options::loopback(0);
    o.root = root.map(Path::to_path_buf);
    o.workers = Some(2);
    o.request_timeout = Duration::from_secs(3);
    o.idle_timeout = Duration::from_secs(10);
    o
}

/// Starts the architecture named `arch` (a row of the table).
pub fn start(arch: &str, options: &Options) -> Server {
    let arch = serve::architecture(arch).unwrap_or_else(|| panic!("no architecture {arch}"));
    serve::start(arch, options).unwrap_or_else(|e| panic!("{}: {e}", arch.name))
}

pub fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    pub fn closes(&self) -> bool {
        self.header("connection").eq_ignore_ascii_case("close")
    }
}

/// Reads one response head; the body too unless `head_only` (a HEAD).
/// None: the connection closed (or reset) before a whole head came.
pub fn read_response(stream: &mut TcpStream, head_only: bool) -> Option<Response> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            Ok(_) => return None,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return None,
            Err(e) => panic!("reading a response head: {e}"),
        }
        assert!(buf.len() < 64 * 1024, "response head too long");
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Response::new(&mut headers);
    parsed.parse(&buf).unwrap();
    let status = parsed.code.unwrap();
    let headers: HashMap<String, String> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let length: usize = headers
        .get("content-length")
        .expect("every response has a Content-Length")
        .parse()
        .unwrap();
    let mut body = vec![0; if head_only { 0 } else { length }];
    stream.read_exact(&mut body).unwrap();
    Some(Response {
        status,
        headers,
        body,
    })
}

pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").into_bytes()
}

/// One request on a new connection, one response.
pub fn fetch(server: &Server, request: &[u8], head_only: bool) -> Option<Response> {
    let mut stream = connect(server);
    stream.write_all(request).unwrap();
    read_response(&mut stream, head_only)
}

/// Whether the server closes `stream` (EOF or reset) within [`PATIENCE`].
pub fn closed(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

/// Waits (bounded) until the server holds `n` connections.
pub fn wait_active(server: &Server, n: usize) {
    let until = Instant::now() + PATIENCE;
    while server.shared.counters.active.load(Ordering::Acquire) != n {
        assert!(
            Instant::now() < until,
            "{}: {} connections held, waiting for {n}",
            server.arch.name,
            server.shared.counters.active.load(Ordering::Acquire)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Stops a server and returns its summary, failing if it does not stop.
pub fn stop(server: Server) -> serve::Summary {
    let name = server.arch.name;
    server.stop();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(server.wait()));
    match rx.recv_timeout(3 * PATIENCE) {
        Ok(Ok(summary)) => summary,
        Ok(Err(e)) => panic!("{name}: {e}"),
        Err(_) => panic!("{name} did not stop within {:?}", 3 * PATIENCE),
    }
}

/// Raises this process's open-files limit towards `want` (within the hard
/// limit); fails the test if that is not enough.
pub fn raise_fd_limit(want: u64) {
    let limit = why_threads::sys::net::raise_fd_limit(want);
    assert!(
        limit >= want,
        "this test needs {want} open files; the limit is {limit}"
    );
}

/// The tests every architecture must pass, run over the table: one module
/// per architecture (`threads::…`, `pool::…`), each test called with the
/// architecture's name, plus a test that fails when a row of
/// `serve::ARCHITECTURES` is missing from the list below (or the list
/// names a row that is gone). The one list of architectures in the tests.
///
/// ```ignore
/// every_architecture! {
///     answers_the_conformance_table => conformance,
/// }
/// ```
#[macro_export]
macro_rules! every_architecture {
    ($($test:ident => $run:ident),* $(,)?) => {
        $crate::every_architecture!(
            @rows [threads, pool, events, seda, completion, hybrid]
            { $($test => $run),* }
        );
    };
    (@rows [$($arch:ident),*] $tests:tt) => {
        $( $crate::every_architecture!(@one $arch $tests); )*

        #[test]
        fn every_row_of_the_architecture_table_is_tested() {
            let tested: &[&str] = &[$(stringify!($arch)),*];
            let table: Vec<&str> = why_threads::serve::ARCHITECTURES
                .iter()
                .map(|a| a.name)
                .collect();
            assert_eq!(
                tested,
                table.as_slice(),
                "tests/serve_common's every_architecture! must list every row of ARCHITECTURES, in order"
            );
        }
    };
    (@one $arch:ident { $($test:ident => $run:ident),* }) => {
        mod $arch {
            $(
                #[test]
                fn $test() {
                    // An architecture this OS lacks (completion needs Linux's
                    // io_uring) is not served here: its one-line refusal is
                    // tested instead (tests/serve_cli.rs).
                    if let Some(why) = $crate::serve_common::absent_here(stringify!($arch)) {
                        eprintln!("{} is not run here: {why}", stringify!($arch));
                        return;
                    }
                    super::$run(stringify!($arch));
                }
            )*
        }
    };
}
