//! The third curve: the same tasks through one SEDA stage, as `serve
//! --arch seda` runs its stages: a bounded event queue, a thread pool that
//! SEDA's controller grows while the queue stays long (the same
//! `PoolController` and `BatchController` code), batched dequeues, and
//! admission control: a task that finds the queue full is refused at once
//! (the server's 503) instead of waiting. So at most
//! `QUEUE_CAPACITY` tasks are ever admitted, and latency stays bounded
//! however many are offered.

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};

use super::tasks::{Point, TASK_BYTES, Window, read_task};
use crate::core::stats::Histogram;
use crate::serve::seda::QUEUE_CAPACITY;
use crate::serve::seda::control::{BatchController, PoolController};

/// The stage's most threads (`serve --arch seda`'s default `--workers`).
pub(crate) const MAX_THREADS: usize = 4;
const MAX_BATCH: usize = 32;
const CONTROL_EVERY: Duration = Duration::from_millis(100);
/// Queue length above which the pool controller counts a sample as long.
const LONG_QUEUE: usize = 8;

struct Stage {
    file: File,
    tx: Sender<Instant>,
    rx: Receiver<Instant>,
    batch: AtomicUsize,
    handled: AtomicU64,
    refused: AtomicU64,
    measuring: AtomicBool,
    stop: AtomicBool,
    latency: Mutex<Histogram>,
    errors: AtomicU64,
}

impl Stage {
    /// A stage thread: take up to `batch` events, read for each, post the next task.
    fn serve(&self) {
        let mut buf = vec![0u8; TASK_BYTES];
        let mut done = Vec::with_capacity(MAX_BATCH);
        let mut events = Vec::with_capacity(MAX_BATCH);
        while !self.stop.load(Ordering::Relaxed) {
            match self.rx.recv_timeout(Duration::from_millis(50)) {
                Ok(t) => events.push(t),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let batch = self.batch.load(Ordering::Relaxed).clamp(1, MAX_BATCH);
            events.extend(self.rx.try_iter().take(batch - 1));
            let mut errors = 0;
            for &arrived in &events {
                errors += u64::from(!read_task(&self.file, &mut buf));
                let now = Instant::now();
                done.push(now.saturating_duration_since(arrived).as_nanos() as u64);
                // The next task arrives; a full queue refuses it (admission control).
                if self.tx.try_send(now).is_err() {
                    self.refused.fetch_add(1, Ordering::Relaxed);
                }
            }
            self.handled
                .fetch_add(events.len() as u64, Ordering::Relaxed);
            events.clear();
            if self.measuring.load(Ordering::Relaxed) && !self.stop.load(Ordering::Relaxed) {
                self.errors.fetch_add(errors, Ordering::Relaxed);
                let mut h = self.latency.lock().unwrap_or_else(|p| p.into_inner());
                done.iter().for_each(|&v| h.record(v));
            }
            done.clear();
        }
    }
}

/// `concurrency` tasks offered to one stage with a self-sizing pool.
pub(crate) fn staged(file: File, concurrency: usize, window: Window) -> Result<Point, String> {
    let (tx, rx) = bounded(QUEUE_CAPACITY);
    let stage = Arc::new(Stage {
        file,
        tx,
        rx,
        batch: AtomicUsize::new(1),
        handled: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        measuring: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        latency: Mutex::new(Histogram::new()),
        errors: AtomicU64::new(0),
    });
    let now = Instant::now();
    let refused_at_start = (0..concurrency)
        .filter(|_| stage.tx.try_send(now).is_err())
        .count();
    let mut threads = Vec::with_capacity(MAX_THREADS);
    let spawn = |threads: &mut Vec<std::thread::JoinHandle<()>>| {
        let s = Arc::clone(&stage);
        std::thread::Builder::new()
            .name(format!("stage-read-{}", threads.len()))
            .spawn(move || s.serve())
            .map(|t| threads.push(t))
            .map_err(|e| format!("cannot start a stage thread: {e}"))
    };
    let started = spawn(&mut threads).and_then(|()| {
        // SEDA's controllers, sampled every 100 ms.
        let mut pool = PoolController::new(LONG_QUEUE);
        let mut batch = BatchController::new(MAX_BATCH);
        let (start, measure_from) = (Instant::now(), Instant::now() + window.warmup);
        let end = measure_from + window.measure;
        let mut last = (start, 0u64);
        let mut measuring_since = None;
        loop {
            let now = Instant::now();
            if measuring_since.is_none() && now >= measure_from {
                stage.measuring.store(true, Ordering::Relaxed);
                measuring_since = Some(now);
            }
            if now >= end {
                break;
            }
            if now.duration_since(last.0) >= CONTROL_EVERY {
                let handled = stage.handled.load(Ordering::Relaxed);
                let rate = (handled - last.1) as f64 / now.duration_since(last.0).as_secs_f64();
                last = (now, handled);
                stage.batch.store(batch.sample(rate), Ordering::Relaxed);
                if pool.sample(stage.rx.len(), threads.len(), MAX_THREADS) {
                    spawn(&mut threads)?;
                }
            }
            let next = if measuring_since.is_some() {
                end
            } else {
                measure_from
            };
            let next = next.min(last.0 + CONTROL_EVERY);
            std::thread::sleep(next.saturating_duration_since(now));
        }
        Ok(measuring_since.map_or(0.0, |t| t.elapsed().as_secs_f64()))
    });
    stage.stop.store(true, Ordering::Relaxed);
    threads.into_iter().for_each(|t| drop(t.join()));
    let seconds = started?;
    let latency = stage
        .latency
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(Point {
        concurrency,
        tasks: latency.count(),
        seconds,
        latency,
        errors: stage.errors.load(Ordering::Relaxed),
        refused: refused_at_start as u64 + stage.refused.load(Ordering::Relaxed),
        switches_per_task: 0.0,
    })
}
