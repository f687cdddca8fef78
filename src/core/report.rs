//! The machine-readable report (the brief's contract), built from the
//! statistics. Field names are stable: scripts and tests rely on them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::latency::{Latency, Stage};
use super::schedule::Subsystem;
use super::stats::{Histogram, ModeStats, SignedHistogram, percent};

/// The fields every mode's report has, by the brief's contract (more are welcome).
pub const CONTRACT_FIELDS: [&str; 11] = [
    "ticks",
    "loop_hz",
    "lateness_us",
    "period_error_us",
    "frame_time_ms",
    "stutters",
    "mouse_samples",
    "samples_per_tick",
    "input_age_us",
    "dropped",
    "cpu_percent",
];

/// Percentiles of one figure, in the unit its field name says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl Percentiles {
    /// From a histogram of nanoseconds, divided by `unit` nanoseconds.
    pub(crate) fn of(h: &Histogram, unit: f64) -> Self {
        Self {
            p50: h.percentile(0.5) as f64 / unit,
            p99: h.percentile(0.99) as f64 / unit,
            p999: h.percentile(0.999) as f64 / unit,
            max: h.max() as f64 / unit,
        }
    }

    pub(crate) fn of_signed(h: &SignedHistogram, unit: f64) -> Self {
        Self {
            p50: h.percentile(0.5) as f64 / unit,
            p99: h.percentile(0.99) as f64 / unit,
            p999: h.percentile(0.999) as f64 / unit,
            max: h.max() as f64 / unit,
        }
    }
}

const US: f64 = 1e3;
const MS: f64 = 1e6;

/// Work time of one subsystem.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub(crate) struct WorkReport {
    pub runs: u64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    /// Share of the mode's wall time spent in this subsystem.
    pub load_percent: f64,
}

/// Everything measured in one mode.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct ModeReport {
    pub ticks: u64,
    /// The loop rate the schedule asked for.
    pub loop_hz: u32,
    /// Ticks per second actually run.
    pub measured_hz: f64,
    pub seconds: f64,
    pub missed_ticks: u64,
    pub lateness_us: Percentiles,
    pub period_error_us: Percentiles,
    pub frame_time_ms: Percentiles,
    pub frames: u64,
    pub fps: f64,
    pub one_percent_low_fps: f64,
    pub stutters: u64,
    pub mouse_samples: u64,
    pub reports_seen: u64,
    pub reports_generated: u64,
    pub samples_per_tick: f64,
    pub samples_per_tick_max: u64,
    pub input_age_us: Percentiles,
    /// How long the oldest report of each read had waited for the loop.
    pub oldest_age_us: Percentiles,
    pub channel_depth_max: u64,
    pub dropped: u64,
    pub cpu_percent: f64,
    pub cpu_loop_percent: f64,
    pub cpu_reader_percent: f64,
    pub overhead_us: Percentiles,
    pub work_us: BTreeMap<&'static str, WorkReport>,
    /// From the mouse to the screen: frames that showed new input, and
    /// for the newest report of each, made → present returned (the
    /// display's own time is not known here: not photons).
    pub latency_frames: u64,
    pub input_to_present_us: Percentiles,
    /// The same for the oldest report each frame folded in.
    pub oldest_input_to_present_us: Percentiles,
    /// The newest report's way, leg by leg, in order.
    pub latency_stages_us: [StageReport; Stage::COUNT],
    /// Where the window system says when a frame was shown (X11 Present):
    /// frames shown with a known time, and present returned → shown;
    /// frames skipped (replaced before shown). Zero where it does not say.
    pub shown_frames: u64,
    pub skipped_frames: u64,
    /// Completed without a display time: composited (the compositor shows
    /// the frame later, at a time nobody tells), or copied at once.
    pub untimed_frames: u64,
    pub present_to_shown_us: Percentiles,
    /// Newest report made → shown, for the frames with input and a known
    /// display time; the oldest report's (PresentMon's "all input to photon").
    pub input_to_shown_us: Percentiles,
    pub oldest_input_to_shown_us: Percentiles,
    /// Late latching: reports taken just before drawing, and each latch's
    /// cost to the loop (zero runs when it was off).
    pub latched_reports: u64,
    pub latch_us: Percentiles,
}

/// One leg of a report's way to the screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub(crate) struct StageReport {
    pub stage: &'static str,
    pub p50: f64,
    pub p99: f64,
}

fn stages(l: &Latency) -> [StageReport; Stage::COUNT] {
    Stage::ALL.map(|s| {
        let h = &l.legs[s.index()];
        StageReport {
            stage: s.name(),
            p50: h.percentile(0.5) as f64 / US,
            p99: h.percentile(0.99) as f64 / US,
        }
    })
}

impl ModeReport {
    pub(crate) fn from_stats(s: &ModeStats) -> Self {
        let work_us = Subsystem::ALL
            .into_iter()
            .filter(|sub| s.work[sub.index()].count() > 0)
            .map(|sub| {
                let h = &s.work[sub.index()];
                let total = Duration::from_nanos((h.mean() * h.count() as f64) as u64);
                let w = WorkReport {
                    runs: h.count(),
                    p50_us: h.percentile(0.5) as f64 / US,
                    p99_us: h.percentile(0.99) as f64 / US,
                    max_us: h.max() as f64 / US,
                    load_percent: percent(total, s.active),
                };
                (sub.name(), w)
            })
            .collect();
        Self {
            ticks: s.ticks,
            loop_hz: s.loop_hz,
            measured_hz: s.measured_hz(),
            seconds: s.active.as_secs_f64(),
            missed_ticks: s.missed_ticks,
            lateness_us: Percentiles::of(&s.lateness, US),
            period_error_us: Percentiles::of_signed(&s.period_error, US),
            frame_time_ms: Percentiles::of(&s.frame_time, MS),
            frames: s.frames,
            fps: s.fps(),
            one_percent_low_fps: s.one_percent_low_fps(),
            stutters: s.stutters,
            mouse_samples: s.mouse_samples,
            reports_seen: s.reports_seen,
            reports_generated: s.reports_generated,
            samples_per_tick: s.mean_samples_per_tick(),
            samples_per_tick_max: s.samples_per_tick.max(),
            input_age_us: Percentiles::of(&s.input_age, US),
            oldest_age_us: Percentiles::of(&s.oldest_age, US),
            channel_depth_max: s.channel_depth_max,
            dropped: s.dropped,
            cpu_percent: s.cpu_percent(),
            cpu_loop_percent: percent(s.cpu_loop, s.active),
            cpu_reader_percent: percent(s.cpu_reader, s.active),
            overhead_us: Percentiles::of(&s.overhead, US),
            work_us,
            latency_frames: s.latency.frames(),
            input_to_present_us: Percentiles::of(&s.latency.whole, US),
            oldest_input_to_present_us: Percentiles::of(&s.latency.oldest_whole, US),
            latency_stages_us: stages(&s.latency),
            shown_frames: s.present_to_shown.count(),
            skipped_frames: s.skipped_frames,
            untimed_frames: s.untimed_frames,
            present_to_shown_us: Percentiles::of(&s.present_to_shown, US),
            input_to_shown_us: Percentiles::of(&s.latency.to_shown, US),
            oldest_input_to_shown_us: Percentiles::of(&s.latency.oldest_to_shown, US),
            latched_reports: s.latched,
            latch_us: Percentiles::of(&s.latch_work, US),
        }
    }
}

/// Every mode that ran, by name: `{"polled": {...}, "threaded": {...}}`.
/// The core does not know which modes exist: the shell hands over names
/// and figures (and lists them in its mode table's order where order matters).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Modes(BTreeMap<&'static str, ModeReport>);

impl Modes {
    /// The reports of the modes among `modes` that ran at least one tick.
    pub(crate) fn from_stats<'a>(
        modes: impl IntoIterator<Item = (&'static str, &'a ModeStats)>,
    ) -> Self {
        Self(
            modes
                .into_iter()
                .filter(|(_, s)| s.ticks > 0)
                .map(|(name, s)| (name, ModeReport::from_stats(s)))
                .collect(),
        )
    }

    /// The report of the mode called `name`, if it ran.
    pub(crate) fn get(&self, name: &str) -> Option<&ModeReport> {
        self.0.get(name)
    }

    /// Name and report of every mode that ran (by name).
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, &ModeReport)> {
        self.0.iter().map(|(n, r)| (*n, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pacing::Tick;

    #[test]
    fn report_fields_come_from_the_stats_in_their_units() {
        let mut s = ModeStats::default();
        s.loop_hz = 1000;
        s.active = Duration::from_secs(1);
        s.cpu_loop = Duration::from_millis(250);
        let period = Duration::from_micros(1000);
        for k in 1..=4u64 {
            let start = Duration::from_micros(k * 1000 + 10 * k);
            s.on_tick(
                &Tick {
                    index: k,
                    deadline: Duration::from_micros(k * 1000),
                    start,
                    missed: 0,
                },
                period,
            );
        }
        s.on_work(Subsystem::Physics, Duration::from_micros(50));
        let r = ModeReport::from_stats(&s);
        assert_eq!(r.ticks, 4);
        assert_eq!(r.loop_hz, 1000);
        // Within the histogram's 1/32 (the max is exact).
        let close = |a: f64, b: f64| (a - b).abs() <= b / 32.0;
        assert!(close(r.lateness_us.p50, 20.0), "{}", r.lateness_us.p50);
        assert_eq!(r.lateness_us.max, 40.0);
        assert!(
            close(r.period_error_us.p50, 10.0),
            "{}",
            r.period_error_us.p50
        );
        assert_eq!(r.cpu_percent, 25.0);
        assert_eq!(r.work_us["physics"].runs, 1);
        assert!(!r.work_us.contains_key("display"));

        let idle = ModeStats::default();
        let modes = Modes::from_stats([("polled", &s), ("threaded", &idle), ("blocking", &idle)]);
        let json = serde_json::to_value(&modes).unwrap_or_default();
        assert_eq!(json["polled"]["lateness_us"]["max"], 40.0);
        assert!(
            json.get("threaded").is_none(),
            "a mode that never ran is left out"
        );
        assert_eq!(modes.get("polled").map(|m| m.ticks), Some(4));
        assert_eq!(modes.iter().count(), 1);
        for key in CONTRACT_FIELDS {
            assert!(json["polled"].get(key).is_some(), "missing {key}");
        }
    }
}
