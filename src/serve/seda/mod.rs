//! `--arch seda`: the Staged Event-Driven Architecture (Welsh, Culler,
//! Brewer). The slide's stages become SEDA stages, each an event queue
//! (bounded) with a small thread pool of its own:
//!
//! ```text
//! poller ─→ [read] ─→ [cache] ─→ [write] ─→ [exit]
//!  (accept,   ↑          └→ [file] ─┘  │
//!   waits) ←──┴────────────────────────┘  (a socket that must wait is parked)
//! ```
//!
//! Sockets are non-blocking; a session that must wait for its socket is
//! parked with the poller (SEDA's asynchronous socket layer), which puts it
//! back on the right queue when the socket is ready. The controllers
//! (`control`) size each stage's pool and batch. Admission control is
//! at the door: while the read queue is full (or the poller holds ready
//! connections it could not queue), a new connection is answered 503 at
//! once, so that under overload the connections already in keep a bounded
//! latency instead of queues growing ("well-conditioned"). Inside, a full
//! queue holds its sender back (back-pressure) rather than dropping work.

use std::io::ErrorKind;
use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{
    Receiver, RecvTimeoutError, SendTimeoutError, Sender, TrySendError, bounded,
};
use mio::net::TcpStream;

use crate::core::http::Status;
use crate::serve::Shared;
use crate::serve::conn::{Filled, Session, write_now};
use crate::serve::stages::{self, Next};
use control::{BatchController, PoolController};

pub(crate) mod control;
mod poller;

/// Each stage's queue: deep enough to ride out bursts, short enough that
/// a request waiting in it is not kept for long.
pub(crate) const QUEUE_CAPACITY: usize = 512;
const MAX_BATCH: usize = 32;
/// A stage thread with no work this long exits (the pool shrinks).
const IDLE_EXIT: Duration = Duration::from_secs(2);
const CONTROL_EVERY: Duration = Duration::from_millis(100);
/// How long a stage thread waits for room in the next stage's queue.
const HOLD: Duration = Duration::from_secs(1);

pub(crate) const READ: usize = 0;
const CACHE: usize = 1;
const FILE: usize = 2;
pub(crate) const WRITE: usize = 3;
pub(crate) const EXIT: usize = 4;
const STAGE_NAMES: [&str; 5] = ["read", "cache", "file", "write", "exit"];

/// A connection travelling between stages (boxed once per connection).
pub struct Job {
    pub stream: TcpStream,
    pub session: Session,
    pub token: usize,
    pub next: Next,
}

struct Stage {
    tx: Sender<Box<Job>>,
    rx: Receiver<Box<Job>>,
    threads: AtomicUsize,
    batch: AtomicUsize,
    handled: AtomicU64,
}

pub(crate) struct Seda {
    pub shared: Arc<Shared>,
    stages: [Stage; 5],
    poller: poller::Handle,
    /// Set once every connection is gone: stage threads then exit.
    stopped: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

pub(crate) fn run(listener: StdListener, shared: Arc<Shared>) -> Result<(), String> {
    let (poller, mut events) = poller::create(listener, &shared)?;
    shared.own_status.store(true, Ordering::Relaxed);
    let seda = Arc::new(Seda {
        shared,
        stages: std::array::from_fn(|_| {
            let (tx, rx) = bounded(QUEUE_CAPACITY);
            Stage {
                tx,
                rx,
                threads: AtomicUsize::new(0),
                batch: AtomicUsize::new(1),
                handled: AtomicU64::new(0),
            }
        }),
        poller,
        stopped: AtomicBool::new(false),
        threads: Mutex::new(Vec::new()),
    });
    for stage in 0..seda.stages.len() {
        spawn_stage_thread(&seda, stage)?;
    }
    let control = {
        let seda = Arc::clone(&seda);
        std::thread::Builder::new()
            .name("seda-control".into())
            .spawn(move || control(&seda))
            .map_err(|e| format!("cannot start the controller: {e}"))?
    };
    let result = events.run(&seda);
    seda.stopped.store(true, Ordering::Release);
    let _ = control.join();
    loop {
        let handle = seda.threads.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match handle {
            Some(h) => {
                let _ = h.join();
            }
            None => break,
        }
    }
    result
}

fn spawn_stage_thread(seda: &Arc<Seda>, stage: usize) -> Result<(), String> {
    let for_thread = Arc::clone(seda);
    seda.stages[stage].threads.fetch_add(1, Ordering::AcqRel);
    let spawned = std::thread::Builder::new()
        .name(format!("seda-{}", STAGE_NAMES[stage]))
        .spawn(move || stage_thread(&for_thread, stage));
    match spawned {
        Ok(h) => {
            seda.threads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(h);
            Ok(())
        }
        Err(e) => {
            seda.stages[stage].threads.fetch_sub(1, Ordering::AcqRel);
            Err(format!("cannot start a {} thread: {e}", STAGE_NAMES[stage]))
        }
    }
}

/// A stage thread: takes up to `batch` jobs at a time and runs the stage.
fn stage_thread(seda: &Seda, stage: usize) {
    let queue = &seda.stages[stage];
    let mut batch: Vec<Box<Job>> = Vec::with_capacity(MAX_BATCH);
    let mut last_work = Instant::now();
    loop {
        match queue.rx.recv_timeout(Duration::from_millis(250)) {
            Ok(job) => {
                batch.push(job);
                let want = queue.batch.load(Ordering::Relaxed);
                while batch.len() < want {
                    match queue.rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                queue
                    .handled
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                for job in batch.drain(..) {
                    handle(seda, stage, job);
                }
                last_work = Instant::now();
            }
            Err(RecvTimeoutError::Timeout) => {
                if seda.stopped.load(Ordering::Acquire) {
                    return;
                }
                let shrink = last_work.elapsed() >= IDLE_EXIT
                    && queue
                        .threads
                        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                            (n > 1).then(|| n - 1)
                        })
                        .is_ok();
                if shrink {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Runs `stage` on one job and sends it on.
fn handle(seda: &Seda, stage: usize, mut job: Box<Job>) {
    let shared = &seda.shared;
    let now = Instant::now();
    match stage {
        READ => loop {
            job.next = match job.next {
                Next::ReadRequest => stages::read_request(shared, &mut job.session, now),
                Next::NeedInput => {
                    let Job {
                        stream, session, ..
                    } = &mut *job;
                    match session.fill(stream) {
                        Ok(Filled::Bytes(_)) => Next::ReadRequest,
                        Ok(Filled::Eof) => Next::Exit,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            return seda.poller.park(seda, job);
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => Next::NeedInput,
                        Err(_) => Next::Exit,
                    }
                }
                _ => return seda.route(job),
            }
        },
        CACHE => {
            job.next = stages::pin_cache(shared, &mut job.session, now);
            seda.route(job);
        }
        FILE => {
            job.next = stages::read_file(shared, &mut job.session, now);
            seda.route(job);
        }
        WRITE => {
            let Job {
                stream, session, ..
            } = &mut *job;
            job.next = match stages::write_response(shared, session, stream, now) {
                Ok(Next::ReadRequest) if job.session.input().is_empty() => {
                    job.next = Next::NeedInput;
                    return seda.poller.park(seda, job);
                }
                Ok(next) => next,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    job.session.deadline = now + shared.config.request_timeout;
                    return seda.poller.park(seda, job);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => Next::WriteResponse,
                Err(e) => {
                    stages::aborted(shared, &e);
                    Next::Exit
                }
            };
            seda.route(job);
        }
        _ => seda.exit_now(job),
    }
}

impl Seda {
    fn stage_of(job: &Job) -> usize {
        match job.next {
            Next::ReadRequest | Next::NeedInput => READ,
            Next::PinCache => CACHE,
            Next::ReadFile => FILE,
            Next::WriteResponse => WRITE,
            Next::Exit => EXIT,
        }
    }

    /// From a stage thread: puts a job on the queue of the stage its `next`
    /// names. A full queue holds the sending thread back (back-pressure, so
    /// the stages cannot outrun each other), for at most `HOLD` (1 s); a request
    /// that still finds no room is answered 503.
    pub(crate) fn route(&self, job: Box<Job>) {
        let stage = Self::stage_of(&job);
        match self.stages[stage].tx.send_timeout(job, HOLD) {
            Ok(()) => {}
            Err(SendTimeoutError::Timeout(job) | SendTimeoutError::Disconnected(job)) => {
                self.overloaded(stage, job)
            }
        }
    }

    /// From the poller, which must never block: the job back if the
    /// queue is full (the poller holds it and tries again).
    pub(crate) fn try_route(&self, job: Box<Job>) -> Result<(), Box<Job>> {
        let stage = Self::stage_of(&job);
        match self.stages[stage].tx.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(job)) => Err(job),
            Err(TrySendError::Disconnected(job)) => {
                self.overloaded(stage, job);
                Ok(())
            }
        }
    }

    fn overloaded(&self, stage: usize, mut job: Box<Job>) {
        if stage != EXIT {
            self.shared.counters.refused.fetch_add(1, Ordering::Relaxed);
            write_now(&mut job.stream, Status::Unavailable);
        }
        self.exit_now(job);
    }

    /// Admission control: a new connection is let in only while the read
    /// queue has room and the poller holds no backlog of ready connections;
    /// otherwise it is answered 503 at once, so that the connections already
    /// in keep their latency ("well-conditioned").
    pub(crate) fn admits(&self, backlog: usize) -> bool {
        backlog == 0 && self.stages[READ].tx.len() < QUEUE_CAPACITY
    }

    /// Stage 6 for a job: the session ends, the poller frees its slot.
    #[allow(clippy::boxed_local)] // jobs travel boxed; this is where one ends
    pub(crate) fn exit_now(&self, job: Box<Job>) {
        let Job {
            mut stream,
            session,
            token,
            ..
        } = *job;
        stages::exit(&self.shared, session, &mut stream);
        drop(stream);
        self.poller.free(token);
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }
}

/// Samples every stage's queue each 100 ms (thread pool controller) and its
/// throughput each second (batching controller, `--status` line).
fn control(seda: &Arc<Seda>) {
    let n = seda.stages.len();
    let mut pools: Vec<PoolController> = (0..n).map(|_| PoolController::new(8)).collect();
    let mut batches: Vec<BatchController> =
        (0..n).map(|_| BatchController::new(MAX_BATCH)).collect();
    let mut last_handled = vec![0u64; n];
    let mut last_accepted = 0u64;
    let mut last_second = Instant::now();
    let max_threads = seda.shared.config.workers;
    while !seda.stopped() {
        std::thread::sleep(CONTROL_EVERY);
        for (i, stage) in seda.stages.iter().enumerate() {
            let threads = stage.threads.load(Ordering::Acquire);
            if pools[i].sample(stage.rx.len(), threads, max_threads) {
                let _ = spawn_stage_thread(seda, i);
            }
        }
        let elapsed = last_second.elapsed();
        if elapsed < Duration::from_secs(1) {
            continue;
        }
        last_second = Instant::now();
        let secs = elapsed.as_secs_f64();
        let accepted = seda.shared.counters.connections.load(Ordering::Relaxed);
        let mut line = format!(
            "seda: accept {:.0}/s, {} conns",
            (accepted - last_accepted) as f64 / secs,
            seda.shared.counters.active.load(Ordering::Relaxed)
        );
        last_accepted = accepted;
        for (i, stage) in seda.stages.iter().enumerate() {
            let handled = stage.handled.load(Ordering::Relaxed);
            let rate = (handled - last_handled[i]) as f64 / secs;
            last_handled[i] = handled;
            stage
                .batch
                .store(batches[i].sample(rate), Ordering::Relaxed);
            line.push_str(&format!(
                " | {} q{} t{} b{} {:.0}/s",
                STAGE_NAMES[i],
                stage.rx.len(),
                stage.threads.load(Ordering::Relaxed),
                stage.batch.load(Ordering::Relaxed),
                rate
            ));
        }
        if seda.shared.config.status {
            seda.shared.print(&format!("{line}\n"));
        }
    }
}
