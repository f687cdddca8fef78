//! The loop: one fixed-rate tick after another, owned by the program.
//!
//! Each tick: sync (wait for the deadline; an input mode may own this wait)
//! → read keyboard → read mouse (however the input mode does it) → read
//! gamepad → recompute player position → update lights → display → emit
//! sounds → move the game physically → plan enemies (AI) → compress video.
//! Every subsystem runs when the [`Schedule`] says it is due, and its work
//! time is measured. Commands (hotkeys, signals) are applied between ticks.
//!
//! By concern: this file is the tick and its dispatch; `switching.rs` the
//! input modes and the per-mode accounting; `compute.rs` the AI and
//! recording jobs; `lecture.rs` lecture mode; `commands.rs` the commands;
//! `frontend.rs` what the loop draws on and plays through, a [`Frontend`]:
//! the window (`app`) or the headless benchmark. The input modes themselves
//! are in `shell/modes`.

mod commands;
mod compute;
mod frontend;
mod lecture_mode;
mod switching;
#[cfg(test)]
mod tests;

use std::time::Duration;

use crossbeam_channel::Receiver;

use self::commands::Signal;
pub(crate) use self::commands::{Command, Commands, MAX_HZ};
use self::compute::Compute;
pub(crate) use self::compute::ComputeView;
pub(crate) use self::frontend::{EngineView, Frontend, Scene};
use self::switching::Interval;
pub(crate) use self::switching::new_stats;
use super::clock::Clock;
use super::modes::{Health, Intake, Mode, ModeId, StartContext, Wait};
use super::mouse::MouseDevice;
use super::pacer::{Pacer, PacerKind};
use super::timeline::TimelineRecorder;
use crate::core::draw::{self, Light, MAX_LIGHTS, View};
use crate::core::game::{Controls, Game};
use crate::core::latency::{AwaitingDisplay, DisplayCounts, Fate, Presented};
use crate::core::pacing::{Deadlines, FixedStep};
use crate::core::schedule::{RateTable, Schedule, Subsystem};
use crate::core::stats::ModeStats;
use crate::core::timeline::{Activity, Lane};

/// How the loop starts.
pub struct EngineConfig {
    pub physics_hz: u32,
    pub mouse_hz: u32,
    pub mode: ModeId,
    pub pacer: PacerKind,
    pub device: Option<Box<dyn MouseDevice>>,
    /// Stack size for `read_mouse` (`None`: the default). An absurd one
    /// makes thread creation fail, to show the error path in class.
    pub reader_stack: Option<usize>,
    /// Hook SIGINT, SIGTERM (quit) and SIGUSR1 (next mode) for this loop.
    pub signals: bool,
}

/// The loop and everything it owns.
pub struct Engine {
    clock: Clock,
    schedule: Schedule,
    deadlines: Deadlines,
    pacer: Pacer,
    /// The input mode, and the running mode (none without a device).
    mode: ModeId,
    active: Option<Box<dyn Mode>>,
    /// The mode's mouse side failed during a tick: fall back after it.
    mouse_ended: bool,
    start: StartContext,
    mouse_label: String,
    game: Game,
    step: FixedStep,
    last_physics: Duration,
    controls: Controls,
    lights: [Light; MAX_LIGHTS],
    /// Per mode, indexed by the mode table.
    stats: Vec<ModeStats>,
    interval: Interval,
    commands: Commands,
    signals: Option<Receiver<Signal>>,
    paused: bool,
    /// Late latching: just before a frame is drawn, take the newest
    /// reports (without blocking) so the cursor is drawn where the mouse
    /// is now; the simulation stays on its fixed step.
    late_latch: bool,
    quit: bool,
    messages: Vec<String>,
    mode_note: String,
    /// The subsystem that ran longest in the last tick, and how long.
    held_by: (Subsystem, Duration),
    load: Duration,
    load_sink: u64,
    compute: Compute,
    lecture: Option<usize>,
    /// What each of our threads did lately (the `G` panel, `--trace`, `--frames`).
    timeline: TimelineRecorder,
    /// Frames displayed so far (the `--frames` rows' numbers).
    frames: u64,
    /// Presented frames waiting for the window system to say when they
    /// were shown (where it says: X11's Present).
    awaiting: AwaitingDisplay,
}

/// Messages kept for the overlay.
const MAX_MESSAGES: usize = 6;

impl Engine {
    pub fn new(config: EngineConfig, clock: Clock) -> Self {
        let rates = RateTable::new(config.physics_hz, config.mouse_hz);
        let first = ModeId::default();
        let schedule = Schedule::new(rates, first.spec().mouse_in_table);
        let now = clock.now();
        let timeline = TimelineRecorder::new(true, clock);
        let mouse_label = config
            .device
            .as_ref()
            .map_or_else(|| "none".to_string(), |d| d.label());
        let mut engine = Self {
            clock,
            deadlines: Deadlines::new(now, schedule.loop_period()),
            schedule,
            pacer: Pacer::new(config.pacer),
            mode: first,
            active: None,
            mouse_ended: false,
            start: StartContext {
                clock,
                reader_stack: config.reader_stack,
                lane: Some(timeline.sender(Lane::ReadMouse)),
            },
            mouse_label,
            game: Game::new(0x5EED),
            step: FixedStep::new(config.physics_hz),
            last_physics: now,
            controls: Controls::default(),
            lights: [Light::default(); MAX_LIGHTS],
            stats: switching::new_stats(),
            interval: Interval::default(),
            commands: Commands::default(),
            signals: None,
            paused: false,
            late_latch: false,
            quit: false,
            messages: Vec::with_capacity(MAX_MESSAGES),
            mode_note: String::new(),
            held_by: (Subsystem::Keyboard, Duration::ZERO),
            load: Duration::ZERO,
            load_sink: 0,
            compute: Compute::new(),
            lecture: None,
            timeline,
            frames: 0,
            awaiting: AwaitingDisplay::default(),
        };
        if config.signals {
            let lane = engine.timeline.sender(Lane::Signals);
            let (rx, problem) = commands::listen(lane);
            engine.signals = Some(rx);
            if let Some(p) = problem {
                engine.warn(p);
            }
        }
        engine.begin(config.device, config.mode);
        engine
    }

    pub(crate) fn mode(&self) -> ModeId {
        self.mode
    }

    pub(crate) fn pacer(&self) -> PacerKind {
        self.pacer.kind()
    }

    pub(crate) fn mouse_label(&self) -> &str {
        &self.mouse_label
    }

    /// Has a frontend, a command or a signal asked to quit?
    pub(crate) fn quit_requested(&self) -> bool {
        self.quit
    }

    /// Says something to the user: in the log (info) and in the overlay.
    pub(crate) fn say(&mut self, message: String) {
        log::info!("{message}");
        self.keep(message);
    }

    /// Says that something went wrong: in the log (warn) and in the overlay.
    pub(crate) fn warn(&mut self, message: String) {
        log::warn!("{message}");
        self.keep(message);
    }

    fn keep(&mut self, message: String) {
        if self.messages.len() == MAX_MESSAGES {
            self.messages.remove(0);
        }
        self.messages.push(message);
    }

    /// Extra compute every tick (the benchmark's `--load`).
    pub(crate) fn set_load(&mut self, load: Duration) {
        self.load = load;
    }

    pub(crate) fn set_pacer(&mut self, kind: PacerKind) {
        self.pacer.set_kind(kind);
    }

    /// The thread timeline's recorder: on or off, `--trace`, `--frames`.
    pub fn timeline_mut(&mut self) -> &mut TimelineRecorder {
        &mut self.timeline
    }

    /// Runs one whole tick: waits for its deadline, then runs what is due.
    pub(crate) fn tick(&mut self, frontend: &mut impl Frontend) {
        let deadline = self.deadlines.next();
        let slept_from = self.clock.now();
        let woke = self.wait(deadline);
        let tick = self.deadlines.arrive(woke);
        // The whole tick counts for the mode it started in.
        let mode = self.mode.index();
        let period = self.deadlines.period();
        self.stats[mode].on_tick(&tick, period);
        self.timeline.slept(slept_from, woke);
        let (name, hz) = (self.mode.name(), self.schedule.loop_hz());
        self.timeline
            .begin_tick(tick.index, tick.lateness(), name, hz);
        let due = self.schedule.due(tick.deadline);
        // A mode outside the rate table is asked for samples every tick:
        // cheap, and the freshest samples reach physics.
        let every_tick =
            !self.schedule.mouse_in_table() && self.schedule.rates().is_on(Subsystem::Mouse);

        let mut work = Duration::ZERO;
        let mut longest = (Subsystem::Keyboard, Duration::ZERO);
        for s in Subsystem::ALL {
            if !(due.contains(s) || (s == Subsystem::Mouse && every_tick)) {
                continue;
            }
            let t0 = self.clock.now();
            self.run(s, frontend, tick.start, tick.index);
            let t1 = self.clock.now();
            let spent = t1.saturating_sub(t0);
            self.timeline.ran(Activity::Run(s), t0, t1);
            work += spent;
            self.stats[mode].on_work(s, spent);
            if spent > longest.1 {
                longest = (s, spent);
            }
        }
        if !self.load.is_zero() {
            let t0 = self.clock.now();
            self.load_sink = burn(&self.clock, t0 + self.load, self.load_sink);
            let t1 = self.clock.now();
            self.timeline.ran(Activity::Load, t0, t1);
            work += t1.saturating_sub(t0);
        }
        let busy = self.clock.now().saturating_sub(woke);
        self.stats[mode]
            .overhead
            .record_duration(busy.saturating_sub(work));
        self.held_by = longest;
        self.timeline.drain();
        self.between_ticks();
    }

    /// Runs ticks until `until` (program time) or until something asks to quit.
    pub fn run_until(&mut self, frontend: &mut impl Frontend, until: Duration) {
        while !self.quit && self.clock.now() < until {
            self.tick(frontend);
        }
    }

    /// The wait for the deadline: the active mode's, or the pacer's.
    fn wait(&mut self, deadline: Duration) -> Duration {
        let mouse_on = self.schedule.rates().is_on(Subsystem::Mouse);
        match &mut self.active {
            Some(mode) if mouse_on => {
                let mut wait = Wait::new(
                    &mut self.pacer,
                    &self.clock,
                    &mut self.game,
                    &mut self.stats[self.mode.index()],
                    self.mode.spec().colour,
                    (self.held_by.0.name(), self.held_by.1),
                )
                .with_timeline(&mut self.timeline, self.mode.spec().lane);
                mode.wait_until(deadline, &mut wait)
            }
            _ => self.pacer.wait_until(&self.clock, deadline),
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
                    let steps = self.step.advance(elapsed.as_secs_f32());
                    for _ in 0..steps {
                        self.game.step(self.step.dt, &self.controls);
                    }
                    if steps > 0 {
                        let stepped = self.clock.now();
                        self.stats[self.mode.index()].frame_input.simulated(stepped);
                    }
                }
            }
            Subsystem::Lights => {
                self.lights = draw::lights(&self.game, self.view(index));
            }
            Subsystem::Display => self.display(frontend, now, index),
            Subsystem::Sound => {
                frontend.sound(self.game.sounds.as_slice());
                self.game.sounds.clear();
            }
            Subsystem::Haptics => frontend.haptics(self.game.rumble),
            Subsystem::Ai => self.run_ai(),
            Subsystem::Video => self.record_frame(frontend.frame()),
        }
    }

    /// "Read mouse": this tick's samples, however the mode gets them.
    fn read_mouse(&mut self, now: Duration) {
        let Some(mode) = &mut self.active else {
            return;
        };
        let at = self.clock.now();
        let mut intake = Intake::new(
            &mut self.game,
            &mut self.stats[self.mode.index()],
            self.mode.spec().colour,
            now,
        )
        .with_timeline(&mut self.timeline, self.mode.spec().lane, at);
        let health = mode.take(&mut intake);
        intake.finish();
        if health == Health::Ended {
            self.mouse_ended = true;
        }
    }

    /// Late latching's read: whatever the mode has now, without blocking,
    /// into the game just before it is drawn. Its time is the latch's cost.
    fn latch(&mut self) {
        let Some(mode) = &mut self.active else {
            return;
        };
        let at = self.clock.now();
        let stats = &mut self.stats[self.mode.index()];
        let intake = Intake::new(&mut self.game, stats, self.mode.spec().colour, at);
        let mut intake = intake.with_timeline(&mut self.timeline, self.mode.spec().lane, at);
        mode.latch(&mut intake);
        intake.finish_latch();
        let done = self.clock.now();
        self.stats[self.mode.index()]
            .latch_work
            .record_duration(done.saturating_sub(at));
        self.timeline.ran(Activity::Latch, at, done);
    }

    pub(crate) fn set_late_latch(&mut self, on: bool) {
        self.late_latch = on;
    }

    fn display(&mut self, frontend: &mut impl Frontend, now: Duration, index: u64) {
        self.take_display_times(frontend);
        if self.late_latch {
            self.latch();
        }
        // Bring the active mode's totals (time, CPU) up to now for the overlay.
        self.refresh();
        self.mode_note.clear();
        if let Some(mode) = &self.active {
            mode.note(&mut self.mode_note);
        }
        let view = EngineView {
            mode: self.mode,
            schedule: &self.schedule,
            stats: &self.stats,
            pacer: self.pacer.kind(),
            mouse_label: &self.mouse_label,
            paused: self.paused,
            messages: &self.messages,
            mode_note: &self.mode_note,
            now,
            compute: self.compute.view(self.game.enemy_count),
            lecture: self.lecture,
            timeline: self.timeline.model(),
            late_latch: self.late_latch,
        };
        let scene = Scene {
            game: &self.game,
            view: self.view(index),
            lights: &self.lights,
            lights_on: self.schedule.rates().is_on(Subsystem::Lights),
            engine: &view,
        };
        let submitted = self.clock.now();
        let went = frontend.display(&scene);
        let presented = self.clock.now();
        let input = self.stats[self.mode.index()].on_frame(submitted, presented);
        let frame = self.frames;
        self.frames += 1;
        self.timeline.presented(frame, input.as_ref());
        if went {
            // A frame no completion reaches leaves without a display time.
            let _ = self.awaiting.presented(Presented {
                frame,
                mode: self.mode.index(),
                submitted,
                presented,
                input,
            });
        }
    }

    /// How the window system's completions met the presents so far.
    pub(crate) fn display_counts(&self) -> DisplayCounts {
        self.awaiting.counts
    }

    /// What the window system said of earlier frames' presents (before
    /// this frame's: its row is made after it is drawn). Also once more at
    /// the end of a run, before [`Engine::finish`], for the last frames.
    pub(crate) fn take_display_times(&mut self, frontend: &mut impl Frontend) {
        let (awaiting, stats, timeline) = (&mut self.awaiting, &mut self.stats, &mut self.timeline);
        frontend.display_times(&mut |completion| {
            if let Some(p) = awaiting.completed(completion.serial) {
                let fate = completion.fate(&p);
                if let Some(s) = stats.get_mut(p.mode) {
                    s.on_completion(&p, fate);
                }
                let shown = match fate {
                    Fate::Shown(at) => Some(at),
                    Fate::Skipped | Fate::Untimed => None,
                };
                timeline.displayed(p.frame, p.input.as_ref(), shown);
            }
        });
    }

    fn view(&self, index: u64) -> View {
        let shake = self.game.shake;
        let i = index as f32;
        View {
            alpha: self.step.alpha(),
            shake: (shake * (i * 1.7).sin(), shake * (i * 2.3).cos()),
        }
    }
}

/// Real arithmetic until `until`: a stand-in for compute-heavy work.
fn burn(clock: &Clock, until: Duration, mut x: u64) -> u64 {
    x |= 1;
    if clock.is_manual() {
        clock.wait_until(until);
    }
    while clock.now() < until {
        for _ in 0..256 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
    }
    std::hint::black_box(x)
}
