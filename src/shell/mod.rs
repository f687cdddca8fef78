//! The game's shell: the clock, threads, pacing, the mouse devices, the
//! input modes, the loop engine that drives the core, the report writer
//! and the exports, over the platform layer `sys`. The window, sound and
//! gamepad live in `app`; the benchmark in `programs`.

pub mod clock;
pub mod diagnostics;
pub mod engine;
pub(crate) mod export;
pub(crate) mod flags;
pub(crate) mod frames;
pub(crate) mod hotkeys;
pub mod modes;
pub mod mouse;
pub mod pacer;
/// The mouse read below the window system (sys::raw_mouse): Raw Input on
/// Windows, IOHIDManager on macOS.
#[cfg(any(windows, target_os = "macos"))]
pub(crate) mod raw_input;
pub(crate) mod recorder;
pub mod report_file;
#[cfg(test)]
pub(crate) mod scratch;
pub(crate) mod timeline;
pub(crate) mod trace;
pub(crate) mod worker;
#[cfg(target_os = "linux")]
pub(crate) mod x11;
