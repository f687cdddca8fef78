//! A panic on any thread becomes one line on stderr, and the run can see
//! that it happened (the game then ends with a valid report, status 1).
//! The test runs itself as a child so the child's stderr can be read whole.

use std::process::Command;

use why_threads::shell::diagnostics;

const CHILD: &str = "WHY_THREADS_PANIC_TEST_CHILD";

/// Runs the test `name` of this binary as a child (which takes the
/// `CHILD` branch), with `RUST_BACKTRACE` as given; its stderr, once it
/// has passed.
fn stderr_of_child(name: &str, backtrace: Option<&str>) -> String {
    let mut child = Command::new(std::env::current_exe().expect("test binary"));
    child
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove("RUST_LOG");
    match backtrace {
        Some(value) => child.env("RUST_BACKTRACE", value),
        None => child.env_remove("RUST_BACKTRACE"),
    };
    let o = child.output().expect("run the child");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "the child failed: {err}");
    err
}

#[test]
fn a_panic_in_a_worker_is_one_line_and_is_seen() {
    if std::env::var_os(CHILD).is_some() {
        diagnostics::init_logging("warn,why_threads=info");
        diagnostics::install_panic_hook(|_, _| false);
        assert_eq!(diagnostics::panicked(), None);
        let worker = std::thread::Builder::new()
            .name("video".into())
            .spawn(|| panic!("the codec gave up: {}", "x".repeat(500)))
            .expect("spawn");
        assert!(worker.join().is_err());
        let line = diagnostics::panicked().unwrap_or_default();
        assert!(
            line.starts_with("the video thread failed at tests/panic.rs:"),
            "{line}"
        );
        assert!(line.contains(": the codec gave up: xxx"), "{line}");
        assert!(line.len() < 200, "{line}");
        return;
    }
    let err = stderr_of_child("a_panic_in_a_worker_is_one_line_and_is_seen", None);
    let ours: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("why-threads"))
        .collect();
    assert_eq!(ours.len(), 1, "{err}");
    assert!(
        ours[0].contains("ERROR: the video thread failed at tests/panic.rs:"),
        "{err}"
    );
    assert!(
        !err.contains("panicked at"),
        "the default hook spoke: {err}"
    );
}

/// A panic the program claims as expected (winit's on a dead X
/// connection, in the game) is neither printed nor remembered: the caller
/// says what happened instead.
#[test]
fn a_panic_claimed_as_expected_is_silent_and_not_remembered() {
    if std::env::var_os(CHILD).is_some() {
        diagnostics::init_logging("warn,why_threads=info");
        diagnostics::install_panic_hook(|_, message| message.starts_with("expected:"));
        let worker = std::thread::Builder::new()
            .name("display".into())
            .spawn(|| panic!("expected: the connection went away"))
            .expect("spawn");
        assert!(worker.join().is_err());
        assert_eq!(diagnostics::panicked(), None);
        return;
    }
    let err = stderr_of_child(
        "a_panic_claimed_as_expected_is_silent_and_not_remembered",
        Some("1"),
    );
    assert!(!err.contains("why-threads"), "{err}");
    assert!(!err.contains("panicked at"), "{err}");
}
