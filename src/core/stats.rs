//! Statistics in bounded memory: the per-mode figures the brief defines,
//! kept in log-linear histograms (core/histogram.rs) for percentiles over
//! a whole run and in small rings for the overlay's graphs.
//!
//! All durations are recorded in nanoseconds. Memory is allocated when a
//! [`ModeStats`] is made and never again.

use std::time::Duration;

pub use super::histogram::{Histogram, SignedHistogram};

use super::latency::{Fate, FrameInput, FrameLatency, Latency, Presented};
use super::pacing::Tick;
use super::schedule::Subsystem;

/// The last `N` values of a series, oldest first, for graphs.
#[derive(Clone, Debug)]
pub(crate) struct Recent<const N: usize> {
    values: [f32; N],
    len: usize,
    next: usize,
}

impl<const N: usize> Default for Recent<N> {
    fn default() -> Self {
        Self {
            values: [0.0; N],
            len: 0,
            next: 0,
        }
    }
}

impl<const N: usize> Recent<N> {
    pub(crate) fn push(&mut self, v: f32) {
        self.values[self.next] = v;
        self.next = (self.next + 1) % N;
        self.len = (self.len + 1).min(N);
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = f32> + '_ {
        let start = if self.len < N { 0 } else { self.next };
        (0..self.len).map(move |i| self.values[(start + i) % N])
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.next = 0;
    }
}

/// CapFrameX's stutter rule: a frame time over 2.5× the moving average of
/// the frames before it.
#[derive(Clone, Debug, Default)]
pub(crate) struct StutterDetector {
    window: Recent<{ StutterDetector::WINDOW }>,
}

impl StutterDetector {
    /// Frames in the moving average.
    pub(crate) const WINDOW: usize = 20;
    pub(crate) const FACTOR: f32 = 2.5;

    /// Records a frame time; returns whether it was a stutter. The first
    /// few frames only fill the average.
    pub(crate) fn push(&mut self, frame_ms: f32) -> bool {
        let stutter = self.window.len() >= 5 && {
            let avg = self.window.iter().sum::<f32>() / self.window.len() as f32;
            frame_ms > Self::FACTOR * avg
        };
        self.window.push(frame_ms);
        stutter
    }

    pub(crate) fn clear(&mut self) {
        self.window.clear();
    }
}

/// Points kept for the overlay's graphs.
pub(crate) const GRAPH_POINTS: usize = 240;

/// Everything measured while one input mode was active.
#[derive(Clone, Debug)]
pub(crate) struct ModeStats {
    /// Loop rate in force (hertz).
    pub loop_hz: u32,
    /// Wall time this mode was active.
    pub active: Duration,
    pub ticks: u64,
    pub missed_ticks: u64,
    pub lateness: Histogram,
    pub period_error: SignedHistogram,
    pub frame_time: Histogram,
    pub frames: u64,
    pub stutters: u64,
    /// Mouse samples the loop consumed (one per tick when polled).
    pub mouse_samples: u64,
    /// Distinct reports among them.
    pub reports_seen: u64,
    /// Reports the device produced while this mode was active.
    pub reports_generated: u64,
    /// Samples consumed per tick (only ticks that read the mouse).
    pub samples_per_tick: Histogram,
    /// Age of the newest sample when the loop consumed it (new input
    /// only: not a report polled again).
    pub input_age: Histogram,
    /// Age of the oldest sample of each read of new input: how long a
    /// report waited for the loop (a tick's period in threaded mode; the
    /// longest handler in the events mode).
    pub oldest_age: Histogram,
    pub channel_depth_max: u64,
    pub dropped: u64,
    /// Each presented frame's input, made → presented, in stages.
    pub latency: Latency,
    /// Present returned → shown, for frames whose display time the window
    /// system gave; frames it skipped (replaced before shown).
    pub present_to_shown: Histogram,
    pub skipped_frames: u64,
    /// Frames the window system completed without a display time
    /// (composited, or copied at once without waiting for a refresh).
    pub untimed_frames: u64,
    /// Late latching: reports taken just before drawing, and what each
    /// latch cost the loop.
    pub latched: u64,
    pub latch_work: Histogram,
    /// The input of the frame being built (consumed, not yet presented).
    pub frame_input: FrameInput,
    /// Work time per subsystem.
    pub work: [Histogram; Subsystem::COUNT],
    /// Time per tick spent in neither the pacer nor a subsystem.
    pub overhead: Histogram,
    /// CPU time of the loop thread and of the `read_mouse` thread.
    pub cpu_loop: Duration,
    pub cpu_reader: Duration,
    pub recent_frame_ms: Recent<GRAPH_POINTS>,
    pub recent_lateness_us: Recent<GRAPH_POINTS>,
    stutter: StutterDetector,
    last_tick_start: Option<Duration>,
    last_frame: Option<Duration>,
    last_seq: Option<u64>,
}

impl Default for ModeStats {
    fn default() -> Self {
        Self {
            loop_hz: 0,
            active: Duration::ZERO,
            ticks: 0,
            missed_ticks: 0,
            lateness: Histogram::new(),
            period_error: SignedHistogram::default(),
            frame_time: Histogram::new(),
            frames: 0,
            stutters: 0,
            mouse_samples: 0,
            reports_seen: 0,
            reports_generated: 0,
            samples_per_tick: Histogram::new(),
            input_age: Histogram::new(),
            oldest_age: Histogram::new(),
            latency: Latency::default(),
            present_to_shown: Histogram::new(),
            skipped_frames: 0,
            untimed_frames: 0,
            latched: 0,
            latch_work: Histogram::new(),
            frame_input: FrameInput::default(),
            channel_depth_max: 0,
            dropped: 0,
            work: std::array::from_fn(|_| Histogram::new()),
            overhead: Histogram::new(),
            cpu_loop: Duration::ZERO,
            cpu_reader: Duration::ZERO,
            recent_frame_ms: Recent::default(),
            recent_lateness_us: Recent::default(),
            stutter: StutterDetector::default(),
            last_tick_start: None,
            last_frame: None,
            last_seq: None,
        }
    }
}

impl ModeStats {
    /// Forget the previous tick and frame: the next ones start a new run
    /// of this mode (after a switch or a pause), not a long period.
    pub(crate) fn resume(&mut self) {
        self.last_tick_start = None;
        self.last_frame = None;
        self.frame_input = FrameInput::default();
        self.stutter.clear();
    }

    /// A new stretch in this mode reads reports from number `first_seq` on:
    /// reports numbered below it were produced before the stretch began,
    /// belong to the mode that ran then, and never count as seen here.
    pub(crate) fn begin_stretch(&mut self, first_seq: u64) {
        if let Some(before) = first_seq.checked_sub(1) {
            self.last_seq = Some(self.last_seq.map_or(before, |last| last.max(before)));
        }
        self.frame_input.begin_at(first_seq);
    }

    /// Records a tick of a loop whose period is `period`.
    pub(crate) fn on_tick(&mut self, tick: &Tick, period: Duration) {
        self.ticks += 1;
        self.missed_ticks += tick.missed;
        let late = tick.lateness();
        self.lateness.record_duration(late);
        self.recent_lateness_us.push(late.as_secs_f32() * 1e6);
        if let Some(prev) = self.last_tick_start {
            let actual = tick.start.as_nanos() as i128 - prev.as_nanos() as i128;
            let error = actual - period.as_nanos() as i128;
            self.period_error
                .record(error.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
        }
        self.last_tick_start = Some(tick.start);
    }

    /// Records a frame handed to the display at `submitted` and presented
    /// at `presented`; returns the path of the input it shows, if new.
    pub(crate) fn on_frame(
        &mut self,
        submitted: Duration,
        presented: Duration,
    ) -> Option<FrameLatency> {
        let shown = self.frame_input.presented(submitted, presented);
        if let Some(frame) = &shown {
            self.latency.record(frame);
        }
        self.on_presented(presented);
        shown
    }

    /// The window system said what became of frame `p`, drawn in this mode.
    pub(crate) fn on_completion(&mut self, p: &Presented, fate: Fate) {
        match fate {
            Fate::Shown(at) => {
                self.present_to_shown
                    .record_duration(at.saturating_sub(p.presented));
                if let Some(input) = &p.input {
                    self.latency.record_shown(input, at);
                }
            }
            Fate::Skipped => self.skipped_frames += 1,
            Fate::Untimed => self.untimed_frames += 1,
        }
    }

    fn on_presented(&mut self, at: Duration) {
        self.frames += 1;
        if let Some(prev) = self.last_frame {
            let ft = at.saturating_sub(prev);
            let ms = ft.as_secs_f32() * 1e3;
            self.frame_time.record_duration(ft);
            self.recent_frame_ms.push(ms);
            if self.stutter.push(ms) {
                self.stutters += 1;
            }
        }
        self.last_frame = Some(at);
    }

    /// Records one read of the mouse at `now`: how many samples it
    /// consumed, the newest one's sequence number and time, and the oldest
    /// one's time. A read that found only a report it found before (a
    /// still mouse, polled again) is a sample but no new input: it has no
    /// age, or a lecture's idle minutes would read as latency.
    pub(crate) fn on_mouse_read(
        &mut self,
        now: Duration,
        samples: u64,
        newest: (u64, Duration),
        oldest: Duration,
    ) {
        self.samples_per_tick.record(samples);
        if samples == 0 {
            return;
        }
        self.mouse_samples += samples;
        let (newest_seq, newest_time) = newest;
        let fresh = match self.last_seq {
            Some(last) if newest_seq <= last => return,
            Some(last) => (newest_seq - last).min(samples),
            None => samples,
        };
        self.reports_seen += fresh;
        self.last_seq = Some(newest_seq);
        self.input_age
            .record_duration(now.saturating_sub(newest_time));
        self.oldest_age.record_duration(now.saturating_sub(oldest));
    }

    /// Records a tick that read the mouse and found nothing new.
    pub(crate) fn on_mouse_empty(&mut self) {
        self.samples_per_tick.record(0);
    }

    pub(crate) fn on_channel(&mut self, depth: u64) {
        self.channel_depth_max = self.channel_depth_max.max(depth);
    }

    pub(crate) fn on_work(&mut self, s: Subsystem, d: Duration) {
        self.work[s.index()].record_duration(d);
    }

    /// 1 % low in frames per second: 1000 / mean of the frame times (ms) at
    /// or above the 99th percentile.
    pub(crate) fn one_percent_low_fps(&self) -> f64 {
        let ms = self.frame_time.mean_at_or_above(0.99) / 1e6;
        if ms > 0.0 { 1000.0 / ms } else { 0.0 }
    }

    /// Frames per second over the time this mode was active.
    pub(crate) fn fps(&self) -> f64 {
        per_second(self.frames, self.active)
    }

    /// Mean samples consumed per tick.
    pub(crate) fn mean_samples_per_tick(&self) -> f64 {
        self.samples_per_tick.mean()
    }

    /// CPU used by the loop and the reader, in percent of one core.
    pub(crate) fn cpu_percent(&self) -> f64 {
        percent(self.cpu_loop + self.cpu_reader, self.active)
    }

    /// Measured loop rate: ticks per second of activity.
    pub(crate) fn measured_hz(&self) -> f64 {
        per_second(self.ticks, self.active)
    }
}

pub(crate) fn per_second(n: u64, over: Duration) -> f64 {
    if over.is_zero() {
        0.0
    } else {
        n as f64 / over.as_secs_f64()
    }
}

pub(crate) fn percent(part: Duration, whole: Duration) -> f64 {
    if whole.is_zero() {
        0.0
    } else {
        100.0 * part.as_secs_f64() / whole.as_secs_f64()
    }
}

#[cfg(test)]
mod tests;
