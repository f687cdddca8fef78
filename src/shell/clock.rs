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
        let mut best: Option<(Duration, Duration)> = None;
        for _ in 0..8 {
            let before = self.now();
            let os = crate::sys::wait::monotonic_now()?;
            let gap = self.now().saturating_sub(before);
            let epoch = os.saturating_sub(before + gap / 2);
            if best.is_none_or(|(tightest, _)| gap < tightest) {
                best = Some((gap, epoch));
            }
        }
        best.map(|(_, epoch)| epoch)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}
