//! No raw mouse on a Unix but macOS: Linux reads the mouse through X11
//! (XInput2, in the shell).

use std::io;
use std::time::Duration;

use crate::sys::RawSource;
use crate::sys::raw_mouse::RawReport;

pub const NAME: &str = "raw mouse";
pub const LABEL: &str = "no raw mouse (Linux reads the mouse through X11)";

#[derive(Debug)]
pub enum RawMouse {}

impl RawMouse {
    pub fn open() -> io::Result<Self> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "no raw mouse here (Linux reads the mouse through X11)",
        ))
    }
    pub fn read(&mut self, _: Duration, _: &mut dyn FnMut(RawReport)) -> io::Result<usize> {
        match *self {}
    }
    pub fn source(&mut self) -> io::Result<RawSource> {
        match *self {}
    }
    pub fn overruns(&self) -> u64 {
        match *self {}
    }
}
