//! The platform shell: the clock, threads, pacing, devices, the input
//! modes, the loop engine that drives the core, signals, the report writer
//! and the command line. The window, sound and gamepad live in `app`; the
//! benchmark in `programs`.

pub mod clock;
pub mod diagnostics;
pub mod engine;
pub mod export;
pub mod flags;
pub mod frames;
pub mod hotkeys;
pub mod modes;
pub mod mouse;
pub mod pacer;
pub mod recorder;
pub mod report_file;
#[cfg(test)]
pub mod scratch;
pub mod timeline;
pub mod trace;
pub mod worker;
#[cfg(target_os = "linux")]
pub mod x11;
