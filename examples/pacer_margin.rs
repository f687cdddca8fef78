//! How much spinning buys: the adaptive pacer with a smaller and a larger
//! spin budget than its default (at most 1/14 of a period, about 7 % of a
//! core), beside sleeping and spinning outright, on a quiet machine and
//! with 1 and 2 busy threads of normal priority competing for the cores
//! (a build beside the lecture, a browser tab). 240 Hz; every
//! configuration in 250 ms slices taken in turn, so the machine's noise
//! hits all alike; CPU is the waiting thread's own.
//!
//! Run: `cargo run --release --example pacer_margin [SECONDS]`
//!
//! Also: the adaptive pacer asking Linux 6.12+'s scheduler for a shorter
//! slice (`sys::thread::set_scheduler_slice`), which lets a waking thread
//! preempt busy ones sooner, in principle.
//!
//! Measured on the project's machine (2-core shared VM, Firecracker/KVM,
//! kernel 6.18, `pacer_margin 6`, 2026-12-05), p99 lateness:
//!
//! ```text
//! busy threads         0        1        2
//! std-sleep        320µs    401µs   1.3ms
//! adaptive 1/28     57µs    234µs   2.9ms   (3 % CPU)
//! adaptive 1/14     32µs    107µs   3.7ms   (6.4 %, the default)
//! adaptive 1/10     25µs    705µs   3.0ms   (9.2 %)
//! adaptive 0.1ms    51µs     34µs   3.3ms   (a second run: 45µs, 950µs, 2.4ms)
//! busy-spin         24µs   3.3ms    5.0ms
//! ```
//! Quiet, the default is at busy spinning's floor; under contention the
//! tail is the scheduler's, whatever the pacer, and no variant was better
//! in both runs. So the default stays (BENCHMARKS.md has both runs).

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use why_threads::core::pacing::{Deadlines, period_of};
use why_threads::core::stats::Histogram;
use why_threads::shell::clock::Clock;
use why_threads::shell::pacer::{Pacer, PacerKind};
use why_threads::sys::thread as os;

/// One way of waiting: its name, its pacer, and what it measured in each
/// condition (lateness, CPU, wall time, sleeps past the deadline).
struct Config {
    name: String,
    pacer: Pacer,
    kind: PacerKind,
    /// Ask the scheduler for this slice while waiting (Linux 6.12+).
    slice: Option<Duration>,
    runs: Vec<(Histogram, Duration, Duration, u64)>,
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4.0);
    let conditions = [0usize, 1, 2];
    let clock = Clock::new();
    let period = period_of(240);
    let mut configs: Vec<Config> = [
        ("std-sleep", PacerKind::StdSleep, 14, None),
        ("std-sleep 0.1ms", PacerKind::StdSleep, 14, Some(100)),
        ("adaptive 1/28", PacerKind::Adaptive, 28, None),
        ("adaptive 1/14", PacerKind::Adaptive, 14, None),
        ("adaptive 1/10", PacerKind::Adaptive, 10, None),
        ("adaptive 0.1ms", PacerKind::Adaptive, 14, Some(100)),
        ("adaptive 0.5ms", PacerKind::Adaptive, 14, Some(500)),
        ("adaptive 1ms", PacerKind::Adaptive, 14, Some(1000)),
        ("busy-spin", PacerKind::BusySpin, 14, None),
    ]
    .into_iter()
    .map(|(name, kind, share, slice_us)| {
        let mut pacer = Pacer::new(kind);
        pacer.set_spin_share(share);
        Config {
            name: name.to_string(),
            pacer,
            kind,
            slice: slice_us.map(Duration::from_micros),
            runs: conditions
                .iter()
                .map(|_| (Histogram::new(), Duration::ZERO, Duration::ZERO, 0))
                .collect(),
        }
    })
    .collect();

    // Busy threads: the first `wanted` of them spin, the rest nap.
    let wanted = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..2)
        .map(|i| {
            let (wanted, stop) = (Arc::clone(&wanted), Arc::clone(&stop));
            std::thread::Builder::new()
                .name(format!("busy-{i}"))
                .spawn(move || {
                    let mut x = 1u64;
                    while !stop.load(Ordering::Relaxed) {
                        if i < wanted.load(Ordering::Relaxed) {
                            for _ in 0..10_000 {
                                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                            }
                        } else {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                    std::hint::black_box(x)
                })
        })
        .collect();

    let slice = Duration::from_millis(250);
    let rounds = (seconds / slice.as_secs_f64()).ceil() as u32;
    for _ in 0..rounds {
        for (ci, &busy) in conditions.iter().enumerate() {
            wanted.store(busy, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(5));
            for c in &mut configs {
                // Sets this thread's timer slack for the pacer, and keeps
                // the adaptive pacer's margin learnt so far.
                c.pacer.set_kind(c.kind);
                let slice_taken = os::set_scheduler_slice(c.slice);
                if c.slice.is_some() && !slice_taken {
                    c.name = format!("{} (refused)", c.name.trim_end_matches(" (refused)"));
                }
                let before = c.pacer.slept_past_deadline;
                let (late, cpu, wall, past) = &mut c.runs[ci];
                let start = clock.now();
                let cpu0 = os::cpu_time();
                let mut deadlines = Deadlines::new(start, period);
                while clock.now() < start + slice {
                    let woke = c.pacer.wait_until(&clock, deadlines.next());
                    late.record_duration(deadlines.arrive(woke).lateness());
                }
                *cpu += os::cpu_time().saturating_sub(cpu0);
                *wall += clock.now().saturating_sub(start);
                *past += c.pacer.slept_past_deadline - before;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in load.into_iter().flatten() {
        let _ = t.join();
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{seconds} s per configuration and condition at 240 Hz (period {:.2} ms), lateness after the deadline; 0.1ms etc.: the scheduler slice asked for",
        period.as_secs_f64() * 1e3
    );
    let _ = writeln!(
        out,
        "{:<8} {:<16} {:>8} {:>8} {:>9} {:>8} {:>7} {:>6}",
        "busy", "pacer", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "CPU %", "past"
    );
    for (ci, busy) in conditions.iter().enumerate() {
        for c in &configs {
            let (h, cpu, wall, past) = &c.runs[ci];
            let us = |v: u64| v as f64 / 1e3;
            let _ = writeln!(
                out,
                "{:<8} {:<16} {:>8.1} {:>8.1} {:>9.1} {:>8.1} {:>7.1} {:>6}",
                format!("{busy} thr"),
                c.name,
                us(h.percentile(0.5)),
                us(h.percentile(0.99)),
                us(h.percentile(0.999)),
                us(h.max()),
                100.0 * cpu.as_secs_f64() / wall.as_secs_f64().max(1e-9),
                past
            );
        }
    }
    let _ = writeln!(
        out,
        "past: native sleeps of the adaptive pacer that woke after the deadline itself"
    );
    // One write at the end; a closed pipe is not worth a panic.
    let _ = std::io::stdout().write_all(out.as_bytes());
}
