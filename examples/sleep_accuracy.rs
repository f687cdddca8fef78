//! Slide: "synchronize to the highest frequency" — how precisely can a
//! thread wake up at a deadline?
//!
//! A 240 Hz loop waits for absolute deadlines with each pacer in turn
//! (interleaved in short slices, so machine noise hits all alike) and
//! records how late every wake-up was, and how much CPU the waiting cost.
//! Then it measures the raw overshoot of `std::thread::sleep` itself, at
//! the default timer slack and at 1 ns.
//!
//! Run: `cargo run --release --example sleep_accuracy [SECONDS]`
//!
//! Measured on the project's machine (2-core shared VM, Debian 12,
//! 5 s per pacer, 2026-11-26, `sleep_accuracy 5`):
//!
//! ```text
//! pacer         p50 µs   p99 µs  p99.9 µs   max µs   CPU %
//! std-sleep       79.9    213.0     401.4    458.3     0.5
//! spin-sleep       0.4    129.0     319.5    475.2     1.5
//! adaptive         0.1     33.8     188.4   1429.1     6.2
//! busy-spin        0.1     43.0    5111.8   5579.8    99.2
//!
//! std::thread::sleep(1 ms) overshoot, 2000 sleeps each:
//! default slack  p50 67.6 µs, p99 233.5 µs, p99.9 376.8 µs, max 1065.7 µs
//! slack 1 ns     p50 16.1 µs, p99 62.5 µs, p99.9 524.3 µs, max 913.8 µs
//! ```
//! Lowering the timer slack cuts the typical overshoot fourfold; the tail
//! is the virtual machine's. Even busy spinning was preempted for 5 ms in
//! this run: compare pacers within one run, never across runs.
//! (See BENCHMARKS.md for the full figures and how they were taken.)

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use why_threads::core::pacing::{Deadlines, period_of};
use why_threads::core::stats::Histogram;
use why_threads::shell::clock::Clock;
use why_threads::shell::pacer::{Pacer, PacerKind};
use why_threads::sys::thread as os;

macro_rules! outln {
    ($out:ident, $($arg:tt)*) => { let _ = writeln!($out, $($arg)*); };
}

fn main() {
    let mut out = String::new();
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let clock = Clock::new();
    let period = period_of(240);
    let mut results: Vec<(PacerKind, Histogram, Duration, Duration)> = PacerKind::ALL
        .iter()
        .map(|&k| (k, Histogram::new(), Duration::ZERO, Duration::ZERO))
        .collect();
    let slice = Duration::from_millis(250);
    let rounds = (seconds / slice.as_secs_f64()).ceil() as u32;
    let mut pacer = Pacer::new(PacerKind::StdSleep);
    for _ in 0..rounds {
        for (kind, late, cpu, wall) in &mut results {
            pacer.set_kind(*kind);
            let start = clock.now();
            let cpu0 = os::cpu_time();
            let mut deadlines = Deadlines::new(start, period);
            while clock.now() < start + slice {
                let woke = pacer.wait_until(&clock, deadlines.next());
                late.record_duration(deadlines.arrive(woke).lateness());
            }
            *cpu += os::cpu_time().saturating_sub(cpu0);
            *wall += clock.now().saturating_sub(start);
        }
    }
    outln!(
        out,
        "{seconds} s per pacer at 240 Hz, lateness after the deadline:"
    );
    outln!(
        out,
        "{:<11} {:>8} {:>8} {:>9} {:>8} {:>7}",
        "pacer",
        "p50 µs",
        "p99 µs",
        "p99.9 µs",
        "max µs",
        "CPU %"
    );
    for (kind, h, cpu, wall) in &results {
        let us = |v: u64| v as f64 / 1e3;
        outln!(
            out,
            "{:<11} {:>8.1} {:>8.1} {:>9.1} {:>8.1} {:>7.1}",
            kind.name(),
            us(h.percentile(0.5)),
            us(h.percentile(0.99)),
            us(h.percentile(0.999)),
            us(h.max()),
            100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
        );
    }

    outln!(
        out,
        "\nstd::thread::sleep(1 ms) overshoot, 2000 sleeps each:"
    );
    let default_slack = os::timer_slack();
    for (label, slack) in [("default slack", default_slack), ("slack 1 ns", Some(1))] {
        if let Some(s) = slack {
            os::set_timer_slack(s);
        }
        let mut h = Histogram::new();
        for _ in 0..2000 {
            let t0 = clock.now();
            std::thread::sleep(Duration::from_millis(1));
            h.record_duration(clock.now().saturating_sub(t0 + Duration::from_millis(1)));
        }
        outln!(
            out,
            "{label:<14} p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
            h.percentile(0.5) as f64 / 1e3,
            h.percentile(0.99) as f64 / 1e3,
            h.percentile(0.999) as f64 / 1e3,
            h.max() as f64 / 1e3
        );
    }
    if let Some(s) = default_slack {
        os::set_timer_slack(s);
    }
    outln!(
        out,
        "adaptive: {} native sleeps woke past the deadline; margin now {:?}",
        pacer.slept_past_deadline,
        pacer.margin()
    );
    // One write at the end; a closed pipe is not worth a panic.
    let _ = std::io::stdout().write_all(out.as_bytes());
}
