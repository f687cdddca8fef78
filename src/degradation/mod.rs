//! `why-threads seda`: SEDA's Figure 2 ("threaded server throughput
//! degradation", hence this module's name) measured on this machine, beside the event-driven twin of
//! the same tasks. Writes `figure2.csv` and `figure2.svg` to `--out` and
//! prints the table.
//!
//! Every design is one row of [`CURVES`] (a function from the task file, the
//! number of tasks and the time window to a measured point): the threaded
//! server, its event-driven twin, and the staged (SEDA) server.

pub(crate) mod plot;
pub(crate) mod staged;
pub(crate) mod tasks;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::TypedValueParser;

use crate::sys::stdout;
use crate::sys::thread::context_switches;
use tasks::{Point, TASK_BYTES, Window};

const PROGRAM: &str = "why-threads seda";

/// A design under test: the same tasks, driven its own way.
pub(crate) struct Curve {
    pub name: &'static str,
    pub run: fn(File, usize, Window) -> Result<Point, String>,
}

/// The curves of the figure, in plotting order.
pub(crate) const CURVES: &[Curve] = &[
    Curve {
        name: "threaded",
        run: tasks::threaded,
    },
    Curve {
        name: "event-driven",
        run: tasks::event_driven,
    },
    Curve {
        name: "staged",
        run: staged::staged,
    },
];

/// The paper's x axis.
pub(crate) const DEFAULT_POINTS: [usize; 6] = [1, 4, 16, 64, 256, 1024];
pub(crate) const MAX_POINT: usize = 4096;
pub(crate) const MAX_SECONDS: f64 = 10.0;

/// Options of `why-threads seda`.
#[derive(clap::Args, Clone, Debug, PartialEq)]
pub struct SedaArgs {
    /// Folder for figure2.csv and figure2.svg (created if missing).
    #[arg(long, default_value = "figure2")]
    pub out: PathBuf,
    /// Measured seconds per point and design (0 < S <= 10), after a 0.25 s warm-up.
    #[arg(long, default_value_t = 1.0, value_parser = parse_seconds)]
    pub seconds: f64,
    /// Rounds over every point and design (1-5); each point keeps its best
    /// round, since on a shared machine noise only ever slows a run down.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=5))]
    pub rounds: u32,
    /// Tasks in the pipeline (= threads of the threaded server), comma-separated, each 1-4096.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_POINTS,
          value_parser = clap::value_parser!(u32).range(1..=MAX_POINT as i64).map(|v| v as usize))]
    pub points: Vec<usize>,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= MAX_SECONDS => Ok(v),
        _ => Err(format!("expected seconds in (0, {MAX_SECONDS}]")),
    }
}

/// One design's points, in the order of `points`.
pub(crate) struct Measured {
    pub name: &'static str,
    pub points: Vec<Point>,
}

/// Runs `why-threads seda`. If stdout fails, the run stops: a closed pipe
/// ends quietly (0), any other failure with one line (1).
pub fn run(args: SedaArgs) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("{PROGRAM}: cannot create {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    let window = Window {
        warmup: Duration::from_millis(250),
        measure: Duration::from_secs_f64(args.seconds),
    };
    let total = window.warmup + window.measure;
    let plan = format!(
        "{PROGRAM}: SEDA Figure 2 here: each task an {} KB read of one cached file; {} s per point, best of {} rounds, about {:.0} s in all\n",
        TASK_BYTES / 1024,
        args.seconds,
        args.rounds,
        total.as_secs_f64() * (args.points.len() * CURVES.len() * args.rounds as usize) as f64
    );
    if let Err(e) = stdout::print(&plan) {
        return e.end(PROGRAM);
    }
    let results = match measure(&args.out, &args.points, window, args.rounds as usize) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = stdout::print(&table(&results)) {
        return e.end(PROGRAM);
    }
    let csv_path = args.out.join("figure2.csv");
    let svg_path = args.out.join("figure2.svg");
    let written = write_atomic(&csv_path, csv(&results).as_bytes())
        .and_then(|()| plot::svg(&results))
        .and_then(|svg| write_atomic(&svg_path, svg.as_bytes()));
    match written {
        Ok(()) => {
            let wrote = format!("wrote {} and {}\n", csv_path.display(), svg_path.display());
            stdout::print_last(PROGRAM, &wrote)
        }
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Measures every curve at every point, `rounds` times; the designs
/// alternate at each point so that a noisy neighbour hurts them alike, and
/// each point keeps its best round.
pub(crate) fn measure(
    dir: &Path,
    points: &[usize],
    window: Window,
    rounds: usize,
) -> Result<Vec<Measured>, String> {
    let data = dir.join(".figure2-task.bin");
    write_atomic(&data, &[b'x'; TASK_BYTES])?;
    let mut results: Vec<Measured> = CURVES
        .iter()
        .map(|c| Measured {
            name: c.name,
            points: Vec::with_capacity(points.len()),
        })
        .collect();
    let mut outcome = Ok(());
    'rounds: for round in 0..rounds.max(1) {
        for (k, &n) in points.iter().enumerate() {
            for (curve, out) in CURVES.iter().zip(results.iter_mut()) {
                let switches = context_switches();
                let point = File::open(&data)
                    .map_err(|e| format!("cannot open {}: {e}", data.display()))
                    .and_then(|f| (curve.run)(f, n, window))
                    .map(|mut p| {
                        let run = (window.warmup + window.measure).as_secs_f64();
                        let done = p.tasks_per_second() * run;
                        p.switches_per_task =
                            context_switches().saturating_sub(switches) as f64 / done.max(1.0);
                        p
                    });
                match point {
                    Ok(p) if round == 0 => out.points.push(p),
                    Ok(p) => {
                        if p.tasks_per_second() > out.points[k].tasks_per_second() {
                            out.points[k] = p;
                        }
                    }
                    Err(e) => {
                        outcome = Err(format!("{} at {n}: {e}", curve.name));
                        break 'rounds;
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_file(&data);
    outcome.map(|()| results)
}

fn ms(ns: f64) -> f64 {
    ns / 1e6
}

/// The printed table: one row per point, one column group per design.
pub(crate) fn table(results: &[Measured]) -> String {
    let mut s = format!("{:>8}", "tasks");
    for m in results {
        s += &format!(
            "  | {:>14} {:>10} {:>10}",
            format!("{} /s", m.name),
            "mean ms",
            "p99 ms"
        );
    }
    s.push('\n');
    let rows = results.first().map_or(0, |m| m.points.len());
    for i in 0..rows {
        s += &format!("{:>8}", results[0].points[i].concurrency);
        for m in results {
            if let Some(p) = m.points.get(i) {
                s += &format!(
                    "  | {:>14.0} {:>10.3} {:>10.3}",
                    p.tasks_per_second(),
                    ms(p.latency.mean()),
                    ms(p.latency.percentile(0.99) as f64)
                );
            }
        }
        s.push('\n');
    }
    for m in results {
        let refused: Vec<String> = m
            .points
            .iter()
            .filter(|p| p.refused > 0)
            .map(|p| format!("{} of {}", p.refused, p.concurrency))
            .collect();
        if !refused.is_empty() {
            s += &format!(
                "{}: refused at admission (queue full): {}\n",
                m.name,
                refused.join(", ")
            );
        }
    }
    s
}

/// The CSV: one line per design and point.
pub(crate) fn csv(results: &[Measured]) -> String {
    let mut s = String::from(
        "design,tasks_offered,tasks_per_s,latency_mean_ms,latency_p99_ms,tasks,errors,refused,switches_per_task\n",
    );
    for m in results {
        for p in &m.points {
            s += &format!(
                "{},{},{:.1},{:.4},{:.4},{},{},{},{:.4}\n",
                m.name,
                p.concurrency,
                p.tasks_per_second(),
                ms(p.latency.mean()),
                ms(p.latency.percentile(0.99) as f64),
                p.tasks,
                p.errors,
                p.refused,
                p.switches_per_task
            );
        }
    }
    s
}

/// Writes a file whole or not at all (`sys::fs::write_atomic`).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    crate::sys::fs::write_atomic(path, bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_gives_every_curve_every_point_and_a_plot() {
        let dir = std::env::temp_dir().join(format!("why-threads-seda-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut window = Window {
            warmup: Duration::from_millis(5),
            measure: Duration::from_millis(30),
        };
        // A loaded machine can deschedule a design past its whole window (no
        // task counted): such a run is repeated with a longer window.
        let counted =
            |results: &[Measured]| results.iter().all(|m| m.points.iter().all(|p| p.tasks > 0));
        let mut results = measure(&dir, &[1, 8], window, 2).unwrap();
        while !counted(&results) && window.measure < Duration::from_secs(2) {
            window.measure *= 4;
            results = measure(&dir, &[1, 8], window, 2).unwrap();
        }
        assert_eq!(results.len(), CURVES.len());
        for m in &results {
            let n: Vec<usize> = m.points.iter().map(|p| p.concurrency).collect();
            assert_eq!(n, [1, 8], "{}", m.name);
            assert!(
                m.points.iter().all(|p| p.tasks > 0 && p.errors == 0),
                "{}",
                m.name
            );
        }
        let csv = csv(&results);
        assert_eq!(csv.lines().count(), 1 + 2 * CURVES.len());
        assert!(csv.lines().nth(1).unwrap().starts_with("threaded,1,"));
        let columns = csv.lines().next().unwrap().split(',').count();
        assert!(
            csv.lines().all(|l| l.split(',').count() == columns),
            "{csv}"
        );
        let svg = plot::svg(&results).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("threaded"),
            "{}",
            &svg[..100]
        );
        assert_eq!(table(&results).lines().count(), 3);
        // The task file is gone; nothing but what was asked for is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_writes_replace_whole_files_and_report_failures() {
        let dir = std::env::temp_dir().join(format!("why-threads-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.csv");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let err = write_atomic(&dir.join("missing/a.csv"), b"x").unwrap_err();
        assert!(err.contains("cannot write"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
