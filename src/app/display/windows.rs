//! Windows: winit has one window system, so there is no display to
//! choose, no X server to lose, and no Xlib to hook; the mouse is read
//! below it, through Raw Input.

use winit::event_loop::{EventLoop, EventLoopBuilder};
use winit::window::Window;

use crate::shell::clock::Clock;
use crate::shell::mouse::{ArenaMapping, MouseDevice};
use crate::shell::raw_input::RawInputMouse;
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

/// The mouse's own reports through Raw Input, registered now: after
/// winit's event loop, which registers its window for them when built.
pub(crate) fn os_mouse(clock: Clock) -> Option<Result<Box<dyn MouseDevice>, String>> {
    Some(
        RawInputMouse::open(clock)
            .map(|m| Box::new(m) as Box<dyn MouseDevice>)
            .map_err(|e| format!("Raw Input mouse unavailable ({e})")),
    )
}

pub(crate) fn x11_window(_window: &Window) -> Option<u32> {
    None
}

pub(crate) fn guard(_window: &Window) -> Option<String> {
    None
}
