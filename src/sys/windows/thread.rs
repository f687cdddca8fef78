use std::time::Duration;

use windows_sys::Win32::Foundation::{
    CloseHandle, FILETIME, HANDLE, INVALID_HANDLE_VALUE, LocalFree,
};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcessId, GetCurrentThread, GetCurrentThreadId, GetThreadDescription,
    GetThreadTimes, OpenThread, THREAD_QUERY_LIMITED_INFORMATION,
};
use windows_sys::core::PWSTR;

use crate::sys::thread::ThreadCpu;

fn nanos(t: FILETIME) -> u64 {
    // FILETIME counts 100 ns units.
    ((u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime)) * 100
}

/// User + kernel time of the thread behind `thread`.
fn times(thread: HANDLE) -> Option<Duration> {
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: a thread handle with query rights and four writable FILETIMEs.
    let ok = unsafe { GetThreadTimes(thread, &mut created, &mut exited, &mut kernel, &mut user) };
    (ok != 0).then(|| Duration::from_nanos(nanos(kernel) + nanos(user)))
}

pub fn cpu_time() -> Duration {
    // SAFETY: the pseudo-handle of the calling thread needs no closing.
    times(unsafe { GetCurrentThread() }).unwrap_or_default()
}

pub fn id() -> u64 {
    // SAFETY: no arguments; cannot fail.
    u64::from(unsafe { GetCurrentThreadId() })
}

/// This process's threads from a Toolhelp snapshot, each one's CPU time
/// and the name Rust's std gave it (`SetThreadDescription`).
pub const THREADS_FROM: &str = "a Toolhelp snapshot";

pub fn threads() -> Vec<ThreadCpu> {
    // SAFETY: a snapshot of every thread in the system, closed below.
    let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0) };
    if snapshot == INVALID_HANDLE_VALUE {
        return Vec::new();
    }
    // SAFETY: no arguments.
    let me = unsafe { GetCurrentProcessId() };
    let mut entry = THREADENTRY32 {
        dwSize: std::mem::size_of::<THREADENTRY32>() as u32,
        cntUsage: 0,
        th32ThreadID: 0,
        th32OwnerProcessID: 0,
        tpBasePri: 0,
        tpDeltaPri: 0,
        dwFlags: 0,
    };
    let mut out = Vec::new();
    // SAFETY: `entry` is sized as the API asks; the snapshot is open.
    let mut more = unsafe { Thread32First(snapshot, &mut entry) } != 0;
    while more {
        if entry.th32OwnerProcessID == me
            && let Some(t) = thread(entry.th32ThreadID)
        {
            out.push(t);
        }
        // SAFETY: as above.
        more = unsafe { Thread32Next(snapshot, &mut entry) } != 0;
    }
    // SAFETY: the snapshot handle opened above.
    unsafe { CloseHandle(snapshot) };
    out.sort_by_key(|t| t.tid);
    out
}

fn thread(tid: u32) -> Option<ThreadCpu> {
    // SAFETY: opening a thread of this process for queries; closed below.
    let handle = unsafe { OpenThread(THREAD_QUERY_LIMITED_INFORMATION, 0, tid) };
    if handle.is_null() {
        return None;
    }
    let cpu = times(handle);
    let name = description(handle).unwrap_or_else(|| format!("thread {tid}"));
    // SAFETY: the handle opened above.
    unsafe { CloseHandle(handle) };
    Some(ThreadCpu {
        tid,
        name,
        cpu: cpu?,
    })
}

/// The thread's description, if it has one.
fn description(handle: HANDLE) -> Option<String> {
    let mut text: PWSTR = std::ptr::null_mut();
    // SAFETY: the call allocates `text` (LocalFree'd below) on success.
    let hr = unsafe { GetThreadDescription(handle, &mut text) };
    if hr < 0 || text.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated UTF-16 string from the call above.
    let len = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    let name = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) });
    // SAFETY: the buffer GetThreadDescription allocated.
    unsafe { LocalFree(text.cast()) };
    (!name.is_empty()).then_some(name)
}

pub fn context_switches() -> u64 {
    0
}

pub fn timer_slack() -> Option<u64> {
    None
}

/// Windows has no per-thread slice to ask for.
pub fn set_scheduler_slice(_slice: Option<Duration>) -> bool {
    false
}

pub fn scheduler_slice() -> Option<Duration> {
    None
}

pub fn set_timer_slack(_nanos: u64) -> bool {
    false
}
