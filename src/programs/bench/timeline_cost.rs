//! `bench --timeline`: what recording the thread timeline costs the loop.
//! Each mode runs with the timeline recording and without it, interleaved
//! in the same run, and the loop's time is compared where the recording
//! happens: its own overhead between subsystems (spans, the sleep, the
//! hand-over's drain), away from the display's noise and from a mode's
//! blocking read. The marks of consumed reports are made inside the mouse
//! subsystem; the recorder's calls alone, timed in a tight loop, include
//! them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::Config;
use crate::core::histogram::Histogram;
use crate::core::report::ModeReport;
use crate::core::schedule::Subsystem;
use crate::core::stats::ModeStats;
use crate::core::timeline::{Activity, Lane};
use crate::shell::clock::Clock;
use crate::shell::timeline::TimelineRecorder;

/// What recording the thread timeline costs the loop, in one mode.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineCost {
    pub loop_hz: u32,
    /// The loop's busy time per tick (everything but waiting), off and on.
    pub busy_per_tick_us_off: f64,
    pub busy_per_tick_us_on: f64,
    /// The loop's overhead per tick, on − off: the recording's cost.
    pub recording_us_per_tick: f64,
    /// That cost as a share of the loop's busy time (off).
    pub cost_percent_of_busy: f64,
    /// That cost as a share of the loop's period.
    pub cost_percent_of_period: f64,
    /// The loop thread's CPU, off and on.
    pub cpu_loop_percent_off: f64,
    pub cpu_loop_percent_on: f64,
}

fn per_tick_us<'a>(s: &ModeStats, parts: impl Iterator<Item = &'a Histogram>) -> f64 {
    if s.ticks == 0 {
        return 0.0;
    }
    let total: f64 = parts.map(|h| h.mean() * h.count() as f64).sum();
    total / s.ticks as f64 / 1e3
}

/// Busy time per tick: every subsystem's work plus the loop's overhead.
fn busy_us(s: &ModeStats) -> f64 {
    per_tick_us(s, s.work.iter().chain(std::iter::once(&s.overhead)))
}

/// Where the timeline records: the loop's overhead between subsystems.
fn recording_place_us(s: &ModeStats) -> f64 {
    per_tick_us(s, std::iter::once(&s.overhead))
}

/// Each mode with the timeline on, against the same mode off (the
/// project's pacer, no job).
pub(super) fn costs(configs: &[Config]) -> BTreeMap<&'static str, TimelineCost> {
    super::beside(configs, |c| c.timeline)
        .map(|(off, on)| {
            let (a, b) = (busy_us(off.stats()), busy_us(on.stats()));
            let (ra, rb) = (
                ModeReport::from_stats(off.stats()),
                ModeReport::from_stats(on.stats()),
            );
            let recording = recording_place_us(on.stats()) - recording_place_us(off.stats());
            let period_us = 1e6 / f64::from(rb.loop_hz.max(1));
            let cost = TimelineCost {
                loop_hz: rb.loop_hz,
                busy_per_tick_us_off: a,
                busy_per_tick_us_on: b,
                recording_us_per_tick: recording,
                cost_percent_of_busy: if a > 0.0 { 100.0 * recording / a } else { 0.0 },
                cost_percent_of_period: 100.0 * recording / period_us,
                cpu_loop_percent_off: ra.cpu_loop_percent,
                cpu_loop_percent_on: rb.cpu_loop_percent,
            };
            (on.mode.name(), cost)
        })
        .collect()
}

/// The recorder's own calls for one polled tick (sleep, tick, a consumed
/// report, the mouse's span, the hand-over's drain), timed in a tight
/// loop with recording on and off: the cost without the machine's noise,
/// in nanoseconds per tick.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RecorderCalls {
    pub ns_per_tick_on: f64,
    pub ns_per_tick_off: f64,
}

pub(super) fn recorder_calls() -> RecorderCalls {
    const TICKS: u64 = 200_000;
    let mut r = TimelineRecorder::new(true, Clock::new());
    let time = |r: &mut TimelineRecorder| {
        let started = Instant::now();
        for i in 0..TICKS {
            let t0 = Duration::from_micros(i);
            let t1 = t0 + Duration::from_nanos(500);
            r.slept(t0, t1);
            r.begin_tick(i, Duration::ZERO, "polled", 1000);
            r.consumed(i, t0, Lane::Loop, t1, t1);
            r.ran(Activity::Run(Subsystem::Mouse), t1, t1);
            r.drain();
        }
        started.elapsed().as_nanos() as f64 / TICKS as f64
    };
    let on = time(&mut r);
    r.set_on(false);
    let off = time(&mut r);
    RecorderCalls {
        ns_per_tick_on: on,
        ns_per_tick_off: off,
    }
}

/// The table's TIMELINE section (nothing without `--timeline`).
pub(crate) fn section(
    out: &mut String,
    costs: &BTreeMap<&'static str, TimelineCost>,
    calls: Option<RecorderCalls>,
) {
    if costs.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nTIMELINE (recording on vs off, same run; adaptive pacer)"
    );
    let _ = writeln!(
        out,
        "{:<15} {:>8} {:>18} {:>15} {:>9} {:>11} {:>17}",
        "mode",
        "loop Hz",
        "busy/tick off/on",
        "recording/tick",
        "% of busy",
        "% of period",
        "loop CPU % off/on"
    );
    for (name, t) in costs {
        let _ = writeln!(
            out,
            "{:<15} {:>8} {:>18} {:>13.2}µs {:>8.2}% {:>10.3}% {:>17}",
            name,
            t.loop_hz,
            format!(
                "{:.1}/{:.1}µs",
                t.busy_per_tick_us_off, t.busy_per_tick_us_on
            ),
            t.recording_us_per_tick,
            t.cost_percent_of_busy,
            t.cost_percent_of_period,
            format!("{:.2}/{:.2}", t.cpu_loop_percent_off, t.cpu_loop_percent_on)
        );
    }
    if let Some(c) = calls {
        let _ = writeln!(
            out,
            "recorder calls alone (a polled tick, tight loop): {:.0} ns per tick on, {:.0} ns off",
            c.ns_per_tick_on, c.ns_per_tick_off
        );
    }
}
