//! Ways to wait for a deadline. The loop never sleeps for "a period": it
//! waits for an absolute deadline, and how precisely it wakes is the pacer's
//! whole job.

use std::time::Duration;

use spin_sleep::SpinSleeper;

use super::clock::Clock;
use crate::core::pacing::SleepMargin;
use crate::core::stats::Histogram;
use crate::sys::thread as os;

/// Which pacer the loop uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacerKind {
    /// `std::thread::sleep` until the deadline: cheap, and late by the
    /// kernel's timer slack plus scheduling.
    StdSleep,
    /// spin_sleep with its defaults: native sleep to 125 µs before the
    /// deadline, then spin (yielding).
    SpinSleep,
    /// The project's pacer: timer slack lowered to 1 ns, native sleep to a
    /// margin learnt from the last few hundred wake-ups, then spin.
    Adaptive,
    /// Spin the whole time: the physical limit, at a whole core.
    BusySpin,
}

impl PacerKind {
    pub const ALL: [PacerKind; 4] = [
        PacerKind::StdSleep,
        PacerKind::SpinSleep,
        PacerKind::Adaptive,
        PacerKind::BusySpin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PacerKind::StdSleep => "std-sleep",
            PacerKind::SpinSleep => "spin-sleep",
            PacerKind::Adaptive => "adaptive",
            PacerKind::BusySpin => "busy-spin",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// A pacer for the calling thread. Make it on the thread that will wait
/// (the timer slack it sets is per thread); dropping it restores the slack.
#[derive(Debug)]
pub struct Pacer {
    kind: PacerKind,
    spin_sleeper: SpinSleeper,
    margin: SleepMargin,
    default_slack: Option<u64>,
    last_deadline: Duration,
    /// The adaptive pacer spins at most 1/`spin_share` of a period.
    spin_share: u32,
    /// Native sleeps that woke past the deadline itself (the margin was too small).
    pub slept_past_deadline: u64,
}

/// The adaptive pacer spins at most this share of a period (1/14: about
/// 7 % of a core), however bad the recent sleeps were.
const SPIN_SHARE: u32 = 14;

/// Timer slack for the adaptive pacer (nanoseconds; 0 would mean "default").
const LOW_SLACK_NS: u64 = 1;

impl Pacer {
    pub fn new(kind: PacerKind) -> Self {
        let default_slack = os::timer_slack();
        let mut pacer = Self {
            kind: PacerKind::StdSleep,
            spin_sleeper: SpinSleeper::default(),
            margin: SleepMargin::new(Duration::from_micros(50), Duration::from_micros(1000)),
            default_slack,
            last_deadline: Duration::ZERO,
            spin_share: SPIN_SHARE,
            slept_past_deadline: 0,
        };
        pacer.set_kind(kind);
        pacer
    }

    pub(crate) fn kind(&self) -> PacerKind {
        self.kind
    }

    /// Lets the adaptive pacer spin at most 1/`share` of a period (the
    /// default is 1/14); for `examples/pacer_margin.rs`, which measures
    /// what other shares would buy.
    pub fn set_spin_share(&mut self, share: u32) {
        self.spin_share = share.max(1);
    }

    /// The adaptive pacer's current spin margin.
    pub fn margin(&self) -> Duration {
        self.margin.margin()
    }

    pub fn set_kind(&mut self, kind: PacerKind) {
        self.kind = kind;
        if let Some(default) = self.default_slack {
            let slack = if kind == PacerKind::Adaptive {
                LOW_SLACK_NS
            } else {
                default
            };
            os::set_timer_slack(slack);
        }
    }

    /// Waits until `deadline` (time since the clock's epoch); returns the
    /// time it woke. Returns at once if the deadline has passed.
    pub fn wait_until(&mut self, clock: &Clock, deadline: Duration) -> Duration {
        if clock.is_manual() {
            return clock.wait_until(deadline);
        }
        match self.kind {
            PacerKind::StdSleep => {
                let now = clock.now();
                if deadline > now {
                    std::thread::sleep(deadline - now);
                }
            }
            PacerKind::SpinSleep => self.spin_sleeper.sleep_until(clock.instant(deadline)),
            PacerKind::Adaptive => {
                let period = deadline.saturating_sub(self.last_deadline);
                if period < Duration::from_secs(1) {
                    self.margin.set_ceiling(period / self.spin_share);
                }
                let now = clock.now();
                let margin = self.margin.margin();
                if deadline > now + margin {
                    let target = deadline - margin;
                    std::thread::sleep(target - now);
                    let woke = clock.now();
                    self.margin.record(target, woke);
                    if woke > deadline {
                        self.slept_past_deadline += 1;
                    }
                }
                spin_until(clock, deadline);
            }
            PacerKind::BusySpin => spin_until(clock, deadline),
        }
        self.last_deadline = deadline;
        clock.now()
    }
}

impl Drop for Pacer {
    fn drop(&mut self) {
        if let Some(default) = self.default_slack {
            os::set_timer_slack(default);
        }
    }
}

fn spin_until(clock: &Clock, deadline: Duration) {
    while clock.now() < deadline {
        std::hint::spin_loop();
    }
}

/// How late this machine wakes a thread from a short sleep: `n` sleeps of
/// [`WAKE_PROBE`], each one's overshoot (woke − asked) recorded in
/// nanoseconds. Every sleep-based pacer's tail follows this, so the
/// benchmark prints it beside the pacers: figures from a VM whose
/// wake-ups run late are read as such.
pub(crate) fn sleep_overshoot(clock: &Clock, n: u32, into: &mut Histogram) {
    for _ in 0..n {
        let asked = clock.now() + WAKE_PROBE;
        std::thread::sleep(WAKE_PROBE);
        into.record_duration(clock.now().saturating_sub(asked));
    }
}

/// The sleep [`sleep_overshoot`] asks for.
pub(crate) const WAKE_PROBE: Duration = Duration::from_millis(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in PacerKind::ALL {
            assert_eq!(PacerKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(PacerKind::parse("fast"), None);
    }

    #[test]
    fn every_pacer_waits_at_least_until_the_deadline() {
        // Only the lower bound is asserted: how late a wake-up is depends on
        // the machine, and is the benchmark's business.
        let clock = Clock::new();
        for kind in PacerKind::ALL {
            let mut pacer = Pacer::new(kind);
            let deadline = clock.now() + Duration::from_millis(2);
            let woke = pacer.wait_until(&clock, deadline);
            assert!(woke >= deadline, "{kind:?} woke early");
            // A deadline in the past returns at once, without sleeping.
            let past = pacer.wait_until(&clock, Duration::ZERO);
            assert!(past >= deadline);
        }
    }
}
