//! A thread's end of the timeline's hand-over, and which thread reads the
//! mouse in a mode.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crossbeam_channel::Sender;

use crate::core::timeline::{Activity, Lane, Span};
use crate::shell::clock::Clock;
use crate::shell::modes::ModeSpec;

/// The thread that reads the mouse in a mode: the `read_mouse` thread in a
/// mode that has one (its rate-table row says it runs there), else the
/// loop itself (polled, blocking, events, and a user-level `read_mouse`,
/// which runs on the loop's own kernel thread).
pub fn reader_lane(spec: &ModeSpec) -> Lane {
    if !spec.mouse_in_table && spec.mouse_runs_in == "read_mouse thread" {
        Lane::ReadMouse
    } else {
        Lane::Loop
    }
}

/// A thread's end of the hand-over: cheap to clone, never blocks.
#[derive(Clone, Debug)]
pub struct LaneSender {
    pub(super) lane: Lane,
    pub(super) clock: Clock,
    pub(super) tx: Sender<Span>,
    pub(super) on: Arc<AtomicBool>,
    pub(super) drops: Arc<AtomicU64>,
}

impl LaneSender {
    /// Is the timeline recording? (A producer may skip reading the clock.)
    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// The program's clock, for the span's ends.
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Runs `job`, recording it as a span of `what` when the timeline is on.
    pub fn time<T>(&self, what: Activity, job: impl FnOnce() -> T) -> T {
        if !self.is_on() {
            return job();
        }
        let start = self.now();
        let out = job();
        self.record(what, start, self.now());
        out
    }

    /// Hands one span over; a full channel drops it (counted).
    pub fn record(&self, what: Activity, start: Duration, end: Duration) {
        if !self.is_on() {
            return;
        }
        let span = Span {
            lane: self.lane,
            what,
            start,
            end,
        };
        if self.tx.try_send(span).is_err() {
            self.drops.fetch_add(1, Ordering::Relaxed);
        }
    }
}
