//! Where the OS's one wait on a device and a deadline is not used yet
//! (macOS's kqueue, Windows' `MsgWaitForMultipleObjects`): a timer and a
//! waiter that cannot be made, each refusal saying why. Uninhabited types:
//! nothing can hold one, so no method has a value to invent.

use std::io;
use std::time::Duration;

use super::RawSource;

fn unsupported() -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, super::imp::wait::NO_WAIT)
}

#[derive(Debug)]
pub enum Timer {}

impl Timer {
    pub fn new() -> io::Result<Self> {
        Err(unsupported())
    }
    pub fn arm_at(&self, _at: Duration) -> io::Result<()> {
        match *self {}
    }
    pub fn source(&self) -> RawSource {
        match *self {}
    }
}

#[derive(Debug)]
pub enum Waiter {}

impl Waiter {
    pub fn new(_device: RawSource) -> io::Result<Self> {
        Err(unsupported())
    }
    pub fn wait(&mut self, _deadline: Duration) -> io::Result<()> {
        match *self {}
    }
}
