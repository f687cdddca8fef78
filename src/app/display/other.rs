//! Windows and macOS: winit has one window system there, so there is no
//! display to choose, no X server to lose, and no Xlib to hook.

use winit::event_loop::EventLoopBuilder;
use winit::window::Window;

use super::{Backend, Choice};
use crate::shell::clock::Clock;
use crate::shell::mouse::{ArenaMapping, MouseDevice};
use std::sync::Arc;

pub fn server_gone() -> bool {
    false
}

pub fn force(_builder: &mut EventLoopBuilder<()>, _backend: Option<Backend>) {}

pub fn choose_from_env() -> Choice {
    Choice {
        backend: None,
        note: None,
    }
}

pub const NO_X11: &str = "X11 input is Linux-only here";

pub fn x11_mouse(
    _window: u32,
    _clock: Clock,
    _mapping: Arc<ArenaMapping>,
) -> Result<Box<dyn MouseDevice>, String> {
    Err(NO_X11.to_string())
}

pub fn x11_window(_window: &Window) -> Option<u32> {
    None
}

pub fn guard(_window: &Window) -> Option<String> {
    None
}
