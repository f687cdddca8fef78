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
    ] {
        let o = run(args, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
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
    let o = run(&["--help"], &[]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--mode",
        "--hz",
        "--mouse",
        "--mouse-hz",
        "--duration",
        "--report",
        "bench",
        "--json",
    ] {
        assert!(out.contains(flag), "help lacks {flag}");
    }
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
