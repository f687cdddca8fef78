//! What the operating system tells and lets us set about threads: CPU time
//! per thread and the timer slack that rounds up every sleep.

use std::time::Duration;

/// CPU time the calling thread has used (user + system).
pub fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        if rc == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    Duration::ZERO
}

/// One thread of this process, as /proc/self/task shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadCpu {
    pub tid: u32,
    pub name: String,
    /// Time spent on a CPU (from `schedstat`, nanosecond resolution).
    pub cpu: Duration,
}

/// Every thread of this process with its CPU time (Linux; empty elsewhere
/// or if /proc cannot be read).
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
fn parse_schedstat(s: &str) -> Option<Duration> {
    s.split_whitespace()
        .next()?
        .parse()
        .ok()
        .map(Duration::from_nanos)
}

/// The calling thread's timer slack: how much later than asked the kernel
/// may end its sleeps, to batch wake-ups (50 µs by default on Linux).
/// `None` where there is no such setting.
pub fn timer_slack() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_GET_TIMERSLACK takes no pointers and reads this thread's setting.
        let slack = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
        u64::try_from(slack).ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Sets the calling thread's timer slack in nanoseconds (at least 1: 0
/// would mean "the default"). Returns whether it took.
pub fn set_timer_slack(nanos: u64) -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_TIMERSLACK takes a plain integer and changes only this thread.
        unsafe {
            libc::prctl(
                libc::PR_SET_TIMERSLACK,
                nanos.max(1) as libc::c_ulong,
                0,
                0,
                0,
            ) == 0
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = nanos;
        false
    }
}

/// Arms a timerfd to fire once at `at_ns` on CLOCK_MONOTONIC (an absolute
/// time); arming it afresh also clears an earlier expiry. Used by the
/// events mode's deadline and the synthetic mouse's "report due" fd.
#[cfg(target_os = "linux")]
pub fn arm_timerfd(fd: std::os::fd::RawFd, at_ns: u64) -> std::io::Result<()> {
    let zero = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let spec = libc::itimerspec {
        it_interval: zero,
        it_value: libc::timespec {
            tv_sec: (at_ns / 1_000_000_000) as libc::time_t,
            tv_nsec: (at_ns % 1_000_000_000) as libc::c_long,
        },
    };
    // SAFETY: `fd` is an open timerfd owned by the caller and `spec` is a
    // valid itimerspec.
    let armed =
        unsafe { libc::timerfd_settime(fd, libc::TFD_TIMER_ABSTIME, &spec, std::ptr::null_mut()) };
    if armed == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
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

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_lists_its_named_threads() {
        let handle = std::thread::Builder::new()
            .name("listed".into())
            .spawn(|| threads().into_iter().any(|t| t.name == "listed"));
        let found = handle.map(|h| h.join().unwrap_or(false)).unwrap_or(false);
        assert!(found);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn timer_slack_round_trips() {
        let before = timer_slack();
        assert!(before.is_some());
        assert!(set_timer_slack(1_000));
        assert_eq!(timer_slack(), Some(1_000));
        assert!(set_timer_slack(before.unwrap_or(50_000)));
    }
}
