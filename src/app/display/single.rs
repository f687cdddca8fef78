//! A desktop with one window system (Windows, macOS): there is no display
//! to choose, no X server to lose, and no Xlib to hook. The platform's file
//! adds how the mouse is read there.

use std::sync::Arc;

use winit::event_loop::{EventLoop, EventLoopBuilder};
use winit::window::Window;

use crate::core::latency::Completion;
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

/// No display times here: Windows' (DXGI frame statistics) and macOS'
/// (Metal's presented time) belong to wgpu's swapchain, which does not
/// pass them on. The type has no values.
pub(crate) enum DisplayClock {}

pub(crate) const DISPLAY_TIME_SOURCE: &str = "";

impl DisplayClock {
    pub(crate) fn drain(&mut self, _each: &mut dyn FnMut(Completion)) -> Result<(), String> {
        match *self {}
    }

    pub(crate) fn seen(&self) -> u64 {
        match *self {}
    }
}

pub(crate) fn display_clock(_window: &Window, _clock: Clock) -> Result<DisplayClock, String> {
    Err(
        "the swapchain keeps the display's times here (DXGI frame statistics, \
         Metal's presented time) and wgpu does not pass them on"
            .into(),
    )
}
