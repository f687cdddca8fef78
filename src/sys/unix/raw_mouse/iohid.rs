//! IOHIDManager: the mouse's own HID values, handed to a callback on the
//! run loop of the thread that reads.
//!
//! The manager matches every mouse (usage page 1, usage 2) and is
//! scheduled on the reading thread's CFRunLoop in a run loop mode of its
//! own, which only a read runs: so the callback runs only inside `read`,
//! on the thread that holds the mouse, never in the window's event loop
//! (winit runs the main thread's loop in its own modes). The callback
//! gathers values into reports (`sys::hid`). A blocking read runs the run
//! loop in that mode until it has handled a source or the timeout passed;
//! a poll runs it without waiting. Between reads the values wait in each
//! device's queue, of a depth IOKit chooses.
//!
//! A run loop belongs to its thread: when the mouse moves to another
//! thread (polled on the loop, then blocked on by `read_mouse`), the next
//! read unschedules the manager from the old thread's run loop and
//! schedules it on its own (a run loop may be changed from any thread).
//!
//! macOS lets a process open input devices only with the Input Monitoring
//! permission: without it `IOHIDManagerOpen` says `kIOReturnNotPermitted`,
//! and `open` says which setting to change.
//!
//! Type-checked here, never run (no macOS machine in this workplace).

use std::ffi::c_void;
use std::io;
use std::ptr::{self, NonNull};
use std::thread;
use std::time::Duration;

use objc2_core_foundation::{
    CFDictionary, CFNumber, CFRetained, CFRunLoop, CFRunLoopRunResult, CFString,
};
use objc2_io_kit::{
    IOHIDManager, IOHIDValue, IOReturn, kHIDPage_GenericDesktop, kHIDUsage_GD_Mouse,
    kIOHIDDeviceUsageKey, kIOHIDDeviceUsagePageKey, kIOHIDOptionsTypeNone, kIOReturnNotPermitted,
    kIOReturnSuccess,
};

use crate::sys::hid::Reports;
use crate::sys::raw_mouse::RawReport;

pub const NAME: &str = "IOHIDManager";
pub const LABEL: &str = "macOS IOHIDManager (the reading thread's run loop)";

/// The run loop mode the manager is scheduled in: ours alone, so no other
/// run of the thread's loop calls back.
const MODE: &str = "why-threads raw mouse";

/// Reports the callback keeps for the next read before it drops the
/// oldest (counted as overruns).
const INBOX: usize = 4096;

/// Run loop passes a poll makes at most, each handling one ready source
/// (one device's queue), so a poll ends even while the mouse streams.
const POLL_PASSES: usize = 16;

/// What Input Monitoring's refusal tells the user to do.
const NOT_PERMITTED: &str = "macOS allows reading the mouse only with the Input Monitoring \
permission: turn it on for the terminal or app that runs why-threads in System Settings → \
Privacy & Security → Input Monitoring, then start why-threads again";

/// The callback's state: on the heap, at an address that stays put while
/// the manager may call back with it, freed after the manager is released
/// (a field dropped after `manager`).
#[derive(Debug)]
struct Inbox(NonNull<Reports>);

impl Inbox {
    fn new() -> Self {
        let reports = Box::new(Reports::with_capacity(INBOX));
        Self(NonNull::from(Box::leak(reports)))
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        // SAFETY: from `Box::leak` in `new`, freed only here; the manager
        // that called back with it is unscheduled, closed and released.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

#[derive(Debug)]
pub struct RawMouse {
    manager: CFRetained<IOHIDManager>,
    mode: CFRetained<CFString>,
    /// The run loop the manager is scheduled on: the last reader's.
    run_loop: CFRetained<CFRunLoop>,
    /// After `manager`: dropped once the manager is released.
    inbox: Inbox,
}

// SAFETY: the manager is only ever used by one thread at a time (`&mut
// self`), and it calls back only inside `read`, on the reading thread,
// after `follow` has scheduled it on that thread's run loop; CF reference
// counts and run loop scheduling are thread-safe.
unsafe impl Send for RawMouse {}

impl RawMouse {
    pub fn open() -> io::Result<Self> {
        let run_loop = current_run_loop()?;
        let manager = IOHIDManager::new(None, kIOHIDOptionsTypeNone);
        let matching = mouse_matching()?;
        // SAFETY: a dictionary of CFString keys and CFNumber values, the
        // matching dictionary IOHIDManagerSetDeviceMatching takes.
        unsafe { manager.set_device_matching(Some(matching.as_opaque())) };
        let inbox = Inbox::new();
        // SAFETY: `on_value` takes the context it is given here: the
        // inbox, which outlives the manager (see `RawMouse`'s fields).
        unsafe {
            manager.register_input_value_callback(Some(on_value), inbox.0.as_ptr().cast());
        }
        let mode = CFString::from_static_str(MODE);
        // SAFETY: the calling thread's run loop, in our own mode.
        unsafe { manager.schedule_with_run_loop(&run_loop, &mode) };
        // From here a failure drops the mouse, which undoes the above.
        let mouse = Self {
            manager,
            mode,
            run_loop,
            inbox,
        };
        match mouse.manager.open(kIOHIDOptionsTypeNone) {
            r if r == kIOReturnSuccess => Ok(mouse),
            r if r == kIOReturnNotPermitted as IOReturn => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                NOT_PERMITTED,
            )),
            r => Err(io::Error::other(format!(
                "IOHIDManagerOpen failed (IOReturn 0x{:08x})",
                r as u32
            ))),
        }
    }

    pub fn read(
        &mut self,
        timeout: Duration,
        each: &mut dyn FnMut(RawReport),
    ) -> io::Result<usize> {
        self.follow()?;
        // What is waiting in the device queues, without waiting.
        for _ in 0..POLL_PASSES {
            if self.run(Duration::ZERO) != CFRunLoopRunResult::HandledSource {
                break;
            }
        }
        // A source hands over a device's whole queue, so the report its
        // last values built is whole too.
        self.reports().finish();
        if self.reports().is_empty() && !timeout.is_zero() {
            // Returns after the first source handled: a device's values,
            // or one plugged in (the caller waits again for what is left).
            if self.run(timeout) == CFRunLoopRunResult::Finished {
                // No source in the mode, so nothing can arrive: a wait
                // that returned at once would make the caller spin.
                thread::sleep(timeout);
            }
            self.reports().finish();
        }
        Ok(self.reports().take(each))
    }

    /// A run loop has no descriptor to wait on beside a deadline (kqueue is
    /// not used yet): the events mode drains this mouse once per tick.
    pub fn source(&mut self) -> io::Result<crate::sys::RawSource> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "IOHIDManager reports come through a run loop, not a descriptor",
        ))
    }

    pub fn overruns(&self) -> u64 {
        // SAFETY: as in `reports`; a shared borrow, while no run loop runs.
        unsafe { self.inbox.0.as_ref() }.overruns()
    }

    /// The callback's reports. Only between runs of the run loop: the
    /// callback, which writes them, runs only inside `run`.
    fn reports(&mut self) -> &mut Reports {
        // SAFETY: the inbox is alive as long as `self`; the callback that
        // also writes it runs only inside `run` (our mode), which takes
        // `&mut self` and so cannot overlap this borrow.
        unsafe { self.inbox.0.as_mut() }
    }

    /// Runs this thread's run loop in our mode for up to `timeout`,
    /// returning after the first source handled.
    fn run(&mut self, timeout: Duration) -> CFRunLoopRunResult {
        CFRunLoop::run_in_mode(Some(&self.mode), timeout.as_secs_f64(), true)
    }

    /// Schedules the manager on the calling thread's run loop, if it is
    /// on another thread's.
    fn follow(&mut self) -> io::Result<()> {
        let here = current_run_loop()?;
        if ptr::eq::<CFRunLoop>(&*here, &*self.run_loop) {
            return Ok(());
        }
        // SAFETY: the run loop and mode it was scheduled with, then this
        // thread's; neither runs our mode now (only `read` does, and this
        // is `read`, before it runs it).
        unsafe {
            self.manager
                .unschedule_from_run_loop(&self.run_loop, &self.mode);
            self.manager.schedule_with_run_loop(&here, &self.mode);
        }
        self.run_loop = here;
        Ok(())
    }
}

impl Drop for RawMouse {
    fn drop(&mut self) {
        // SAFETY: the run loop and mode it is scheduled with; unscheduling
        // may be done from any thread, and nothing runs our mode now.
        unsafe {
            self.manager
                .unschedule_from_run_loop(&self.run_loop, &self.mode);
        }
        let _ = self.manager.close(kIOHIDOptionsTypeNone);
        // SAFETY: no callback, and no context, from here on; the inbox is
        // freed after the manager is released (field order).
        unsafe {
            self.manager
                .register_input_value_callback(None, ptr::null_mut());
        }
    }
}

/// The calling thread's run loop (CF makes one on first ask).
fn current_run_loop() -> io::Result<CFRetained<CFRunLoop>> {
    CFRunLoop::current().ok_or_else(|| io::Error::other("this thread has no CFRunLoop"))
}

/// Every mouse: generic desktop page, mouse usage.
fn mouse_matching() -> io::Result<CFRetained<CFDictionary<CFString, CFNumber>>> {
    let key = |name: &'static std::ffi::CStr| {
        name.to_str()
            .map(CFString::from_static_str)
            .map_err(io::Error::other)
    };
    let (page, usage) = (key(kIOHIDDeviceUsagePageKey)?, key(kIOHIDDeviceUsageKey)?);
    let page_value = CFNumber::new_i32(kHIDPage_GenericDesktop as i32);
    let usage_value = CFNumber::new_i32(kHIDUsage_GD_Mouse as i32);
    Ok(CFDictionary::from_slices(
        &[&*page, &*usage],
        &[&*page_value, &*usage_value],
    ))
}

/// IOHIDManager's input value callback: one value (an axis or a button of
/// one report) into the inbox.
unsafe extern "C-unwind" fn on_value(
    context: *mut c_void,
    _result: IOReturn,
    _sender: *mut c_void,
    value: NonNull<IOHIDValue>,
) {
    // SAFETY: IOHIDManager passes a value that is valid for the call.
    let value = unsafe { value.as_ref() };
    let element = value.element();
    let page = element.usage_page();
    // Absolute axes (tablets) are not motion deltas: not read.
    if page == kHIDPage_GenericDesktop && !element.is_relative() {
        return;
    }
    // SAFETY: the context registered in `open`: the inbox, alive while the
    // manager can call back. This runs inside `RawMouse::run`, which holds
    // `&mut RawMouse`, so no other reference to the reports exists.
    let reports = unsafe { &mut *context.cast::<Reports>() };
    reports.value(
        value.time_stamp(),
        page,
        element.usage(),
        value.integer_value() as i64,
    );
}
