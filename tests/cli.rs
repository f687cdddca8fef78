//! The binary's contract with users: bad input gets one clear line and
//! status 2; no display is explained; nothing panics.

use std::process::{Command, Output};

fn run(args: &[&str], env_remove: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_why-threads"));
    cmd.args(args);
    for var in env_remove {
        cmd.env_remove(var);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The lines of `err` that say something went wrong: the final
/// "why-threads: ..." line, warnings and errors from the log, panics.
/// (Progress goes through the log at info level: "why-threads [0.5 s]: ...".)
#[cfg(target_os = "linux")]
fn problems(err: &str) -> Vec<&str> {
    err.lines()
        .filter(|l| {
            l.starts_with("why-threads:")
                || l.contains(" s] WARN")
                || l.contains(" s] ERROR")
                || l.contains("panicked")
        })
        .collect()
}

#[test]
fn bad_flags_exit_2_with_one_line() {
    for (args, expect) in [
        (&["--frobnicate"][..], "unknown option '--frobnicate'"),
        (&["--hz", "0"][..], "--hz must be between 1 and 2000, got 0"),
        (&["--hz", "-3"][..], "--hz must be a whole number"),
        (
            &["--mouse-hz", "abc"][..],
            "--mouse-hz must be a whole number",
        ),
        (&["--duration", "-1"][..], "--duration must be more than 0"),
        (
            &["bench", "--seconds", "0"][..],
            "--seconds must be more than 0",
        ),
        (
            &["bench", "--hz", "99999"][..],
            "--hz must be between 1 and 2000",
        ),
        (&["--hz", "60", "--hz", "61"][..], "--hz was given twice"),
        (
            &["--report", "--mode", "polled"][..],
            "--report needs a value",
        ),
        (&["--trace=-x.json"][..], "--trace needs a file name"),
        (
            &["bench", "--modes", "polled,nope"][..],
            "unknown mode 'nope'",
        ),
        (
            &["serve", "--arch", "nope"][..],
            "--arch cannot be 'nope'; one of: threads, pool, events",
        ),
        (&["serve", "--arch"][..], "--arch needs a value"),
        (
            &["serve", "--arch", "events", "--port", "99999"][..],
            "--port",
        ),
        (
            &["load", "http://192.0.2.1/"][..],
            "only loopback (127.0.0.1, ::1) or this machine's own addresses",
        ),
        (&["load", "http://127.0.0.1/", "-c", "0"][..], "'0'"),
        (
            &["seda", "--seconds", "0"][..],
            "expected seconds in (0, 10]",
        ),
    ] {
        let o = run(args, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("why-threads"), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[cfg(unix)]
#[test]
fn odd_bytes_and_huge_arguments_get_one_short_line() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let huge = "9".repeat(100_000);
    for args in [
        vec![OsStr::new("--hz"), OsStr::from_bytes(b"\xff")],
        vec![OsStr::new("--mode"), OsStr::new(&huge)],
        vec![OsStr::new(&huge)],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_why-threads"))
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err:.200}");
        assert_eq!(err.lines().count(), 1, "{err:.200}");
        assert!(err.len() < 200, "{} bytes: {err:.200}", err.len());
    }
}

#[cfg(unix)]
#[test]
fn a_non_utf8_report_path_works_and_a_run_that_never_started_leaves_none() {
    use std::os::unix::ffi::OsStrExt;
    let dir = std::env::temp_dir().join(format!("why-threads-cli-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let name = dir.join(std::ffi::OsStr::from_bytes(b"r\xff.json"));
    // No display: the report path is accepted, the run never starts, no file.
    let o = Command::new(env!("CARGO_BIN_EXE_why-threads"))
        .arg("--report")
        .arg(&name)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(99), 0);
    // The benchmark writes it.
    let o = Command::new(env!("CARGO_BIN_EXE_why-threads"))
        .args(["bench", "--seconds", "0.1", "--report"])
        .arg(&name)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&name).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert!(
        v["modes"]["polled"]["ticks"].as_u64() > Some(0),
        "{text:.200}"
    );
    assert_eq!(std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(99), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error_and_a_closed_one_is_not() {
    for args in [
        &["--version"][..],
        &["bench", "--seconds", "0.05", "--json"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap_or_else(|e| panic!("/dev/full: {e}"));
        let o = Command::new(env!("CARGO_BIN_EXE_why-threads"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        // (bench's progress lines, info in the log, come first.)
        let ours = problems(&err);
        assert_eq!(ours.len(), 1, "{err}");
        assert!(
            ours[0].starts_with(
                "why-threads: cannot write to standard output: No space left on device"
            ),
            "{err}"
        );

        // A reader that is gone before anything is written (`| head`).
        let (reader, writer) = std::io::pipe().unwrap_or_else(|e| panic!("pipe: {e}"));
        drop(reader);
        let o = Command::new(env!("CARGO_BIN_EXE_why-threads"))
            .args(args)
            .stdout(writer)
            .output()
            .unwrap_or_else(|e| panic!("cannot run the binary: {e}"));
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(problems(&err).is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn an_unwritable_report_path_exits_2_before_anything_runs() {
    for args in [
        &["--report", "/nonexistent-dir/r.json"][..],
        &[
            "bench",
            "--seconds",
            "0.1",
            "--report",
            "/nonexistent-dir/r.json",
        ][..],
    ] {
        let o = run(args, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("cannot write the report to /nonexistent-dir/r.json"),
            "{err}"
        );
    }
}

/// Unix only: Windows always has a desktop to open a window on (under Wine
/// without an X display the window fails with winit's own message).
#[cfg(unix)]
#[test]
fn no_display_says_so_and_points_to_bench() {
    let o = run(
        &["--duration", "1"],
        &["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no display") && err.contains("why-threads bench"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn help_lists_the_contract() {
    let text = |args: &[&str]| {
        let o = run(args, &[]);
        assert!(o.status.success(), "{args:?}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let help = text(&["--help"]);
    for flag in [
        "--mode",
        "--hz",
        "--mouse",
        "--mouse-hz",
        "--duration",
        "--report",
        "--trace",
        "--frames",
        "--pacer",
        "bench",
        "Hotkeys",
    ] {
        assert!(help.contains(flag), "help lacks {flag}");
    }
    let bench = text(&["bench", "--help"]);
    for flag in ["--seconds", "--json", "--load", "--modes", "--report"] {
        assert!(bench.contains(flag), "bench help lacks {flag}");
    }
    let version = text(&["--version"]);
    assert_eq!(
        version,
        format!("why-threads {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bench_json_has_the_report_shape() {
    let o = run(&["bench", "--seconds", "0.2", "--json"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    for mode in ["polled", "threaded"] {
        for key in why_threads::core::report::CONTRACT_FIELDS {
            assert!(
                v["modes"][mode].get(key).is_some(),
                "modes.{mode}.{key} missing"
            );
        }
    }
    for pacer in ["std-sleep", "spin-sleep", "adaptive", "busy-spin"] {
        assert!(
            v["pacers"][pacer]["lateness_us"]["p999"].is_number(),
            "pacers.{pacer}"
        );
        assert!(v["pacers"][pacer]["cpu_percent"].is_number());
    }
}
