//! The benchmark of SEDA's Figure 2 and its event-driven twin. A task is one
//! 8 KB read of one file that stays in the buffer cache; tasks are made
//! internally, `concurrency` of them always in the pipeline (a finished task
//! is replaced by a new one at once: a closed loop, as in the paper).
//!
//! - [`threaded`]: a thread for each task in the pipeline (Figure 1): the
//!   tasks wait in one queue, `concurrency` pre-started threads take them.
//! - [`event_driven`]: one thread and a small state machine per task
//!   (Figure 3): an event queue of task ids, each step posts the next event.
//!
//! Latency is a task's time from arrival to the end of its read.

use std::collections::VecDeque;
use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::core::stats::Histogram;

/// The read each task does.
pub const TASK_BYTES: usize = 8 * 1024;
/// Stack of each benchmark thread: the task needs little, and 1024 default
/// 8 MB stacks would only measure page-table setup.
const THREAD_STACK: usize = 64 * 1024;
/// Latencies reach the shared histogram in batches of this many.
const BATCH: usize = 1024;

/// One measured point of a curve.
#[derive(Clone, Debug)]
pub struct Point {
    pub concurrency: usize,
    /// Tasks finished inside the measured window.
    pub tasks: u64,
    pub seconds: f64,
    /// Arrival to completion, nanoseconds.
    pub latency: Histogram,
    /// Reads that failed or came back short.
    pub errors: u64,
    /// Tasks turned away at admission (a full queue), never run.
    pub refused: u64,
    /// Context switches of the whole process per task done (set by the caller).
    pub switches_per_task: f64,
}

impl Point {
    pub fn tasks_per_second(&self) -> f64 {
        self.tasks as f64 / self.seconds.max(1e-9)
    }
}

/// How long to run before and while measuring.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub warmup: Duration,
    pub measure: Duration,
}

/// Reads `TASK_BYTES` at offset 0 (positional: threads share the file).
pub(super) fn read_task(file: &File, buf: &mut [u8]) -> bool {
    #[cfg(unix)]
    let n = std::os::unix::fs::FileExt::read_at(file, buf, 0);
    #[cfg(windows)]
    let n = std::os::windows::fs::FileExt::seek_read(file, buf, 0);
    #[cfg(not(any(unix, windows)))]
    let n: std::io::Result<usize> = Err(std::io::ErrorKind::Unsupported.into());
    matches!(n, Ok(k) if k == buf.len())
}

/// What the threads of one point share.
struct Run {
    file: File,
    queue: Mutex<VecDeque<Instant>>,
    ready: Condvar,
    measuring: AtomicBool,
    stop: AtomicBool,
    latency: Mutex<Histogram>,
    errors: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Run {
    fn flush(&self, batch: &mut Vec<u64>) {
        let mut h = lock(&self.latency);
        for &v in batch.iter() {
            h.record(v);
        }
        batch.clear();
    }

    /// One thread of the threaded server: take a task, read, hand in the next task.
    fn serve(&self) {
        let mut buf = vec![0u8; TASK_BYTES];
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let arrived = {
                let mut q = lock(&self.queue);
                loop {
                    if self.stop.load(Ordering::Relaxed) {
                        self.flush(&mut batch);
                        return;
                    }
                    if let Some(t) = q.pop_front() {
                        break t;
                    }
                    q = self.ready.wait(q).unwrap_or_else(|p| p.into_inner());
                }
            };
            let ok = read_task(&self.file, &mut buf);
            let now = Instant::now();
            if self.measuring.load(Ordering::Relaxed) && !self.stop.load(Ordering::Relaxed) {
                if !ok {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                }
                batch.push(nanos(now - arrived));
                if batch.len() == BATCH {
                    self.flush(&mut batch);
                }
            }
            lock(&self.queue).push_back(now);
            self.ready.notify_one();
        }
    }

    fn stop_all(&self) {
        {
            let _q = lock(&self.queue);
            self.stop.store(true, Ordering::Relaxed);
        }
        self.ready.notify_all();
    }
}

fn nanos(d: Duration) -> u64 {
    d.as_nanos().min(u128::from(u64::MAX)) as u64
}

/// A thread per task: `concurrency` threads, `concurrency` tasks in the pipeline.
pub fn threaded(file: File, concurrency: usize, window: Window) -> Result<Point, String> {
    let now = Instant::now();
    let run = Arc::new(Run {
        file,
        queue: Mutex::new((0..concurrency).map(|_| now).collect()),
        ready: Condvar::new(),
        measuring: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        latency: Mutex::new(Histogram::new()),
        errors: AtomicU64::new(0),
    });
    let mut threads = Vec::with_capacity(concurrency);
    for i in 0..concurrency {
        let r = run.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("task-{i}"))
            .stack_size(THREAD_STACK)
            .spawn(move || r.serve());
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => {
                run.stop_all();
                threads.into_iter().for_each(|t| drop(t.join()));
                return Err(format!(
                    "cannot start thread {} of {concurrency}: {e}",
                    i + 1
                ));
            }
        }
    }
    std::thread::sleep(window.warmup);
    run.measuring.store(true, Ordering::Relaxed);
    let start = Instant::now();
    std::thread::sleep(window.measure);
    run.stop_all();
    let seconds = start.elapsed().as_secs_f64();
    for t in threads {
        let _ = t.join();
    }
    let latency = lock(&run.latency).clone();
    Ok(Point {
        concurrency,
        tasks: latency.count(),
        seconds,
        latency,
        errors: run.errors.load(Ordering::Relaxed),
        refused: 0,
        switches_per_task: 0.0,
    })
}

/// A task's state machine in the event-driven twin.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Arrived; its next event issues the read.
    Arrived,
    /// The read completed (fully or not); its next event finishes the task.
    ReadDone { ok: bool },
}

/// One thread, `concurrency` state machines, one event queue.
pub fn event_driven(file: File, concurrency: usize, window: Window) -> Result<Point, String> {
    std::thread::Builder::new()
        .name("event-loop".into())
        .spawn(move || event_loop(&file, concurrency, window))
        .map_err(|e| format!("cannot start the event loop thread: {e}"))?
        .join()
        .map_err(|_| "the event loop panicked".to_string())
}

fn event_loop(file: &File, concurrency: usize, window: Window) -> Point {
    let now = Instant::now();
    let mut tasks: Vec<(Step, Instant)> = vec![(Step::Arrived, now); concurrency];
    let mut events: VecDeque<usize> = (0..concurrency).collect();
    let mut buf = vec![0u8; TASK_BYTES];
    let mut latency = Histogram::new();
    let (mut errors, mut done) = (0u64, 0u64);
    let measure_from = now + window.warmup;
    let end = measure_from + window.measure;
    while let Some(id) = events.pop_front() {
        let (step, arrived) = tasks[id];
        match step {
            Step::Arrived => {
                let ok = read_task(file, &mut buf);
                tasks[id].0 = Step::ReadDone { ok };
            }
            Step::ReadDone { ok } => {
                let now = Instant::now();
                if now >= end {
                    break;
                }
                if now >= measure_from {
                    latency.record(nanos(now - arrived));
                    done += 1;
                    errors += u64::from(!ok);
                }
                tasks[id] = (Step::Arrived, now); // the next task takes its place
            }
        }
        events.push_back(id);
    }
    Point {
        concurrency,
        tasks: done,
        seconds: window.measure.as_secs_f64(),
        latency,
        errors,
        refused: 0,
        switches_per_task: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn cached_file(dir: &std::path::Path) -> File {
        let path = dir.join("task.bin");
        let mut f = File::create(&path).unwrap();
        f.write_all(&[7u8; TASK_BYTES]).unwrap();
        File::open(&path).unwrap()
    }

    fn tiny() -> Window {
        Window {
            warmup: Duration::from_millis(5),
            measure: Duration::from_millis(40),
        }
    }

    #[test]
    fn both_designs_finish_tasks_without_errors() {
        let dir = std::env::temp_dir().join(format!("why-threads-fig2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for n in [1, 4, 64] {
            let p = threaded(cached_file(&dir), n, tiny()).unwrap();
            assert!(p.tasks > 0 && p.errors == 0, "threaded {n}: {p:?}");
            assert_eq!(p.latency.count(), p.tasks);
            let p = event_driven(cached_file(&dir), n, tiny()).unwrap();
            assert!(p.tasks > 0 && p.errors == 0, "events {n}: {p:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_short_file_is_an_error_per_task() {
        let dir = std::env::temp_dir().join(format!("why-threads-fig2s-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("short.bin");
        std::fs::write(&path, b"short").unwrap();
        let p = threaded(File::open(&path).unwrap(), 2, tiny()).unwrap();
        assert_eq!(p.errors, p.tasks);
        let p = event_driven(File::open(&path).unwrap(), 2, tiny()).unwrap();
        assert_eq!(p.errors, p.tasks);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
