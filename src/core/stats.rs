//! Statistics in bounded memory: the per-mode figures the brief defines,
//! kept in log-linear histograms (core/histogram.rs) for percentiles over
//! a whole run and in small rings for the overlay's graphs.
//!
//! All durations are recorded in nanoseconds. Memory is allocated when a
//! [`ModeStats`] is made and never again.

use std::time::Duration;

pub use super::histogram::{Histogram, SignedHistogram};

use super::pacing::Tick;
use super::schedule::Subsystem;

/// The last `N` values of a series, oldest first, for graphs.
#[derive(Clone, Debug)]
pub struct Recent<const N: usize> {
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
    pub fn push(&mut self, v: f32) {
        self.values[self.next] = v;
        self.next = (self.next + 1) % N;
        self.len = (self.len + 1).min(N);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = f32> + '_ {
        let start = if self.len < N { 0 } else { self.next };
        (0..self.len).map(move |i| self.values[(start + i) % N])
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.next = 0;
    }
}

/// CapFrameX's stutter rule: a frame time over 2.5× the moving average of
/// the frames before it.
#[derive(Clone, Debug, Default)]
pub struct StutterDetector {
    window: Recent<{ StutterDetector::WINDOW }>,
}

impl StutterDetector {
    /// Frames in the moving average.
    pub const WINDOW: usize = 20;
    pub const FACTOR: f32 = 2.5;

    /// Records a frame time; returns whether it was a stutter. The first
    /// few frames only fill the average.
    pub fn push(&mut self, frame_ms: f32) -> bool {
        let stutter = self.window.len() >= 5 && {
            let avg = self.window.iter().sum::<f32>() / self.window.len() as f32;
            frame_ms > Self::FACTOR * avg
        };
        self.window.push(frame_ms);
        stutter
    }

    pub fn clear(&mut self) {
        self.window.clear();
    }
}

/// Points kept for the overlay's graphs.
pub const GRAPH_POINTS: usize = 240;

/// Everything measured while one input mode was active.
#[derive(Clone, Debug)]
pub struct ModeStats {
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
    /// Age of the newest sample when the loop consumed it.
    pub input_age: Histogram,
    /// Age of the oldest sample of each read: how long a report waited
    /// for the loop (a tick's period in threaded mode; the longest handler
    /// in the events mode).
    pub oldest_age: Histogram,
    pub channel_depth_max: u64,
    pub dropped: u64,
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
    pub fn resume(&mut self) {
        self.last_tick_start = None;
        self.last_frame = None;
        self.stutter.clear();
    }

    /// A new stretch in this mode reads reports from number `first_seq` on:
    /// reports numbered below it were produced before the stretch began,
    /// belong to the mode that ran then, and never count as seen here.
    pub fn begin_stretch(&mut self, first_seq: u64) {
        if let Some(before) = first_seq.checked_sub(1) {
            self.last_seq = Some(self.last_seq.map_or(before, |last| last.max(before)));
        }
    }

    /// Records a tick of a loop whose period is `period`.
    pub fn on_tick(&mut self, tick: &Tick, period: Duration) {
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

    /// Records a frame presented at `at`.
    pub fn on_frame(&mut self, at: Duration) {
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

    /// Records the samples one mouse read consumed at `now`: how many, and
    /// the newest one's sequence number and time.
    pub fn on_mouse_read(&mut self, now: Duration, samples: u64, newest: (u64, Duration)) {
        self.samples_per_tick.record(samples);
        if samples == 0 {
            return;
        }
        self.mouse_samples += samples;
        let (newest_seq, newest_time) = newest;
        let fresh = match self.last_seq {
            Some(last) if newest_seq <= last => 0,
            Some(last) => (newest_seq - last).min(samples),
            None => samples,
        };
        self.reports_seen += fresh;
        self.last_seq = Some(newest_seq);
        self.input_age
            .record_duration(now.saturating_sub(newest_time));
    }

    /// Records how old the oldest sample of a read was when consumed at `now`.
    pub fn on_oldest(&mut self, now: Duration, oldest: Duration) {
        self.oldest_age.record_duration(now.saturating_sub(oldest));
    }

    /// Records a tick that read the mouse and found nothing new.
    pub fn on_mouse_empty(&mut self) {
        self.samples_per_tick.record(0);
    }

    pub fn on_channel(&mut self, depth: u64) {
        self.channel_depth_max = self.channel_depth_max.max(depth);
    }

    pub fn on_work(&mut self, s: Subsystem, d: Duration) {
        self.work[s.index()].record_duration(d);
    }

    /// 1 % low in frames per second: 1000 / mean of the frame times (ms) at
    /// or above the 99th percentile.
    pub fn one_percent_low_fps(&self) -> f64 {
        let ms = self.frame_time.mean_at_or_above(0.99) / 1e6;
        if ms > 0.0 { 1000.0 / ms } else { 0.0 }
    }

    /// Frames per second over the time this mode was active.
    pub fn fps(&self) -> f64 {
        per_second(self.frames, self.active)
    }

    /// Mean samples consumed per tick.
    pub fn mean_samples_per_tick(&self) -> f64 {
        self.samples_per_tick.mean()
    }

    /// CPU used by the loop and the reader, in percent of one core.
    pub fn cpu_percent(&self) -> f64 {
        percent(self.cpu_loop + self.cpu_reader, self.active)
    }

    /// Measured loop rate: ticks per second of activity.
    pub fn measured_hz(&self) -> f64 {
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
mod tests {
    use super::*;

    #[test]
    fn recent_keeps_the_last_n_oldest_first() {
        let mut r = Recent::<3>::default();
        for v in 1..=5 {
            r.push(v as f32);
        }
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![3.0, 4.0, 5.0]);
    }

    #[test]
    fn stutter_is_a_frame_over_two_and_a_half_times_the_moving_average() {
        let mut s = StutterDetector::default();
        for _ in 0..10 {
            assert!(!s.push(16.0));
        }
        assert!(!s.push(40.0)); // exactly 2.5x: not over
        let avg = (9.0 * 16.0 + 40.0) / 11.0;
        assert!(!s.push(2.5 * avg - 0.01));
        let mut s = StutterDetector::default();
        for _ in 0..10 {
            s.push(16.0);
        }
        assert!(s.push(40.1));
    }

    fn tick(start_us: u64, deadline_us: u64, missed: u64) -> Tick {
        Tick {
            index: 0,
            deadline: Duration::from_micros(deadline_us),
            start: Duration::from_micros(start_us),
            missed,
        }
    }

    #[test]
    fn mode_stats_lateness_and_period_error() {
        let mut m = ModeStats::default();
        let period = Duration::from_micros(1000);
        // Starts at 1000, 2010, 3000, 4500 (deadlines 1000, 2000, 3000, 4000).
        m.on_tick(&tick(1000, 1000, 0), period);
        m.on_tick(&tick(2010, 2000, 0), period);
        m.on_tick(&tick(3000, 3000, 0), period);
        m.on_tick(&tick(4500, 4000, 0), period);
        assert_eq!(m.ticks, 4);
        assert_eq!(m.lateness.max(), 500_000);
        // Period errors: +10 µs, -10 µs, +500 µs.
        assert_eq!(m.period_error.count(), 3);
        assert_eq!(m.period_error.percentile(0.0), -10_000);
        assert_eq!(m.period_error.max(), 500_000);
        m.resume();
        m.on_tick(&tick(9000, 9000, 4), period);
        assert_eq!(m.period_error.count(), 3, "no period across a pause");
        assert_eq!(m.missed_ticks, 4);
    }

    #[test]
    fn mode_stats_frames_stutters_and_one_percent_low() {
        let mut m = ModeStats::default();
        let mut t = Duration::ZERO;
        // 99 frames of 16 ms (exact in the histogram: 16 ms is not, so use
        // 2^24 ns ≈ 16.78 ms) and one of 4x that.
        let base = Duration::from_nanos(1 << 24);
        m.on_frame(t);
        for i in 0..100 {
            t += if i == 50 { base * 4 } else { base };
            m.on_frame(t);
        }
        assert_eq!(m.frames, 101);
        assert_eq!(m.frame_time.count(), 100);
        assert_eq!(m.stutters, 1);
        assert_eq!(m.frame_time.percentile(0.5), 1 << 24);
        // The 99th percentile is base: the mean at or above it is (99·base + 4·base) / 100
        // ... but "at or above the p99 value" includes every frame here, so:
        let low = 1000.0 / ((99.0 + 4.0) * (1u64 << 24) as f64 / 100.0 / 1e6);
        assert!((m.one_percent_low_fps() - low).abs() < 1e-9);
    }

    #[test]
    fn mode_stats_counts_distinct_reports_and_input_age() {
        let mut m = ModeStats::default();
        let ms = Duration::from_millis;
        // Polled: one sample per tick, sometimes the same report twice.
        m.on_mouse_read(ms(10), 1, (7, ms(9)));
        m.on_mouse_read(ms(11), 1, (7, ms(9)));
        m.on_mouse_read(ms(12), 1, (9, ms(12)));
        assert_eq!((m.mouse_samples, m.reports_seen), (3, 3 - 1));
        assert_eq!(m.input_age.max(), 2_000_000);
        m.on_oldest(ms(20), ms(15));
        assert_eq!(m.oldest_age.max(), 5_000_000);
        // Threaded: a batch of four.
        m.on_mouse_read(ms(20), 4, (13, ms(19)));
        assert_eq!((m.mouse_samples, m.reports_seen), (7, 6));
        assert_eq!(m.samples_per_tick.max(), 4);
        m.on_mouse_empty();
        assert_eq!(m.samples_per_tick.count(), 5);
        assert_eq!(m.mean_samples_per_tick(), 7.0 / 5.0);
    }

    #[test]
    fn reports_made_before_a_stretch_are_not_seen_in_it() {
        let mut m = ModeStats::default();
        let ms = Duration::from_millis;
        m.begin_stretch(100);
        // Report 99 was made before this stretch began: a sample, not seen.
        m.on_mouse_read(ms(1), 1, (99, ms(1)));
        assert_eq!((m.mouse_samples, m.reports_seen), (1, 0));
        m.on_mouse_read(ms(2), 3, (102, ms(2)));
        assert_eq!(m.reports_seen, 3);
        // A later stretch never moves the mark backwards.
        m.begin_stretch(50);
        m.on_mouse_read(ms(3), 1, (102, ms(3)));
        assert_eq!(m.reports_seen, 3);
        m.begin_stretch(0);
        m.on_mouse_read(ms(4), 1, (103, ms(4)));
        assert_eq!(m.reports_seen, 4);
    }

    #[test]
    fn rates_and_percentages() {
        let mut m = ModeStats {
            active: Duration::from_secs(2),
            ticks: 480,
            cpu_loop: Duration::from_millis(100),
            cpu_reader: Duration::from_millis(20),
            ..ModeStats::default()
        };
        assert_eq!(m.measured_hz(), 240.0);
        assert!((m.cpu_percent() - 6.0).abs() < 1e-9);
        m.active = Duration::ZERO;
        assert_eq!(m.cpu_percent(), 0.0);
    }
}
