//! Commands: what hotkeys and signals ask of the loop, queued during a
//! tick and applied after it (so a mode switch never happens inside one).
//!
//! Signals come from the one `signals` thread (`sys::signals`): SIGINT and
//! SIGTERM ask to quit (the report is written, the benchmark prints what
//! it measured so far); SIGUSR1 asks for the next input mode, so
//! `kill -USR1 <pid>` switches from a terminal. That thread records a span
//! on the timeline's `signals` lane and hands the signal over through a
//! channel the loop drains between ticks: no work in a handler.

use crossbeam_channel::{Receiver, bounded};

use super::Engine;
use crate::core::pacing::FixedStep;
use crate::core::schedule::Subsystem;
use crate::core::timeline::Activity;
use crate::shell::modes::ModeId;
use crate::shell::timeline::LaneSender;
pub(crate) use crate::sys::signals::Signal;

/// Starts listening for signals (each a span on the `signals` lane). If
/// they cannot be hooked (or the thread cannot start), the receiver never
/// yields and the reason comes back.
pub(super) fn listen(lane: LaneSender) -> (Receiver<Signal>, Option<String>) {
    let (tx, rx) = bounded(16);
    let hooked = crate::sys::signals::listen(move |arrived| {
        lane.time(Activity::Signal, || tx.send(arrived)).is_ok()
    });
    let problem = hooked
        .err()
        .map(|e| format!("signals will not be handled: {e}"));
    (rx, problem)
}

/// What a frontend (or a signal) asks the loop to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// The next input mode in the mode table's order (T, SIGUSR1).
    NextMode,
    /// Straight to one mode (tests; the keys and signals cycle or toggle).
    #[cfg(test)]
    SetMode(ModeId),
    /// To `mode`, or to `otherwise` when `mode` is already on (B: the
    /// blocking trap and back to polled; a variant and its sibling).
    ToggleMode {
        mode: ModeId,
        otherwise: ModeId,
    },
    ResetStats,
    /// Base rate (keyboard, gamepad, physics) one step up (+1) or down (-1).
    ChangeRate(i32),
    TogglePause,
    Quit,
    /// Enemies on / off.
    ToggleAi,
    /// More enemies, a finer grid (wraps around).
    AiHarder,
    /// AI and video compression: inline in the loop, or on worker threads.
    ToggleWorkers,
    /// Late latching on / off (X).
    ToggleLateLatch,
    /// Start / stop recording every displayed frame.
    ToggleRecording,
    /// Lecture mode: the next step (after the last, lecture mode ends).
    LectureNext,
    /// Leave lecture mode at once (tests; Esc ends the lecture by quitting).
    #[cfg(test)]
    LectureEnd,
}

impl Command {
    /// What a signal asks of the loop.
    pub(crate) fn on(signal: Signal) -> Self {
        match signal {
            Signal::Quit => Self::Quit,
            Signal::NextMode => Self::NextMode,
        }
    }

    /// [`Command::ToggleMode`] by the modes' names (`None` if either is
    /// not in the mode table). A `const fn`, for the hotkey table.
    pub(crate) const fn toggle(mode: &str, otherwise: &str) -> Option<Self> {
        match (ModeId::parse(mode), ModeId::parse(otherwise)) {
            (Some(mode), Some(otherwise)) => Some(Self::ToggleMode { mode, otherwise }),
            _ => None,
        }
    }
}

/// A small bounded queue of commands, filled during a tick.
#[derive(Debug, Default)]
pub struct Commands {
    items: [Option<Command>; Commands::CAPACITY],
    /// Commands refused because the queue was full.
    pub refused: u64,
}

impl Commands {
    pub(crate) const CAPACITY: usize = 8;

    /// Queues `c`; beyond [`Commands::CAPACITY`] in one tick it is refused
    /// and counted (keys come at human speed; signals wait in their channel).
    pub(crate) fn push(&mut self, c: Command) {
        match self.items.iter_mut().find(|s| s.is_none()) {
            Some(slot) => *slot = Some(c),
            None => self.refused += 1,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.items.iter().all(Option::is_some)
    }

    fn take(&mut self) -> Option<Command> {
        self.items.iter_mut().find_map(Option::take)
    }
}

/// The highest physics rate the hotkeys reach.
pub(crate) const MAX_HZ: u32 = 2000;

/// Rates the hotkeys step through.
const RATE_STEPS: [u32; 8] = [30, 60, 120, 144, 240, 360, 500, 1000];

impl Engine {
    /// Queues a command as if a key had been pressed (applied after the tick).
    #[cfg(test)]
    pub(crate) fn push_command(&mut self, c: Command) {
        self.commands.push(c);
    }

    /// Between ticks: a failed mouse falls back, signals join the queue
    /// (as many as it has room for; the rest wait in their channel), and
    /// every queued command is applied in order.
    pub(super) fn between_ticks(&mut self) {
        if std::mem::take(&mut self.mouse_ended) {
            self.mouse_failed();
        }
        if let Some(signals) = &self.signals {
            while !self.commands.is_full() {
                match signals.try_recv() {
                    Ok(signal) => self.commands.push(Command::on(signal)),
                    Err(_) => break,
                }
            }
        }
        if self.commands.refused > 0 {
            log::debug!(
                "{} commands refused: more than {} in one tick",
                self.commands.refused,
                Commands::CAPACITY
            );
            self.commands.refused = 0;
        }
        while let Some(command) = self.commands.take() {
            self.apply(command);
        }
    }

    fn apply(&mut self, command: Command) {
        log::debug!("command {command:?}");
        match command {
            Command::NextMode => self.set_mode(self.mode.next()),
            #[cfg(test)]
            Command::SetMode(mode) => self.set_mode(mode),
            Command::ToggleMode { mode, otherwise } => {
                self.set_mode(if self.mode == mode { otherwise } else { mode });
            }
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
            Command::ToggleAi => self.set_ai(!self.compute.ai_on, self.compute.ai_level),
            Command::AiHarder => self.set_ai(true, self.compute.ai_level + 1),
            Command::ToggleWorkers => self.place_compute(!self.compute.on_workers),
            Command::ToggleLateLatch => {
                self.late_latch = !self.late_latch;
                let said = if self.late_latch {
                    "late latching on: the cursor is drawn at the newest report, read just before the frame"
                } else {
                    "late latching off: the cursor is drawn where the last tick left it"
                };
                self.say(said.to_string());
            }
            Command::ToggleRecording => self.set_recording(!self.compute.recording()),
            Command::LectureNext => self.lecture_next(),
            #[cfg(test)]
            Command::LectureEnd => self.lecture_end(),
        }
    }

    /// Changes the base rate (keyboard, gamepad, physics); the loop rate
    /// follows if it must.
    pub(crate) fn set_physics_hz(&mut self, hz: u32) {
        let hz = hz.clamp(1, MAX_HZ);
        for s in [Subsystem::Keyboard, Subsystem::Gamepad, Subsystem::Physics] {
            self.schedule.set_hz(s, hz);
        }
        self.step = FixedStep::new(hz);
        self.rate_changed();
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
