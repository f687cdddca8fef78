use std::io;

use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
use signal_hook::iterator::Signals;

use crate::sys::signals::Signal;

pub fn listen(mut on: Box<dyn FnMut(Signal) -> bool + Send>) -> io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGUSR1])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let arrived = if signal == SIGUSR1 {
                    Signal::NextMode
                } else {
                    Signal::Quit
                };
                if !on(arrived) {
                    break;
                }
            }
        })
        .map(drop)
}

pub fn interrupt(pid: u32) -> io::Result<()> {
    let pid =
        libc::pid_t::try_from(pid).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: kill(2) with a plain pid and signal number.
    super::check(unsafe { libc::kill(pid, libc::SIGINT) }).map(drop)
}

#[cfg(test)]
pub fn raise(signal: Signal) -> io::Result<()> {
    let number = match signal {
        Signal::Quit => libc::SIGTERM,
        Signal::NextMode => libc::SIGUSR1,
    };
    // SAFETY: raise(3) takes a plain signal number.
    super::check(unsafe { libc::raise(number) }).map(drop)
}
