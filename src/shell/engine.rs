//! The loop: one fixed-rate tick after another, owned by the program.
//!
//! Each tick: sync (wait for the deadline) → read keyboard → read mouse
//! (polled: the loop polls the device; threaded: it drains the channel) →
//! read gamepad → recompute player position → lights → display → emit
//! sounds → move the game physically. Every subsystem runs when the
//! [`Schedule`] says it is due, and its work time is measured.
//!
//! What the loop draws on and plays through is a [`Frontend`]: the window
//! (`app`) or the headless benchmark.

use std::thread::Builder;
use std::time::Duration;

use super::clock::Clock;
use super::mouse::MouseDevice;
use super::os;
use super::pacer::{Pacer, PacerKind};
use super::reader::{CHANNEL_CAPACITY, MouseThread, ReaderCounters};
use crate::core::draw::{self, Light, MAX_LIGHTS, View};
use crate::core::game::{Controls, FixedStep, Game, SoundEvent};
use crate::core::input::{InputMode, Keys, Pad};
use crate::core::report::Modes;
use crate::core::schedule::{RateTable, Schedule, Subsystem};
use crate::core::stats::ModeStats;

/// What a frontend asks the loop to do (hotkeys, signals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    ToggleMode,
    SetMode(InputMode),
    ResetStats,
    /// Base rate (keyboard, gamepad, physics) one step up (+1) or down (-1).
    ChangeRate(i32),
    TogglePause,
    Quit,
}

/// A small bounded queue of commands, filled by the frontend each
/// keyboard tick.
#[derive(Debug, Default)]
pub struct Commands {
    items: [Option<Command>; 8],
}

impl Commands {
    /// Queues `c`; a ninth command in one tick is dropped (keys come at
    /// human speed, so this never happens in practice).
    pub fn push(&mut self, c: Command) {
        if let Some(slot) = self.items.iter_mut().find(|s| s.is_none()) {
            *slot = Some(c);
        }
    }

    fn take(&mut self) -> impl Iterator<Item = Command> + '_ {
        self.items.iter_mut().filter_map(Option::take)
    }
}

/// What the display subsystem gets to draw one frame.
pub struct Scene<'a> {
    pub game: &'a Game,
    pub view: View,
    pub lights: &'a [Light; MAX_LIGHTS],
    pub engine: &'a EngineView<'a>,
}

/// Read-only figures for the overlay.
pub struct EngineView<'a> {
    pub mode: InputMode,
    pub schedule: &'a Schedule,
    pub stats: &'a [ModeStats; 2],
    pub pacer: PacerKind,
    pub mouse_label: &'a str,
    pub paused: bool,
    pub messages: &'a [String],
    pub now: Duration,
}

/// The platform side of a tick: where keys come from and frames go.
pub trait Frontend {
    /// "Read keyboard": the keys held now; commands (hotkeys) go to `commands`.
    fn keyboard(&mut self, commands: &mut Commands) -> Keys;
    /// "Read gamepad".
    fn gamepad(&mut self) -> Pad;
    /// "Update display": draw and present one frame.
    fn display(&mut self, scene: &Scene<'_>);
    /// "Emit sounds".
    fn sound(&mut self, events: &[SoundEvent]);
    /// "Move the game physically": rumble of this strength (0..=1).
    fn haptics(&mut self, rumble: f32);
}

/// How the loop starts.
pub struct EngineConfig {
    pub physics_hz: u32,
    pub mouse_hz: u32,
    pub mode: InputMode,
    pub pacer: PacerKind,
    pub device: Option<Box<dyn MouseDevice>>,
    /// Stack size for `read_mouse` (`None`: the default). An absurd one
    /// makes thread creation fail, to show the error path in class.
    pub reader_stack: Option<usize>,
}

enum Mouse {
    Polled(Box<dyn MouseDevice>),
    Threaded(MouseThread),
    Absent,
}

/// Counters of the mouse side that only grow.
#[derive(Clone, Copy, Debug, Default)]
struct MouseFigures {
    produced: u64,
    dropped: u64,
    reader_cpu: Duration,
}

/// Figures at the start of the current stretch in one mode.
#[derive(Clone, Copy, Debug, Default)]
struct Interval {
    since: Duration,
    cpu_loop: Duration,
    mouse: MouseFigures,
}

/// The loop and everything it owns.
pub struct Engine {
    clock: Clock,
    schedule: Schedule,
    deadlines: crate::core::pacing::Deadlines,
    pacer: Pacer,
    mouse: Mouse,
    mouse_label: String,
    reader_stack: Option<usize>,
    game: Game,
    step: FixedStep,
    last_physics: Duration,
    controls: Controls,
    lights: [Light; MAX_LIGHTS],
    stats: [ModeStats; 2],
    interval: Interval,
    commands: Commands,
    paused: bool,
    quit: bool,
    messages: Vec<String>,
    load: Duration,
    load_sink: u64,
}

/// Messages kept for the overlay.
const MAX_MESSAGES: usize = 6;

impl Engine {
    pub fn new(config: EngineConfig, clock: Clock) -> Self {
        let rates = RateTable::new(config.physics_hz, config.mouse_hz);
        let schedule = Schedule::new(rates, InputMode::Polled);
        let now = clock.now();
        let (mouse, mouse_label) = match config.device {
            Some(d) => {
                let label = d.label();
                (Mouse::Polled(d), label)
            }
            None => (Mouse::Absent, "none".to_string()),
        };
        let mut engine = Self {
            clock,
            deadlines: crate::core::pacing::Deadlines::new(now, schedule.loop_period()),
            schedule,
            pacer: Pacer::new(config.pacer),
            mouse,
            mouse_label,
            reader_stack: config.reader_stack,
            game: Game::new(0x5EED),
            step: FixedStep::new(config.physics_hz),
            last_physics: now,
            controls: Controls::default(),
            lights: [Light::default(); MAX_LIGHTS],
            stats: [ModeStats::default(), ModeStats::default()],
            interval: Interval::default(),
            commands: Commands::default(),
            paused: false,
            quit: false,
            messages: Vec::with_capacity(MAX_MESSAGES),
            load: Duration::ZERO,
            load_sink: 0,
        };
        engine.stats[InputMode::Polled.index()].loop_hz = engine.schedule.loop_hz();
        engine.interval = engine.open_interval(now);
        if config.mode == InputMode::Threaded {
            engine.set_mode(InputMode::Threaded);
        }
        engine
    }

    pub fn mode(&self) -> InputMode {
        self.schedule.mode()
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    pub fn stats(&self) -> &[ModeStats; 2] {
        &self.stats
    }

    pub fn stats_mut(&mut self) -> &mut [ModeStats; 2] {
        &mut self.stats
    }

    pub fn game(&self) -> &Game {
        &self.game
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    pub fn pacer(&self) -> PacerKind {
        self.pacer.kind()
    }

    pub fn mouse_label(&self) -> &str {
        &self.mouse_label
    }

    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// Has a frontend (or a signal) asked to quit?
    pub fn quit_requested(&self) -> bool {
        self.quit
    }

    pub fn request_quit(&mut self) {
        self.quit = true;
    }

    /// Says something to the user: on stderr and in the overlay.
    pub fn say(&mut self, message: String) {
        eprintln!("why-threads: {message}");
        if self.messages.len() == MAX_MESSAGES {
            self.messages.remove(0);
        }
        self.messages.push(message);
    }

    /// Extra compute every tick (the benchmark's `--load`).
    pub fn set_load(&mut self, load: Duration) {
        self.load = load;
    }

    /// Exchanges the statistics with `other` (the benchmark keeps one set
    /// per configuration). The stretch so far is closed into the old set;
    /// the new one starts now, on a fresh deadline grid.
    pub fn swap_stats(&mut self, other: &mut [ModeStats; 2]) {
        let now = self.clock.now();
        self.close_interval(now, self.mouse_figures());
        std::mem::swap(&mut self.stats, other);
        let stats = &mut self.stats[self.mode().index()];
        stats.loop_hz = self.schedule.loop_hz();
        stats.resume();
        self.deadlines.set_period(self.schedule.loop_period(), now);
        self.interval = self.open_interval(now);
    }

    pub fn set_pacer(&mut self, kind: PacerKind) {
        self.pacer.set_kind(kind);
    }

    /// Runs one whole tick: waits for its deadline, then runs what is due.
    pub fn tick(&mut self, frontend: &mut impl Frontend) {
        let deadline = self.deadlines.next();
        let woke = self.pacer.wait_until(&self.clock, deadline);
        let tick = self.deadlines.arrive(woke);
        let mode = self.mode();
        let period = self.deadlines.period();
        self.stats[mode.index()].on_tick(&tick, period);
        let due = self.schedule.due(tick.deadline);

        let mut work = Duration::ZERO;
        for s in Subsystem::ALL {
            // Threaded mode drains the channel every tick: cheap, and the
            // freshest samples reach physics.
            let drain = s == Subsystem::Mouse && mode == InputMode::Threaded;
            if !(due.contains(s) || drain) {
                continue;
            }
            let t0 = self.clock.now();
            self.run(s, frontend, tick.start, tick.index);
            let spent = self.clock.now().saturating_sub(t0);
            work += spent;
            self.stats[mode.index()].on_work(s, spent);
        }
        if !self.load.is_zero() {
            let t0 = self.clock.now();
            self.load_sink = burn(&self.clock, t0 + self.load, self.load_sink);
            work += self.clock.now().saturating_sub(t0);
        }
        let busy = self.clock.now().saturating_sub(woke);
        self.stats[mode.index()]
            .overhead
            .record_duration(busy.saturating_sub(work));

        let mut pending = std::mem::take(&mut self.commands);
        for command in pending.take() {
            self.apply(command);
        }
    }

    /// Runs ticks until `until` (program time) or until something asks to quit.
    pub fn run_until(&mut self, frontend: &mut impl Frontend, until: Duration) {
        while !self.quit && self.clock.now() < until {
            self.tick(frontend);
        }
    }

    fn run(&mut self, s: Subsystem, frontend: &mut impl Frontend, now: Duration, index: u64) {
        match s {
            Subsystem::Keyboard => {
                self.controls.keys = frontend.keyboard(&mut self.commands);
            }
            Subsystem::Mouse => self.read_mouse(now),
            Subsystem::Gamepad => self.controls.pad = frontend.gamepad(),
            Subsystem::Physics => {
                let elapsed = now.saturating_sub(self.last_physics);
                self.last_physics = now;
                if !self.paused {
                    for _ in 0..self.step.advance(elapsed.as_secs_f32()) {
                        self.game.step(self.step.dt, &self.controls);
                    }
                }
            }
            Subsystem::Lights => {
                self.lights = draw::lights(&self.game, self.view(index));
            }
            Subsystem::Display => {
                // Bring the active mode's totals (time, CPU) up to now for the overlay.
                self.refresh();
                let view = EngineView {
                    mode: self.schedule.mode(),
                    schedule: &self.schedule,
                    stats: &self.stats,
                    pacer: self.pacer.kind(),
                    mouse_label: &self.mouse_label,
                    paused: self.paused,
                    messages: &self.messages,
                    now,
                };
                let scene = Scene {
                    game: &self.game,
                    view: self.view(index),
                    lights: &self.lights,
                    engine: &view,
                };
                frontend.display(&scene);
                let presented = self.clock.now();
                self.stats[self.mode().index()].on_frame(presented);
            }
            Subsystem::Sound => {
                frontend.sound(self.game.sounds.as_slice());
                self.game.sounds.clear();
            }
            Subsystem::Haptics => frontend.haptics(self.game.rumble),
        }
    }

    fn view(&self, index: u64) -> View {
        let shake = self.game.shake;
        let i = index as f32;
        View {
            alpha: self.step.alpha(),
            shake: (shake * (i * 1.7).sin(), shake * (i * 2.3).cos()),
        }
    }

    fn read_mouse(&mut self, now: Duration) {
        let mode = self.mode();
        let stats = &mut self.stats[mode.index()];
        let time_s = self.game.time_s;
        match &mut self.mouse {
            Mouse::Polled(device) => match device.poll() {
                Ok(Some(r)) => {
                    self.game.push_mouse(&r, mode, time_s);
                    stats.on_mouse_read(now, 1, (r.seq, r.time));
                }
                Ok(None) => stats.on_mouse_empty(),
                Err(e) => {
                    self.mouse = Mouse::Absent;
                    self.say(format!(
                        "the mouse stopped working ({e}); going on without it"
                    ));
                }
            },
            Mouse::Threaded(thread) => {
                stats.on_channel(thread.receiver().len() as u64);
                let mut n = 0u64;
                let mut newest = None;
                for s in thread.receiver().try_iter().take(CHANNEL_CAPACITY) {
                    self.game.push_mouse(&s.report, mode, time_s);
                    newest = Some((s.report.seq, s.report.time));
                    n += 1;
                }
                match newest {
                    Some(newest) => stats.on_mouse_read(now, n, newest),
                    None => stats.on_mouse_empty(),
                }
                if thread.is_finished() {
                    self.set_mode(InputMode::Polled);
                }
            }
            Mouse::Absent => {}
        }
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::ToggleMode => self.set_mode(self.mode().toggled()),
            Command::SetMode(mode) => self.set_mode(mode),
            Command::ResetStats => self.reset_stats(),
            Command::ChangeRate(steps) => {
                let hz = self.schedule.rates().hz(Subsystem::Physics);
                self.set_physics_hz(step_rate(hz, steps));
            }
            Command::TogglePause => {
                self.paused = !self.paused;
            }
            Command::Quit => self.quit = true,
        }
    }

    /// Changes the base rate (keyboard, gamepad, physics); the loop rate
    /// follows if it must.
    pub fn set_physics_hz(&mut self, hz: u32) {
        let hz = hz.clamp(1, MAX_HZ);
        let now = self.clock.now();
        let before = self.schedule.loop_hz();
        for s in [Subsystem::Keyboard, Subsystem::Gamepad, Subsystem::Physics] {
            self.schedule.set_hz(s, hz);
        }
        if self.schedule.loop_hz() != before {
            self.deadlines.set_period(self.schedule.loop_period(), now);
        }
        self.step = FixedStep::new(hz);
        self.stats[self.mode().index()].loop_hz = self.schedule.loop_hz();
    }

    /// Forgets every figure; the current mode starts afresh now.
    pub fn reset_stats(&mut self) {
        let now = self.clock.now();
        let hz = self.schedule.loop_hz();
        self.stats = [ModeStats::default(), ModeStats::default()];
        self.stats[self.mode().index()].loop_hz = hz;
        self.interval = self.open_interval(now);
    }

    /// Switches input mode: starts `read_mouse` (threaded) or joins it
    /// (polled). A refused thread leaves the loop polling, and says why.
    pub fn set_mode(&mut self, mode: InputMode) {
        if mode == self.mode() {
            return;
        }
        let now = self.clock.now();
        let mouse = std::mem::replace(&mut self.mouse, Mouse::Absent);
        let (mouse, actual) = match (mouse, mode) {
            (Mouse::Polled(device), InputMode::Threaded) => {
                self.close_interval(now, figures_of_device(device.as_ref()));
                let builder = match self.reader_stack {
                    Some(bytes) => Builder::new().stack_size(bytes),
                    None => Builder::new(),
                };
                match MouseThread::spawn_with(builder, device, self.clock, CHANNEL_CAPACITY) {
                    Ok(thread) => (Mouse::Threaded(thread), InputMode::Threaded),
                    Err(e) => {
                        self.say(format!(
                            "pthread_create(read_mouse): {}; staying in polled mode",
                            e.error
                        ));
                        (Mouse::Polled(e.device), InputMode::Polled)
                    }
                }
            }
            (Mouse::Threaded(thread), InputMode::Polled) => {
                // Join first, so the reader's last figures are in.
                let joined = thread.join();
                let mut figures = figures_of_counters(&joined.counters);
                if let Some(device) = &joined.device {
                    figures.produced = device.produced();
                }
                self.close_interval(now, figures);
                if let Some(error) = joined.error {
                    self.say(format!("read_mouse stopped: {error}"));
                }
                match joined.device {
                    Some(device) => (Mouse::Polled(device), InputMode::Polled),
                    None => (Mouse::Absent, InputMode::Polled),
                }
            }
            (Mouse::Absent, InputMode::Threaded) => {
                self.say("no mouse device to read from a thread; staying in polled mode".into());
                (Mouse::Absent, InputMode::Polled)
            }
            (other, _) => {
                self.close_interval(now, self.interval.mouse);
                (other, mode)
            }
        };
        self.mouse = mouse;
        if self.schedule.set_mode(actual) {
            self.deadlines.set_period(self.schedule.loop_period(), now);
        }
        let stats = &mut self.stats[actual.index()];
        stats.loop_hz = self.schedule.loop_hz();
        stats.resume();
        self.interval = self.open_interval(now);
    }

    fn mouse_figures(&self) -> MouseFigures {
        match &self.mouse {
            Mouse::Polled(device) => figures_of_device(device.as_ref()),
            Mouse::Threaded(thread) => figures_of_counters(thread.counters()),
            Mouse::Absent => MouseFigures::default(),
        }
    }

    fn open_interval(&self, now: Duration) -> Interval {
        Interval {
            since: now,
            cpu_loop: os::thread_cpu_time(),
            mouse: self.mouse_figures(),
        }
    }

    /// Adds the stretch since the interval opened to the current mode's
    /// figures; `mouse` are the mouse side's counters now.
    fn close_interval(&mut self, now: Duration, mouse: MouseFigures) {
        let start = self.interval;
        let cpu_now = os::thread_cpu_time();
        let stats = &mut self.stats[self.schedule.mode().index()];
        stats.active += now.saturating_sub(start.since);
        stats.cpu_loop += cpu_now.saturating_sub(start.cpu_loop);
        stats.reports_generated += mouse.produced.saturating_sub(start.mouse.produced);
        stats.dropped += mouse.dropped.saturating_sub(start.mouse.dropped);
        stats.cpu_reader += mouse.reader_cpu.saturating_sub(start.mouse.reader_cpu);
    }

    /// Brings the current mode's figures up to now (for a live overlay or
    /// a report) without switching.
    pub fn refresh(&mut self) {
        let now = self.clock.now();
        self.close_interval(now, self.mouse_figures());
        self.interval = self.open_interval(now);
    }

    /// Ends the run: joins the reader and returns both modes' reports.
    pub fn finish(&mut self) -> Modes {
        self.set_mode(InputMode::Polled);
        self.refresh();
        Modes::from_stats(&self.stats)
    }
}

/// The highest physics rate the hotkeys reach.
pub const MAX_HZ: u32 = 2000;

/// Rates the hotkeys step through.
const RATE_STEPS: [u32; 8] = [30, 60, 120, 144, 240, 360, 500, 1000];

/// Real arithmetic until `until`: a stand-in for compute-heavy work.
fn burn(clock: &Clock, until: Duration, mut x: u64) -> u64 {
    x |= 1;
    while clock.now() < until {
        for _ in 0..256 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
    }
    std::hint::black_box(x)
}

fn figures_of_device(device: &dyn MouseDevice) -> MouseFigures {
    MouseFigures {
        produced: device.produced(),
        ..MouseFigures::default()
    }
}

fn figures_of_counters(c: &ReaderCounters) -> MouseFigures {
    use std::sync::atomic::Ordering::Relaxed;
    MouseFigures {
        produced: c.produced.load(Relaxed),
        dropped: c.dropped.load(Relaxed),
        reader_cpu: Duration::from_nanos(c.cpu_ns.load(Relaxed)),
    }
}

fn step_rate(hz: u32, steps: i32) -> u32 {
    let i = RATE_STEPS
        .iter()
        .position(|&r| r >= hz)
        .unwrap_or(RATE_STEPS.len() - 1) as i32;
    let j = (i + steps).clamp(0, RATE_STEPS.len() as i32 - 1) as usize;
    RATE_STEPS[j]
}
