//! From the mouse to the screen, in stages: when a report was made (the
//! device's time), read (by the mode's reader), consumed (by the tick),
//! simulated (the physics step after it), submitted (the frame handed to
//! the display) and presented (the present call returned).
//!
//! The loop gathers each frame's input as it goes ([`FrameInput`]): the
//! newest report the frame shows and the oldest it folds in. When the
//! frame is presented, their paths are recorded per stage ([`Latency`]).
//! Where the display's own time is not known, the last stage is "present
//! returned", never photons: the figures are named input-to-present.

use std::time::Duration;

use super::histogram::Histogram;

/// The stages, each the end of one leg of a report's way to the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// made → read: the device's report waiting for the reader.
    Read,
    /// read → consumed: the report waiting for the tick (the channel, the
    /// loop's period, a long handler).
    Consumed,
    /// consumed → simulated: until the physics step after it ended.
    Simulated,
    /// simulated → submitted: the rest of the tick until the frame is
    /// handed to the display.
    Submitted,
    /// submitted → presented: drawing and the present call.
    Presented,
}

impl Stage {
    pub(crate) const ALL: [Stage; 5] = [
        Stage::Read,
        Stage::Consumed,
        Stage::Simulated,
        Stage::Submitted,
        Stage::Presented,
    ];
    pub(crate) const COUNT: usize = Self::ALL.len();

    /// The leg's name in reports, tables and CSV columns.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Stage::Read => "made_to_read",
            Stage::Consumed => "read_to_consumed",
            Stage::Simulated => "consumed_to_simulated",
            Stage::Submitted => "simulated_to_submitted",
            Stage::Presented => "submitted_to_presented",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One report's way through the loop: the times it passed each stage, on
/// the program's clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Path {
    /// The report's number (the device's).
    pub seq: u64,
    pub made: Duration,
    pub read: Duration,
    pub consumed: Duration,
    pub simulated: Duration,
    pub submitted: Duration,
    pub presented: Duration,
}

impl Path {
    /// How long one leg took (zero if the clocks disagree: a device's
    /// stamp a little after our own read is not negative latency).
    pub(crate) fn leg(&self, stage: Stage) -> Duration {
        let (from, to) = match stage {
            Stage::Read => (self.made, self.read),
            Stage::Consumed => (self.read, self.consumed),
            Stage::Simulated => (self.consumed, self.simulated),
            Stage::Submitted => (self.simulated, self.submitted),
            Stage::Presented => (self.submitted, self.presented),
        };
        to.saturating_sub(from)
    }

    /// Made to presented: the sum of the legs.
    pub(crate) fn whole(&self) -> Duration {
        Stage::ALL.iter().map(|&s| self.leg(s)).sum()
    }
}

/// When one report was made, read and consumed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Taken {
    seq: u64,
    made: Duration,
    read: Duration,
    consumed: Duration,
}

/// The input of the frame being built: the newest and the oldest report
/// consumed since the last frame, and when physics next stepped. Fixed
/// size; the loop updates it in place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FrameInput {
    newest: Option<Taken>,
    oldest: Option<Taken>,
    simulated: Option<Duration>,
    /// The last report consumed (by number): a polled loop reads the same
    /// latest report again while the mouse is still, which is no new input.
    last_seq: Option<u64>,
}

/// A presented frame's input: the newest report it shows, the oldest it
/// folded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameLatency {
    pub newest: Path,
    pub oldest: Path,
}

impl FrameInput {
    /// Report `seq` consumed by the tick at `consumed` (a report consumed
    /// before is not new input, and is left out).
    pub(crate) fn consumed(
        &mut self,
        seq: u64,
        made: Duration,
        read: Duration,
        consumed: Duration,
    ) {
        if self.last_seq.is_some_and(|last| seq <= last) {
            return;
        }
        self.last_seq = Some(seq);
        let taken = Taken {
            seq,
            made,
            read,
            consumed,
        };
        if self.newest.is_none_or(|n| made >= n.made) {
            self.newest = Some(taken);
        }
        if self.oldest.is_none_or(|o| made < o.made) {
            self.oldest = Some(taken);
        }
        // A report consumed after the last physics step waits for the next.
        self.simulated = None;
    }

    /// A physics step ended at `at`: the input consumed so far is in the game.
    pub(crate) fn simulated(&mut self, at: Duration) {
        if self.newest.is_some() && self.simulated.is_none() {
            self.simulated = Some(at);
        }
    }

    /// Does the frame being built show new input?
    #[cfg(test)]
    pub(crate) fn is_pending(&self) -> bool {
        self.newest.is_some()
    }

    /// The frame was handed to the display at `submitted` and its present
    /// returned at `presented`: its input's paths, and a fresh start for
    /// the next frame. `None` if the frame showed no new input. Input the
    /// physics has not stepped yet (paused) counts as simulated when
    /// consumed.
    pub(crate) fn presented(
        &mut self,
        submitted: Duration,
        presented: Duration,
    ) -> Option<FrameLatency> {
        let (newest, oldest) = (self.newest?, self.oldest?);
        let path = |t: Taken, simulated: Option<Duration>| Path {
            seq: t.seq,
            made: t.made,
            read: t.read.max(t.made),
            consumed: t.consumed.max(t.read),
            simulated: simulated.unwrap_or(t.consumed).max(t.consumed),
            submitted: submitted.max(t.consumed),
            presented: presented.max(submitted),
        };
        let frame = FrameLatency {
            newest: path(newest, self.simulated),
            oldest: path(oldest, self.simulated),
        };
        *self = Self {
            last_seq: self.last_seq,
            ..Self::default()
        };
        Some(frame)
    }
}

/// Per mode: each leg's distribution and the whole, for the newest report
/// of each frame, and the whole for the oldest. Histograms of nanoseconds,
/// allocated once.
#[derive(Clone, Debug)]
pub(crate) struct Latency {
    pub legs: [Histogram; Stage::COUNT],
    /// Newest report made → presented.
    pub whole: Histogram,
    /// Oldest report made → presented.
    pub oldest_whole: Histogram,
}

impl Default for Latency {
    fn default() -> Self {
        Self {
            legs: std::array::from_fn(|_| Histogram::new()),
            whole: Histogram::new(),
            oldest_whole: Histogram::new(),
        }
    }
}

impl Latency {
    pub(crate) fn record(&mut self, frame: &FrameLatency) {
        for stage in Stage::ALL {
            self.legs[stage.index()].record_duration(frame.newest.leg(stage));
        }
        self.whole.record_duration(frame.newest.whole());
        self.oldest_whole.record_duration(frame.oldest.whole());
    }

    /// Frames that showed new input.
    pub(crate) fn frames(&self) -> u64 {
        self.whole.count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn the_legs_add_up_to_the_whole() {
        let p = Path {
            seq: 1,
            made: ms(10),
            read: ms(11),
            consumed: ms(14),
            simulated: ms(15),
            submitted: ms(17),
            presented: ms(23),
        };
        let legs: Vec<_> = Stage::ALL.iter().map(|&s| p.leg(s)).collect();
        assert_eq!(legs, vec![ms(1), ms(3), ms(1), ms(2), ms(6)]);
        assert_eq!(p.whole(), ms(13));
        assert_eq!(p.whole(), p.presented - p.made);
    }

    #[test]
    fn a_frame_shows_its_newest_report_and_folds_in_its_oldest() {
        let mut f = FrameInput::default();
        assert_eq!(f.presented(ms(1), ms(2)), None, "no input, no figure");
        // Three reports consumed by two ticks, then physics, then the frame.
        f.consumed(1, ms(3), ms(3), ms(4));
        f.consumed(2, ms(1), ms(2), ms(4));
        f.consumed(3, ms(5), ms(6), ms(8));
        f.simulated(ms(9));
        f.simulated(ms(12)); // a later step changes nothing
        assert!(f.is_pending());
        let Some(frame) = f.presented(ms(13), ms(16)) else {
            panic!("the frame had input");
        };
        assert_eq!(
            frame.newest,
            Path {
                seq: 3,
                made: ms(5),
                read: ms(6),
                consumed: ms(8),
                simulated: ms(9),
                submitted: ms(13),
                presented: ms(16),
            }
        );
        assert_eq!(frame.oldest.made, ms(1));
        assert_eq!(frame.oldest.whole(), ms(15));
        assert!(!f.is_pending(), "the next frame starts afresh");
    }

    #[test]
    fn input_consumed_after_the_last_step_waits_for_the_next() {
        let mut f = FrameInput::default();
        f.simulated(ms(1)); // no input yet: nothing to say
        f.consumed(4, ms(2), ms(2), ms(3));
        f.simulated(ms(4));
        f.consumed(5, ms(5), ms(5), ms(6));
        f.simulated(ms(7));
        let frame = f.presented(ms(8), ms(9));
        assert_eq!(frame.map(|fr| fr.newest.simulated), Some(ms(7)));
    }

    #[test]
    fn unstepped_input_and_disagreeing_clocks_never_go_negative() {
        let mut f = FrameInput::default();
        // A device stamp after our read (clocks a little apart), no physics.
        f.consumed(6, ms(5), ms(4), ms(6));
        let Some(frame) = f.presented(ms(7), ms(9)) else {
            panic!("the frame had input");
        };
        let p = frame.newest;
        assert_eq!(p.leg(Stage::Read), Duration::ZERO);
        assert_eq!(p.leg(Stage::Simulated), Duration::ZERO);
        assert_eq!(p.whole(), ms(4));
    }

    #[test]
    fn a_report_read_again_is_no_new_input() {
        let mut f = FrameInput::default();
        f.consumed(7, ms(1), ms(1), ms(2));
        assert!(f.presented(ms(3), ms(4)).is_some());
        // A polled loop reads report 7 again while the mouse is still.
        f.consumed(7, ms(1), ms(1), ms(5));
        f.consumed(6, ms(0), ms(0), ms(5));
        assert!(!f.is_pending());
        assert_eq!(f.presented(ms(6), ms(7)), None);
        f.consumed(8, ms(6), ms(6), ms(8));
        assert!(f.is_pending());
    }

    #[test]
    fn latency_is_recorded_per_leg_and_whole() {
        let mut l = Latency::default();
        let mut f = FrameInput::default();
        f.consumed(7, ms(0), ms(1), ms(2));
        f.simulated(ms(3));
        if let Some(frame) = f.presented(ms(4), ms(10)) {
            l.record(&frame);
        }
        assert_eq!(l.frames(), 1);
        assert_eq!(l.whole.max(), 10_000_000);
        assert_eq!(l.legs[Stage::Presented.index()].max(), 6_000_000);
    }
}
