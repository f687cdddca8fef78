use std::time::Duration;

use windows_sys::Win32::Foundation::FILETIME;
use windows_sys::Win32::System::Threading::{GetCurrentThread, GetCurrentThreadId, GetThreadTimes};

use crate::sys::thread::ThreadCpu;

fn nanos(t: FILETIME) -> u64 {
    // FILETIME counts 100 ns units.
    ((u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime)) * 100
}

pub fn cpu_time() -> Duration {
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: the pseudo-handle of the calling thread and four writable FILETIMEs.
    let ok = unsafe {
        GetThreadTimes(
            GetCurrentThread(),
            &mut created,
            &mut exited,
            &mut kernel,
            &mut user,
        )
    };
    if ok != 0 {
        Duration::from_nanos(nanos(kernel) + nanos(user))
    } else {
        Duration::ZERO
    }
}

pub fn id() -> u64 {
    // SAFETY: no arguments; cannot fail.
    u64::from(unsafe { GetCurrentThreadId() })
}

pub fn threads() -> Vec<ThreadCpu> {
    Vec::new()
}

pub fn context_switches() -> u64 {
    0
}

pub fn timer_slack() -> Option<u64> {
    None
}

pub fn set_timer_slack(_nanos: u64) -> bool {
    false
}
