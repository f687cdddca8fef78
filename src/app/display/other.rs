//! Any desktop but Linux, Windows and macOS: one window system
//! (`single.rs`), and the mouse is the window's cursor events.

use crate::shell::clock::Clock;
use crate::shell::mouse::MouseDevice;

pub(crate) use super::single::*;

/// No mouse is read below the window system here.
pub(crate) fn os_mouse(_clock: Clock) -> Option<Result<Box<dyn MouseDevice>, String>> {
    None
}
