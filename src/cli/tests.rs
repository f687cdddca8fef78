use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::app::args::MouseSource;
use crate::programs::bench::args::Job;
use crate::shell::pacer::PacerKind;

/// Arguments that are not UTF-8 (Unix builds them from bytes).
#[cfg(unix)]
mod odd_bytes;

fn run(args: &[&str]) -> Result<RunArgs, CliError> {
    match parse(args.iter().copied())? {
        Command::Run(r) => Ok(r),
        other => Err(CliError(format!("not a run: {other:?}"))),
    }
}

fn bench(args: &[&str]) -> Result<BenchArgs, CliError> {
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    match parse(all)? {
        Command::Bench(b) => Ok(b),
        other => Err(CliError(format!("not a bench: {other:?}"))),
    }
}

fn err(args: &[&str]) -> String {
    match parse(args.iter().copied()) {
        Err(CliError(e)) => e,
        Ok(c) => format!("accepted: {c:?}"),
    }
}

#[test]
fn no_arguments_opens_the_game_with_defaults() {
    assert_eq!(run(&[]), Ok(RunArgs::default()));
}

#[test]
fn the_contract_flags_parse() {
    let r = run(&[
        "--mode",
        "threaded",
        "--hz=120",
        "--mouse",
        "synthetic",
        "--mouse-hz",
        "8000",
        "--duration",
        "2.5",
        "--report",
        "out.json",
        "--trace",
        "t.json",
        "--frames=f.csv",
        "--pacer",
        "busy-spin",
        "--reader-stack",
        "65536",
    ])
    .expect("valid");
    assert_eq!(Some(r.mode), ModeId::parse("threaded"));
    assert_eq!(
        (r.hz, r.mouse, r.mouse_hz),
        (120, MouseSource::Synthetic, 8000)
    );
    assert_eq!(r.duration, Some(Duration::from_millis(2500)));
    assert_eq!(r.report, Some(PathBuf::from("out.json")));
    assert_eq!(r.trace, Some(PathBuf::from("t.json")));
    assert_eq!(r.frames, Some(PathBuf::from("f.csv")));
    assert_eq!(
        (r.pacer, r.reader_stack),
        (PacerKind::BusySpin, Some(65536))
    );
    assert_eq!(r.outputs().count(), 3);
}

#[test]
fn bad_input_gets_one_clear_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--frobnicate"],
            "unknown option '--frobnicate' (see --help)",
        ),
        (
            &["--hzz", "5"],
            "unknown option '--hzz'; did you mean --hz? (see --help)",
        ),
        (&["--hz", "0"], "--hz must be between 1 and 2000, got 0"),
        (
            &["--hz", "-5"],
            "--hz must be a whole number from 1 to 2000, got '-5'",
        ),
        (
            &["--hz", "fast"],
            "--hz must be a whole number from 1 to 2000, got 'fast'",
        ),
        (&["--hz"], "--hz needs a value (see --help)"),
        (
            &["--mouse-hz", "100"],
            "--mouse-hz must be between 125 and 8000, got 100",
        ),
        (
            &["--duration", "-1"],
            "--duration must be more than 0 and at most 86400 seconds, got -1",
        ),
        (
            &["--duration", "NaN"],
            "--duration must be more than 0 and at most 86400 seconds, got NaN",
        ),
        (&["--json"], "--json belongs to 'why-threads bench'"),
        (
            &["--reader-stack", "-5"],
            "--reader-stack must be a number of bytes, got '-5'",
        ),
        (&["extra"], "unexpected argument 'extra' (see --help)"),
        (
            &["--hz", "60", "--hz", "120"],
            "--hz was given twice; give it once (see --help)",
        ),
        (
            &["--report", "--mode", "polled"],
            "--report needs a value (see --help)",
        ),
        (
            &["--report=--mode"],
            "--report needs a file name, got the flag-like '--mode' (write ./--mode for a file of that name)",
        ),
        (
            &["bench", "--mode", "polled"],
            "--mode is a game option, not a bench one (see 'why-threads bench --help')",
        ),
        (
            &["bench", "--json", "--json"],
            "--json was given twice; give it once (see 'why-threads bench --help')",
        ),
        (
            &["bench", "--json=yes"],
            "--json takes no value here (see 'why-threads bench --help')",
        ),
        (&["--timeline"], "--timeline belongs to 'why-threads bench'"),
        (
            &["bench", "--timeline=on"],
            "--timeline takes no value here (see 'why-threads bench --help')",
        ),
        (
            &["bench", "--timeline", "--timeline"],
            "--timeline was given twice; give it once (see 'why-threads bench --help')",
        ),
        (
            &["bench", "--modes", "polled,wishful"],
            "--modes lists an unknown mode 'wishful'",
        ),
        (
            &["bench", "--modes", "polled,polled"],
            "--modes lists 'polled' twice",
        ),
    ];
    for (args, message) in cases {
        assert_eq!(err(args), *message, "{args:?}");
    }
}

#[test]
fn messages_quote_at_most_80_characters() {
    let long = "x".repeat(100_000);
    for args in [
        vec!["--hz", long.as_str()],
        vec![long.as_str()],
        vec!["--mode", long.as_str()],
    ] {
        let e = err(&args);
        assert!(
            e.len() < 200 && !e.contains('\n'),
            "{} chars: {e:.300}",
            e.len()
        );
        assert!(e.contains(&format!("{}…", "x".repeat(80))), "{e:.300}");
    }
    assert_eq!(
        err(&["--mode", "a\nb"]),
        format!("--mode must be {}, got 'a\\nb'", ModeId::choices())
    );
}

#[test]
fn every_mode_of_the_table_is_offered_and_accepted() {
    let choices = ModeId::choices();
    assert!(choices.starts_with("polled, threaded"), "{choices}");
    assert_eq!(
        err(&["--mode", "both"]),
        format!("--mode must be {choices}, got 'both'")
    );
    for mode in ModeId::all() {
        assert_eq!(run(&["--mode", mode.name()]).map(|r| r.mode), Ok(mode));
        assert_eq!(
            bench(&["--modes", mode.name()]).map(|b| b.modes),
            Ok(Some(vec![mode.name().to_string()]))
        );
    }
    let Ok(Command::Help(help)) = parse(["--help"]) else {
        panic!("no help");
    };
    assert!(help.contains(&choices), "--help does not list the modes");
}

#[test]
fn bench_flags_parse_and_are_checked() {
    let b = bench(&[
        "--seconds",
        "0.5",
        "--hz",
        "240",
        "--mouse-hz",
        "1000",
        "--json",
        "--load",
        "300",
        "--modes",
        "polled,threaded",
    ])
    .expect("valid");
    assert_eq!(
        (b.seconds, b.hz, b.mouse_hz, b.json, b.load_us),
        (0.5, 240, 1000, true, 300)
    );
    assert_eq!(b.modes, Some(vec!["polled".into(), "threaded".into()]));
    assert_eq!(bench(&[]), Ok(BenchArgs::default()));
    assert!(
        !BenchArgs::default().timeline,
        "the timeline's cost is measured only when asked"
    );
    assert_eq!(bench(&["--timeline"]).map(|b| b.timeline), Ok(true));
    assert!(bench(&["--seconds", "0"]).is_err());
    assert_eq!(bench(&["--load", "ai"]).map(|b| b.job), Ok(Some(Job::Ai)));
    assert_eq!(
        bench(&["--load", "video"]).map(|b| b.job),
        Ok(Some(Job::Video))
    );
    assert_eq!(
        bench(&["--load", "lots"]),
        Err(CliError(
            "--load must be ai, video or microseconds per tick, got 'lots'".into()
        ))
    );
}

#[test]
fn help_and_version_are_generated() {
    let Ok(Command::Help(help)) = parse(["--help"]) else {
        panic!("no help");
    };
    for needle in [
        "--mouse-hz",
        "--trace",
        "--frames",
        "bench",
        "PgUp / PgDn",
        "Esc",
    ] {
        assert!(help.contains(needle), "help lacks {needle}");
    }
    assert!(!help.contains("Up/Down physics"));
    let Ok(Command::Help(bench_help)) = parse(["bench", "--help"]) else {
        panic!("no bench help");
    };
    assert!(bench_help.contains("--json") && bench_help.contains("--modes"));
    assert!(
        bench_help.contains("--timeline"),
        "bench help lacks --timeline"
    );
    assert_eq!(
        parse(["-V"]),
        Ok(Command::Version(format!(
            "why-threads {}\n",
            env!("CARGO_PKG_VERSION")
        )))
    );
    command().debug_assert();
}
