//! The thread timeline: what each of our threads did over the last few
//! hundred milliseconds, and which tick consumed each mouse report.
//!
//! A lane per thread (the loop, `read_mouse`, `ai`, `video`, `signals`)
//! holds spans in a fixed ring, so a busy lane (an 8 kHz reader) cannot push
//! the loop's spans out. Reports are marks: produced at the device's time,
//! consumed by a tick of the loop, or lost (a polling loop sees only the
//! newest report; the ones in between are gone). Everything is preallocated
//! when the timeline is made; recording never allocates.

use std::time::Duration;

use super::ring::Ring;
use super::schedule::Subsystem;

/// A thread of ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Lane {
    /// The game loop (the program's main thread).
    #[default]
    Loop,
    ReadMouse,
    Ai,
    Video,
    Signals,
}

impl Lane {
    pub(crate) const ALL: [Lane; 5] = [
        Lane::Loop,
        Lane::ReadMouse,
        Lane::Ai,
        Lane::Video,
        Lane::Signals,
    ];
    pub(crate) const COUNT: usize = Self::ALL.len();

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The thread's name, as `ps -L` and the trace show it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lane::Loop => "loop",
            Lane::ReadMouse => "read_mouse",
            Lane::Ai => "ai",
            Lane::Video => "video",
            Lane::Signals => "signals",
        }
    }

    /// Spans a lane keeps: enough for the history at the fastest rates
    /// (a 8000 Hz polled loop, an 8000 Hz reader: two spans per report).
    fn capacity(self) -> usize {
        match self {
            Lane::Loop | Lane::ReadMouse => 8192,
            Lane::Ai | Lane::Video | Lane::Signals => 1024,
        }
    }
}

/// What a thread was doing during a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Activity {
    /// The loop running one subsystem.
    Run(Subsystem),
    /// The loop waiting for its next deadline.
    #[default]
    Sleep,
    /// Extra compute per tick (the benchmark's `--load`), or a long handler.
    Load,
    /// `read_mouse` in the device's blocking read.
    Blocked,
    /// `read_mouse` stamping a report and handing it to the loop.
    Deliver,
    /// A worker (`ai`, `video`) doing one job.
    Job,
    /// The `signals` thread turning a signal into a command.
    Signal,
    /// The loop's late latch: the newest reports, just before drawing.
    Latch,
}

impl Activity {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Activity::Run(s) => s.name(),
            Activity::Sleep => "sleep until deadline",
            Activity::Load => "load",
            Activity::Blocked => "blocked in read",
            Activity::Deliver => "deliver",
            Activity::Job => "job",
            Activity::Signal => "signal",
            Activity::Latch => "late latch",
        }
    }
}

/// One stretch of one thread's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub lane: Lane,
    pub what: Activity,
    pub start: Duration,
    pub end: Duration,
}

/// A mouse report the loop consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Mark {
    pub seq: u64,
    /// When the device produced it.
    pub produced: Duration,
    /// The thread that read it from the device.
    pub read_by: Lane,
    /// When that thread had it (for the loop itself: when it consumed it).
    pub arrived: Duration,
    /// When the loop consumed it.
    pub consumed: Duration,
    /// The tick that consumed it.
    pub tick: u64,
}

/// Reports nobody consumed: `count` of them, produced after `after` and
/// before `before` (their exact times are gone with them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Lost {
    pub after: Duration,
    pub before: Duration,
    pub count: u64,
}

/// How much history the panel shows.
pub(crate) const HISTORY: Duration = Duration::from_millis(200);

/// Marks and lost runs kept: 250 ms of an 8 kHz mouse, with room to spare.
const MARKS: usize = 4096;

/// The timeline of every lane, and the reports' marks.
#[derive(Clone, Debug)]
pub(crate) struct Timeline {
    lanes: [Ring<Span>; Lane::COUNT],
    marks: Ring<Mark>,
    lost: Ring<Lost>,
    /// The newest report consumed: (seq, produced), to find lost ones.
    last_report: Option<(u64, Duration)>,
    frozen_at: Option<Duration>,
    /// Spans the other threads could not hand over (their queue was full).
    pub handover_drops: u64,
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Timeline {
    pub(crate) fn new() -> Self {
        Self {
            lanes: Lane::ALL.map(|l| Ring::new(l.capacity())),
            marks: Ring::new(MARKS),
            lost: Ring::new(MARKS),
            last_report: None,
            frozen_at: None,
            handover_drops: 0,
        }
    }

    /// Records a span (ignored while frozen, and if it ends before it starts).
    pub(crate) fn span(&mut self, span: Span) {
        if self.frozen_at.is_some() || span.end < span.start {
            return;
        }
        if let Some(ring) = self.lanes.get_mut(span.lane.index()) {
            ring.push(span);
        }
    }

    /// Is report `seq` one not consumed before?
    pub(crate) fn is_new(&self, seq: u64) -> bool {
        self.last_report.is_none_or(|(last, _)| seq > last)
    }

    /// Records a consumed report. A report already consumed (a polled
    /// device returns the same newest one until another comes) is not
    /// marked again; a gap in sequence numbers is a run of lost reports,
    /// returned.
    pub(crate) fn consumed(&mut self, mark: Mark) -> Option<Lost> {
        let mut lost = None;
        match self.last_report {
            Some((seq, _)) if mark.seq <= seq => return None,
            Some((seq, produced)) if mark.seq > seq + 1 => {
                let run = Lost {
                    after: produced,
                    before: mark.produced,
                    count: mark.seq - seq - 1,
                };
                if self.frozen_at.is_none() {
                    self.lost.push(run);
                }
                lost = Some(run);
            }
            _ => {}
        }
        self.last_report = Some((mark.seq, mark.produced));
        if self.frozen_at.is_none() {
            self.marks.push(mark);
        }
        lost
    }

    /// Freezes the history at `now` (the game paused: a lecturer can point
    /// at it), or lets it run again.
    pub(crate) fn set_frozen(&mut self, frozen: bool, now: Duration) {
        self.frozen_at = match (frozen, self.frozen_at) {
            (true, Some(at)) => Some(at),
            (true, None) => Some(now),
            (false, _) => None,
        };
    }

    pub(crate) fn is_frozen(&self) -> bool {
        self.frozen_at.is_some()
    }

    /// The end of the window to show: now, or when it froze.
    pub(crate) fn view_end(&self, now: Duration) -> Duration {
        self.frozen_at.unwrap_or(now)
    }

    /// Spans of `lane` that overlap `from..to`, oldest first.
    pub(crate) fn spans(
        &self,
        lane: Lane,
        from: Duration,
        to: Duration,
    ) -> impl Iterator<Item = &Span> {
        self.lanes
            .get(lane.index())
            .into_iter()
            .flat_map(|r| r.iter())
            .filter(move |s| s.end >= from && s.start <= to)
    }

    /// Marks consumed in `from..to` or produced in it, oldest first.
    pub(crate) fn marks(&self, from: Duration, to: Duration) -> impl Iterator<Item = &Mark> {
        self.marks
            .iter()
            .filter(move |m| m.consumed >= from && m.produced <= to)
    }

    /// Runs of lost reports that overlap `from..to`.
    pub(crate) fn lost(&self, from: Duration, to: Duration) -> impl Iterator<Item = &Lost> {
        self.lost
            .iter()
            .filter(move |l| l.before >= from && l.after <= to)
    }

    /// Forgets everything recorded (the statistics were reset).
    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        for ring in &mut self.lanes {
            ring.clear();
        }
        self.marks.clear();
        self.lost.clear();
        self.last_report = None;
        self.handover_drops = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn span(lane: Lane, what: Activity, a: u64, b: u64) -> Span {
        Span {
            lane,
            what,
            start: ms(a),
            end: ms(b),
        }
    }

    fn mark(seq: u64, produced: u64, consumed: u64) -> Mark {
        Mark {
            seq,
            produced: ms(produced),
            read_by: Lane::Loop,
            arrived: ms(consumed),
            consumed: ms(consumed),
            tick: consumed,
        }
    }

    #[test]
    fn a_busy_lane_does_not_push_out_the_loop() {
        let mut t = Timeline::new();
        t.span(span(Lane::Loop, Activity::Run(Subsystem::Display), 0, 5));
        for i in 0..20_000 {
            t.span(span(Lane::ReadMouse, Activity::Blocked, i, i + 1));
        }
        let loop_spans: Vec<_> = t.spans(Lane::Loop, ms(0), ms(100)).collect();
        assert_eq!(loop_spans.len(), 1);
        assert_eq!(
            t.spans(Lane::ReadMouse, ms(0), ms(30_000)).count(),
            Lane::ReadMouse.capacity()
        );
    }

    #[test]
    fn spans_are_selected_by_overlap_with_the_window() {
        let mut t = Timeline::new();
        t.span(span(Lane::Loop, Activity::Sleep, 0, 10));
        t.span(span(Lane::Loop, Activity::Run(Subsystem::Mouse), 10, 11));
        t.span(span(Lane::Loop, Activity::Sleep, 11, 20));
        t.span(span(Lane::Loop, Activity::Sleep, 30, 20)); // ends before it starts
        let names: Vec<_> = t
            .spans(Lane::Loop, ms(10), ms(12))
            .map(|s| s.what)
            .collect();
        assert_eq!(
            names,
            vec![
                Activity::Sleep,
                Activity::Run(Subsystem::Mouse),
                Activity::Sleep
            ]
        );
        assert_eq!(t.spans(Lane::Ai, ms(0), ms(100)).count(), 0);
    }

    #[test]
    fn a_polled_loop_loses_the_reports_between_its_polls() {
        let mut t = Timeline::new();
        assert_eq!(t.consumed(mark(0, 0, 1)), None);
        // The same newest report polled again: no new mark.
        assert_eq!(t.consumed(mark(0, 0, 2)), None);
        // Reports 1..=15 came and went between two polls.
        assert_eq!(t.consumed(mark(16, 16, 17)).map(|l| l.count), Some(15));
        assert_eq!(t.marks(ms(0), ms(100)).count(), 2);
        let lost: Vec<_> = t.lost(ms(0), ms(100)).copied().collect();
        assert_eq!(
            lost,
            vec![Lost {
                after: ms(0),
                before: ms(16),
                count: 15
            }]
        );
    }

    #[test]
    fn a_threaded_loop_consumes_every_report() {
        let mut t = Timeline::new();
        for seq in 0..50 {
            assert_eq!(t.consumed(mark(seq, seq, 60)), None);
        }
        assert_eq!(t.marks(ms(0), ms(100)).count(), 50);
        assert_eq!(t.lost(ms(0), ms(100)).count(), 0);
    }

    #[test]
    fn frozen_history_stays_put_until_thawed() {
        let mut t = Timeline::new();
        t.span(span(Lane::Loop, Activity::Sleep, 0, 10));
        t.set_frozen(true, ms(10));
        t.set_frozen(true, ms(50)); // pausing twice keeps the first moment
        t.span(span(Lane::Loop, Activity::Sleep, 10, 20));
        t.consumed(mark(0, 12, 15));
        assert!(t.is_frozen());
        assert_eq!(t.view_end(ms(99)), ms(10));
        assert_eq!(t.spans(Lane::Loop, ms(0), ms(99)).count(), 1);
        assert_eq!(t.marks(ms(0), ms(99)).count(), 0);
        t.set_frozen(false, ms(60));
        assert_eq!(t.view_end(ms(99)), ms(99));
        t.span(span(Lane::Loop, Activity::Sleep, 60, 70));
        assert_eq!(t.spans(Lane::Loop, ms(0), ms(99)).count(), 2);
        // Sequence numbers still followed while frozen: no false loss.
        assert_eq!(t.consumed(mark(1, 61, 62)), None);
    }

    #[test]
    fn clear_forgets_everything() {
        let mut t = Timeline::new();
        t.span(span(Lane::Video, Activity::Job, 0, 10));
        t.consumed(mark(3, 0, 1));
        t.handover_drops = 4;
        t.clear();
        assert_eq!(t.spans(Lane::Video, ms(0), ms(99)).count(), 0);
        assert_eq!(t.marks(ms(0), ms(99)).count(), 0);
        assert_eq!(t.handover_drops, 0);
        assert_eq!(t.consumed(mark(9, 5, 6)), None, "no loss across a reset");
    }
}
