//! Windows' form of "one thread, one wait": `MsgWaitForMultipleObjectsEx`
//! sleeps on kernel objects and on the thread's own input queue at once.
//! The deadline is a waitable timer (high resolution where Windows has it:
//! 1803 and later; elsewhere the scheduler's tick rounds it up); the mouse
//! is either a waitable timer too (the synthetic mouse's next report) or
//! the raw input that reaches this thread's queue (the Raw Input mouse,
//! whose message-only window is on the waiting thread).
//!
//! The clock is `QueryPerformanceCounter`, which `Instant` reads here, so
//! deadlines given in the program's clock plus its epoch land where meant.

use std::io;
use std::ptr;
use std::time::Duration;

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_INVALID_PARAMETER, HANDLE, WAIT_FAILED, WAIT_OBJECT_0,
};
use windows_sys::Win32::System::Performance::{QueryPerformanceCounter, QueryPerformanceFrequency};
use windows_sys::Win32::System::Threading::{
    CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, CREATE_WAITABLE_TIMER_MANUAL_RESET,
    CreateWaitableTimerExW, INFINITE, SetWaitableTimer, TIMER_ALL_ACCESS, WaitForMultipleObjects,
    WaitForSingleObject,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    GetQueueStatus, MWMO_INPUTAVAILABLE, MsgWaitForMultipleObjectsEx, QS_RAWINPUT,
};

use super::RawSource;
use super::raw_mouse::kept_here;

pub fn monotonic_now() -> Option<Duration> {
    let (mut count, mut frequency) = (0i64, 0i64);
    // SAFETY: two writable i64s; neither call fails on XP or later.
    let ok = unsafe {
        QueryPerformanceCounter(&mut count) != 0 && QueryPerformanceFrequency(&mut frequency) != 0
    };
    if !ok || count < 0 || frequency <= 0 {
        return None;
    }
    let nanos = count as u128 * 1_000_000_000 / frequency as u128;
    Some(Duration::from_nanos(nanos.min(u128::from(u64::MAX)) as u64))
}

/// A manual-reset waitable timer: signalled from its due time until it is
/// set again, as a timerfd stays readable until it is read.
#[derive(Debug)]
pub struct Timer(HANDLE);

// SAFETY: a kernel handle is the process's, usable from any thread.
unsafe impl Send for Timer {}

impl Timer {
    pub fn new() -> io::Result<Self> {
        let make = |flags| {
            // SAFETY: no attributes, no name; the handle is owned at once.
            unsafe { CreateWaitableTimerExW(ptr::null(), ptr::null(), flags, TIMER_ALL_ACCESS) }
        };
        let mut handle =
            make(CREATE_WAITABLE_TIMER_MANUAL_RESET | CREATE_WAITABLE_TIMER_HIGH_RESOLUTION);
        if handle.is_null()
            && io::Error::last_os_error().raw_os_error() == Some(ERROR_INVALID_PARAMETER as i32)
        {
            // Before Windows 10 1803 (and in Wine 8): no high resolution.
            handle = make(CREATE_WAITABLE_TIMER_MANUAL_RESET);
        }
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        Ok(Self(handle))
    }

    pub fn arm_at(&self, at: Duration) -> io::Result<()> {
        let now = monotonic_now().ok_or_else(|| io::Error::other("no performance counter"))?;
        // Relative due times are negative, in 100 ns; at least 100 ns, so
        // a time already past fires at the next timer interrupt (at once
        // with a high-resolution timer, up to ~15.6 ms without one).
        let ticks = (at.saturating_sub(now).as_nanos() / 100).clamp(1, i64::MAX as u128) as i64;
        let due = -ticks;
        // SAFETY: our timer; no period, no completion routine.
        if unsafe { SetWaitableTimer(self.0, &due, 0, None, ptr::null(), 0) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn source(&self) -> RawSource {
        RawSource::Handle(self.0 as usize)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // SAFETY: our handle, closed once.
        unsafe { CloseHandle(self.0) };
    }
}

/// The device's source and a deadline timer of its own.
#[derive(Debug)]
pub struct Waiter {
    device: RawSource,
    deadline: Timer,
}

impl Waiter {
    pub fn new(device: RawSource) -> io::Result<Self> {
        Ok(Self {
            device,
            deadline: Timer::new()?,
        })
    }

    pub fn wait(&mut self, deadline: Duration) -> io::Result<()> {
        self.deadline.arm_at(deadline)?;
        let timer = self.deadline.0;
        let woke = match self.device {
            RawSource::Handle(device) => {
                let handles = [device as HANDLE, timer];
                // SAFETY: two open handles (the device's lives as long as
                // the waiter, as Waiter::new asks); wake on either.
                unsafe { WaitForMultipleObjects(2, handles.as_ptr(), 0, INFINITE) }
            }
            // Reports a message loop already handed to the window procedure
            // do not wake the wait: they are ready now.
            RawSource::RawInput if kept_here() => WAIT_OBJECT_0,
            RawSource::RawInput => {
                // Raw input still queued after the handler drained ours is
                // another window's (winit registers the keyboard): waking
                // for input already there would spin until the deadline,
                // so then only input arriving from now on wakes the wait.
                // SAFETY: no arguments; it also marks the queue as seen.
                let queued = unsafe { GetQueueStatus(QS_RAWINPUT) } >> 16;
                let flags = if queued & QS_RAWINPUT == 0 {
                    MWMO_INPUTAVAILABLE
                } else {
                    0
                };
                // SAFETY: one open handle; wakes on it or on raw input.
                unsafe { MsgWaitForMultipleObjectsEx(1, &timer, INFINITE, QS_RAWINPUT, flags) }
            }
        };
        if woke == WAIT_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

pub fn readable(source: RawSource, timeout: Duration) -> io::Result<bool> {
    let ms = timeout
        .as_nanos()
        .div_ceil(1_000_000)
        .min(u128::from(INFINITE - 1)) as u32;
    let woke = match source {
        // SAFETY: an open handle (the caller's).
        RawSource::Handle(h) => unsafe { WaitForSingleObject(h as HANDLE, ms) },
        RawSource::RawInput if kept_here() => WAIT_OBJECT_0,
        // SAFETY: no handles; wakes on raw input for this thread.
        RawSource::RawInput => unsafe {
            MsgWaitForMultipleObjectsEx(0, ptr::null(), ms, QS_RAWINPUT, MWMO_INPUTAVAILABLE)
        },
    };
    if woke == WAIT_FAILED {
        return Err(io::Error::last_os_error());
    }
    Ok(woke == WAIT_OBJECT_0)
}
