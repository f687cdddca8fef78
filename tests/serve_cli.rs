//! `why-threads serve` as users run it: the URL line, Ctrl-C with its
//! one-line summary and status 0, seda's `--status` line, bad flags; and
//! for the three server programs (serve, load, seda), a stdout that fails.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(15);

fn spawn(args: &[&str]) -> (Child, Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_why-threads"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn wait_exit(child: &mut Child) -> i32 {
    let until = std::time::Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if std::time::Instant::now() > until {
            let _ = child.kill();
            panic!("did not exit within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An architecture this machine lacks (completion off Linux, or with
/// io_uring refused) says why in one line, before any URL, and exits 1;
/// the conformance tables skip it with the same reason.
#[test]
fn an_architecture_this_machine_lacks_says_why_in_one_line() {
    for arch in why_threads::serve::ARCHITECTURES {
        let Err(why) = (arch.probe)() else {
            continue;
        };
        let o = Command::new(env!("CARGO_BIN_EXE_why-threads"))
            .args(["serve", "--arch", arch.name, "--port", "0"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{}: {err}", arch.name);
        assert_eq!(err.trim_end().lines().count(), 1, "{}: {err}", arch.name);
        assert!(err.contains(&why), "{}: {err}", arch.name);
        assert!(o.stdout.is_empty(), "no URL line for {}", arch.name);
    }
}

/// Ctrl-C is a signal: this part runs where signals do.
#[cfg(unix)]
mod ctrl_c {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::mpsc::Receiver;

    use why_threads::serve::ARCHITECTURES;

    use super::{PATIENCE, spawn, wait_exit};

    /// The next line printed that contains `what` (bounded wait).
    fn line_with(lines: &Receiver<String>, what: &str) -> String {
        loop {
            match lines.recv_timeout(PATIENCE) {
                Ok(line) if line.contains(what) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line with '{what}' within {PATIENCE:?}"),
            }
        }
    }

    #[test]
    fn every_architecture_prints_its_url_serves_and_stops_on_ctrl_c_with_a_summary() {
        for arch in ARCHITECTURES {
            let (mut child, lines) = spawn(&["--arch", arch.name, "--port", "0", "--status"]);
            let url_line = line_with(&lines, "http://");
            let addr = url_line
                .split("http://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_else(|| panic!("{}: no address in '{url_line}'", arch.name))
                .to_string();
            let mut stream = TcpStream::connect(&addr).unwrap();
            stream.set_read_timeout(Some(PATIENCE)).unwrap();
            stream
                .write_all(b"GET /8k.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut response = Vec::new();
            stream.read_to_end(&mut response).unwrap();
            assert!(
                response.starts_with(b"HTTP/1.1 200 OK\r\n"),
                "{}",
                arch.name
            );
            assert!(response.len() > 8192, "{}", arch.name);
            if arch.name == "seda" {
                let status = line_with(&lines, "seda: accept");
                for stage in ["read", "cache", "file", "write", "exit"] {
                    assert!(status.contains(&format!("| {stage} q")), "{status}");
                }
            } else {
                let status = line_with(&lines, " requests/s, ");
                assert!(status.starts_with(&format!("{}: ", arch.name)), "{status}");
            }
            // Ctrl-C, as a user would press it.
            let sent = why_threads::sys::signals::interrupt(child.id());
            assert!(sent.is_ok(), "{sent:?}");
            let summary = line_with(&lines, "stopped:");
            assert!(
                summary.ends_with("stopped: 1 connections, 1 requests, 0 errors"),
                "{}: {summary}",
                arch.name
            );
            assert_eq!(wait_exit(&mut child), 0, "{}", arch.name);
        }
    }
}

fn run_to_end(args: &[&str]) -> (i32, String) {
    let (mut child, _lines) = spawn(args);
    let code = wait_exit(&mut child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (code, stderr)
}

#[test]
fn bad_flags_exit_2_and_bad_environments_exit_1_with_a_clear_message() {
    let (code, err) = run_to_end(&["--arch", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("one of: threads, pool, events"), "{err}");
    let (code, err) = run_to_end(&["--arch", "events", "--request-timeout", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("must be seconds"), "{err}");
    let (code, err) = run_to_end(&["--arch", "events", "--workers", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, err) = run_to_end(&["--arch", "events", "--root", "/no/such/folder"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("why-threads serve: cannot serve /no/such/folder"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, err) = run_to_end(&["--arch", "events", "--port", &port]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("why-threads serve: cannot listen on 127.0.0.1:"),
        "{err}"
    );
}

/// Runs `why-threads ARGS` with stdout on /dev/full (every write fails
/// with ENOSPC) and returns its exit status and stderr; None where there
/// is no /dev/full.
fn with_stdout_full(args: &[&str]) -> Option<(i32, String)> {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_why-threads"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reading = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let code = wait_exit(&mut child);
    Some((code, reading.join().unwrap()))
}

/// Exit status 1 and one line naming the program, no panic.
fn fails_in_one_line(program: &str, args: &[&str]) {
    let Some((code, err)) = with_stdout_full(args) else {
        eprintln!("no /dev/full here: skipped");
        return;
    };
    assert_eq!(code, 1, "{program}: {err}");
    assert_eq!(err.lines().count(), 1, "{program}: {err}");
    assert!(
        err.starts_with(&format!(
            "why-threads {program}: cannot write to standard output: "
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn serve_with_a_full_stdout_stops_with_one_line_and_status_1() {
    fails_in_one_line("serve", &["serve", "--arch", "events", "--port", "0"]);
}

#[test]
fn load_with_a_full_stdout_stops_with_one_line_and_status_1() {
    // A listener is enough: load's first connect only needs the backlog.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    fails_in_one_line("load", &["load", &url, "-c", "1", "-s", "1"]);
}

#[test]
fn seda_with_a_full_stdout_stops_with_one_line_and_status_1() {
    let out = std::env::temp_dir().join(format!("why-threads-seda-full-{}", std::process::id()));
    let out_arg = out.to_string_lossy().into_owned();
    fails_in_one_line(
        "seda",
        &[
            "seda",
            "--out",
            &out_arg,
            "--seconds",
            "0.01",
            "--rounds",
            "1",
            "--points",
            "1",
        ],
    );
    let _ = std::fs::remove_dir_all(&out);
}
