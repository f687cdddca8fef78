//! The one platform layer: everything the program asks of the operating
//! system, behind one contract that every platform meets. Modelled on
//! mio's `src/sys`: the platform is chosen once, here; each concept is one
//! file of portable code over `imp`, the chosen platform's module; and a
//! feature a platform lacks is a labelled fallback that says so, never a
//! silent difference.
//!
//! The contract (every item exists on every platform):
//!
//! | concept | here | Linux | macOS | Windows |
//! | --- | --- | --- | --- | --- |
//! | files | [`fs`]: [`fs::AtomicFile`], [`fs::write_atomic`], [`fs::read_at`] | rename + fsync of the folder; `pread` | the same | rename (a folder cannot be synced); `seek_read` |
//! | stdout | [`stdout::print`]: checked, a closed pipe is an end | | | |
//! | signals | [`signals::listen`]: the one `signals` thread | SIGINT, SIGTERM, SIGUSR1 | the same | console Ctrl-C / Ctrl-Break / close |
//! | threads | [`thread`]: CPU time, id, the list, timer slack, scheduler slice | `CLOCK_THREAD_CPUTIME_ID`, /proc, prctl, `sched_setattr` (6.12+) | the clock, Mach's thread list; no slack, no slice | `GetThreadTimes`, Toolhelp, `GetThreadDescription`; no slack, no slice |
//! | waits | [`wait`]: a timer and one wait on a device and a deadline | timerfd + epoll | unsupported (drain per tick) | waitable timers + `MsgWaitForMultipleObjectsEx` (handles and the raw-input queue) |
//! | sockets | [`net`]: backlog, a read that never waits, own addresses, fd limit | | | |
//! | raw mouse | [`raw_mouse::RawMouse`]: the mouse's own reports, a blocking read, a poll, a source to wait on | unsupported (X11 in the shell) | IOHIDManager on the reading thread's run loop, in a mode of its own; Input Monitoring or `PermissionDenied` | Raw Input on a message-only window of the reading thread |
//! | libraries | [`dl::Library`]: a shared library's symbols | dlopen | dlopen | none |
//! | sound | [`sound::quietly`]: ALSA's and JACK's probe messages into the log | | runs the probe as is | runs the probe as is |
//! | completions | `uring` (Linux only, declared for Linux alone): io_uring's ring, operations, completions, for `--arch completion` | io_uring | absent: the server says it needs Linux | absent: the same |
//!
//! Nothing outside this folder names `libc`, `windows_sys`, `signal_hook`,
//! `alsa` or `io_uring`, nor tests `cfg(target_os …)` but on a module
//! declaration (checked by tests/architecture.rs). x11rb is the other
//! platform part, kept with the X11 device and display code it speaks for.

pub mod dl;
pub mod fs;
/// HID values gathered into mouse reports: macOS's raw mouse, and every
/// platform's tests.
#[cfg(any(target_os = "macos", test))]
mod hid;
pub mod net;
/// The timer and wait where the OS's is not used yet (macOS's kqueue).
#[cfg(not(any(target_os = "linux", windows)))]
mod no_wait;
pub mod raw_mouse;
pub mod signals;
pub mod sound;
pub mod stdout;
pub mod thread;
#[cfg(target_os = "linux")]
pub mod uring;
pub mod wait;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// What an event loop can sleep on: a file descriptor on Unix; a handle,
/// or the thread's raw-input queue, on Windows.
pub use imp::RawSource;
