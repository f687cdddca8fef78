//! why-threads: the "Why Threads?" lecture as a runnable game loop.
//!
//! - [`core`]: the pure part (pacing arithmetic, the schedule, statistics,
//!   input samples, the game, drawing). Time comes in as arguments.
//! - [`shell`]: the platform part (clock, pacers, the `read_mouse` thread,
//!   the loop, the headless benchmark, the command line).
//! - [`serve`]: the web server of the lecture's second half, its stages
//!   driven by each architecture (threads, pool, events, SEDA, M:N).
//!
//! See ARCHITECTURE.md for the code map and its invariants.

pub mod app;
pub mod core;
pub mod figure2;
pub mod load;
pub mod serve;
pub mod shell;
