//! A thread's end of the timeline's hand-over.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crossbeam_channel::Sender;

use crate::core::timeline::{Activity, Lane, Span};
use crate::shell::clock::Clock;

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
    pub(crate) fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// The program's clock, for the span's ends.
    pub(crate) fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Runs `job`, recording it as a span of `what` when the timeline is on.
    pub(crate) fn time<T>(&self, what: Activity, job: impl FnOnce() -> T) -> T {
        if !self.is_on() {
            return job();
        }
        let start = self.now();
        let out = job();
        self.record(what, start, self.now());
        out
    }

    /// Hands one span over; a full channel drops it (counted).
    pub(crate) fn record(&self, what: Activity, start: Duration, end: Duration) {
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
