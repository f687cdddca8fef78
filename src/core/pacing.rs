//! Deadline arithmetic for a fixed-rate loop, and the sleep margin the
//! project's own pacer learns. Pure: every function takes the time it needs.
//!
//! Deadlines are absolute (`anchor + k·T`), never `sleep(T)` after the work,
//! which would add the work time and the sleep's overshoot to every period
//! and drift. A tick that wakes more than one whole period late re-anchors
//! the schedule at its own start: the ticks it skipped are counted as
//! missed, and no burst of catch-up ticks follows.

use std::time::Duration;

/// One tick of the loop, as seen when it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick {
    /// Ticks started so far, this one excluded (survives re-anchoring).
    pub index: u64,
    /// When the tick should have started.
    pub deadline: Duration,
    /// When it did start (the time passed to [`Deadlines::arrive`]).
    pub start: Duration,
    /// Whole periods skipped because this tick came more than a period late.
    pub missed: u64,
}

impl Tick {
    /// Wake-up jitter: how long after its deadline the tick started
    /// (zero for a tick that started early, which a pacer should never do).
    pub fn lateness(&self) -> Duration {
        self.start.saturating_sub(self.deadline)
    }
}

/// The absolute deadlines `anchor + k·T` of a fixed-rate loop.
///
/// ```
/// use std::time::Duration;
/// use why_threads::core::pacing::Deadlines;
///
/// let ms = Duration::from_millis;
/// let mut d = Deadlines::new(ms(0), ms(4));
/// assert_eq!(d.next(), ms(4));
/// // 1 ms late: the next deadline stays on the grid, so the loop does not drift.
/// assert_eq!(d.arrive(ms(5)).lateness(), ms(1));
/// assert_eq!(d.next(), ms(8));
/// // 9 ms late (more than a period): two ticks are missed and the grid
/// // re-anchors at the late start instead of running them in a burst.
/// let late = d.arrive(ms(17));
/// assert_eq!(late.missed, 2);
/// assert_eq!(d.next(), ms(21));
/// ```
#[derive(Clone, Debug)]
pub struct Deadlines {
    anchor: Duration,
    period: Duration,
    k: u64,
    index: u64,
}

impl Deadlines {
    /// A schedule whose first deadline is `start + period`.
    /// A zero period is raised to one nanosecond.
    pub fn new(start: Duration, period: Duration) -> Self {
        Self {
            anchor: start,
            period: period.max(Duration::from_nanos(1)),
            k: 1,
            index: 0,
        }
    }

    pub(crate) fn period(&self) -> Duration {
        self.period
    }

    /// The deadline the loop should wait for next.
    pub fn next(&self) -> Duration {
        self.anchor + nanos_mul(self.period, self.k)
    }

    /// Records that the tick waiting for [`Self::next`] started at `now`
    /// and moves on to the following deadline.
    pub fn arrive(&mut self, now: Duration) -> Tick {
        let deadline = self.next();
        let late = now.saturating_sub(deadline);
        let mut missed = 0;
        if late > self.period {
            missed = (late.as_nanos() / self.period.as_nanos()) as u64;
            self.anchor = now;
            self.k = 1;
        } else {
            self.k += 1;
        }
        let tick = Tick {
            index: self.index,
            deadline,
            start: now,
            missed,
        };
        self.index += 1;
        tick
    }

    /// Changes the period (the loop rate changed): the new grid starts at `now`.
    pub(crate) fn set_period(&mut self, period: Duration, now: Duration) {
        self.period = period.max(Duration::from_nanos(1));
        self.anchor = now;
        self.k = 1;
    }
}

fn nanos_mul(d: Duration, k: u64) -> Duration {
    Duration::from_nanos((d.as_nanos() as u64).saturating_mul(k))
}

/// The period of a rate in hertz, rounded to the nanosecond.
pub fn period_of(hz: u32) -> Duration {
    Duration::from_nanos((1_000_000_000 + u64::from(hz.max(1)) / 2) / u64::from(hz.max(1)))
}

/// How much earlier than the deadline the project's pacer must stop the
/// native sleep and start spinning.
///
/// It remembers how far the last [`SleepMargin::WINDOW`] native sleeps
/// overshot what they were asked for and keeps a margin a little above the
/// worst of them, rounded up to the `quantile`-th of the window: the tail
/// the last few hundred wake-ups needed, no more. A bounded ring; no
/// allocation after construction.
#[derive(Clone, Debug)]
pub(crate) struct SleepMargin {
    ring: [u32; Self::WINDOW],
    len: usize,
    next: usize,
    margin: Duration,
    floor: Duration,
    ceiling: Duration,
}

impl SleepMargin {
    /// How many recent wake-ups the margin is learnt from.
    pub(crate) const WINDOW: usize = 512;

    /// `floor` is the least margin ever used (the start-up guess too);
    /// `ceiling` caps it, so one preempted sleep cannot make the loop spin
    /// for a whole period.
    pub(crate) fn new(floor: Duration, ceiling: Duration) -> Self {
        Self {
            ring: [0; Self::WINDOW],
            len: 0,
            next: 0,
            margin: floor.max(Duration::from_micros(200)),
            floor,
            ceiling: ceiling.max(floor),
        }
    }

    /// The current margin.
    pub(crate) fn margin(&self) -> Duration {
        self.margin
    }

    /// Caps the margin (the pacer keeps the spin within a share of the period).
    pub(crate) fn set_ceiling(&mut self, ceiling: Duration) {
        self.ceiling = ceiling.max(self.floor);
        self.margin = self.margin.min(self.ceiling);
    }

    /// Records one native sleep that was asked to end at `target` and
    /// returned at `woke`, and recomputes the margin.
    pub(crate) fn record(&mut self, target: Duration, woke: Duration) {
        let over = woke
            .saturating_sub(target)
            .as_nanos()
            .min(u128::from(u32::MAX)) as u32;
        self.ring[self.next] = over;
        self.next = (self.next + 1) % Self::WINDOW;
        self.len = (self.len + 1).min(Self::WINDOW);
        // Twice the second-largest overshoot of the window: one outlier (a
        // preemption) is ignored, a recurring tail is covered with room to
        // spare (the tail moves faster than the window learns it).
        let (mut first, mut second) = (0u32, 0u32);
        for &v in &self.ring[..self.len] {
            if v > first {
                second = first;
                first = v;
            } else if v > second {
                second = v;
            }
        }
        let learnt = if self.len < 2 { first } else { second };
        let learnt = Duration::from_nanos(2 * u64::from(learnt));
        self.margin = learnt.clamp(self.floor, self.ceiling);
    }
}

/// The fixed-timestep accumulator: real elapsed time in, whole steps out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FixedStep {
    pub dt: f32,
    acc: f32,
}

impl FixedStep {
    /// At most this many steps per call; the rest of a long stall is dropped
    /// (the "spiral of death" guard).
    pub(crate) const MAX_STEPS: u32 = 8;

    pub(crate) fn new(hz: u32) -> Self {
        Self {
            dt: 1.0 / hz.max(1) as f32,
            acc: 0.0,
        }
    }

    /// Adds `elapsed` seconds; returns how many steps to run now.
    pub(crate) fn advance(&mut self, elapsed: f32) -> u32 {
        self.acc += elapsed.max(0.0);
        let steps = (self.acc / self.dt + 1e-4).floor() as u32;
        let run = steps.min(Self::MAX_STEPS);
        self.acc = if steps > Self::MAX_STEPS {
            0.0
        } else {
            (self.acc - run as f32 * self.dt).max(0.0)
        };
        run
    }

    /// How far into the next step the accumulator is (interpolation factor).
    pub(crate) fn alpha(&self) -> f32 {
        (self.acc / self.dt).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    #[test]
    fn deadlines_stay_on_the_grid_when_slightly_late() {
        let mut d = Deadlines::new(us(1000), us(100));
        let mut starts = Vec::new();
        for late in [0, 30, 99, 100, 0] {
            let t = d.next() + us(late);
            let tick = d.arrive(t);
            assert_eq!(tick.missed, 0);
            assert_eq!(tick.lateness(), us(late));
            starts.push(tick.deadline);
        }
        assert_eq!(
            starts,
            vec![us(1100), us(1200), us(1300), us(1400), us(1500)]
        );
        assert_eq!(d.next(), us(1600));
    }

    #[test]
    fn a_tick_more_than_a_period_late_reanchors_and_counts_missed() {
        let mut d = Deadlines::new(us(0), us(100));
        let tick = d.arrive(us(100 + 350));
        assert_eq!(tick.deadline, us(100));
        assert_eq!(tick.lateness(), us(350));
        assert_eq!(tick.missed, 3);
        // No catch-up: the next deadline is one period after the late start.
        assert_eq!(d.next(), us(550));
        let next = d.arrive(us(550));
        assert_eq!((next.missed, next.index), (0, 1));
    }

    #[test]
    fn early_wakeups_count_as_zero_lateness() {
        let mut d = Deadlines::new(us(0), us(100));
        assert_eq!(d.arrive(us(90)).lateness(), Duration::ZERO);
        assert_eq!(d.next(), us(200));
    }

    #[test]
    fn changing_the_period_restarts_the_grid_at_now() {
        let mut d = Deadlines::new(us(0), us(100));
        d.arrive(us(100));
        d.set_period(us(250), us(130));
        assert_eq!(d.next(), us(380));
        assert_eq!(d.period(), us(250));
    }

    #[test]
    fn no_drift_over_many_ticks() {
        let period = period_of(240);
        let mut d = Deadlines::new(Duration::ZERO, period);
        for _ in 0..240_000 {
            let t = d.next() + us(7);
            d.arrive(t);
        }
        // 240 000 ticks at 240 Hz: exactly 1000 s of deadlines (period rounds to 4 166 667 ns).
        assert_eq!(d.next(), Duration::from_nanos(4_166_667 * 240_001));
    }

    #[test]
    fn period_rounds_to_the_nearest_nanosecond() {
        assert_eq!(period_of(60), Duration::from_nanos(16_666_667));
        assert_eq!(period_of(1000), us(1000));
        assert_eq!(period_of(0), Duration::from_secs(1));
    }

    #[test]
    fn margin_learns_the_tail_but_ignores_one_outlier() {
        let mut m = SleepMargin::new(us(20), us(2000));
        for i in 0..300u64 {
            let over = if i % 10 == 0 { 80 } else { 50 };
            m.record(us(i * 1000), us(i * 1000 + over));
        }
        assert_eq!(m.margin(), us(160)); // twice the 80 µs tail
        m.record(us(0), us(1500)); // one preempted sleep
        assert_eq!(m.margin(), us(160));
        m.record(us(0), us(900)); // a second one is a pattern
        assert_eq!(m.margin(), us(1800));
        m.set_ceiling(us(300));
        assert_eq!(m.margin(), us(300));
    }

    #[test]
    fn margin_is_clamped_and_forgets_old_tails() {
        let mut m = SleepMargin::new(us(20), us(1000));
        for _ in 0..3 {
            m.record(us(0), us(5000));
        }
        assert_eq!(m.margin(), us(1000));
        m.set_ceiling(us(1)); // never below the floor
        assert_eq!(m.margin(), us(20));
        for _ in 0..SleepMargin::WINDOW {
            m.record(us(0), us(4));
        }
        assert_eq!(m.margin(), us(20));
    }

    #[test]
    fn fixed_step_accumulates_and_caps() {
        let mut fs = FixedStep::new(100);
        assert_eq!(fs.advance(0.025), 2);
        assert!((fs.alpha() - 0.5).abs() < 1e-3);
        assert_eq!(fs.advance(0.005), 1);
        assert_eq!(fs.advance(1.0), FixedStep::MAX_STEPS);
        assert_eq!(fs.alpha(), 0.0, "a long stall is dropped, not replayed");
    }
}
