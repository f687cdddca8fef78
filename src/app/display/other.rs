//! macOS (and any other non-Linux, non-Windows desktop): winit has one
//! window system there, so there is no display to choose, no X server to
//! lose, and no Xlib to hook; the mouse is the window's cursor events.

use winit::event_loop::{EventLoop, EventLoopBuilder};
use winit::window::Window;

use crate::shell::clock::Clock;
use crate::shell::mouse::{ArenaMapping, MouseDevice};
use std::sync::Arc;

pub(crate) fn server_gone() -> bool {
    false
}

pub(crate) fn event_loop_builder(_wayland_first: bool) -> (EventLoopBuilder<()>, Option<String>) {
    (EventLoop::builder(), None)
}

pub(crate) const NO_X11: &str = "X11 input is Linux-only here";

pub(crate) fn x11_mouse(
    _window: u32,
    _clock: Clock,
    _mapping: Arc<ArenaMapping>,
) -> Result<Box<dyn MouseDevice>, String> {
    Err(NO_X11.to_string())
}

/// No mouse is read below the window system here.
pub(crate) fn os_mouse(_clock: Clock) -> Option<Result<Box<dyn MouseDevice>, String>> {
    None
}

pub(crate) fn x11_window(_window: &Window) -> Option<u32> {
    None
}

pub(crate) fn guard(_window: &Window) -> Option<String> {
    None
}
