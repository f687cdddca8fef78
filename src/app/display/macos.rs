//! macOS: one window system (`single.rs`); the mouse is read below it,
//! through IOHIDManager.

use crate::shell::clock::Clock;
use crate::shell::mouse::MouseDevice;
use crate::shell::raw_input::RawInputMouse;

pub(crate) use super::single::*;

/// The mouse's own reports through IOHIDManager, on this thread's run
/// loop until a read from another thread moves it there. Without Input
/// Monitoring the error says where to allow it.
pub(crate) fn os_mouse(clock: Clock) -> Option<Result<Box<dyn MouseDevice>, String>> {
    Some(RawInputMouse::open(clock).map(|m| Box::new(m) as Box<dyn MouseDevice>))
}
