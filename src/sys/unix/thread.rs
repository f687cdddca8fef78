use std::time::Duration;

use crate::sys::thread::ThreadCpu;

pub fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc == 0 {
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    } else {
        Duration::ZERO
    }
}

#[cfg(target_os = "linux")]
pub fn id() -> u64 {
    // SAFETY: gettid has no arguments and cannot fail.
    (unsafe { libc::gettid() }) as u64
}

#[cfg(not(target_os = "linux"))]
pub fn id() -> u64 {
    let mut id = 0u64;
    // SAFETY: a null thread means the calling thread; `id` is writable.
    unsafe { libc::pthread_threadid_np(0, &mut id) };
    id
}

#[cfg(target_os = "linux")]
pub fn threads() -> Vec<ThreadCpu> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut out: Vec<ThreadCpu> = dir
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let tid = entry.file_name().to_str()?.parse().ok()?;
            let name = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            let sched = std::fs::read_to_string(entry.path().join("schedstat")).ok()?;
            Some(ThreadCpu {
                tid,
                name: name.trim().to_string(),
                cpu: parse_schedstat(&sched)?,
            })
        })
        .collect();
    out.sort_by_key(|t| t.tid);
    out
}

/// The first field of `/proc/<pid>/task/<tid>/schedstat`: nanoseconds on CPU.
#[cfg(target_os = "linux")]
fn parse_schedstat(s: &str) -> Option<Duration> {
    s.split_whitespace()
        .next()?
        .parse()
        .ok()
        .map(Duration::from_nanos)
}

#[cfg(not(target_os = "linux"))]
pub fn threads() -> Vec<ThreadCpu> {
    Vec::new()
}

pub fn context_switches() -> u64 {
    // SAFETY: getrusage fills the struct it is given; all-zero is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
        (usage.ru_nvcsw + usage.ru_nivcsw).max(0) as u64
    } else {
        0
    }
}

#[cfg(target_os = "linux")]
pub fn timer_slack() -> Option<u64> {
    // SAFETY: PR_GET_TIMERSLACK takes no pointers and reads this thread's setting.
    let slack = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
    u64::try_from(slack).ok()
}

#[cfg(target_os = "linux")]
pub fn set_timer_slack(nanos: u64) -> bool {
    let nanos = nanos.max(1) as libc::c_ulong;
    // SAFETY: PR_SET_TIMERSLACK takes a plain integer and changes only this thread.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, nanos, 0, 0, 0) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub fn timer_slack() -> Option<u64> {
    None
}

#[cfg(not(target_os = "linux"))]
pub fn set_timer_slack(_nanos: u64) -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn schedstat_first_field_is_nanoseconds() {
        assert_eq!(
            parse_schedstat("123456 789 10\n"),
            Some(Duration::from_nanos(123_456))
        );
        assert_eq!(parse_schedstat(""), None);
        assert_eq!(parse_schedstat("x 1 2"), None);
    }

    #[test]
    fn this_process_lists_its_named_threads() {
        let handle = std::thread::Builder::new()
            .name("listed".into())
            .spawn(|| threads().into_iter().any(|t| t.name == "listed"));
        let found = handle.map(|h| h.join().unwrap_or(false)).unwrap_or(false);
        assert!(found);
    }

    #[test]
    fn timer_slack_round_trips() {
        let before = timer_slack();
        assert!(before.is_some());
        assert!(set_timer_slack(1_000));
        assert_eq!(timer_slack(), Some(1_000));
        assert!(set_timer_slack(before.unwrap_or(50_000)));
    }
}
