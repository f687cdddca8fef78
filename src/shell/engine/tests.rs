//! The engine with injected time (a manual clock: a wait for a deadline
//! jumps to it), a scripted mouse and a headless frontend: outcomes, not
//! timings.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::*;
use crate::core::draw::FRAME_BYTES;
use crate::core::game::SoundEvent;
use crate::core::input::{Keys, MouseReport, Pad};
use crate::core::latency::{Completion, Presentation};
use crate::shell::modes::ModeId;
use crate::shell::mouse::DeviceError;

/// A mouse on the manual clock: report `k` is due at `(k + 1) / hz`.
struct ScriptedMouse {
    clock: Clock,
    period: Duration,
    /// The next report a read returns (shared, so a test can see how far
    /// a reader got).
    next: Arc<AtomicU64>,
    /// The OS's id of the last `read_mouse` thread that read it.
    reader_tid: Arc<AtomicU64>,
    /// Reports it makes at most (then the mouse lies still).
    last: u64,
}

impl ScriptedMouse {
    fn new(clock: Clock, hz: u32) -> (Self, Arc<AtomicU64>, Arc<AtomicU64>) {
        let next = Arc::new(AtomicU64::new(0));
        let tid = Arc::new(AtomicU64::new(0));
        let mouse = Self {
            clock,
            period: Duration::from_secs(1) / hz,
            next: next.clone(),
            reader_tid: tid.clone(),
            last: u64::MAX,
        };
        (mouse, next, tid)
    }

    fn report(&self, seq: u64) -> MouseReport {
        MouseReport {
            seq,
            time: self.period * (seq as u32 + 1),
            read: self.period * (seq as u32 + 1),
            x: 100.0 + (seq % 200) as f32,
            y: 100.0,
            buttons: 0,
        }
    }
}

impl MouseDevice for ScriptedMouse {
    fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError> {
        if std::thread::current().name() == Some(crate::shell::modes::THREAD_NAME) {
            self.reader_tid
                .store(crate::sys::thread::id(), Ordering::SeqCst);
        }
        let next = self.next.load(Ordering::SeqCst);
        if next < self.produced() {
            self.next.store(next + 1, Ordering::SeqCst);
            return Ok(Some(self.report(next)));
        }
        // Nothing yet: a reader thread waits a little real time.
        std::thread::sleep(timeout.min(Duration::from_micros(200)));
        Ok(None)
    }

    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        let produced = self.produced();
        self.next.store(produced, Ordering::SeqCst);
        Ok(produced.checked_sub(1).map(|seq| self.report(seq)))
    }

    fn produced(&self) -> u64 {
        let made = (self.clock.now().as_nanos() / self.period.as_nanos()) as u64;
        made.min(self.last)
    }

    fn label(&self) -> String {
        "script".into()
    }
}

/// A frontend that pushes scripted commands on its first keyboard tick.
struct Scripted {
    commands: Vec<Command>,
    frames: u64,
    frame: Vec<u8>,
}

impl Scripted {
    fn new(commands: Vec<Command>) -> Self {
        Self {
            commands,
            frames: 0,
            frame: vec![0; FRAME_BYTES],
        }
    }
}

impl Frontend for Scripted {
    fn keyboard(&mut self, commands: &mut Commands) -> Keys {
        for c in self.commands.drain(..) {
            commands.push(c);
        }
        Keys::default()
    }
    fn gamepad(&mut self) -> Pad {
        Pad::default()
    }
    fn display(&mut self, _: &Scene<'_>) -> bool {
        self.frames += 1;
        true
    }
    fn sound(&mut self, _: &[SoundEvent]) {}
    fn haptics(&mut self, _: f32) {}
    fn frame(&self) -> &[u8] {
        &self.frame
    }
}

fn mode(name: &str) -> ModeId {
    ModeId::parse(name).unwrap_or_default()
}

fn engine(clock: Clock, device: Option<Box<dyn MouseDevice>>, stack: Option<usize>) -> Engine {
    Engine::new(
        EngineConfig {
            physics_hz: 60,
            mouse_hz: 1000,
            mode: ModeId::default(),
            pacer: PacerKind::StdSleep,
            device,
            reader_stack: stack,
            signals: false,
        },
        clock,
    )
}

fn ticks(e: &mut Engine, f: &mut impl Frontend, n: usize) {
    for _ in 0..n {
        e.tick(f);
    }
}

/// Waits (real time, bounded) until a reader has read every report made so far.
fn reader_caught_up(clock: Clock, next: &AtomicU64) {
    let produced = (clock.now().as_nanos() / Duration::from_millis(1).as_nanos()) as u64;
    for _ in 0..5000 {
        if next.load(Ordering::SeqCst) >= produced {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_switch_mid_run_keeps_every_report_counted_once() {
    let clock = Clock::manual();
    let (mouse, next, _) = ScriptedMouse::new(clock, 1000);
    let mut e = engine(clock, Some(Box::new(mouse)), None);
    let mut f = Scripted::new(vec![]);
    ticks(&mut e, &mut f, 300); // polled: 1000 Hz loop, 0.3 s
    e.set_mode(mode("threaded"));
    assert_eq!(e.mode(), mode("threaded"));
    ticks(&mut e, &mut f, 30); // threaded: 60 Hz loop, 0.5 s
    reader_caught_up(clock, &next);
    e.set_mode(mode("polled"));
    ticks(&mut e, &mut f, 100);
    let modes = e.finish();
    let produced = (clock.now().as_nanos() / 1_000_000) as u64;
    let polled = modes.get("polled").cloned().unwrap_or_default();
    let threaded = modes.get("threaded").cloned().unwrap_or_default();
    assert_eq!(
        polled.reports_generated + threaded.reports_generated,
        produced,
        "every report produced is counted in exactly one mode"
    );
    // The reader read every report of its stretch and the loop took each
    // one, the last ones when the thread was joined.
    assert_eq!(threaded.reports_generated, 500);
    assert_eq!(threaded.reports_seen, threaded.reports_generated);
    assert_eq!(threaded.mouse_samples, threaded.reports_seen);
    assert!(polled.reports_seen <= polled.reports_generated);
    assert!(polled.reports_seen >= 390, "{}", polled.reports_seen);
    assert_eq!(polled.samples_per_tick_max, 1);
}

#[test]
fn the_reader_thread_is_joined_after_switching_back() {
    let clock = Clock::manual();
    let (mouse, next, tid) = ScriptedMouse::new(clock, 1000);
    let mut e = engine(clock, Some(Box::new(mouse)), None);
    let mut f = Scripted::new(vec![Command::NextMode]);
    ticks(&mut e, &mut f, 2);
    assert_eq!(e.mode(), mode("threaded"));
    ticks(&mut e, &mut f, 5);
    reader_caught_up(clock, &next);
    e.push_command(Command::SetMode(ModeId::default()));
    ticks(&mut e, &mut f, 1);
    assert_eq!(e.mode(), ModeId::default());
    let tid = tid.load(Ordering::SeqCst);
    assert_ne!(tid, 0, "read_mouse read the device");
    // Where the OS lists our threads, read_mouse leaves the list. (The join
    // returns when the kernel clears the thread's id, a moment before the
    // task is gone from /proc: give it up to a second.)
    let listed = || {
        crate::sys::thread::threads()
            .iter()
            .any(|t| u64::from(t.tid) == tid)
    };
    for _ in 0..1000 {
        if !listed() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(!listed(), "{tid} still runs");
    // The device is back in the loop: polling sees new reports.
    let seen = e.stats[0].reports_seen;
    ticks(&mut e, &mut f, 10);
    assert!(e.stats[0].reports_seen >= seen + 9);
}

#[test]
fn a_refused_thread_gives_the_device_back_and_says_why() {
    let clock = Clock::manual();
    let (mouse, _, _) = ScriptedMouse::new(clock, 1000);
    // A stack no machine can map: pthread_create fails for real.
    let mut e = engine(clock, Some(Box::new(mouse)), Some(usize::MAX / 4));
    let mut f = Scripted::new(vec![]);
    e.set_mode(mode("threaded"));
    assert_eq!(e.mode(), ModeId::default());
    assert!(
        e.messages
            .iter()
            .any(|m| m.starts_with("pthread_create(read_mouse): ") && m.ends_with("polled mode")),
        "{:?}",
        e.messages
    );
    ticks(&mut e, &mut f, 20);
    assert!(
        e.stats[0].reports_seen >= 19,
        "the loop polls the device again"
    );
}

#[test]
fn leaving_lecture_mode_either_way_restores_the_rates() {
    let base = std::env::temp_dir().join(format!("why-threads-lecture-{}", std::process::id()));
    for all_steps in [false, true] {
        let clock = Clock::manual();
        let (mouse, _, _) = ScriptedMouse::new(clock, 1000);
        let mut e = engine(clock, Some(Box::new(mouse)), None);
        e.set_record_base(base.clone());
        let rates = *e.schedule.rates();
        let mut f = Scripted::new(vec![]);
        e.push_command(Command::LectureNext);
        ticks(&mut e, &mut f, 3);
        assert_eq!(e.lecture, Some(0));
        assert!(!e.schedule.rates().is_on(Subsystem::Mouse));
        assert_eq!(e.schedule.loop_hz(), 60);
        if all_steps {
            for _ in 0..crate::core::lecture::STEPS.len() {
                e.push_command(Command::LectureNext);
                ticks(&mut e, &mut f, 2);
            }
        } else {
            e.push_command(Command::LectureEnd);
            ticks(&mut e, &mut f, 1);
        }
        assert_eq!(e.lecture, None);
        assert_eq!(e.schedule.rates(), &rates, "every job back at its rate");
        let hz = e.schedule.loop_hz();
        assert_eq!(
            hz,
            if all_steps { 60 } else { 1000 },
            "the mode's loop rate"
        );
        assert_eq!(e.deadlines.period(), e.schedule.loop_period());
        assert_eq!(e.stats[e.mode().index()].loop_hz, hz);
        e.finish();
    }
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn pause_stops_the_game_and_not_the_loop() {
    let clock = Clock::manual();
    let mut e = engine(clock, None, None);
    let mut f = Scripted::new(vec![Command::TogglePause]);
    ticks(&mut e, &mut f, 30);
    assert!(e.paused);
    let (steps, frames) = (e.game.steps, f.frames);
    ticks(&mut e, &mut f, 30);
    assert_eq!(e.game.steps, steps, "no physics while paused");
    assert!(f.frames > frames, "the display goes on");
    e.push_command(Command::TogglePause);
    ticks(&mut e, &mut f, 30);
    assert!(!e.paused && e.game.steps > steps);
}

#[test]
fn quit_ends_the_run() {
    let clock = Clock::manual();
    let mut e = engine(clock, None, None);
    let mut f = Scripted::new(vec![Command::Quit]);
    e.run_until(&mut f, Duration::from_secs(3600));
    assert!(e.quit_requested());
    assert!(
        clock.now() < Duration::from_secs(1),
        "it stopped after the first tick"
    );
}

#[test]
fn commands_beyond_the_queue_are_refused_not_applied_late() {
    let clock = Clock::manual();
    let mut e = engine(clock, None, None);
    // Nine pauses in one tick: eight fit (an even number: not paused), the
    // ninth is refused, and nothing is left over for the next tick.
    let mut f = Scripted::new(vec![Command::TogglePause; Commands::CAPACITY + 1]);
    ticks(&mut e, &mut f, 1);
    assert!(!e.paused);
    ticks(&mut e, &mut f, 5);
    assert!(!e.paused);
    // Nine mode switches: eight cycle through the table from the first mode.
    let mut f = Scripted::new(vec![Command::NextMode; Commands::CAPACITY + 1]);
    ticks(&mut e, &mut f, 40); // the keyboard runs at 60 Hz
    assert_eq!(e.mode().index(), Commands::CAPACITY % ModeId::COUNT);
}

#[test]
fn t_cycles_through_every_mode_and_the_rate_follows_each() {
    let clock = Clock::manual();
    let (mouse, _, _) = ScriptedMouse::new(clock, 1000);
    let mut e = engine(clock, Some(Box::new(mouse)), None);
    let mut f = Scripted::new(vec![]);
    for m in ModeId::all().skip(1).chain([ModeId::default()]) {
        e.push_command(Command::NextMode);
        ticks(&mut e, &mut f, 3);
        assert_eq!(e.mode(), m);
        let want = if m.spec().mouse_in_table { 1000 } else { 60 };
        assert_eq!(e.schedule.loop_hz(), want, "{}", m.name());
        assert_eq!(e.deadlines.period(), e.schedule.loop_period());
    }
    for m in ModeId::all() {
        assert!(e.stats[m.index()].ticks >= 3, "{} ran", m.name());
    }
}

#[test]
fn signals_join_the_queue_between_ticks() {
    let clock = Clock::manual();
    let mut e = engine(clock, None, None);
    let (tx, rx) = crossbeam_channel::bounded(4);
    e.signals = Some(rx);
    let mut f = Scripted::new(vec![]);
    let sent = tx.send(crate::sys::signals::Signal::NextMode);
    assert!(sent.is_ok());
    ticks(&mut e, &mut f, 1);
    assert_eq!(e.mode(), ModeId::default().next());
    assert!(!e.quit_requested());
    let sent = tx.send(crate::sys::signals::Signal::Quit);
    assert!(sent.is_ok());
    ticks(&mut e, &mut f, 1);
    assert!(e.quit_requested());
}

#[test]
fn signals_belong_to_the_engine_usr1_is_the_next_mode_and_term_quits() {
    use crate::sys::signals::{Signal, raise};
    let _only = crate::sys::signals::EXCLUSIVE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let clock = Clock::manual();
    let mut e = Engine::new(
        EngineConfig {
            physics_hz: 60,
            mouse_hz: 1000,
            mode: ModeId::default(),
            pacer: PacerKind::StdSleep,
            device: None,
            reader_stack: None,
            signals: true,
        },
        clock,
    );
    assert!(e.signals.is_some(), "{:?}", e.messages);
    let mut f = Scripted::new(vec![]);
    // The handler only wakes the `signals` thread; wait for it (bounded).
    let until = |e: &mut Engine, f: &mut Scripted, done: &dyn Fn(&Engine) -> bool| {
        for _ in 0..5000 {
            if done(e) {
                return;
            }
            e.tick(f);
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    if raise(Signal::NextMode).is_err() {
        // Only where one process cannot be sent a signal (Windows).
        assert!(raise(Signal::Quit).is_err());
        return;
    }
    until(&mut e, &mut f, &|e| e.mode() != ModeId::default());
    assert_eq!(e.mode(), ModeId::default().next());
    // SIGTERM is hooked too, so it asks to quit.
    assert!(raise(Signal::Quit).is_ok());
    until(&mut e, &mut f, &|e| e.quit_requested());
    assert!(e.quit_requested());
}

/// A frontend whose gamepad read takes 3 ms of the manual clock: time
/// passes between the tick's read of the mouse and the frame.
struct SlowPad {
    clock: Clock,
    inner: Scripted,
}

impl Frontend for SlowPad {
    fn keyboard(&mut self, commands: &mut Commands) -> Keys {
        self.inner.keyboard(commands)
    }
    fn gamepad(&mut self) -> Pad {
        self.clock
            .wait_until(self.clock.now() + Duration::from_millis(3));
        Pad::default()
    }
    fn display(&mut self, scene: &Scene<'_>) -> bool {
        self.inner.display(scene)
    }
    fn sound(&mut self, _: &[SoundEvent]) {}
    fn haptics(&mut self, _: f32) {}
    fn frame(&self) -> &[u8] {
        self.inner.frame()
    }
}

#[test]
fn a_still_mouse_polled_again_is_no_new_input() {
    // Polled at 1 kHz: the mouse makes 50 reports, then lies still for a
    // second while the loop polls it every tick and gets the 50th again.
    let clock = Clock::manual();
    let (mut mouse, _, _) = ScriptedMouse::new(clock, 1000);
    mouse.last = 50;
    let mut e = engine(clock, Some(Box::new(mouse)), None);
    e.timeline_mut().set_on(true);
    ticks(&mut e, &mut Scripted::new(vec![]), 1000);
    let s = &e.stats[0];
    assert!(
        s.mouse_samples > 900,
        "a sample every tick: {}",
        s.mouse_samples
    );
    assert_eq!(s.reports_seen, 50);
    // Only new input has an age: a report's, when first taken (within a
    // tick of being made), not the idle second since the last one.
    assert_eq!(s.input_age.count(), 50);
    assert!(s.input_age.max() <= 1_100_000, "{} ns", s.input_age.max());
    assert!(s.oldest_age.max() <= 1_100_000, "{} ns", s.oldest_age.max());
    let marks = e.timeline_mut().model().marks(Duration::ZERO, clock.now());
    assert_eq!(marks.count(), 50, "each report marked once");
}

#[test]
fn late_latching_draws_reports_made_after_the_ticks_read() {
    // Polled at 1 kHz, 60 frames a second; 3 ms pass between the tick's
    // read of the mouse and its frame. Without the latch each frame shows
    // a report ~3 ms old at the present; with it, one read just before.
    let to_present = |latch: bool| {
        let clock = Clock::manual();
        let (mouse, _, _) = ScriptedMouse::new(clock, 1000);
        let mut e = engine(clock, Some(Box::new(mouse)), None);
        e.set_late_latch(latch);
        let mut f = SlowPad {
            clock,
            inner: Scripted::new(vec![]),
        };
        ticks(&mut e, &mut f, 600);
        let s = &e.stats[0];
        assert!(s.latency.frames() > 10, "frames with new input");
        let latches = s.latch_work.count();
        (
            s.latency.whole.percentile(0.5),
            s.latched,
            latches,
            s.frames,
        )
    };
    let (off, latched_off, latches_off, _) = to_present(false);
    let (on, latched_on, latches_on, frames) = to_present(true);
    assert_eq!((latched_off, latches_off), (0, 0), "off: no latch");
    assert_eq!(latches_on, frames, "on: one latch per frame");
    assert!(latched_on >= frames, "each latch polled the mouse");
    let saved = off.saturating_sub(on);
    assert!(
        (2_000_000..=4_000_000).contains(&saved),
        "the latch saves the 3 ms between read and frame: off {off} ns, on {on} ns"
    );
}

/// A display on the manual clock that refreshes every `refresh`: each
/// presented frame is shown at the next refresh, and the window system
/// says so once that refresh has passed. Every third frame finds the
/// window minimized and presents nothing.
struct Refreshing {
    clock: Clock,
    inner: Scripted,
    refresh: Duration,
    /// When each present still to be completed is shown.
    pending: std::collections::VecDeque<Duration>,
    calls: u64,
    /// Presents completed so far (Mesa's numbering).
    completed: u32,
}

impl Frontend for Refreshing {
    fn keyboard(&mut self, commands: &mut Commands) -> Keys {
        self.inner.keyboard(commands)
    }
    fn gamepad(&mut self) -> Pad {
        Pad::default()
    }
    fn display(&mut self, scene: &Scene<'_>) -> bool {
        self.calls += 1;
        if self.calls.is_multiple_of(3) {
            return false;
        }
        self.inner.display(scene);
        let now = self.clock.now().as_nanos();
        let refresh = self.refresh.as_nanos();
        let next = (now / refresh + 1) * refresh;
        self.pending.push_back(Duration::from_nanos(next as u64));
        true
    }
    fn display_times(&mut self, each: &mut dyn FnMut(Completion)) {
        while let Some(&at) = self.pending.front() {
            if at > self.clock.now() {
                break;
            }
            self.pending.pop_front();
            self.completed += 1;
            each(Completion {
                serial: self.completed,
                at: Some(at),
                how: Presentation::Flip,
            });
        }
    }
    fn sound(&mut self, _: &[SoundEvent]) {}
    fn haptics(&mut self, _: f32) {}
    fn frame(&self) -> &[u8] {
        self.inner.frame()
    }
}

#[test]
fn display_times_match_each_frame_to_the_refresh_that_showed_it() {
    let clock = Clock::manual();
    let (mouse, _, _) = ScriptedMouse::new(clock, 1000);
    let mut e = engine(clock, Some(Box::new(mouse)), None);
    let refresh = Duration::from_nanos(1_000_000_000 / 75);
    let mut f = Refreshing {
        clock,
        inner: Scripted::new(vec![]),
        refresh,
        pending: Default::default(),
        calls: 0,
        completed: 0,
    };
    ticks(&mut e, &mut f, 1200);
    let s = &e.stats[0];
    let presented = s.frames - f.calls / 3;
    let shown = s.present_to_shown.count();
    assert!(
        shown + 2 >= presented && shown <= presented,
        "every present but the last ones completed: {shown} of {presented}"
    );
    // Matched to its own present, a frame waits at most one refresh; a
    // completion given to the frame before would show up to two.
    let most = s.present_to_shown.max();
    assert!(
        most <= refresh.as_nanos() as u64,
        "present → shown at most one refresh: {most} ns"
    );
    assert!(
        s.latency.to_shown.count() > 10,
        "frames with input were shown"
    );
    assert!(
        s.latency.to_shown.percentile(0.5) >= s.latency.whole.percentile(0.5),
        "to the display is no shorter than to the present"
    );
    let counts = e.display_counts();
    assert_eq!((counts.stray, counts.unknown), (0, 0));
}
