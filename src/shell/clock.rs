//! The program's one clock: monotonic time since start-up, as a `Duration`
//! (the form the core takes time in). Tests inject time with a manual
//! clock, which moves only when told (a wait for a deadline jumps to it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Monotonic time since an epoch taken at start-up. `Copy`, so every
/// thread stamps with the same epoch.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    epoch: Instant,
    /// Nanoseconds of a manual clock (tests); `None` for the real one.
    manual: Option<&'static AtomicU64>,
}

impl Clock {
    pub fn new() -> Self {
        Self {
            epoch: Instant::now(),
            manual: None,
        }
    }

    /// A clock at zero that moves only by [`Clock::advance`] and by waits
    /// for a deadline ([`Clock::wait_until`] jumps there). For tests: each
    /// one keeps a few bytes for the rest of the process.
    #[cfg(test)]
    pub(crate) fn manual() -> Self {
        Self {
            epoch: Instant::now(),
            manual: Some(Box::leak(Box::new(AtomicU64::new(0)))),
        }
    }

    /// Time since the epoch.
    pub fn now(&self) -> Duration {
        match self.manual {
            Some(t) => Duration::from_nanos(t.load(Ordering::SeqCst)),
            None => self.epoch.elapsed(),
        }
    }

    pub(crate) fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// A manual clock jumps to `deadline` (if it is not past it already);
    /// returns the time now. The real clock is the pacer's business.
    pub(crate) fn wait_until(&self, deadline: Duration) -> Duration {
        if let Some(t) = self.manual {
            t.fetch_max(deadline.as_nanos() as u64, Ordering::SeqCst);
        }
        self.now()
    }

    /// The instant a time since the epoch stands for.
    pub(crate) fn instant(&self, t: Duration) -> Instant {
        self.epoch + t
    }

    /// The epoch on the OS's monotonic clock, the one `Instant` reads
    /// (`CLOCK_MONOTONIC` on Linux and macOS, which X server timestamps
    /// count in too; the performance counter on Windows): program time `t`
    /// is `epoch + t` there. `None` where the OS cannot say.
    ///
    /// Two clocks are read one after the other, and a thread preempted
    /// between the reads would put the epoch off by the time it waited
    /// (on a busy machine, 100 µs): so the OS's clock is read between two
    /// of ours, a few times, and the tightest pair's midpoint is taken.
    pub(crate) fn epoch_monotonic(&self) -> Option<Duration> {
        offset_between(|| self.now(), crate::sys::wait::monotonic_now)
    }
}

/// How far `other`'s clock runs ahead of `ours`: `other` read between two
/// reads of `ours`, [`BRACKETS`] times, and the tightest bracket's
/// midpoint taken, so the error is at most half its gap (nanoseconds,
/// unless every bracket was interrupted). `None` if `other` cannot say.
fn offset_between(
    mut ours: impl FnMut() -> Duration,
    mut other: impl FnMut() -> Option<Duration>,
) -> Option<Duration> {
    let mut best: Option<(Duration, Duration)> = None;
    for _ in 0..BRACKETS {
        let before = ours();
        let theirs = other()?;
        let gap = ours().saturating_sub(before);
        let offset = theirs.saturating_sub(before + gap / 2);
        if best.is_none_or(|(tightest, _)| gap < tightest) {
            best = Some((gap, offset));
        }
    }
    best.map(|(_, offset)| offset)
}

const BRACKETS: usize = 8;

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);
    const US: Duration = Duration::from_micros(1);

    /// Scripted reads: `ours` steps through `times`, `other` always runs
    /// 1000 ms ahead of the moment it is read at, which `at` says.
    fn offset_with(times: &[Duration], other_at: &[Duration]) -> Option<Duration> {
        let (mut t, mut o) = (times.iter(), other_at.iter());
        offset_between(
            || t.next().copied().unwrap_or_default(),
            || o.next().map(|&at| at + 1000 * MS),
        )
    }

    #[test]
    fn a_bracket_interrupted_between_the_reads_is_not_the_one_taken() {
        // First bracket: preempted for 95 µs before the other clock's read
        // (one pair, as before the fix, would be 95 µs off). The rest are
        // tight, 40 ns each side.
        let ns = Duration::from_nanos;
        let mut ours = vec![Duration::ZERO, 95 * US + ns(40)];
        let mut others = vec![95 * US];
        for i in 1..BRACKETS as u32 {
            let start = i * MS;
            ours.extend([start, start + ns(80)]);
            others.push(start + ns(40));
        }
        assert_eq!(offset_with(&ours, &others), Some(1000 * MS));
    }

    #[test]
    fn every_bracket_slow_still_errs_by_at_most_half_the_tightest_gap() {
        let mut ours = Vec::new();
        let mut others = Vec::new();
        for i in 0..BRACKETS as u32 {
            let start = i * MS;
            let gap = (10 + i) * US;
            ours.extend([start, start + gap]);
            // The other clock read at the very end of its bracket.
            others.push(start + gap);
        }
        let offset = offset_with(&ours, &others).unwrap_or_default();
        assert_eq!(offset, 1000 * MS + 5 * US);
    }

    #[test]
    fn no_other_clock_no_offset() {
        assert_eq!(offset_between(|| MS, || None), None);
    }
}
