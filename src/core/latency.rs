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
//!
//! Where the window system says when a frame was shown (X11's Present
//! extension), the answer comes a frame or more later: presented frames
//! wait in [`AwaitingDisplay`] for it, and the shown frames add one more
//! leg, present returned → shown, and the whole to the display.

use std::time::Duration;

use super::histogram::Histogram;
use super::ring::Queue;

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

    /// A new stretch of a mode reads from report `first_seq` on: a report
    /// made before it was the mode before's input, shown by its frames,
    /// and is no new input here (a polled loop's first read can return a
    /// report seconds old).
    pub(crate) fn begin_at(&mut self, first_seq: u64) {
        if let Some(before) = first_seq.checked_sub(1) {
            self.last_seq = Some(self.last_seq.map_or(before, |last| last.max(before)));
        }
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
    /// Newest report made → shown, for frames whose display time is known.
    pub to_shown: Histogram,
    /// Oldest report made → shown (PresentMon's "all input to photon").
    pub oldest_to_shown: Histogram,
}

impl Default for Latency {
    fn default() -> Self {
        Self {
            legs: std::array::from_fn(|_| Histogram::new()),
            whole: Histogram::new(),
            oldest_whole: Histogram::new(),
            to_shown: Histogram::new(),
            oldest_to_shown: Histogram::new(),
        }
    }
}

impl Latency {
    /// A frame the display showed at `shown`: its input's way to the display.
    pub(crate) fn record_shown(&mut self, frame: &FrameLatency, shown: Duration) {
        self.to_shown
            .record_duration(shown.saturating_sub(frame.newest.made));
        self.oldest_to_shown
            .record_duration(shown.saturating_sub(frame.oldest.made));
    }

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

/// A presented frame, until the display says when it was shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Presented {
    /// The loop's frame number.
    pub frame: u64,
    /// The mode that drew it (its index in the mode table).
    pub mode: usize,
    /// When the frame was handed to the display (before the present call).
    pub submitted: Duration,
    pub presented: Duration,
    /// The way of the input it shows (`None`: no new input).
    pub input: Option<FrameLatency>,
}

/// What the window system said of one present, in the order of the presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// On the display from this time (the refresh that showed it).
    Shown(Duration),
    /// Replaced by a later frame before it was ever shown.
    Skipped(Duration),
}

impl Completion {
    /// When the frame was shown, never before its present returned (a
    /// window system may stamp a copy with the refresh before it).
    pub(crate) fn shown(self, p: &Presented) -> Option<Duration> {
        match self {
            Completion::Shown(t) => Some(t.max(p.presented)),
            Completion::Skipped(_) => None,
        }
    }
}

/// Presents waiting for their completion: a fixed ring, oldest first. A
/// window system completes a window's presents in order, one completion
/// each, so a completion belongs to the oldest present waiting (one that
/// comes when none waits is stray, and counted). A present that no
/// completion reaches within [`AWAITING`] frames leaves without a display
/// time (counted): the window system does not say, or stopped saying.
/// Once it has said, and then stops (a hidden XWayland window gets no
/// frame callbacks), its later completions could belong to presents that
/// already left, so from then on none is matched: no figure rather than a
/// wrong one.
#[derive(Clone, Debug, Default)]
pub(crate) struct AwaitingDisplay {
    queue: Queue<Presented, AWAITING>,
    /// Presents that left without a display time.
    pub unknown: u64,
    /// Completions that matched no present.
    pub stray: u64,
    /// Completions matched to their present.
    pub matched: u64,
    /// Completions stopped after some had come: no more matching.
    pub lost_track: bool,
}

/// Frames a present may wait for its completion: a swapchain holds 2–4.
pub(crate) const AWAITING: usize = 8;

impl AwaitingDisplay {
    /// A frame was presented; if the ring was full, its oldest frame leaves
    /// without a display time and is returned.
    pub(crate) fn presented(&mut self, p: Presented) -> Option<Presented> {
        if self.lost_track {
            self.unknown += 1;
            return Some(p);
        }
        let gone = self.queue.push(p);
        if gone.is_some() {
            self.unknown += 1;
            if self.matched > 0 {
                self.lost_track = true;
                while self.queue.pop().is_some() {
                    self.unknown += 1;
                }
            }
        }
        gone
    }

    /// The window system completed a present: the frame it belongs to.
    pub(crate) fn completed(&mut self) -> Option<Presented> {
        let oldest = if self.lost_track {
            None
        } else {
            self.queue.pop()
        };
        match oldest {
            Some(_) => self.matched += 1,
            None => self.stray += 1,
        }
        oldest
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.queue.len()
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
    fn a_report_from_before_the_stretch_is_no_new_input() {
        let mut f = FrameInput::default();
        f.begin_at(10);
        // Report 9 was made before this mode began: the mode before showed it.
        f.consumed(9, ms(0), ms(0), ms(300));
        assert_eq!(f.presented(ms(301), ms(302)), None);
        f.consumed(10, ms(299), ms(299), ms(303));
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

    fn presented(frame: u64, submitted: u64) -> Presented {
        Presented {
            frame,
            submitted: ms(submitted),
            presented: ms(submitted + 1),
            ..Presented::default()
        }
    }

    #[test]
    fn each_completion_belongs_to_the_oldest_present_waiting() {
        let mut a = AwaitingDisplay::default();
        assert_eq!(a.completed(), None, "nothing presented: stray");
        assert_eq!(a.stray, 1);
        for f in 0..3 {
            assert_eq!(a.presented(presented(f, 10 + 16 * f)), None);
        }
        let first = a.completed();
        assert_eq!(first.map(|p| p.frame), Some(0));
        assert_eq!(a.completed().map(|p| p.frame), Some(1));
        assert_eq!(a.waiting(), 1);
        assert_eq!(a.completed().map(|p| p.frame), Some(2));
        assert_eq!((a.waiting(), a.unknown, a.stray), (0, 0, 1));
    }

    #[test]
    fn completions_that_stop_and_resume_are_no_longer_matched() {
        let mut a = AwaitingDisplay::default();
        a.presented(presented(0, 0));
        assert_eq!(a.completed().map(|p| p.frame), Some(0));
        // Then the window system goes quiet for more than the ring holds.
        for f in 1..=(AWAITING as u64 + 1) {
            a.presented(presented(f, 16 * f));
        }
        assert!(a.lost_track);
        assert_eq!(a.waiting(), 0);
        // Its next completion is for a present long gone: not matched.
        assert_eq!(a.completed(), None);
        let later = presented(20, 320);
        assert_eq!(a.presented(later), Some(later), "leaves at once, unknown");
        assert_eq!((a.matched, a.unknown), (1, AWAITING as u64 + 2));
    }

    #[test]
    fn a_window_system_that_never_says_loses_no_track() {
        let mut a = AwaitingDisplay::default();
        for f in 0..40 {
            a.presented(presented(f, 16 * f));
        }
        assert!(!a.lost_track, "nothing to lose before a first completion");
        assert_eq!(a.completed().map(|p| p.frame), Some(32));
    }

    #[test]
    fn a_frame_is_shown_no_sooner_than_its_present_returned() {
        let p = presented(4, 10); // presented at 11 ms
        assert_eq!(Completion::Shown(ms(27)).shown(&p), Some(ms(27)));
        // A copy stamped with the refresh before it: shown when presented.
        assert_eq!(Completion::Shown(ms(3)).shown(&p), Some(ms(11)));
        assert_eq!(Completion::Skipped(ms(27)).shown(&p), None);
    }

    #[test]
    fn a_present_no_completion_reaches_leaves_without_a_display_time() {
        let mut a = AwaitingDisplay::default();
        let mut left = Vec::new();
        for f in 0..(AWAITING as u64 + 3) {
            left.extend(a.presented(presented(f, f)));
        }
        assert_eq!(
            left.iter().map(|p| p.frame).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!((a.unknown, a.waiting()), (3, AWAITING));
        let next = a.completed();
        assert_eq!(next.map(|p| p.frame), Some(3), "the ring keeps its order");
    }

    #[test]
    fn a_shown_frame_adds_its_way_to_the_display() {
        let mut l = Latency::default();
        let mut f = FrameInput::default();
        f.consumed(1, ms(2), ms(3), ms(4));
        f.consumed(2, ms(6), ms(6), ms(7));
        let Some(frame) = f.presented(ms(8), ms(10)) else {
            panic!("the frame had input");
        };
        l.record(&frame);
        l.record_shown(&frame, ms(26));
        assert_eq!(
            l.to_shown.max(),
            20_000_000,
            "newest: made at 6, shown at 26"
        );
        assert_eq!(l.oldest_to_shown.max(), 24_000_000, "oldest: made at 2");
        assert_eq!(l.to_shown.count(), 1);
    }
}
