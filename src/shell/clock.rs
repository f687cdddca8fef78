//! The program's one clock: monotonic time since start-up, as a `Duration`
//! (the form the core takes time in).

use std::time::{Duration, Instant};

/// Monotonic time since an epoch taken at start-up. `Copy`, so every
/// thread stamps with the same epoch.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    epoch: Instant,
}

impl Clock {
    pub fn new() -> Self {
        Self {
            epoch: Instant::now(),
        }
    }

    /// Time since the epoch.
    pub fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    /// The instant a time since the epoch stands for.
    pub fn instant(&self, t: Duration) -> Instant {
        self.epoch + t
    }

    /// The epoch on Linux's CLOCK_MONOTONIC (which `Instant` reads there), in
    /// nanoseconds: X server timestamps are on that clock.
    #[cfg(target_os = "linux")]
    pub fn epoch_monotonic_ns(&self) -> u64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        let mono_now = ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64;
        mono_now.saturating_sub(self.now().as_nanos() as u64)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}
