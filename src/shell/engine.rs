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

use std::path::PathBuf;
use std::thread::Builder;
use std::time::Duration;

use super::clock::Clock;
use super::mouse::MouseDevice;
use super::os;
use super::pacer::{Pacer, PacerKind};
use super::reader::{CHANNEL_CAPACITY, MouseThread, ReaderCounters};
use super::recorder::{self, RecordStats, Recorder};
use super::timeline::TimelineRecorder;
use super::worker::Worker;
use crate::core::ai::{LEVELS, Plan, Planner, Snapshot};
use crate::core::draw::{self, Light, MAX_LIGHTS, View};
use crate::core::game::{Controls, FixedStep, Game, SoundEvent};
use crate::core::input::BLOCKING_WAIT;
use crate::core::input::{InputMode, Keys, Pad};
use crate::core::lecture;
use crate::core::report::Modes;
use crate::core::schedule::{RateTable, Schedule, Subsystem};
use crate::core::stats::ModeStats;
use crate::core::timeline::{Activity, Lane, Timeline};

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
    /// Enter or leave the blocking-read trap.
    ToggleBlocking,
    /// Enemies on / off.
    ToggleAi,
    /// More enemies, a finer grid (wraps around).
    AiHarder,
    /// AI and video compression: inline in the loop, or on worker threads.
    ToggleWorkers,
    /// Start / stop recording every displayed frame.
    ToggleRecording,
    /// Lecture mode: the next step (after the last, lecture mode ends).
    LectureNext,
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
    /// Is "update all other lights" in the loop (lecture mode may not have it yet)?
    pub lights_on: bool,
    pub engine: &'a EngineView<'a>,
}

/// Read-only figures for the overlay.
pub struct EngineView<'a> {
    pub mode: InputMode,
    pub schedule: &'a Schedule,
    pub stats: &'a [ModeStats; InputMode::COUNT],
    pub pacer: PacerKind,
    pub mouse_label: &'a str,
    pub paused: bool,
    pub messages: &'a [String],
    pub now: Duration,
    pub compute: ComputeView<'a>,
    /// Lecture mode's step, if it is on.
    pub lecture: Option<usize>,
    /// What each thread did lately.
    pub timeline: &'a Timeline,
}

/// The compute-heavy jobs, for the overlay.
#[derive(Clone, Copy, Debug)]
pub struct ComputeView<'a> {
    pub ai_on: bool,
    pub ai_level: usize,
    pub enemies: usize,
    pub on_workers: bool,
    /// AI snapshots the worker was still too busy to take.
    pub ai_skipped: u64,
    pub recording: Option<(&'a std::path::Path, RecordStats)>,
    pub last_recording: Option<(&'a std::path::Path, RecordStats)>,
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
    /// The frame last drawn (RGBA, `WIDTH × HEIGHT`), for the recorder.
    fn frame(&self) -> &[u8];
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
    stats: [ModeStats; InputMode::COUNT],
    interval: Interval,
    commands: Commands,
    paused: bool,
    quit: bool,
    messages: Vec<String>,
    load: Duration,
    load_sink: u64,
    compute: Compute,
    lecture: Option<usize>,
    timeline: TimelineRecorder,
}

/// The slide's compute-heavy jobs and where they run.
struct Compute {
    ai_on: bool,
    ai_level: usize,
    on_workers: bool,
    planner: Planner,
    ai_worker: Option<Worker<(Snapshot, u64), Plan>>,
    ai_tick: u64,
    ai_skipped: u64,
    recorder: Option<Recorder>,
    last_recording: Option<(PathBuf, RecordStats)>,
    record_base: PathBuf,
}

impl Compute {
    fn new() -> Self {
        Self {
            ai_on: false,
            ai_level: 0,
            on_workers: false,
            planner: Planner::new(LEVELS[0].1),
            ai_worker: None,
            ai_tick: 0,
            ai_skipped: 0,
            recorder: None,
            last_recording: None,
            record_base: PathBuf::from("recordings"),
        }
    }
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
            stats: Default::default(),
            interval: Interval::default(),
            commands: Commands::default(),
            paused: false,
            quit: false,
            messages: Vec::with_capacity(MAX_MESSAGES),
            load: Duration::ZERO,
            load_sink: 0,
            compute: Compute::new(),
            lecture: None,
            timeline: TimelineRecorder::new(true, clock),
        };
        engine.stats[InputMode::Polled.index()].loop_hz = engine.schedule.loop_hz();
        engine.interval = engine.open_interval(now);
        if config.mode != InputMode::Polled {
            engine.set_mode(config.mode);
        }
        engine
    }

    pub fn mode(&self) -> InputMode {
        self.schedule.mode()
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    pub fn stats(&self) -> &[ModeStats; InputMode::COUNT] {
        &self.stats
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
        let t = self.clock.now().as_secs_f64();
        eprintln!("why-threads [{t:.3} s]: {message}");
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
    pub fn swap_stats(&mut self, other: &mut [ModeStats; InputMode::COUNT]) {
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

    /// The thread timeline's recorder: on or off, `--trace`, `--frames`.
    pub fn timeline_mut(&mut self) -> &mut TimelineRecorder {
        &mut self.timeline
    }

    /// Runs one whole tick: waits for its deadline, then runs what is due.
    pub fn tick(&mut self, frontend: &mut impl Frontend) {
        let deadline = self.deadlines.next();
        let slept_from = self.clock.now();
        let woke = self.pacer.wait_until(&self.clock, deadline);
        let tick = self.deadlines.arrive(woke);
        let mode = self.mode();
        let period = self.deadlines.period();
        self.stats[mode.index()].on_tick(&tick, period);
        self.timeline.slept(slept_from, woke);
        self.timeline.begin_tick(
            tick.index,
            tick.lateness(),
            mode.name(),
            self.schedule.loop_hz(),
        );
        let due = self.schedule.due(tick.deadline);

        let mut work = Duration::ZERO;
        for s in Subsystem::ALL {
            // Threaded mode drains the channel every tick: cheap, and the
            // freshest samples reach physics.
            let drain = s == Subsystem::Mouse
                && mode == InputMode::Threaded
                && self.schedule.rates().is_on(s);
            if !(due.contains(s) || drain) {
                continue;
            }
            let t0 = self.clock.now();
            self.run(s, frontend, tick.start, tick.index);
            let t1 = self.clock.now();
            let spent = t1.saturating_sub(t0);
            self.timeline.ran(Activity::Run(s), t0, t1);
            work += spent;
            self.stats[mode.index()].on_work(s, spent);
        }
        if !self.load.is_zero() {
            let t0 = self.clock.now();
            self.load_sink = burn(&self.clock, t0 + self.load, self.load_sink);
            let t1 = self.clock.now();
            self.timeline.ran(Activity::Load, t0, t1);
            work += t1.saturating_sub(t0);
        }
        let busy = self.clock.now().saturating_sub(woke);
        self.stats[mode.index()]
            .overhead
            .record_duration(busy.saturating_sub(work));

        self.timeline.drain();
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
                let c = &self.compute;
                let view = EngineView {
                    mode: self.schedule.mode(),
                    schedule: &self.schedule,
                    stats: &self.stats,
                    pacer: self.pacer.kind(),
                    mouse_label: &self.mouse_label,
                    paused: self.paused,
                    messages: &self.messages,
                    now,
                    compute: ComputeView {
                        ai_on: c.ai_on,
                        ai_level: c.ai_level,
                        enemies: self.game.enemy_count,
                        on_workers: c.on_workers,
                        ai_skipped: c.ai_skipped,
                        recording: c.recorder.as_ref().map(|r| (r.dir(), r.stats)),
                        last_recording: c.last_recording.as_ref().map(|(d, s)| (d.as_path(), *s)),
                    },
                    lecture: self.lecture,
                    timeline: self.timeline.model(),
                };
                let scene = Scene {
                    game: &self.game,
                    view: self.view(index),
                    lights: &self.lights,
                    lights_on: self.schedule.rates().is_on(Subsystem::Lights),
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
            Subsystem::Ai => self.run_ai(),
            Subsystem::Video => {
                if let Some(recorder) = &mut self.compute.recorder {
                    recorder.push(frontend.frame());
                }
            }
        }
    }

    /// "AI": plan inline, or hand the snapshot to the `ai` worker and apply
    /// whatever plan it has finished (one AI tick late, at most).
    fn run_ai(&mut self) {
        let c = &mut self.compute;
        c.ai_tick += 1;
        let snapshot = self.game.snapshot(c.ai_level);
        match &c.ai_worker {
            None => {
                let plan = c.planner.plan(&snapshot, c.ai_tick);
                self.game.apply(&plan);
            }
            Some(worker) => {
                if worker.try_send((snapshot, c.ai_tick)).is_err() {
                    c.ai_skipped += 1;
                }
                let mut newest = None;
                for plan in worker.results() {
                    newest = Some(plan);
                }
                if let Some(plan) = newest {
                    self.game.apply(&plan);
                }
            }
        }
    }

    fn set_ai(&mut self, on: bool, level: usize) {
        let level = level % LEVELS.len();
        let c = &mut self.compute;
        c.ai_on = on;
        if level != c.ai_level {
            c.ai_level = level;
            c.planner = Planner::new(LEVELS[level].1);
        }
        self.game
            .set_enemy_count(if on { LEVELS[level].0 } else { 0 });
        if self.schedule.set_on(Subsystem::Ai, on) {
            self.deadlines
                .set_period(self.schedule.loop_period(), self.clock.now());
        }
        self.place_compute(self.compute.on_workers);
    }

    /// Puts AI and video compression inline or on worker threads.
    fn place_compute(&mut self, on_workers: bool) {
        self.compute.on_workers = on_workers;
        let want_ai_worker = on_workers && self.compute.ai_on;
        if want_ai_worker && self.compute.ai_worker.is_none() {
            let mut planner = Planner::new(LEVELS[self.compute.ai_level].1);
            let lane = Some(self.timeline.sender(Lane::Ai));
            let spawned =
                Worker::spawn_traced("ai", 1, lane, move |(snapshot, tick): (Snapshot, u64)| {
                    let cell = LEVELS[snapshot.level % LEVELS.len()].1;
                    if planner.cell() != cell {
                        planner = Planner::new(cell);
                    }
                    planner.plan(&snapshot, tick)
                });
            match spawned {
                Ok(w) => self.compute.ai_worker = Some(w),
                Err(e) => {
                    self.compute.on_workers = false;
                    self.say(format!("pthread_create(ai): {e}; AI stays in the loop"));
                }
            }
        } else if !want_ai_worker && let Some(w) = self.compute.ai_worker.take() {
            w.finish();
        }
        // A recording in progress moves too: finish it and start a new one.
        if self
            .compute
            .recorder
            .as_ref()
            .is_some_and(|r| r.on_worker() != self.compute.on_workers)
        {
            self.set_recording(false);
            self.set_recording(true);
        }
    }

    /// Starts or stops recording every displayed frame.
    pub fn set_recording(&mut self, on: bool) {
        match (on, self.compute.recorder.take()) {
            (true, None) => {
                let unix = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let dir = recorder::new_dir(&self.compute.record_base, unix);
                let lane = Some(self.timeline.sender(Lane::Video));
                match Recorder::start(dir, self.compute.on_workers, lane) {
                    Ok(r) => {
                        self.say(format!("recording every frame into {}", r.dir().display()));
                        self.compute.recorder = Some(r);
                    }
                    Err(e) => self.say(e),
                }
            }
            (false, Some(r)) => {
                let dir = r.dir().to_path_buf();
                let (stats, error) = r.stop();
                if let Some(e) = error {
                    self.say(format!("recording: {e}"));
                }
                self.say(format!(
                    "recorded {} frames into {} ({} dropped)",
                    stats.written,
                    dir.display(),
                    stats.dropped
                ));
                self.compute.last_recording = Some((dir, stats));
            }
            (_, keep) => self.compute.recorder = keep,
        }
        if self
            .schedule
            .set_on(Subsystem::Video, self.compute.recorder.is_some())
        {
            self.deadlines
                .set_period(self.schedule.loop_period(), self.clock.now());
        }
    }

    /// Where recordings go (default `recordings/`).
    pub fn set_record_base(&mut self, base: PathBuf) {
        self.compute.record_base = base;
    }

    /// The benchmark's loads: AI at its hardest, or recording, inline or on workers.
    pub fn set_compute(&mut self, ai: bool, record: bool, on_workers: bool) {
        self.place_compute(on_workers);
        let level = if ai {
            LEVELS.len() - 1
        } else {
            self.compute.ai_level
        };
        self.set_ai(ai, level);
        self.set_recording(record);
    }

    /// The last finished recording: its folder and figures.
    pub fn last_recording(&self) -> Option<(&std::path::Path, RecordStats)> {
        self.compute
            .last_recording
            .as_ref()
            .map(|(d, s)| (d.as_path(), *s))
    }

    /// Lecture mode: the next step, or out of lecture mode after the last.
    fn lecture_next(&mut self) {
        let next = self.lecture.map_or(0, |s| s + 1);
        if next >= lecture::STEPS.len() {
            self.lecture = None;
            for s in Subsystem::ALL {
                let on = !matches!(s, Subsystem::Ai | Subsystem::Video);
                self.schedule.set_on(s, on);
            }
            self.set_ai(false, self.compute.ai_level);
            self.set_recording(false);
            self.load = Duration::ZERO;
            self.deadlines
                .set_period(self.schedule.loop_period(), self.clock.now());
            return;
        }
        self.lecture = Some(next);
        let step = lecture::STEPS[next];
        match InputMode::parse(step.mode) {
            Some(mode) => self.set_mode(mode),
            None => self.say(format!(
                "lecture: this build has no '{}' mode; the loop stays {}",
                step.mode,
                self.mode().name()
            )),
        }
        // The long handler: the loop's extra work on every tick.
        self.load = step.handler;
        for s in Subsystem::ALL {
            // Someone has to show the slides: the display always runs.
            let on = s == Subsystem::Display || lecture::is_on(next, s);
            self.schedule.set_on(s, on);
        }
        let ai = lecture::is_on(next, Subsystem::Ai);
        if ai != self.compute.ai_on {
            self.set_ai(ai, self.compute.ai_level);
        }
        let video = lecture::is_on(next, Subsystem::Video);
        if video != self.compute.recorder.is_some() {
            self.set_recording(video);
        }
        self.deadlines
            .set_period(self.schedule.loop_period(), self.clock.now());
        self.stats[self.mode().index()].loop_hz = self.schedule.loop_hz();
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
        let blocking = mode == InputMode::Blocking;
        match &mut self.mouse {
            Mouse::Polled(device) => {
                // Blocking: the trap, the loop itself waits for the mouse.
                let read = if blocking {
                    device.read(BLOCKING_WAIT)
                } else {
                    device.poll()
                };
                match read {
                    Ok(Some(r)) => {
                        self.game.push_mouse(&r, mode, time_s);
                        stats.on_mouse_read(now, 1, (r.seq, r.time));
                        let at = self.clock.now();
                        self.timeline.consumed(r.seq, r.time, Lane::Loop, at, at);
                    }
                    Ok(None) => stats.on_mouse_empty(),
                    Err(e) => {
                        self.mouse = Mouse::Absent;
                        self.say(format!(
                            "the mouse stopped working ({e}); going on without it"
                        ));
                    }
                }
            }
            Mouse::Threaded(thread) => {
                stats.on_channel(thread.receiver().len() as u64);
                let mut n = 0u64;
                let mut newest = None;
                let at = self.clock.now();
                for s in thread.receiver().try_iter().take(CHANNEL_CAPACITY) {
                    self.game.push_mouse(&s.report, mode, time_s);
                    let r = &s.report;
                    self.timeline
                        .consumed(r.seq, r.time, Lane::ReadMouse, s.arrived, at);
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
                self.timeline.set_paused(self.paused, self.clock.now());
            }
            Command::Quit => self.quit = true,
            Command::ToggleBlocking => {
                let mode = if self.mode() == InputMode::Blocking {
                    InputMode::Polled
                } else {
                    InputMode::Blocking
                };
                self.set_mode(mode);
            }
            Command::ToggleAi => self.set_ai(!self.compute.ai_on, self.compute.ai_level),
            Command::AiHarder => self.set_ai(true, self.compute.ai_level + 1),
            Command::ToggleWorkers => self.place_compute(!self.compute.on_workers),
            Command::ToggleRecording => self.set_recording(self.compute.recorder.is_none()),
            Command::LectureNext => self.lecture_next(),
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
        self.stats = Default::default();
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
            // Between the two modes in which the loop reads, the device stays.
            (Mouse::Polled(device), InputMode::Polled | InputMode::Blocking) => {
                self.close_interval(now, figures_of_device(device.as_ref()));
                (Mouse::Polled(device), mode)
            }
            (Mouse::Polled(device), InputMode::Threaded) => {
                self.close_interval(now, figures_of_device(device.as_ref()));
                let builder = match self.reader_stack {
                    Some(bytes) => Builder::new().stack_size(bytes),
                    None => Builder::new(),
                };
                let lane = Some(self.timeline.sender(Lane::ReadMouse));
                match MouseThread::spawn_with(builder, device, self.clock, CHANNEL_CAPACITY, lane) {
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
            (Mouse::Threaded(thread), InputMode::Polled | InputMode::Blocking) => {
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
                    Some(device) => (Mouse::Polled(device), mode),
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

    /// Ends the run: finishes a recording, joins the workers and the
    /// reader, and returns every mode's report.
    pub fn finish(&mut self) -> Modes {
        self.set_recording(false);
        if let Some(w) = self.compute.ai_worker.take() {
            w.finish();
        }
        self.set_mode(InputMode::Polled);
        self.refresh();
        for line in self.timeline.finish() {
            self.say(line);
        }
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
