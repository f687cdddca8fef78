//! why-threads: the "Why Threads?" lecture as a runnable game loop.
//!
//! - [`core`]: the pure part (pacing arithmetic, the schedule, statistics,
//!   input samples, the game, the arena, drawing, the report's figures).
//!   Time comes in as arguments.
//! - [`shell`]: the platform part (clock, pacers, the input modes and their
//!   threads, the loop engine, signals, the headless benchmark, the command
//!   line).
//! - [`app`]: the desktop game on the engine: window, rendering, overlay,
//!   sound and gamepad.
//! - [`programs`]: the headless benchmark (and, in time, the other programs).
//! - [`serve`]: the web server of the lecture's second half, its stages
//!   driven by each architecture (threads, pool, events, SEDA, completion, M:N).
//!
//! See ARCHITECTURE.md for the code map and its invariants.

pub mod app;
pub mod cli;
pub mod core;
pub mod degradation;
pub mod load;
pub mod programs;
pub mod serve;
pub mod shell;
pub mod sys;
