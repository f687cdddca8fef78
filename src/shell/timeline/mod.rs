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

pub use self::lane::{LaneSender, reader_lane};
use super::clock::Clock;
use super::export::{ExportThread, Exported};
use super::frames::{self, FrameRow};
use super::trace::{self, TraceEvent};
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
    frames: u64,
    last_present: Option<Duration>,
    wait: Duration,
    work: [Duration; Subsystem::COUNT],
    samples: u64,
    lost: u64,
    newest_age: Option<Duration>,
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
}

impl TimelineRecorder {
    pub fn new(on: bool, clock: Clock) -> Self {
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
        }
    }

    /// The program's clock.
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Recording on or off (the benchmark measures both).
    pub fn set_on(&mut self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// The hand-over for the thread that is `lane`.
    pub fn sender(&self, lane: Lane) -> LaneSender {
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

    pub fn model(&self) -> &Timeline {
        &self.model
    }

    /// A tick begins: which it is, how late, in which mode and at which rate.
    pub fn begin_tick(&mut self, index: u64, lateness: Duration, mode: &'static str, loop_hz: u32) {
        self.tick = TickNow {
            index,
            lateness,
            mode,
            loop_hz,
        };
    }

    /// The loop waited for its deadline from `from` to `to`.
    pub fn slept(&mut self, from: Duration, to: Duration) {
        if self.is_on() {
            self.sums.wait += to.saturating_sub(from);
            self.loop_span(Activity::Sleep, from, to);
        }
    }

    /// The loop did `what` from `start` to `end`. A display span ends a
    /// frame: its row goes to `--frames`.
    pub fn ran(&mut self, what: Activity, start: Duration, end: Duration) {
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
    pub fn consumed(
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
        let lost = self.model.consumed(mark);
        self.sums.samples += 1;
        self.sums.lost += lost.map_or(0, |l| l.count);
        self.sums.newest_age = Some(at.saturating_sub(produced));
        if let Some(t) = &self.trace {
            if let Some(run) = lost {
                t.send(TraceEvent::Lost(run));
            }
            t.send(TraceEvent::Mark(mark));
        }
    }

    /// Moves what the other threads handed over into the model (and the
    /// trace). Once a tick; bounded by the channel's size.
    pub fn drain(&mut self) {
        for span in self.rx.try_iter().take(HANDOVER) {
            self.model.span(span);
            if let Some(t) = &self.trace {
                t.send(TraceEvent::Span(span));
            }
        }
        self.model.handover_drops = self.drops.load(Ordering::Relaxed);
    }

    /// Paused: the panel's history stands still (the exports go on).
    pub fn set_paused(&mut self, paused: bool, now: Duration) {
        self.model.set_frozen(paused, now);
    }

    /// Ends the exports; one line each on what was written, or why not.
    pub fn finish(&mut self) -> Vec<String> {
        self.drain();
        let mut said = Vec::new();
        if let Some(t) = self.trace.take() {
            said.push(describe("trace", "events", t.finish()));
        }
        if let Some(f) = self.frames.take() {
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
            f.send(FrameRow {
                frame: s.frames,
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
            });
        }
        self.sums = FrameSums {
            frames: s.frames + 1,
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
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn other_threads_hand_spans_over_and_the_loop_drains_them() {
        let mut r = TimelineRecorder::new(true, Clock::new());
        let reader = r.sender(Lane::ReadMouse);
        let handle = std::thread::spawn(move || {
            for i in 0..100 {
                reader.record(Activity::Blocked, ms(i), ms(i + 1));
            }
        });
        assert!(handle.join().is_ok());
        r.drain();
        assert_eq!(
            r.model().spans(Lane::ReadMouse, ms(0), ms(200)).count(),
            100
        );
        assert_eq!(r.model().handover_drops, 0);
    }

    #[test]
    fn a_full_hand_over_drops_and_counts() {
        let mut r = TimelineRecorder::new(true, Clock::new());
        let s = r.sender(Lane::Ai);
        for i in 0..(HANDOVER as u64 + 10) {
            s.record(Activity::Job, ms(i), ms(i));
        }
        r.drain();
        assert_eq!(r.model().handover_drops, 10);
    }

    #[test]
    fn off_records_nothing() {
        let mut r = TimelineRecorder::new(false, Clock::new());
        r.sender(Lane::Video).record(Activity::Job, ms(0), ms(1));
        r.ran(Activity::Run(Subsystem::Mouse), ms(0), ms(1));
        r.slept(ms(1), ms(2));
        r.consumed(0, ms(0), Lane::Loop, ms(1), ms(1));
        r.drain();
        assert_eq!(r.model().spans(Lane::Video, ms(0), ms(9)).count(), 0);
        assert_eq!(r.model().spans(Lane::Loop, ms(0), ms(9)).count(), 0);
        assert_eq!(r.model().marks(ms(0), ms(9)).count(), 0);
        r.set_on(true);
        r.ran(Activity::Run(Subsystem::Mouse), ms(0), ms(1));
        assert_eq!(r.model().spans(Lane::Loop, ms(0), ms(9)).count(), 1);
    }

    #[test]
    fn frames_and_trace_files_are_written_at_the_end() {
        let dir = std::env::temp_dir().join(format!("why-threads-rec-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let (trace_path, frames_path) = (dir.join("t.json"), dir.join("f.csv"));
        let mut r = TimelineRecorder::new(true, Clock::new());
        assert_eq!(r.start_trace(&trace_path), Ok(()));
        assert_eq!(r.start_frames(&frames_path), Ok(()));
        for tick in 0..3u64 {
            let t0 = ms(tick * 17);
            r.begin_tick(tick, Duration::from_micros(40), "threaded", 60);
            r.consumed(tick * 2, t0, Lane::ReadMouse, t0, t0 + ms(1));
            r.consumed(tick * 2 + 1, t0, Lane::ReadMouse, t0, t0 + ms(1));
            r.ran(Activity::Run(Subsystem::Mouse), t0, t0 + ms(1));
            r.ran(Activity::Run(Subsystem::Display), t0 + ms(1), t0 + ms(6));
            r.slept(t0 + ms(6), t0 + ms(17));
        }
        let said = r.finish();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].starts_with("trace: wrote "), "{said:?}");
        let csv = std::fs::read_to_string(&frames_path).unwrap_or_default();
        assert_eq!(csv.lines().count(), 4, "{csv}");
        let json = std::fs::read_to_string(&trace_path).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        let events = v["traceEvents"].as_array().map_or(0, Vec::len);
        // 11 metadata + 9 spans + 6 reports × 3 (instant, flow start, flow end).
        assert_eq!(events, 11 + 9 + 18);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
