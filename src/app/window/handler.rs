//! winit's side of the window: the events pumped since the last tick,
//! turned into held keys, hotkey commands and view changes (through the
//! hotkey table), the cursor relayed as mouse reports, and the window made
//! when winit says `resumed`.

use std::sync::Arc;

use winit::application::ApplicationHandler;
use winit::dpi::LogicalSize;
use winit::event::{ElementState, KeyEvent, MouseButton, WindowEvent};
use winit::event_loop::ActiveEventLoop;
use winit::keyboard::{KeyCode, PhysicalKey};
use winit::window::{Window, WindowId};

use crate::app::keys::key_of;
use crate::core::input::Keys;
use crate::shell::clock::Clock;
use crate::shell::engine::Command;
use crate::shell::hotkeys::{self, Action, View};
use crate::shell::mouse::{ArenaMapping, RelaySender};

/// winit's side: collects what happened since the last pump.
pub(super) struct Handler {
    pub(super) window: Option<Arc<Window>>,
    pub(super) error: Option<String>,
    pub(super) egui: Option<egui_winit::State>,
    pub(super) egui_ctx: egui::Context,
    pub(super) held: Held,
    pub(super) commands: Vec<Command>,
    pub(super) view_keys: Vec<View>,
    pub(super) close: bool,
    pub(super) resized: Option<(u32, u32)>,
    pub(super) relay: Option<RelaySender>,
    pub(super) relay_seq: u64,
    pub(super) cursor: (f32, f32),
    pub(super) buttons: u8,
    pub(super) mapping: Arc<ArenaMapping>,
    pub(super) clock: Clock,
}

/// Movement keys held down.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Held {
    up: [bool; 2],
    down: [bool; 2],
    left: [bool; 2],
    right: [bool; 2],
}

impl Held {
    pub(super) fn keys(&self) -> Keys {
        Keys {
            up: self.up.iter().any(|&b| b),
            down: self.down.iter().any(|&b| b),
            left: self.left.iter().any(|&b| b),
            right: self.right.iter().any(|&b| b),
        }
    }
}

impl Handler {
    /// Before the window exists: it is made when winit says `resumed`.
    pub(super) fn new(mapping: Arc<ArenaMapping>, clock: Clock) -> Self {
        Self {
            window: None,
            error: None,
            egui: None,
            egui_ctx: egui::Context::default(),
            held: Held::default(),
            commands: Vec::with_capacity(8),
            view_keys: Vec::with_capacity(8),
            close: false,
            resized: None,
            relay: None,
            relay_seq: 0,
            cursor: (0.0, 0.0),
            buttons: 0,
            mapping,
            clock,
        }
    }

    /// `echo`: a repeat, or a press winit makes up for a key already held
    /// when the window gains focus. Held keys follow it; hotkeys do not.
    fn key(&mut self, code: KeyCode, pressed: bool, echo: bool) {
        let slot = match code {
            KeyCode::ArrowUp => Some(&mut self.held.up[0]),
            KeyCode::KeyW => Some(&mut self.held.up[1]),
            KeyCode::ArrowDown => Some(&mut self.held.down[0]),
            KeyCode::KeyS => Some(&mut self.held.down[1]),
            KeyCode::ArrowLeft => Some(&mut self.held.left[0]),
            KeyCode::KeyA => Some(&mut self.held.left[1]),
            KeyCode::ArrowRight => Some(&mut self.held.right[0]),
            KeyCode::KeyD => Some(&mut self.held.right[1]),
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = pressed;
            return;
        }
        // Hotkeys act on a real press only: nothing toggles twice.
        if !pressed || echo {
            return;
        }
        match key_of(code).and_then(hotkeys::action_of) {
            Some(Action::Engine(command)) => self.commands.push(command),
            Some(Action::View(view)) => self.view_keys.push(view),
            Some(Action::Input) | None => {}
        }
    }

    fn relay_cursor(&mut self) {
        if let Some(relay) = &self.relay {
            let r = self.mapping.report(
                self.relay_seq,
                self.clock.now(),
                self.cursor.0,
                self.cursor.1,
                self.buttons,
            );
            self.relay_seq += 1;
            relay.send(r);
        }
    }
}

impl ApplicationHandler for Handler {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_some() {
            return;
        }
        let attributes = Window::default_attributes()
            .with_title("why-threads: polled vs threaded mouse")
            .with_inner_size(LogicalSize::new(1024.0, 600.0))
            .with_min_inner_size(LogicalSize::new(480.0, 320.0));
        match event_loop.create_window(attributes) {
            Ok(window) => {
                let window = Arc::new(window);
                self.egui = Some(egui_winit::State::new(
                    self.egui_ctx.clone(),
                    egui::ViewportId::ROOT,
                    &*window,
                    Some(window.scale_factor() as f32),
                    None,
                    None,
                ));
                self.window = Some(window);
            }
            Err(e) => self.error = Some(format!("cannot create the window: {e}")),
        }
    }

    fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let consumed = match (&mut self.egui, &self.window) {
            (Some(state), Some(window)) => state.on_window_event(window, &event).consumed,
            _ => false,
        };
        match event {
            WindowEvent::CloseRequested => self.close = true,
            WindowEvent::Resized(size) => self.resized = Some((size.width, size.height)),
            // A key released while unfocused never arrives: forget held keys.
            WindowEvent::Focused(false) => self.held = Held::default(),
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        physical_key: PhysicalKey::Code(code),
                        state,
                        repeat,
                        ..
                    },
                is_synthetic,
                ..
            } => self.key(code, state == ElementState::Pressed, repeat || is_synthetic),
            WindowEvent::CursorMoved { position, .. } => {
                self.cursor = (position.x as f32, position.y as f32);
                self.relay_cursor();
            }
            WindowEvent::MouseInput {
                state,
                button: MouseButton::Left,
                ..
            } if !consumed => {
                self.buttons = u8::from(state == ElementState::Pressed);
                self.relay_cursor();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handler() -> Handler {
        Handler::new(Arc::new(ArenaMapping::default()), Clock::new())
    }

    #[test]
    fn hotkeys_act_on_real_presses_only() {
        let mut h = handler();
        h.key(KeyCode::KeyV, true, false);
        h.key(KeyCode::KeyV, true, true); // repeat, or made up on focus gain
        h.key(KeyCode::KeyV, false, false);
        h.key(KeyCode::KeyO, true, true);
        assert_eq!(h.commands, vec![Command::ToggleRecording]);
        assert!(h.view_keys.is_empty());
    }

    #[test]
    fn held_keys_follow_every_press_and_release() {
        let mut h = handler();
        h.key(KeyCode::ArrowLeft, true, true); // held while focus came back
        h.key(KeyCode::KeyD, true, false);
        let keys = h.held.keys();
        assert!(keys.left && keys.right && !keys.up);
        h.key(KeyCode::ArrowLeft, false, false);
        assert!(!h.held.keys().left);
        assert!(h.commands.is_empty());
    }

    #[test]
    fn the_tables_hotkeys_reach_the_loop_and_the_view() {
        let mut h = handler();
        h.key(KeyCode::PageUp, true, false);
        h.key(KeyCode::Space, true, false);
        h.key(KeyCode::KeyH, true, false);
        h.key(KeyCode::KeyZ, true, false);
        assert_eq!(
            h.commands,
            vec![Command::ChangeRate(1), Command::LectureNext]
        );
        assert_eq!(h.view_keys, vec![View::Help]);
    }
}
