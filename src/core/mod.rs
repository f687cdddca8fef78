//! The pure core: everything about the loop and the game that can be
//! decided without the outside world.
//!
//! Invariants (checked by `tests/architecture.rs`):
//! - no platform crate is named here (no winit, pixels, wgpu, egui, rodio,
//!   gilrs, x11rb, spin_sleep, crossbeam, libc);
//! - time is passed in as a `Duration` since the program's epoch; nothing
//!   here reads a clock, sleeps, spawns or does I/O;
//! - nothing here can fail or panic on any input: no `Result`, no `unwrap`.

pub(crate) mod ai;
pub mod arena;
pub(crate) mod draw;
pub(crate) mod enemies;
pub(crate) mod game;
pub(crate) mod histogram;
pub mod http;
pub(crate) mod input;
pub(crate) mod latency;
pub(crate) mod lecture;
pub mod pacing;
pub mod report;
pub(crate) mod ring;
pub(crate) mod schedule;
pub mod stats;
pub mod synth;
pub(crate) mod timeline;
pub(crate) mod trail;
