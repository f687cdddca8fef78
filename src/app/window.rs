//! The window frontend: winit events pumped by the loop (never the other
//! way round), hotkeys, the relay mouse, and the display, sound and gamepad
//! subsystems as the loop calls them.

use std::sync::Arc;
use std::time::Duration;

use winit::application::ApplicationHandler;
use winit::dpi::LogicalSize;
use winit::event::{ElementState, KeyEvent, MouseButton, WindowEvent};
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::keyboard::{KeyCode, PhysicalKey};
use winit::platform::pump_events::{EventLoopExtPumpEvents, PumpStatus};
use winit::raw_window_handle::{
    HasDisplayHandle, HasWindowHandle, RawDisplayHandle, RawWindowHandle,
};
use winit::window::{Fullscreen, Window, WindowId};

use super::audio::Audio;
use super::fit;
use super::gamepad::Gamepads;
use super::lecture;
use super::overlay::{self, OverlayInput};
use super::render::{LightsInput, Renderer, Viewport};
use super::timeline;
use crate::core::draw;
use crate::core::game::SoundEvent;
use crate::core::input::{Keys, Pad};
use crate::shell::clock::Clock;
use crate::shell::engine::{Command, Commands, Frontend, Scene};
use crate::shell::mouse::{ArenaMapping, RelaySender};
use crate::shell::os;

/// Hotkeys that change only what the window shows or plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ViewKey {
    Overlay,
    Bigger,
    Smaller,
    Lights,
    Mute,
    Help,
    /// The thread timeline panel.
    Timeline,
    Fullscreen,
}

/// winit's side: collects what happened since the last pump.
struct Handler {
    window: Option<Arc<Window>>,
    error: Option<String>,
    egui: Option<egui_winit::State>,
    egui_ctx: egui::Context,
    held: Held,
    commands: Vec<Command>,
    view_keys: Vec<ViewKey>,
    close: bool,
    resized: Option<(u32, u32)>,
    relay: Option<RelaySender>,
    relay_seq: u64,
    cursor: (f32, f32),
    buttons: u8,
    mapping: Arc<ArenaMapping>,
    clock: Clock,
}

/// Movement keys held down.
#[derive(Clone, Copy, Debug, Default)]
struct Held {
    up: [bool; 2],
    down: [bool; 2],
    left: [bool; 2],
    right: [bool; 2],
}

impl Held {
    fn keys(&self) -> Keys {
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
    fn new(mapping: Arc<ArenaMapping>, clock: Clock) -> Self {
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
        match code {
            KeyCode::KeyT => self.commands.push(Command::NextMode),
            KeyCode::KeyB => self.commands.extend(Command::toggle("blocking", "polled")),
            KeyCode::KeyI => self.commands.push(Command::ToggleAi),
            KeyCode::KeyK => self.commands.push(Command::AiHarder),
            KeyCode::KeyJ => self.commands.push(Command::ToggleWorkers),
            KeyCode::KeyV => self.commands.push(Command::ToggleRecording),
            KeyCode::KeyN | KeyCode::Space => self.commands.push(Command::LectureNext),
            KeyCode::KeyR => self.commands.push(Command::ResetStats),
            KeyCode::PageUp | KeyCode::BracketRight => self.commands.push(Command::ChangeRate(1)),
            KeyCode::PageDown | KeyCode::BracketLeft => self.commands.push(Command::ChangeRate(-1)),
            KeyCode::KeyP => self.commands.push(Command::TogglePause),
            KeyCode::Escape => self.commands.push(Command::Quit),
            KeyCode::KeyO => self.view_keys.push(ViewKey::Overlay),
            KeyCode::Equal | KeyCode::NumpadAdd => self.view_keys.push(ViewKey::Bigger),
            KeyCode::Minus | KeyCode::NumpadSubtract => self.view_keys.push(ViewKey::Smaller),
            KeyCode::KeyL => self.view_keys.push(ViewKey::Lights),
            KeyCode::KeyM => self.view_keys.push(ViewKey::Mute),
            KeyCode::KeyH | KeyCode::F1 => self.view_keys.push(ViewKey::Help),
            KeyCode::KeyG => self.view_keys.push(ViewKey::Timeline),
            KeyCode::F11 => self.view_keys.push(ViewKey::Fullscreen),
            _ => {}
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

/// The window as the loop's frontend.
pub struct WindowFrontend {
    event_loop: EventLoop<()>,
    handler: Handler,
    renderer: Renderer,
    audio: Option<Audio>,
    audio_label: String,
    pads: Gamepads,
    pads_label: String,
    overlay: bool,
    scale: f32,
    lights: bool,
    muted: bool,
    help: bool,
    timeline: bool,
    minimized: bool,
    threads: Vec<(String, f64)>,
    last_threads: Vec<os::ThreadCpu>,
    threads_at: Duration,
    render_errors: u64,
    /// Messages for the engine to show (collected at start-up).
    pub startup_messages: Vec<String>,
}

/// Why the window could not open.
pub type WindowError = String;

impl WindowFrontend {
    /// Opens the window (pumping winit until it exists) and the display,
    /// sound and gamepads.
    pub fn open(
        mut event_loop: EventLoop<()>,
        clock: Clock,
        mapping: Arc<ArenaMapping>,
    ) -> Result<Self, WindowError> {
        let mut handler = Handler::new(mapping, clock);
        for _ in 0..200 {
            if let PumpStatus::Exit(code) =
                event_loop.pump_app_events(Some(Duration::from_millis(10)), &mut handler)
            {
                return Err(format!(
                    "the window system closed the event loop (code {code})"
                ));
            }
            if handler.window.is_some() || handler.error.is_some() {
                break;
            }
        }
        if let Some(e) = handler.error.take() {
            return Err(e);
        }
        let Some(window) = handler.window.clone() else {
            return Err("the window did not appear within two seconds".into());
        };
        let renderer = Renderer::new(window).map_err(|e| e.0)?;
        handler
            .egui_ctx
            .options_mut(|o| o.zoom_with_keyboard = false);
        let mut startup_messages = Vec::new();
        let (audio, audio_label) = match Audio::open() {
            Ok(a) => (Some(a), "on".to_string()),
            Err(e) => {
                startup_messages.push(format!("{e}; running silently"));
                (None, "off (no device)".to_string())
            }
        };
        let (pads, status) = Gamepads::open();
        if let Err(e) = status {
            startup_messages.push(e);
        }
        let pads_label = pads.label();
        Ok(Self {
            event_loop,
            handler,
            renderer,
            audio,
            audio_label,
            pads,
            pads_label,
            overlay: true,
            scale: 1.0,
            lights: true,
            muted: false,
            help: false,
            timeline: false,
            minimized: false,
            threads: Vec::new(),
            last_threads: Vec::new(),
            threads_at: Duration::ZERO,
            render_errors: 0,
            startup_messages,
        })
    }

    /// The X11 window id, if the window is on an X server.
    pub fn x11_window(&self) -> Option<u32> {
        let window = self.handler.window.as_ref()?;
        let is_x11 = matches!(
            window.display_handle().map(|d| d.as_raw()),
            Ok(RawDisplayHandle::Xlib(_) | RawDisplayHandle::Xcb(_))
        );
        if !is_x11 {
            return None;
        }
        match window.window_handle().ok()?.as_raw() {
            RawWindowHandle::Xlib(h) => u32::try_from(h.window).ok(),
            RawWindowHandle::Xcb(h) => Some(h.window.get()),
            _ => None,
        }
    }

    /// Routes the window's cursor events into a relay mouse.
    pub fn set_relay(&mut self, relay: RelaySender) {
        self.handler.relay = Some(relay);
    }

    fn apply_view_key(&mut self, key: ViewKey) {
        match key {
            ViewKey::Overlay => self.overlay = !self.overlay,
            ViewKey::Bigger => self.scale = (self.scale + 0.125).min(3.0),
            ViewKey::Smaller => self.scale = (self.scale - 0.125).max(0.5),
            ViewKey::Lights => self.lights = !self.lights,
            ViewKey::Help => self.help = !self.help,
            ViewKey::Timeline => self.timeline = !self.timeline,
            ViewKey::Fullscreen => {
                if let Some(w) = &self.handler.window {
                    let full = w.fullscreen().is_some();
                    w.set_fullscreen((!full).then_some(Fullscreen::Borderless(None)));
                }
            }
            ViewKey::Mute => {
                self.muted = !self.muted;
                if let Some(audio) = &mut self.audio {
                    audio.set_muted(self.muted);
                }
            }
        }
    }

    /// CPU per thread over the last half second, from /proc/self/task.
    fn sample_threads(&mut self, now: Duration) {
        let since = now.saturating_sub(self.threads_at);
        if since < Duration::from_millis(500) {
            return;
        }
        let current = os::threads();
        self.threads = current
            .iter()
            .filter_map(|t| {
                let before = self.last_threads.iter().find(|b| b.tid == t.tid)?;
                let pct =
                    100.0 * t.cpu.saturating_sub(before.cpu).as_secs_f64() / since.as_secs_f64();
                Some((t.name.clone(), pct))
            })
            .filter(|(_, pct)| *pct >= 0.1)
            .collect();
        self.last_threads = current;
        self.threads_at = now;
    }
}

impl Frontend for WindowFrontend {
    fn keyboard(&mut self, commands: &mut Commands) -> Keys {
        if let PumpStatus::Exit(_) = self
            .event_loop
            .pump_app_events(Some(Duration::ZERO), &mut self.handler)
        {
            self.handler.close = true;
        }
        if let Some((w, h)) = self.handler.resized.take() {
            self.minimized = w == 0 || h == 0;
            self.renderer.resize(w, h);
        }
        for command in self.handler.commands.drain(..) {
            commands.push(command);
        }
        if self.handler.close {
            commands.push(Command::Quit);
        }
        // Swap the buffer out and back, so this allocates nothing.
        let mut keys = std::mem::take(&mut self.handler.view_keys);
        for key in keys.drain(..) {
            self.apply_view_key(key);
        }
        self.handler.view_keys = keys;
        self.handler.held.keys()
    }

    fn gamepad(&mut self) -> Pad {
        self.pads.read()
    }

    fn display(&mut self, scene: &Scene<'_>) {
        if self.minimized {
            return;
        }
        draw::draw(scene.game, scene.view, self.renderer.pixels.frame_mut());
        self.sample_threads(scene.engine.now);
        let Some(window) = self.handler.window.clone() else {
            return;
        };
        let Some(state) = self.handler.egui.as_mut() else {
            return;
        };
        let ctx = self.handler.egui_ctx.clone();
        let logical = window.inner_size().to_logical::<f32>(window.scale_factor());
        fit::apply(
            &ctx,
            self.scale,
            (logical.width, logical.height),
            self.overlay,
        );
        let input = OverlayInput {
            engine: scene.engine,
            show_help: self.help,
            lights: self.lights,
            muted: self.muted,
            audio: &self.audio_label,
            gamepad: &self.pads_label,
            threads: &self.threads,
        };
        let mut arena = None;
        let show = self.overlay;
        let show_timeline = self.timeline;
        let output = ctx.run_ui(state.take_egui_input(&window), |ui| {
            let mut rect = if show {
                overlay::show(ui, &input)
            } else {
                ui.max_rect()
            };
            rect = lecture::show(ui.ctx(), rect, input.engine);
            if show_timeline {
                let e = input.engine;
                rect = timeline::show(ui.ctx(), rect, e.timeline, e.now);
            }
            arena = Some(rect);
        });
        state.handle_platform_output(&window, output.platform_output);
        let ppp = output.pixels_per_point;
        let jobs = ctx.tessellate(output.shapes, ppp);
        let (sw, sh) = (self.renderer.size.0 as f32, self.renderer.size.1 as f32);
        let viewport = match arena {
            Some(r) => Viewport::fit(
                r.min.x * ppp,
                r.min.y * ppp,
                r.width() * ppp,
                r.height() * ppp,
            ),
            None => Viewport::fit(0.0, 0.0, sw, sh),
        };
        self.handler
            .mapping
            .set(viewport.x, viewport.y, viewport.scale());
        let lights = LightsInput {
            enabled: self.lights && scene.lights_on,
            flash: scene.game.flash,
            lights: scene.lights,
        };
        if let Err(e) = self
            .renderer
            .present(viewport, &lights, &jobs, &output.textures_delta, ppp)
        {
            self.render_errors += 1;
            if self.render_errors == 1 {
                eprintln!("why-threads: a frame could not be shown: {e}");
            }
        }
    }

    fn sound(&mut self, events: &[SoundEvent]) {
        if let Some(audio) = &self.audio {
            audio.play(events);
        }
    }

    fn haptics(&mut self, rumble: f32) {
        self.pads.rumble(rumble);
    }

    fn frame(&self) -> &[u8] {
        self.renderer.pixels.frame()
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
}
