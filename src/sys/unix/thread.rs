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

/// The thread's Mach port: the id [`threads`] lists it by.
#[cfg(target_os = "macos")]
pub fn id() -> u64 {
    // SAFETY: the calling thread's own pthread and its Mach port.
    u64::from(unsafe { libc::pthread_mach_thread_np(libc::pthread_self()) })
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn id() -> u64 {
    0
}

#[cfg(target_os = "linux")]
pub const THREADS_FROM: &str = "/proc/self/task";
#[cfg(target_os = "macos")]
pub const THREADS_FROM: &str = "Mach's task_threads";
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub const THREADS_FROM: &str = "nowhere: not listed on this OS";

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

/// macOS: the task's threads from Mach, each one's CPU time from
/// `thread_info` and its name from its pthread.
#[cfg(target_os = "macos")]
pub fn threads() -> Vec<ThreadCpu> {
    // libc marks its Mach bindings deprecated (in favour of the mach2
    // crate); these two are all we need of it.
    unsafe extern "C" {
        static mach_task_self_: libc::mach_port_t;
        fn mach_port_deallocate(
            task: libc::mach_port_t,
            name: libc::mach_port_t,
        ) -> libc::kern_return_t;
    }
    let mut list: libc::thread_act_array_t = std::ptr::null_mut();
    let mut count: libc::mach_msg_type_number_t = 0;
    // SAFETY: this task's own port; `list` and `count` are written by the call.
    let task = unsafe { mach_task_self_ };
    if unsafe { libc::task_threads(task, &mut list, &mut count) } != libc::KERN_SUCCESS {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        // SAFETY: `list` holds `count` thread ports, each a send right we
        // release after use.
        let port = unsafe { *list.add(i) };
        if let Some(t) = mach_thread(port) {
            out.push(t);
        }
        unsafe { mach_port_deallocate(task, port) };
    }
    let bytes = count as usize * std::mem::size_of::<libc::thread_act_t>();
    // SAFETY: the array task_threads allocated in our address space.
    unsafe { libc::vm_deallocate(task, list as libc::vm_address_t, bytes as libc::vm_size_t) };
    out.sort_by_key(|t| t.tid);
    out
}

#[cfg(target_os = "macos")]
fn mach_thread(port: libc::thread_act_t) -> Option<ThreadCpu> {
    // SAFETY: all-zero is a valid thread_basic_info; thread_info fills it
    // and says how much it wrote.
    let mut info: libc::thread_basic_info = unsafe { std::mem::zeroed() };
    let mut n = libc::THREAD_BASIC_INFO_COUNT;
    let flavor = libc::THREAD_BASIC_INFO as libc::thread_flavor_t;
    let out = (&mut info as *mut libc::thread_basic_info).cast();
    if unsafe { libc::thread_info(port, flavor, out, &mut n) } != libc::KERN_SUCCESS {
        return None;
    }
    let time = |t: libc::time_value_t| {
        Duration::new(t.seconds.max(0) as u64, 0)
            + Duration::from_micros(t.microseconds.max(0) as u64)
    };
    let mut name = [0 as libc::c_char; 64];
    // SAFETY: the pthread behind the port (null for a thread pthread did not
    // make); the name is written NUL-terminated into `name`.
    let pthread = unsafe { libc::pthread_from_mach_thread_np(port) };
    let named = !(pthread as *const ()).is_null()
        && unsafe { libc::pthread_getname_np(pthread, name.as_mut_ptr(), name.len()) } == 0;
    let name = if named {
        // SAFETY: NUL-terminated by pthread_getname_np, within `name`.
        unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
            .to_string_lossy()
            .into_owned()
    } else {
        String::new()
    };
    Some(ThreadCpu {
        tid: port,
        name: if name.is_empty() {
            format!("thread {port}")
        } else {
            name
        },
        cpu: time(info.user_time) + time(info.system_time),
    })
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
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

/// This thread's scheduling attributes (`sched_getattr`).
#[cfg(target_os = "linux")]
fn sched_attr() -> Option<libc::sched_attr> {
    // SAFETY: zero is a valid bit pattern for the plain-integer struct.
    let mut attr: libc::sched_attr = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::sched_attr>() as libc::c_uint;
    // SAFETY: pid 0 is this thread; `attr` is as large as `size` says.
    let got = unsafe { libc::syscall(libc::SYS_sched_getattr, 0, &mut attr, size, 0) };
    (got == 0).then_some(attr)
}

#[cfg(target_os = "linux")]
pub fn set_scheduler_slice(slice: Option<std::time::Duration>) -> bool {
    let Some(mut attr) = sched_attr() else {
        return false;
    };
    // Only a normal thread has a slice to set (not a real-time one).
    let fair = [libc::SCHED_OTHER, libc::SCHED_BATCH].map(|p| p as u32);
    if !fair.contains(&attr.sched_policy) {
        return false;
    }
    attr.size = std::mem::size_of::<libc::sched_attr>() as u32;
    attr.sched_flags &= libc::SCHED_FLAG_RESET_ON_FORK as u64;
    // Zero asks for the default slice back.
    let asked = slice.map_or(0, |d| d.as_nanos().min(u128::from(u64::MAX)) as u64);
    attr.sched_runtime = asked;
    // SAFETY: pid 0 is this thread; `attr` is a whole, initialised struct.
    let set = unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &attr, 0) } == 0;
    if !set || asked == 0 {
        return set;
    }
    // Linux keeps a custom slice within 0.1–100 ms; a kernel before custom
    // slices (6.12) takes the call and ignores the runtime.
    let kept = asked.clamp(100_000, 100_000_000);
    sched_attr().is_some_and(|a| a.sched_runtime == kept)
}

/// The slice in force: the custom one, or the kernel's default (Linux
/// reports either the same way).
#[cfg(target_os = "linux")]
pub fn scheduler_slice() -> Option<std::time::Duration> {
    sched_attr()
        .filter(|a| a.sched_runtime > 0)
        .map(|a| std::time::Duration::from_nanos(a.sched_runtime))
}

#[cfg(not(target_os = "linux"))]
pub fn set_scheduler_slice(_slice: Option<std::time::Duration>) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
pub fn scheduler_slice() -> Option<std::time::Duration> {
    None
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
    #[test]
    fn a_custom_slice_is_what_the_kernel_then_reports() {
        let default = scheduler_slice();
        let asked = std::time::Duration::from_micros(700);
        // Before Linux 6.12 there are no custom slices: nothing to check.
        if set_scheduler_slice(Some(asked)) {
            assert_eq!(scheduler_slice(), Some(asked));
            // Outside 0.1–100 ms the kernel keeps the nearest bound.
            assert!(set_scheduler_slice(Some(std::time::Duration::from_micros(
                10
            ))));
            assert_eq!(
                scheduler_slice(),
                Some(std::time::Duration::from_micros(100))
            );
            assert!(set_scheduler_slice(None));
            assert_eq!(scheduler_slice(), default, "the default slice is back");
        }
    }

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
