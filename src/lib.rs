//! why-threads: the "Why Threads?" lecture as a runnable game loop.
//!
//! - [`core`]: the pure part (pacing arithmetic, the schedule, statistics,
//!   input samples, the game, the arena, drawing, the report's figures).
//!   Time comes in as arguments.
//! - [`sys`]: the one platform layer: everything asked of the operating
//!   system, behind one contract per concept (files, stdout, signals,
//!   threads, waits, sockets, io_uring).
//! - [`shell`]: the game's shell on `sys` (clock, pacers, the input modes
//!   and their threads, the loop engine, the report and the exports).
//! - [`app`]: the desktop game on the engine: window, rendering, overlay,
//!   sound and gamepad.
//! - [`programs`]: the headless benchmark.
//! - [`serve`], [`load`], [`degradation`]: the lecture's second half: one
//!   web server in each architecture of the slides, a loopback load
//!   generator, and SEDA's Figure 2 (`why-threads seda`).
//! - [`cli`]: the binary's command line, the top floor: the subcommand
//!   table naming each program's flags.
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
