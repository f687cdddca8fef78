//! Recording the thread timeline while the loop runs.
//!
//! The loop records its own spans straight into the model (it owns it).
//! The other threads (`read_mouse`, `ai`, `video`, `signals`) hand theirs
//! over through one bounded crossbeam channel: `try_send` takes no lock on
//! its fast path, and a full channel drops the span and counts it, so no
//! thread ever waits for the timeline. The loop drains the channel once a
//! tick. Nothing allocates per span: the model's rings and the channel's
//! array are allocated when the recorder is made. The same spans go to
//! `--trace` and, summed per displayed frame, to `--frames`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded};

mod lane;

pub(crate) use self::lane::LaneSender;
use super::clock::Clock;
use super::export::{ExportThread, Exported};
use super::frames::{self, FrameRow, HeldRows};
use super::trace::{self, TraceEvent};
use crate::core::latency::FrameLatency;
use crate::core::schedule::Subsystem;
use crate::core::timeline::{Activity, Lane, Mark, Span, Timeline};

/// Spans in flight from the other threads: a few ticks of an 8 kHz reader.
const HANDOVER: usize = 16 * 1024;

/// What the current tick is, for the frame rows.
#[derive(Clone, Copy, Debug, Default)]
struct TickNow {
    index: u64,
    lateness: Duration,
    mode: &'static str,
    loop_hz: u32,
}

/// Figures summed since the last displayed frame.
#[derive(Clone, Copy, Debug, Default)]
struct FrameSums {
    /// The loop's number of the frame being built.
    frame: u64,
    last_present: Option<Duration>,
    wait: Duration,
    work: [Duration; Subsystem::COUNT],
    samples: u64,
    lost: u64,
    newest_age: Option<Duration>,
    /// The way of the input this frame shows, made → presented.
    latency: Option<FrameLatency>,
    /// Handlers run inside the current wait (not waiting, though inside it).
    in_wait: Duration,
}

/// The loop's side: the model, the hand-over's receiving end, the exports.
pub struct TimelineRecorder {
    clock: Clock,
    model: Timeline,
    on: Arc<AtomicBool>,
    tx: Sender<Span>,
    rx: Receiver<Span>,
    drops: Arc<AtomicU64>,
    trace: Option<ExportThread<TraceEvent>>,
    frames: Option<ExportThread<FrameRow>>,
    tick: TickNow,
    sums: FrameSums,
    /// `--frames` rows waiting for their display time.
    held: HeldRows,
}

impl TimelineRecorder {
    pub(crate) fn new(on: bool, clock: Clock) -> Self {
        let (tx, rx) = bounded(HANDOVER);
        Self {
            clock,
            model: Timeline::new(),
            on: Arc::new(AtomicBool::new(on)),
            tx,
            rx,
            drops: Arc::new(AtomicU64::new(0)),
            trace: None,
            frames: None,
            tick: TickNow::default(),
            sums: FrameSums::default(),
            held: HeldRows::default(),
        }
    }

    /// The program's clock.
    pub(crate) fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Recording on or off (the benchmark measures both).
    pub(crate) fn set_on(&mut self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
    }

    pub(crate) fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// The hand-over for the thread that is `lane`.
    pub(crate) fn sender(&self, lane: Lane) -> LaneSender {
        LaneSender {
            lane,
            clock: self.clock,
            tx: self.tx.clone(),
            on: Arc::clone(&self.on),
            drops: Arc::clone(&self.drops),
        }
    }

    /// Streams every span and report to `path` as a Chrome trace.
    pub fn start_trace(&mut self, path: &Path) -> Result<(), String> {
        self.trace = Some(trace::start(path)?);
        Ok(())
    }

    /// Streams a CSV row per displayed frame to `path`.
    pub fn start_frames(&mut self, path: &Path) -> Result<(), String> {
        self.frames = Some(frames::start(path)?);
        Ok(())
    }

    pub(crate) fn model(&self) -> &Timeline {
        &self.model
    }

    /// A tick begins: which it is, how late, in which mode and at which rate.
    pub(crate) fn begin_tick(
        &mut self,
        index: u64,
        lateness: Duration,
        mode: &'static str,
        loop_hz: u32,
    ) {
        self.tick = TickNow {
            index,
            lateness,
            mode,
            loop_hz,
        };
    }

    /// The loop waited for its deadline from `from` to `to`.
    pub(crate) fn slept(&mut self, from: Duration, to: Duration) {
        if self.is_on() {
            let handled = std::mem::take(&mut self.sums.in_wait);
            self.sums.wait += to.saturating_sub(from).saturating_sub(handled);
            self.loop_span(Activity::Sleep, from, to);
        }
    }

    /// A handler ran inside the loop's wait for its deadline (an event
    /// loop's mouse handler): its span, counted as work, not as waiting.
    pub(crate) fn handled(&mut self, what: Activity, start: Duration, end: Duration) {
        if self.is_on() {
            self.sums.in_wait += end.saturating_sub(start);
            self.ran(what, start, end);
        }
    }

    /// The loop did `what` from `start` to `end`. A display span ends a
    /// frame: its row goes to `--frames`.
    pub(crate) fn ran(&mut self, what: Activity, start: Duration, end: Duration) {
        if !self.is_on() {
            return;
        }
        self.loop_span(what, start, end);
        if let Activity::Run(s) = what {
            if let Some(w) = self.sums.work.get_mut(s.index()) {
                *w += end.saturating_sub(start);
            }
            if s == Subsystem::Display {
                self.frame_done(end);
            }
        }
    }

    /// The loop consumed report `seq` (produced at `produced`, read by
    /// `read_by` at `arrived`) at `at`.
    pub(crate) fn consumed(
        &mut self,
        seq: u64,
        produced: Duration,
        read_by: Lane,
        arrived: Duration,
        at: Duration,
    ) {
        if !self.is_on() {
            return;
        }
        let mark = Mark {
            seq,
            produced,
            read_by,
            arrived,
            consumed: at,
            tick: self.tick.index,
        };
        self.sums.samples += 1;
        // A still mouse polled again: the report it gave before, no new
        // input (no age, no second mark in the trace).
        if !self.model.is_new(seq) {
            return;
        }
        let lost = self.model.consumed(mark);
        self.sums.lost += lost.map_or(0, |l| l.count);
        self.sums.newest_age = Some(at.saturating_sub(produced));
        if let Some(t) = &self.trace {
            if let Some(run) = lost {
                t.send(TraceEvent::Lost(run));
            }
            t.send(TraceEvent::Mark(mark));
        }
    }

    /// The loop's frame `frame` was presented; `shown` is the way of the
    /// input it shows (`None`: no new input), for its `--frames` row.
    pub(crate) fn presented(&mut self, frame: u64, shown: Option<&FrameLatency>) {
        if self.is_on() {
            self.sums.frame = frame;
            self.sums.latency = shown.copied();
            if let (Some(t), Some(frame)) = (&self.trace, shown) {
                t.send(TraceEvent::ToScreen(frame.newest));
            }
        }
    }

    /// The window system said what became of frame `frame`: shown at
    /// `shown`, or completed without a display time (`None`: skipped,
    /// composited, copied at once). Its row (and any older one) goes to
    /// `--frames`; the trace gets the last leg of its newest report's way.
    pub(crate) fn displayed(
        &mut self,
        frame: u64,
        input: Option<&FrameLatency>,
        shown: Option<Duration>,
    ) {
        if let (Some(t), Some(input), Some(at)) = (&self.trace, input, shown) {
            t.send(TraceEvent::Shown {
                way: input.newest,
                shown: at,
            });
        }
        if let Some(f) = &self.frames {
            self.held.displayed(frame, shown, |row| f.send(row));
        }
    }

    /// Moves what the other threads handed over into the model (and the
    /// trace). Once a tick; bounded by the channel's size.
    pub(crate) fn drain(&mut self) {
        for span in self.rx.try_iter().take(HANDOVER) {
            self.model.span(span);
            if let Some(t) = &self.trace {
                t.send(TraceEvent::Span(span));
            }
        }
        self.model.handover_drops = self.drops.load(Ordering::Relaxed);
    }

    /// Paused: the panel's history stands still (the exports go on).
    pub(crate) fn set_paused(&mut self, paused: bool, now: Duration) {
        self.model.set_frozen(paused, now);
    }

    /// Ends the exports; one line each on what was written, or why not.
    pub(crate) fn finish(&mut self) -> Vec<String> {
        self.drain();
        let mut said = Vec::new();
        if let Some(t) = self.trace.take() {
            said.push(describe("trace", "events", t.finish()));
        }
        if let Some(f) = self.frames.take() {
            for row in self.held.drain() {
                f.send(row);
            }
            said.push(describe("frames", "rows", f.finish()));
        }
        said
    }

    fn loop_span(&mut self, what: Activity, start: Duration, end: Duration) {
        let span = Span {
            lane: Lane::Loop,
            what,
            start,
            end,
        };
        self.model.span(span);
        if let Some(t) = &self.trace {
            t.send(TraceEvent::Span(span));
        }
    }

    fn frame_done(&mut self, presented: Duration) {
        let s = self.sums;
        let between = s.last_present.map(|p| presented.saturating_sub(p));
        if let Some(f) = &self.frames {
            let busy = match between {
                Some(b) => b.saturating_sub(s.wait),
                None => s.work.iter().sum(),
            };
            let row = FrameRow {
                frame: s.frame,
                mode: self.tick.mode,
                loop_hz: self.tick.loop_hz,
                presented,
                between,
                busy,
                wait: s.wait,
                lateness: self.tick.lateness,
                samples: s.samples,
                lost: s.lost,
                input_age: s.newest_age,
                work: s.work,
                latency: s.latency,
                shown: None,
            };
            if let Some(unknown) = self.held.hold(row) {
                f.send(unknown);
            }
        }
        self.sums = FrameSums {
            frame: s.frame + 1,
            last_present: Some(presented),
            ..FrameSums::default()
        };
    }
}

fn describe(what: &str, items: &str, result: Result<Exported, String>) -> String {
    match result {
        Ok(e) if e.dropped > 0 => format!(
            "{what}: wrote {} {items} to {} ({} left out)",
            e.written,
            e.path.display(),
            e.dropped
        ),
        Ok(e) => format!(
            "{what}: wrote {} {items} to {}",
            e.written,
            e.path.display()
        ),
        Err(e) => format!("{what}: {e}"),
    }
}

#[cfg(test)]
mod tests;
