//! How samples reach the game from a mode: [`Intake`] (a tick's read of
//! the mouse) and [`Wait`] (the wait for the deadline, for a mode that
//! reads while it waits). Both feed the mode's statistics and the thread
//! timeline. Modes (`modes/`) use them; the engine builds them.

use std::time::Duration;

use crate::core::game::Game;
use crate::core::input::{MouseReport, Rgba};
use crate::core::schedule::Subsystem;
use crate::core::stats::ModeStats;
use crate::core::timeline::{Activity, Lane};
use crate::shell::clock::Clock;
use crate::shell::pacer::Pacer;
use crate::shell::timeline::TimelineRecorder;

/// Where a mode puts the samples it read: into the game (as the mode's
/// coloured trail) and into the mode's statistics.
pub(crate) struct Intake<'a> {
    game: &'a mut Game,
    stats: &'a mut ModeStats,
    colour: Rgba,
    now: Duration,
    /// When the loop consumed what it delivers (the stage "consumed").
    at: Duration,
    samples: u64,
    newest: Option<(u64, Duration)>,
    oldest: Option<Duration>,
    /// This call is not a read of the mouse: record nothing if empty.
    quiet: bool,
    timeline: Option<IntakeTimeline<'a>>,
}

/// Where an intake marks the reports it consumed on the thread timeline.
struct IntakeTimeline<'a> {
    recorder: &'a mut TimelineRecorder,
    /// The thread that read the reports from the device.
    read_by: Lane,
    /// A handler run inside the wait: its span is recorded here (the
    /// tick's own mouse subsystem is recorded by the engine).
    handler: bool,
}

impl<'a> Intake<'a> {
    pub(crate) fn new(
        game: &'a mut Game,
        stats: &'a mut ModeStats,
        colour: Rgba,
        now: Duration,
    ) -> Self {
        Self {
            game,
            stats,
            colour,
            now,
            at: now,
            samples: 0,
            newest: None,
            oldest: None,
            quiet: false,
            timeline: None,
        }
    }

    /// Marks every report consumed on the thread timeline: read by
    /// `read_by`, consumed at `at`.
    pub(crate) fn with_timeline(
        mut self,
        recorder: &'a mut TimelineRecorder,
        read_by: Lane,
        at: Duration,
    ) -> Self {
        self.at = at;
        self.timeline = Some(IntakeTimeline {
            recorder,
            read_by,
            handler: false,
        });
        self
    }

    /// Says this tick's call is not a read of the mouse (the mode reads it
    /// elsewhere, e.g. in its wait): unless samples come after all, the
    /// statistics record nothing for it.
    pub(crate) fn quiet(&mut self) {
        self.quiet = true;
    }

    /// One sample consumed by the loop.
    pub(crate) fn deliver(&mut self, r: &MouseReport) {
        self.game.push_mouse(r, self.colour);
        self.samples += 1;
        self.newest = Some((r.seq, r.time));
        self.oldest = Some(self.oldest.map_or(r.time, |t| t.min(r.time)));
        self.stats
            .frame_input
            .consumed(r.seq, r.time, r.read, self.at);
        if let Some(t) = &mut self.timeline {
            t.recorder
                .consumed(r.seq, r.time, t.read_by, r.read, self.at);
        }
    }

    /// Reports waiting in a channel when the loop looked.
    pub(crate) fn channel_depth(&mut self, depth: u64) {
        self.stats.on_channel(depth);
    }

    /// Samples delivered so far.
    pub(crate) fn samples(&self) -> u64 {
        self.samples
    }

    /// Records a late latch's read: its reports are in the game and the
    /// frame's input, but the tick's own read has its statistics already
    /// (samples per tick, input age): a latch adds no read of its own, and
    /// counts the reports it took.
    pub(crate) fn finish_latch(self) {
        self.stats.latched += self.samples;
    }

    /// Records this read in the statistics: how many samples, and the age
    /// of the newest; or a read that found nothing.
    pub(crate) fn finish(self) {
        if let Some(t) = self.timeline
            && t.handler
        {
            let end = t.recorder.now();
            t.recorder
                .handled(Activity::Run(Subsystem::Mouse), self.at, end);
        }
        match (self.newest, self.oldest) {
            (Some(newest), Some(oldest)) => {
                self.stats
                    .on_mouse_read(self.now, self.samples, newest, oldest);
            }
            _ if self.quiet => {}
            _ => self.stats.on_mouse_empty(),
        }
    }
}

/// The wait for a tick's deadline, as a mode sees it: the pacer, the
/// clock, and a way to hand over samples read while waiting.
pub(crate) struct Wait<'a> {
    pub pacer: &'a mut Pacer,
    pub clock: &'a Clock,
    game: &'a mut Game,
    stats: &'a mut ModeStats,
    colour: Rgba,
    /// The subsystem that ran longest in the last tick, and for how long:
    /// whatever waited during the tick waited behind it.
    pub held_by: (&'static str, Duration),
    timeline: Option<(&'a mut TimelineRecorder, Lane)>,
}

impl<'a> Wait<'a> {
    pub(crate) fn new(
        pacer: &'a mut Pacer,
        clock: &'a Clock,
        game: &'a mut Game,
        stats: &'a mut ModeStats,
        colour: Rgba,
        held_by: (&'static str, Duration),
    ) -> Self {
        Self {
            pacer,
            clock,
            game,
            stats,
            colour,
            held_by,
            timeline: None,
        }
    }

    /// Handlers run inside the wait show on the thread timeline, and the
    /// reports they consume are marked as read by `read_by`.
    pub(crate) fn with_timeline(
        mut self,
        recorder: &'a mut TimelineRecorder,
        read_by: Lane,
    ) -> Self {
        self.timeline = Some((recorder, read_by));
        self
    }

    /// The pacer's wait.
    pub(crate) fn pace(&mut self, deadline: Duration) -> Duration {
        self.pacer.wait_until(self.clock, deadline)
    }

    /// An intake for samples read now (a handler run inside the wait).
    pub(crate) fn intake(&mut self) -> Intake<'_> {
        let now = self.clock.now();
        let intake = Intake::new(self.game, self.stats, self.colour, now);
        match &mut self.timeline {
            Some((recorder, read_by)) => {
                let mut intake = intake.with_timeline(recorder, *read_by, now);
                if let Some(t) = &mut intake.timeline {
                    t.handler = true;
                }
                intake
            }
            None => intake,
        }
    }
}
