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
use serde::Serialize;

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

/// What the window system said of one present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The presenter's number for it: Mesa counts 1, 2, 3… per swapchain.
    pub serial: u32,
    /// The time it gave (the refresh it names), on the program's clock;
    /// `None` if that was before the program started.
    pub at: Option<Duration>,
    pub how: Presentation,
}

/// How a present reached the screen (X11 Present's completion modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presentation {
    /// Scanned out from the refresh named: a display time.
    Flip,
    /// Copied into the screen's buffer: a display time if the copy waited
    /// for the refresh it names (then not before the frame was submitted).
    Copy,
    /// Copied into a compositor's buffer: the compositor shows it later,
    /// at a time nobody tells us.
    Composited,
    /// Replaced by a later frame before it was ever shown.
    Skip,
}

/// A present's fate, as far as it is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// On the display from this time.
    Shown(Duration),
    /// Replaced before it was shown.
    Skipped,
    /// Completed, with no display time: composited, or copied at once and
    /// stamped with the refresh before (no vsync: it tears in mid-scanout).
    Untimed,
}

impl Completion {
    /// What this completion says of present `p`.
    pub(crate) fn fate(&self, p: &Presented) -> Fate {
        match (self.how, self.at) {
            (Presentation::Skip, _) => Fate::Skipped,
            (Presentation::Composited, _) | (_, None) => Fate::Untimed,
            (Presentation::Flip | Presentation::Copy, Some(at)) if at >= p.submitted => {
                Fate::Shown(at.max(p.presented))
            }
            _ => Fate::Untimed,
        }
    }
}

/// Presents waiting for their completion, in a fixed ring, oldest first.
/// A window system completes a window's presents in order, one completion
/// each, numbered by the presenter (Mesa: 1, 2, 3… per swapchain, from
/// the window's first present). So each completion is matched by number:
/// the present it names is `serial + offset` in the loop's own count, the
/// offset fixed at the first completion (0 when the serial fits the
/// presents made: Mesa's count from the first, exact even if that
/// completion came late) and at each new swapchain (its numbers start
/// again: it is the oldest present waiting). Presents passed over by a
/// completion never had one (counted unknown); a completion for a present
/// that already left the ring, after a stall longer than [`AWAITING`]
/// frames, is stray (counted), and matching goes on exactly after it.
#[derive(Clone, Debug, Default)]
pub(crate) struct AwaitingDisplay {
    /// Each present with its number in the loop's count (from 1).
    queue: Queue<(u64, Presented), AWAITING>,
    /// Presents made so far.
    presents: u64,
    /// Loop's count − presenter's number, for the current swapchain.
    offset: Option<i64>,
    last_serial: Option<u32>,
    pub counts: DisplayCounts,
}

/// How the window system's completions met the presents, for the report:
/// on a machine that gives display times, mostly `matched`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct DisplayCounts {
    /// Completions matched to their present.
    pub matched: u64,
    /// Presents that left without a completion.
    pub unknown: u64,
    /// Completions that matched no present waiting.
    pub stray: u64,
}

/// Frames a present may wait for its completion: a swapchain holds 2–4.
pub(crate) const AWAITING: usize = 8;

impl AwaitingDisplay {
    /// A frame was presented; if the ring was full, its oldest frame leaves
    /// without a display time and is returned.
    pub(crate) fn presented(&mut self, p: Presented) -> Option<Presented> {
        self.presents += 1;
        let gone = self.queue.push((self.presents, p));
        if gone.is_some() {
            self.counts.unknown += 1;
        }
        gone.map(|(_, p)| p)
    }

    /// The window system completed the present it numbers `serial`: the
    /// frame that present showed, if it is still waiting.
    pub(crate) fn completed(&mut self, serial: u32) -> Option<Presented> {
        let number = i64::from(serial);
        let new_swapchain = self.last_serial.is_some_and(|last| serial <= last);
        self.last_serial = Some(serial);
        if self.offset.is_none() || new_swapchain {
            let from_the_first =
                self.offset.is_none() && (1..=self.presents as i64).contains(&number);
            self.offset = match (from_the_first, self.queue.front()) {
                (true, _) => Some(0),
                (false, Some((oldest, _))) => Some(*oldest as i64 - number),
                (false, None) => None,
            };
        }
        let Some(offset) = self.offset else {
            self.counts.stray += 1;
            return None;
        };
        let wanted = number + offset;
        while self
            .queue
            .front()
            .is_some_and(|(i, _)| (*i as i64) < wanted)
        {
            self.queue.pop();
            self.counts.unknown += 1;
        }
        if self.queue.front().is_some_and(|(i, _)| *i as i64 == wanted) {
            self.counts.matched += 1;
            return self.queue.pop().map(|(_, p)| p);
        }
        self.counts.stray += 1;
        None
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

    /// Presents frames `from..to`, 16 ms apart.
    fn present(a: &mut AwaitingDisplay, frames: std::ops::Range<u64>) {
        for f in frames {
            let _ = a.presented(presented(f, 16 * f));
        }
    }

    fn frame_of(a: &mut AwaitingDisplay, serial: u32) -> Option<u64> {
        a.completed(serial).map(|p| p.frame)
    }

    #[test]
    fn each_completion_finds_the_present_it_numbers() {
        let mut a = AwaitingDisplay::default();
        assert_eq!(frame_of(&mut a, 1), None, "nothing presented: stray");
        present(&mut a, 0..3);
        assert_eq!(frame_of(&mut a, 1), Some(0));
        assert_eq!(frame_of(&mut a, 2), Some(1));
        assert_eq!(a.waiting(), 1);
        assert_eq!(frame_of(&mut a, 3), Some(2));
        assert_eq!(
            (a.counts.matched, a.counts.unknown, a.counts.stray),
            (3, 0, 1)
        );
    }

    #[test]
    fn a_first_completion_that_comes_late_still_finds_its_present() {
        let mut a = AwaitingDisplay::default();
        // The window system says nothing for longer than the ring holds
        // (a window that starts hidden): frames 0..=3 leave unknown.
        present(&mut a, 0..(AWAITING as u64 + 4));
        assert_eq!(a.counts.unknown, 4);
        // Completions for those come, then for the ones still waiting.
        for serial in 1..=4 {
            assert_eq!(frame_of(&mut a, serial), None, "its present left");
        }
        assert_eq!(frame_of(&mut a, 5), Some(4));
        assert_eq!(frame_of(&mut a, 6), Some(5));
    }

    #[test]
    fn a_stall_in_mid_run_costs_the_frames_it_outlasted_and_no_more() {
        let mut a = AwaitingDisplay::default();
        present(&mut a, 0..2);
        assert_eq!(frame_of(&mut a, 1), Some(0));
        present(&mut a, 2..(AWAITING as u64 + 5));
        for serial in 2..=5 {
            assert_eq!(frame_of(&mut a, serial), None);
        }
        assert_eq!(frame_of(&mut a, 6), Some(5), "exact again after the stall");
    }

    #[test]
    fn a_present_the_presenter_never_made_is_passed_over() {
        let mut a = AwaitingDisplay::default();
        present(&mut a, 0..4);
        assert_eq!(frame_of(&mut a, 1), Some(0));
        // The presenter dropped its second present: the next it completes
        // is its third.
        assert_eq!(frame_of(&mut a, 3), Some(2));
        assert_eq!(a.counts.unknown, 1);
    }

    #[test]
    fn a_new_swapchain_starts_counting_again() {
        let mut a = AwaitingDisplay::default();
        present(&mut a, 0..3);
        assert_eq!(frame_of(&mut a, 1), Some(0));
        assert_eq!(frame_of(&mut a, 2), Some(1));
        // The window was resized: Mesa's new swapchain numbers from 1.
        assert_eq!(frame_of(&mut a, 3), Some(2));
        present(&mut a, 3..6);
        assert_eq!(frame_of(&mut a, 1), Some(3));
        assert_eq!(frame_of(&mut a, 2), Some(4));
    }

    #[test]
    fn a_presenter_with_numbers_of_its_own_is_matched_in_order() {
        let mut a = AwaitingDisplay::default();
        present(&mut a, 0..3);
        assert_eq!(frame_of(&mut a, 7000), Some(0));
        assert_eq!(frame_of(&mut a, 7001), Some(1));
    }

    #[test]
    fn only_a_flip_or_a_copy_on_a_refresh_is_a_display_time() {
        let p = presented(4, 10); // submitted at 10 ms, presented at 11
        let c = |how, at: u64| Completion {
            serial: 1,
            at: Some(ms(at)),
            how,
        };
        assert_eq!(c(Presentation::Flip, 27).fate(&p), Fate::Shown(ms(27)));
        assert_eq!(c(Presentation::Copy, 27).fate(&p), Fate::Shown(ms(27)));
        // On the refresh while the present call returned: shown when presented.
        assert_eq!(c(Presentation::Copy, 10).fate(&p), Fate::Shown(ms(11)));
        // A copy at once, stamped with the refresh before: no display time.
        assert_eq!(c(Presentation::Copy, 3).fate(&p), Fate::Untimed);
        assert_eq!(c(Presentation::Composited, 27).fate(&p), Fate::Untimed);
        assert_eq!(c(Presentation::Skip, 27).fate(&p), Fate::Skipped);
        let before_start = Completion {
            at: None,
            ..c(Presentation::Flip, 0)
        };
        assert_eq!(before_start.fate(&p), Fate::Untimed);
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
