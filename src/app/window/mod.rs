//! The window frontend: winit events pumped by the loop (never the other
//! way round), hotkeys, the relay mouse, and the display, sound and gamepad
//! subsystems as the loop calls them. winit's events: `handler.rs`.

mod handler;

use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::time::Duration;

use winit::event_loop::EventLoop;
use winit::platform::pump_events::{EventLoopExtPumpEvents, PumpStatus};
use winit::window::Fullscreen;

use self::handler::Handler;
use super::audio::Audio;
use super::display::DisplayClock;
use super::fit;
use super::gamepad::Gamepads;
use super::lecture_panel;
use super::overlay::{self, OverlayInput};
use super::render::{LightsInput, Renderer, Viewport};
use super::timeline_panel;
use crate::core::draw;
use crate::core::game::SoundEvent;
use crate::core::input::{Keys, Pad};
use crate::core::latency::Completion;
use crate::shell::clock::Clock;
use crate::shell::engine::{Command, Commands, Frontend, Scene};
use crate::shell::hotkeys::View;
use crate::shell::mouse::{ArenaMapping, RelaySender};
use crate::sys::thread as os;

/// The window as the loop's frontend.
pub(crate) struct WindowFrontend {
    /// Never dropped: on Wayland, winit 0.30's event loop joins its
    /// `pump_events mon` thread on drop, and that thread can sit in
    /// `wl_display_read_events` for ever (seen under weston, about one exit
    /// in twelve). There is one event loop per process and the process is
    /// ending when the frontend goes, so the OS takes it back instead.
    event_loop: ManuallyDrop<EventLoop<()>>,
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
    /// The thread timeline panel (G).
    timeline: bool,
    minimized: bool,
    threads: Vec<(String, f64)>,
    last_threads: Vec<os::ThreadCpu>,
    threads_at: Duration,
    render_errors: u64,
    /// When frames were shown, where the window system says (X11 Present).
    display_clock: Option<DisplayClock>,
    /// Why there are no display times, when there are none.
    display_time: String,
    /// The window system ended the event loop (with this code).
    closed_by_system: Option<i32>,
    /// Messages for the engine to show (collected at start-up).
    pub startup_messages: Vec<String>,
}

/// Why the window could not open.
pub(crate) type WindowError = String;

impl WindowFrontend {
    /// Opens the window (pumping winit until it exists) and the display,
    /// sound and gamepads.
    pub(crate) fn open(
        event_loop: EventLoop<()>,
        clock: Clock,
        mapping: Arc<ArenaMapping>,
    ) -> Result<Self, WindowError> {
        // Not dropped on the error paths either (see the field).
        let mut event_loop = ManuallyDrop::new(event_loop);
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
        let mut startup_messages = Vec::new();
        startup_messages.extend(super::display::guard(&window));
        // Before the renderer's first present: every present is then matched.
        let (display_clock, display_time) = match super::display::display_clock(&window, clock) {
            Ok(c) => (Some(c), String::new()),
            Err(e) => (None, format!("not reported: {e}")),
        };
        let renderer = Renderer::new(window).map_err(|e| e.0)?;
        handler
            .egui_ctx
            .options_mut(|o| o.zoom_with_keyboard = false);
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
            display_clock,
            display_time,
            closed_by_system: None,
            startup_messages,
        })
    }

    /// The X11 window id, if the window is on an X server.
    pub(crate) fn x11_window(&self) -> Option<u32> {
        super::display::x11_window(self.handler.window.as_ref()?)
    }

    /// Where the frames' display times come from, or why there are none.
    pub(crate) fn display_time(&self) -> &str {
        match &self.display_clock {
            Some(c) if c.seen() > 0 => super::display::DISPLAY_TIME_SOURCE,
            Some(_) => {
                "not reported: the X server completed none of the game's presents \
                 (the driver sends its frames another way, e.g. PutImage)"
            }
            None => &self.display_time,
        }
    }

    /// Why the window system took the window away mid-run, if it did.
    pub(crate) fn closed_by_system(&self) -> Option<String> {
        self.closed_by_system
            .map(|code| format!("the window system closed the game's event loop (code {code})"))
    }

    /// Routes the window's cursor events into a relay mouse.
    pub(crate) fn set_relay(&mut self, relay: RelaySender) {
        self.handler.relay = Some(relay);
    }

    fn apply_view_key(&mut self, key: View) {
        match key {
            View::Overlay => self.overlay = !self.overlay,
            View::Bigger => self.scale = (self.scale + 0.125).min(3.0),
            View::Smaller => self.scale = (self.scale - 0.125).max(0.5),
            View::Lights => self.lights = !self.lights,
            View::Help => self.help = !self.help,
            View::Timeline => self.timeline = !self.timeline,
            View::Fullscreen => {
                if let Some(w) = &self.handler.window {
                    let full = w.fullscreen().is_some();
                    w.set_fullscreen((!full).then_some(Fullscreen::Borderless(None)));
                }
            }
            View::Mute => {
                self.muted = !self.muted;
                if let Some(audio) = &mut self.audio {
                    audio.set_muted(self.muted);
                }
            }
        }
    }

    /// CPU per thread over the last half second (`sys::thread::threads`).
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
        if let PumpStatus::Exit(code) = self
            .event_loop
            .pump_app_events(Some(Duration::ZERO), &mut self.handler)
        {
            self.handler.close = true;
            self.closed_by_system.get_or_insert(code);
        }
        if super::display::lost() {
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

    fn display(&mut self, scene: &Scene<'_>) -> bool {
        if self.minimized || super::display::lost() {
            return false;
        }
        draw::draw(scene.game, scene.view, self.renderer.pixels.frame_mut());
        self.sample_threads(scene.engine.now);
        let Some(window) = self.handler.window.clone() else {
            return false;
        };
        let Some(state) = self.handler.egui.as_mut() else {
            return false;
        };
        let ctx = self.handler.egui_ctx.clone();
        // The size the last resize event gave, not `window.inner_size()`:
        // that asks the X server on every frame, and winit unwraps its
        // answer, so a dead X server would panic here instead of ending
        // the run with one line.
        let (w, h) = self.renderer.size;
        let logical = winit::dpi::PhysicalSize::new(w, h).to_logical::<f32>(window.scale_factor());
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
            rect = lecture_panel::show(ui.ctx(), rect, input.engine);
            if show_timeline {
                let e = input.engine;
                rect = timeline_panel::show(ui.ctx(), rect, e.timeline, e.now);
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
        match self
            .renderer
            .present(viewport, &lights, &jobs, &output.textures_delta, ppp)
        {
            Ok(presented) => presented,
            Err(e) => {
                self.render_errors += 1;
                // Once the display is gone, the run's last line says so.
                if self.render_errors == 1 && !super::display::lost() {
                    log::warn!("a frame could not be shown: {e}");
                }
                false
            }
        }
    }

    fn display_times(&mut self, each: &mut dyn FnMut(Completion)) {
        let Some(clock) = &mut self.display_clock else {
            return;
        };
        if let Err(e) = clock.drain(each) {
            if !super::display::lost() {
                log::warn!("display times end here: {e}");
            }
            self.display_time = format!("not reported after the first {}: {e}", clock.seen());
            self.display_clock = None;
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
