//! Signals, delivered as messages. The handlers (signal-hook's) only write
//! to a pipe; a thread named `signals` turns each signal into a [`Signal`]
//! and sends it through a channel that the loop drains: no work in the
//! handler.
//!
//! SIGINT and SIGTERM ask to quit (the report is written, the benchmark
//! prints what it measured so far); SIGUSR1 asks for the next input mode,
//! so `kill -USR1 <pid>` switches from a terminal. The engine starts this
//! for whichever program runs the loop, drains the channel between ticks
//! and decides what each signal means (this file knows no engine).

use crossbeam_channel::{Receiver, bounded};

use super::timeline::LaneSender;
#[cfg(unix)]
use crate::core::timeline::Activity;

/// What arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT or SIGTERM.
    Quit,
    /// SIGUSR1.
    NextMode,
}

/// Tests that hook signals or raise them take this, so that a signal one
/// test raises never reaches another test's loop.
#[cfg(test)]
pub(crate) static EXCLUSIVE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Starts the `signals` thread (each signal it handles a span on the thread
/// timeline's `signals` lane). If signals cannot be hooked (or the thread
/// cannot start), the receiver simply never yields and the reason comes back.
pub fn listen(lane: LaneSender) -> (Receiver<Signal>, Option<String>) {
    let (tx, rx) = bounded(16);
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
        use signal_hook::iterator::Signals;
        let mut signals = match Signals::new([SIGINT, SIGTERM, SIGUSR1]) {
            Ok(s) => s,
            Err(e) => return (rx, Some(format!("signals will not be handled: {e}"))),
        };
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    let arrived = if signal == SIGUSR1 {
                        Signal::NextMode
                    } else {
                        Signal::Quit
                    };
                    let sent = lane.time(Activity::Signal, || tx.send(arrived));
                    if sent.is_err() {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            return (rx, Some(format!("signals will not be handled: {e}")));
        }
    }
    #[cfg(not(unix))]
    drop((tx, lane));
    (rx, None)
}
