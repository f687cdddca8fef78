//! `why-threads bench` on Ctrl-C: it stops, prints the table of what it
//! measured so far, writes `--report`, and exits 0 (the engine owns the
//! signals for every program).

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn ctrl_c_in_bench_prints_what_ran_and_writes_the_report() {
    let dir = std::env::temp_dir().join(format!("why-threads-sigint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let report = dir.join("r.json");
    let child = Command::new(env!("CARGO_BIN_EXE_why-threads"))
        .args(["bench", "--seconds", "30", "--report"])
        .arg(&report)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Let it start (signals are hooked when the engine starts).
    std::thread::sleep(Duration::from_millis(1500));
    // Ctrl-C, as a user would press it (30 s of work still ahead).
    let sent = why_threads::sys::signals::interrupt(child.id());
    assert!(sent.is_ok(), "{sent:?}");
    let started = Instant::now();
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it stopped instead of finishing its 30 s per configuration"
    );
    assert!(stdout.contains("INPUT MODES"), "{stdout}");
    assert!(stdout.contains("stopped early"), "{stdout}");
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(v["settings"]["stopped_early"], true, "{text}");
    assert!(
        v["modes"]["polled"]["ticks"].as_u64().unwrap_or(0) > 0,
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
