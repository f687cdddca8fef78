//! Windows: one window system (`single.rs`); the mouse is read below it,
//! through Raw Input.

use crate::shell::clock::Clock;
use crate::shell::mouse::MouseDevice;
use crate::shell::raw_input::RawInputMouse;

pub(crate) use super::single::*;

/// The mouse's own reports through Raw Input, registered now: after
/// winit's event loop, which registers its window for them when built.
pub(crate) fn os_mouse(clock: Clock) -> Option<Result<Box<dyn MouseDevice>, String>> {
    Some(RawInputMouse::open(clock).map(|m| Box::new(m) as Box<dyn MouseDevice>))
}
