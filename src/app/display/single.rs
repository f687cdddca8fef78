//! A desktop with one window system (Windows, macOS): there is no display
//! to choose, no X server to lose, and no Xlib to hook. The platform's file
//! adds how the mouse is read there.

use std::sync::Arc;

use winit::event_loop::{EventLoop, EventLoopBuilder};
use winit::window::Window;

use crate::shell::clock::Clock;
use crate::shell::mouse::{ArenaMapping, MouseDevice};

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

pub(crate) fn x11_window(_window: &Window) -> Option<u32> {
    None
}

pub(crate) fn guard(_window: &Window) -> Option<String> {
    None
}
