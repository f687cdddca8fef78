//! Signals, delivered as calls on one thread. The OS's handler only wakes
//! the thread named `signals` (signal-hook's self-pipe on Unix, a channel
//! from the console-control handler on Windows); the work happens there,
//! in the caller's `on`, never in a handler. The game and the servers use
//! this same thread; each decides what a signal means.

use std::io;

/// What arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT or SIGTERM; on Windows Ctrl-C, Ctrl-Break or the console closing.
    Quit,
    /// SIGUSR1 (Unix only: Windows has no such signal).
    NextMode,
}

/// Starts the `signals` thread: `on` runs there for each signal that
/// arrives, until it returns `false`. An error says why signals will not
/// be handled (they could not be hooked, or the thread did not start).
pub fn listen(on: impl FnMut(Signal) -> bool + Send + 'static) -> io::Result<()> {
    super::imp::signals::listen(Box::new(on))
}

/// Sends `signal` to this process, as `kill` would (for tests of the
/// handling). Unsupported on Windows, which cannot aim a console event at
/// one process without its whole console group.
#[cfg(test)]
pub fn raise(signal: Signal) -> io::Result<()> {
    super::imp::signals::raise(signal)
}

/// Does to process `pid` what Ctrl-C in its terminal does (SIGINT), for
/// tests that stop a child the way a user would. Unsupported on Windows,
/// where a console event reaches the whole console group.
pub fn interrupt(pid: u32) -> io::Result<()> {
    super::imp::signals::interrupt(pid)
}

/// Tests that hook signals or raise them take this, so that a signal one
/// test raises never reaches another test's loop.
#[cfg(test)]
pub static EXCLUSIVE: std::sync::Mutex<()> = std::sync::Mutex::new(());
