//! Signals for the game and the benchmark, as messages. The one `signals`
//! thread (`sys::signals`) turns each signal into a [`Signal`], records a
//! span on the thread timeline's `signals` lane and sends it through a
//! channel that the loop drains between ticks: no work in a handler.
//!
//! SIGINT and SIGTERM ask to quit (the report is written, the benchmark
//! prints what it measured so far); SIGUSR1 asks for the next input mode,
//! so `kill -USR1 <pid>` switches from a terminal. The engine decides what
//! each signal means (this file knows no engine).

use crossbeam_channel::{Receiver, bounded};

use super::timeline::LaneSender;
use crate::core::timeline::Activity;
pub use crate::sys::signals::Signal;

/// Starts listening (each signal a span on the `signals` lane). If signals
/// cannot be hooked (or the thread cannot start), the receiver simply
/// never yields and the reason comes back.
pub fn listen(lane: LaneSender) -> (Receiver<Signal>, Option<String>) {
    let (tx, rx) = bounded(16);
    let hooked = crate::sys::signals::listen(move |arrived| {
        lane.time(Activity::Signal, || tx.send(arrived)).is_ok()
    });
    let problem = hooked
        .err()
        .map(|e| format!("signals will not be handled: {e}"));
    (rx, problem)
}
