use std::io;
use std::sync::OnceLock;

use crossbeam_channel::{Sender, bounded};
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::core::BOOL;

use crate::sys::signals::Signal;

/// Where the console-control handler (run by Windows on a thread of its
/// own) hands each event to our `signals` thread.
static EVENTS: OnceLock<Sender<()>> = OnceLock::new();

unsafe extern "system" fn on_console(_event: u32) -> BOOL {
    if let Some(tx) = EVENTS.get() {
        let _ = tx.try_send(());
    }
    1
}

pub fn listen(mut on: Box<dyn FnMut(Signal) -> bool + Send>) -> io::Result<()> {
    let (tx, rx) = bounded(16);
    if EVENTS.set(tx).is_err() {
        return Err(io::Error::other("the console handler is already set"));
    }
    // SAFETY: a handler with the signature PHANDLER_ROUTINE asks for.
    if unsafe { SetConsoleCtrlHandler(Some(on_console), 1) } == 0 {
        return Err(io::Error::last_os_error());
    }
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for () in rx {
                if !on(Signal::Quit) {
                    break;
                }
            }
        })
        .map(drop)
}

pub fn interrupt(_pid: u32) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "a console event reaches the whole console group, not one process",
    ))
}

#[cfg(test)]
pub fn raise(_signal: Signal) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "a console event reaches the whole console group, not one process",
    ))
}
