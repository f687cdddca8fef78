//! What the OS tells and lets us set about threads: CPU time per thread
//! (the overlay's CPU list, the bench's CPU columns), an id to name a
//! thread in the timeline, and the timer slack that rounds up every sleep.

use std::time::Duration;

/// CPU time the calling thread has used (user + system). Zero where the
/// OS cannot say.
pub fn cpu_time() -> Duration {
    super::imp::thread::cpu_time()
}

/// The calling thread's id as the OS numbers it (Linux's tid, macOS's
/// thread id, Windows' thread id).
pub fn id() -> u64 {
    super::imp::thread::id()
}

/// One thread of this process, with its name and CPU time.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadCpu {
    pub tid: u32,
    pub name: String,
    /// Time spent on a CPU.
    pub cpu: Duration,
}

/// Every thread of this process with its name and CPU time: Linux from
/// /proc/self/task, macOS from Mach (`task_threads`, `thread_info`),
/// Windows from a Toolhelp snapshot (`GetThreadTimes`,
/// `GetThreadDescription`). Empty where the list cannot be read.
pub fn threads() -> Vec<ThreadCpu> {
    super::imp::thread::threads()
}

/// Where [`threads`] reads the list, for a caption.
pub const THREADS_FROM: &str = super::imp::thread::THREADS_FROM;

/// Voluntary and involuntary context switches of every thread of the
/// process so far (0 where the system does not count them).
pub fn context_switches() -> u64 {
    super::imp::thread::context_switches()
}

/// The calling thread's timer slack in nanoseconds: how much later than
/// asked the kernel may end its sleeps, to batch wake-ups (50 µs by
/// default on Linux). `None` where there is no such setting.
pub fn timer_slack() -> Option<u64> {
    super::imp::thread::timer_slack()
}

/// Sets the calling thread's timer slack in nanoseconds (at least 1: 0
/// would mean "the default"). Returns whether it took (never where there
/// is no such setting).
pub fn set_timer_slack(nanos: u64) -> bool {
    super::imp::thread::set_timer_slack(nanos)
}

/// Asks the scheduler for a short time slice for the calling thread
/// (`Some`), or the default one back (`None`). On Linux 6.12 and later
/// (EEVDF's custom slices, `sched_setattr`'s `sched_runtime` for a normal
/// thread, no privilege needed) a thread with a shorter slice has an
/// earlier deadline, so when it wakes it preempts busy threads of the same
/// priority sooner. Returns whether it took: an older kernel ignores the
/// request, and other OSes have no such setting.
pub fn set_scheduler_slice(slice: Option<Duration>) -> bool {
    super::imp::thread::set_scheduler_slice(slice)
}

/// The calling thread's scheduler slice in force, custom or the default,
/// where the kernel says (Linux 6.12+).
pub fn scheduler_slice() -> Option<Duration> {
    super::imp::thread::scheduler_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_thread_uses_cpu_time() {
        let before = cpu_time();
        let mut x = 0u64;
        while cpu_time().saturating_sub(before) < Duration::from_millis(2) && x < u64::MAX / 2 {
            x = std::hint::black_box(x + 1);
        }
        assert!(cpu_time() > before);
    }

    #[test]
    fn this_process_lists_its_named_threads_by_their_ids() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("listed".into())
            .spawn(move || {
                let _ = tx.send(id());
                let _ = stop_rx.recv();
            });
        let Ok(handle) = spawned else {
            panic!("a thread could not start");
        };
        let listed_id = rx.recv().unwrap_or(0);
        let list = threads();
        let _ = stop_tx.send(());
        let _ = handle.join();
        let named: Vec<_> = list.iter().filter(|t| t.name == "listed").collect();
        assert_eq!(named.len(), 1, "{list:?}");
        assert_eq!(u64::from(named[0].tid), listed_id);
    }

    #[test]
    fn threads_have_distinct_ids() {
        let here = id();
        let there = std::thread::spawn(id).join().unwrap_or(here);
        assert_ne!(here, there);
    }
}
