//! Raw Input: the mouse's own reports, delivered as `WM_INPUT` to a
//! message-only window (`HWND_MESSAGE`: no desktop window, no painting, it
//! only receives) made on the thread that reads.
//!
//! A blocking read waits in `MsgWaitForMultipleObjectsEx` for raw input
//! (`QS_RAWINPUT`, with `MWMO_INPUTAVAILABLE` so input already in the
//! queue counts too), then drains the thread's raw input in batches with
//! `GetRawInputBuffer` into one fixed buffer. The window procedure keeps
//! what another message loop dispatches to it (winit's pump, when the
//! window is on the game loop's thread) for the next read on its thread.
//!
//! Windows delivers raw input to the thread that made the target window,
//! and a window can be destroyed only by that thread: when the device
//! moves to another thread (polled on the loop, then blocked on by
//! `read_mouse`), the next read makes a window there and registers it,
//! and the old window is sent `WM_CLOSE` (its own thread destroys it when
//! it next pumps messages, or Windows does when that thread ends).
//!
//! The buffer layout is a 64-bit process's (`RAWINPUT` aligned to 8): a
//! 32-bit process under WOW64 gets headers 8 bytes longer from
//! `GetRawInputBuffer`, which this does not handle.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::c_void;
use std::io;
use std::mem::size_of;
use std::ptr;
use std::time::Duration;

use windows_sys::Win32::Foundation::{
    ERROR_CLASS_ALREADY_EXISTS, GetLastError, HWND, LPARAM, LRESULT, WAIT_FAILED, WPARAM,
};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::Threading::GetCurrentThreadId;
use windows_sys::Win32::UI::Input::{
    GetRawInputBuffer, GetRawInputData, GetRegisteredRawInputDevices, HRAWINPUT,
    MOUSE_MOVE_ABSOLUTE, RAWINPUT, RAWINPUTDEVICE, RAWINPUTHEADER, RAWMOUSE, RID_INPUT,
    RIDEV_INPUTSINK, RIDEV_REMOVE, RIM_TYPEMOUSE, RegisterRawInputDevices,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DestroyWindow, DispatchMessageW, HWND_MESSAGE, MSG,
    MWMO_INPUTAVAILABLE, MsgWaitForMultipleObjectsEx, PM_REMOVE, PeekMessageW, PostMessageW,
    QS_RAWINPUT, RI_MOUSE_LEFT_BUTTON_DOWN, RI_MOUSE_LEFT_BUTTON_UP, RI_MOUSE_MIDDLE_BUTTON_DOWN,
    RI_MOUSE_MIDDLE_BUTTON_UP, RI_MOUSE_RIGHT_BUTTON_DOWN, RI_MOUSE_RIGHT_BUTTON_UP,
    RegisterClassExW, WM_CLOSE, WM_INPUT, WNDCLASSEXW,
};

use super::RawSource;
use crate::sys::raw_mouse::{LEFT, MIDDLE, RIGHT, RawReport};

pub const NAME: &str = "Raw Input";
pub const LABEL: &str = "Windows Raw Input (message-only window)";

/// HID usage page "generic desktop", usage "mouse".
const USAGE_PAGE: u16 = 1;
const USAGE_MOUSE: u16 = 2;

/// `GetRawInputBuffer`'s buffer, in 8-byte words (aligned as `RAWINPUT`
/// needs): 16 KiB, about 340 mouse reports a batch.
const BUFFER_WORDS: usize = 2048;

/// Reports the window procedure keeps for the next read before it drops
/// the oldest (counted as overruns).
const INBOX: usize = 4096;

const HEADER: usize = size_of::<RAWINPUTHEADER>();

/// The window class's name, as UTF-16 with its terminating 0.
const CLASS_NAME: &str = "why-threads raw mouse";
const CLASS: [u16; CLASS_NAME.len() + 1] = wide(CLASS_NAME);

const fn wide<const N: usize>(s: &str) -> [u16; N] {
    let bytes = s.as_bytes();
    let mut out = [0u16; N];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i] as u16;
        i += 1;
    }
    out
}

thread_local! {
    /// Reports the window procedure took from `WM_INPUT` messages that a
    /// message loop dispatched on this thread, for the next read here.
    static INBOX_QUEUE: RefCell<VecDeque<RawReport>> = const { RefCell::new(VecDeque::new()) };
    /// Reports dropped from a full inbox.
    static INBOX_DROPPED: Cell<u64> = const { Cell::new(0) };
}

/// A message-only window on one thread, registered as the mouse's raw
/// input target.
#[derive(Debug)]
struct Window {
    hwnd: HWND,
    thread: u32,
}

impl Window {
    /// Makes the window on the calling thread and moves the mouse's raw
    /// input to it.
    fn create() -> io::Result<Self> {
        // SAFETY: a null name asks for the module of the running exe.
        let instance = unsafe { GetModuleHandleW(ptr::null()) };
        let class = WNDCLASSEXW {
            cbSize: size_of::<WNDCLASSEXW>() as u32,
            lpfnWndProc: Some(window_proc),
            hInstance: instance,
            lpszClassName: CLASS.as_ptr(),
            ..Default::default()
        };
        // SAFETY: a filled class whose name outlives the call (a const).
        // Registered once per process; a second registration says so.
        if unsafe { RegisterClassExW(&class) } == 0 {
            // SAFETY: no arguments.
            let error = unsafe { GetLastError() };
            if error != ERROR_CLASS_ALREADY_EXISTS {
                return Err(io::Error::from_raw_os_error(error as i32));
            }
        }
        // SAFETY: the class registered above; HWND_MESSAGE as the parent
        // makes a message-only window; no creation parameter.
        let hwnd = unsafe {
            CreateWindowExW(
                0,
                CLASS.as_ptr(),
                ptr::null(),
                0,
                0,
                0,
                0,
                0,
                HWND_MESSAGE,
                ptr::null_mut(),
                instance,
                ptr::null(),
            )
        };
        if hwnd.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: no arguments; cannot fail.
        let thread = unsafe { GetCurrentThreadId() };
        let window = Self { hwnd, thread };
        // INPUTSINK: also while another process has the foreground.
        register(RIDEV_INPUTSINK, hwnd)?;
        Ok(window)
    }

    fn is_current(&self) -> bool {
        // SAFETY: no arguments; cannot fail.
        self.thread == unsafe { GetCurrentThreadId() }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if self.is_current() {
            // SAFETY: our window, on the thread that made it.
            unsafe { DestroyWindow(self.hwnd) };
        } else {
            // SAFETY: posting is allowed from any thread; if the window's
            // thread has ended, Windows destroyed it and this fails
            // harmlessly. Its thread's DefWindowProc destroys it.
            unsafe { PostMessageW(self.hwnd, WM_CLOSE, 0, 0) };
        }
    }
}

/// Registers the mouse with `flags` on `target` (null for `RIDEV_REMOVE`).
fn register(flags: u32, target: HWND) -> io::Result<()> {
    let device = RAWINPUTDEVICE {
        usUsagePage: USAGE_PAGE,
        usUsage: USAGE_MOUSE,
        dwFlags: flags,
        hwndTarget: target,
    };
    // SAFETY: one valid RAWINPUTDEVICE and its size.
    let ok = unsafe { RegisterRawInputDevices(&device, 1, size_of::<RAWINPUTDEVICE>() as u32) };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The window the process's raw mouse input goes to now, if any.
fn registered_target() -> Option<HWND> {
    let mut devices = [RAWINPUTDEVICE::default(); 8];
    let mut count = devices.len() as u32;
    // SAFETY: room for `count` RAWINPUTDEVICEs of the size given.
    let got = unsafe {
        GetRegisteredRawInputDevices(
            devices.as_mut_ptr(),
            &mut count,
            size_of::<RAWINPUTDEVICE>() as u32,
        )
    };
    if got == u32::MAX {
        return None;
    }
    devices
        .iter()
        .take(got as usize)
        .find(|d| d.usUsagePage == USAGE_PAGE && d.usUsage == USAGE_MOUSE)
        .map(|d| d.hwndTarget)
}

/// One mouse report in the game's terms.
fn report_of(mouse: &RAWMOUSE) -> RawReport {
    // SAFETY: both members of the union are plain integers over the same
    // four bytes; the button flags are the low half.
    let flags = u32::from(unsafe { mouse.Anonymous.Anonymous.usButtonFlags });
    let mut pressed = 0;
    let mut released = 0;
    for (down, up, bit) in [
        (RI_MOUSE_LEFT_BUTTON_DOWN, RI_MOUSE_LEFT_BUTTON_UP, LEFT),
        (RI_MOUSE_RIGHT_BUTTON_DOWN, RI_MOUSE_RIGHT_BUTTON_UP, RIGHT),
        (
            RI_MOUSE_MIDDLE_BUTTON_DOWN,
            RI_MOUSE_MIDDLE_BUTTON_UP,
            MIDDLE,
        ),
    ] {
        if flags & down != 0 {
            pressed |= bit;
        }
        if flags & up != 0 {
            released |= bit;
        }
    }
    RawReport {
        dx: mouse.lLastX,
        dy: mouse.lLastY,
        absolute: mouse.usFlags & MOUSE_MOVE_ABSOLUTE != 0,
        pressed,
        released,
    }
}

/// Keeps the mouse reports of `WM_INPUT` messages dispatched to the window
/// (by any message loop on its thread) for the next read.
unsafe extern "system" fn window_proc(
    hwnd: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    if message == WM_INPUT {
        // SAFETY: RAWINPUT is plain data; all zeroes is a valid value.
        let mut raw: RAWINPUT = unsafe { std::mem::zeroed() };
        let mut size = size_of::<RAWINPUT>() as u32;
        // SAFETY: a WM_INPUT's lparam is its HRAWINPUT, valid until
        // DefWindowProc below; `raw` has `size` bytes. A report larger
        // than RAWINPUT (not a mouse) fails and is skipped.
        let got = unsafe {
            GetRawInputData(
                lparam as HRAWINPUT,
                RID_INPUT,
                (&raw mut raw).cast::<c_void>(),
                &mut size,
                HEADER as u32,
            )
        };
        let whole = got != u32::MAX && got as usize >= HEADER + size_of::<RAWMOUSE>();
        if whole && raw.header.dwType == RIM_TYPEMOUSE {
            // SAFETY: a mouse report's data is the union's mouse member.
            let report = report_of(unsafe { &raw.data.mouse });
            keep(report);
        }
    }
    // SAFETY: the arguments this procedure was called with (for WM_INPUT
    // it frees the input's data).
    unsafe { DefWindowProcW(hwnd, message, wparam, lparam) }
}

fn keep(report: RawReport) {
    INBOX_QUEUE.with(|queue| {
        // Borrowed only outside message dispatch, so this cannot fail;
        // if it ever did, the report is counted as lost.
        let Ok(mut queue) = queue.try_borrow_mut() else {
            INBOX_DROPPED.set(INBOX_DROPPED.get() + 1);
            return;
        };
        if queue.len() == INBOX {
            queue.pop_front();
            INBOX_DROPPED.set(INBOX_DROPPED.get() + 1);
        }
        queue.push_back(report);
    });
}

/// Whether the window procedure kept reports on this thread that no read
/// has taken yet (a wait must not sleep on them).
pub(crate) fn kept_here() -> bool {
    INBOX_QUEUE.with(|queue| queue.try_borrow().is_ok_and(|q| !q.is_empty()))
}

/// Hands over what the window procedure kept on this thread.
fn take_kept(each: &mut dyn FnMut(RawReport)) -> usize {
    INBOX_QUEUE.with(|queue| {
        let mut queue = queue.borrow_mut();
        let n = queue.len();
        for report in queue.drain(..) {
            each(report);
        }
        n
    })
}

#[derive(Debug)]
pub struct RawMouse {
    window: Window,
    buffer: Box<[u64; BUFFER_WORDS]>,
    /// Inbox drops on this thread when the window came here, so that
    /// drops from an earlier stay are not counted twice.
    dropped_before: u64,
    overruns: u64,
}

// SAFETY: the window handle is used for thread-bound calls (reading its
// input, destroying it) only on the thread that made it: a read on another
// thread makes a new window first, and a drop elsewhere only posts
// WM_CLOSE, which any thread may do.
unsafe impl Send for RawMouse {}

impl RawMouse {
    pub fn open() -> io::Result<Self> {
        let window = Window::create()?;
        take_kept(&mut |_| {});
        Ok(Self {
            window,
            buffer: Box::new([0; BUFFER_WORDS]),
            dropped_before: INBOX_DROPPED.get(),
            overruns: 0,
        })
    }

    /// Brings the window, and with it the mouse's raw input, to the
    /// calling thread.
    fn here(&mut self) -> io::Result<()> {
        if !self.window.is_current() {
            // The old window is dropped after the new one took the mouse.
            self.window = Window::create()?;
            // Kept from an earlier stay on this thread: stale.
            take_kept(&mut |_| {});
            self.dropped_before = INBOX_DROPPED.get();
        }
        Ok(())
    }

    pub fn source(&mut self) -> io::Result<RawSource> {
        self.here()?;
        Ok(RawSource::RawInput)
    }

    pub fn read(
        &mut self,
        timeout: Duration,
        each: &mut dyn FnMut(RawReport),
    ) -> io::Result<usize> {
        self.here()?;
        let mut n = take_kept(each);
        if n == 0 && !timeout.is_zero() {
            let ms = timeout
                .as_nanos()
                .div_ceil(1_000_000)
                .min(u128::from(u32::MAX - 1)) as u32;
            // SAFETY: no handles; wakes on raw input already queued or new.
            let woke = unsafe {
                MsgWaitForMultipleObjectsEx(0, ptr::null(), ms, QS_RAWINPUT, MWMO_INPUTAVAILABLE)
            };
            if woke == WAIT_FAILED {
                return Err(io::Error::last_os_error());
            }
        }
        n += self.drain(each)?;
        // WM_INPUT that GetRawInputBuffer left in the queue: through the
        // window procedure, so none stays queued.
        let mut message = MSG::default();
        // SAFETY: a writable MSG; only our window's WM_INPUT is removed, so
        // a message loop sharing the thread (winit's) loses nothing.
        while unsafe {
            PeekMessageW(
                &mut message,
                self.window.hwnd,
                WM_INPUT,
                WM_INPUT,
                PM_REMOVE,
            )
        } != 0
        {
            // SAFETY: the message just removed, to our window procedure.
            unsafe { DispatchMessageW(&message) };
        }
        n += take_kept(each);
        let dropped = INBOX_DROPPED.get();
        self.overruns += dropped - self.dropped_before;
        self.dropped_before = dropped;
        Ok(n)
    }

    /// Every raw input report queued for this thread, in batches.
    fn drain(&mut self, each: &mut dyn FnMut(RawReport)) -> io::Result<usize> {
        let mut n = 0;
        loop {
            let capacity = BUFFER_WORDS * 8;
            let mut size = capacity as u32;
            // SAFETY: a buffer of `size` bytes aligned to 8, as RAWINPUT needs.
            let count = unsafe {
                GetRawInputBuffer(
                    self.buffer.as_mut_ptr().cast::<RAWINPUT>(),
                    &mut size,
                    HEADER as u32,
                )
            };
            if count == u32::MAX {
                return Err(io::Error::last_os_error());
            }
            if count == 0 {
                return Ok(n);
            }
            let base = self.buffer.as_ptr().cast::<u8>();
            let mut at = 0;
            for _ in 0..count {
                if at + HEADER > capacity {
                    break;
                }
                // SAFETY: in the buffer (checked above); unaligned reads
                // of plain data.
                let header: RAWINPUTHEADER = unsafe { ptr::read_unaligned(base.add(at).cast()) };
                if header.dwType == RIM_TYPEMOUSE && at + HEADER + size_of::<RAWMOUSE>() <= capacity
                {
                    // SAFETY: the mouse data follows its header, in the buffer.
                    let mouse: RAWMOUSE =
                        unsafe { ptr::read_unaligned(base.add(at + HEADER).cast()) };
                    each(report_of(&mouse));
                    n += 1;
                }
                // NEXTRAWINPUTBLOCK: the next one starts 8-aligned.
                at = (at + header.dwSize as usize).next_multiple_of(8);
            }
        }
    }

    pub fn overruns(&self) -> u64 {
        self.overruns
    }
}

impl Drop for RawMouse {
    fn drop(&mut self) {
        // Gives the mouse back only if it is still ours (the window's
        // event loop may have taken it since); the window goes after.
        if registered_target() == Some(self.window.hwnd) {
            let _ = register(RIDEV_REMOVE, ptr::null_mut());
        }
    }
}

#[cfg(test)]
mod tests;
