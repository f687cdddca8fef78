//! `--arch pool`: a fixed pool of `--workers` threads taking connections
//! from one bounded queue. The acceptor answers 503 at once when the queue
//! (or the connection limit) is full, instead of letting latency grow.
//!
//! A worker keeps a connection while no other is queued. When others wait,
//! it serves one request and puts the connection back at the tail (with
//! any partly read head and its deadline), and takes the next: round robin,
//! so neither a fast client nor a slow or idle one (a client dribbling its
//! head, an idle keep-alive) holds a pool thread while others wait.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

use super::Shared;
use super::blocking_io::{self, Outcome};
use super::conn::Session;
use super::stages;

/// How long a quiet connection keeps its worker when others are queued
/// and the previous one had nothing to do.
const BRIEF_WAIT: Duration = Duration::from_millis(2);

type Job = (TcpStream, Session);

pub(crate) fn run(listener: TcpListener, shared: Arc<Shared>) -> Result<(), String> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let workers = shared.config.workers;
    // Admission holds at most max_connections in all (held + queued), so a
    // queue that size only fills when admission is full: both answer 503.
    let (tx, rx) = bounded::<Job>(shared.config.max_connections);
    let mut handles = Vec::with_capacity(workers);
    for i in 0..workers {
        let (shared, tx, rx) = (Arc::clone(&shared), tx.clone(), rx.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("pool-{i}"))
            .spawn(move || worker(&shared, &tx, &rx));
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(e) if handles.is_empty() => return Err(format!("cannot start a worker: {e}")),
            Err(_) => break, // serve with the workers there are
        }
    }
    shared.shutdown.on_trigger(blocking_io::wake_accept(addr));
    blocking_io::accept_until_shutdown(&listener, &shared, |stream, session| {
        tx.try_send((stream, session))
            .err()
            .map(TrySendError::into_inner)
    });
    drop(tx);
    blocking_io::wait_for_connections(&shared, Duration::from_secs(10));
    for handle in handles {
        let _ = handle.join();
    }
    Ok(())
}

fn worker(shared: &Shared, tx: &Sender<Job>, rx: &Receiver<Job>) {
    // Under load, a connection that has nothing to read yet is handed back
    // at once (the next one in the queue has likely been waiting); after one
    // that had nothing at all, the next gets BRIEF_WAIT, so that a queue of
    // idle connections is not cycled at full speed.
    let mut brief_wait = Duration::ZERO;
    loop {
        let (mut stream, mut session) = match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(job) => job,
            Err(_) if shared.shutdown.is_set() && rx.is_empty() => return,
            Err(_) => continue,
        };
        let others_waiting = || !rx.is_empty();
        loop {
            match blocking_io::drive(
                shared,
                &mut stream,
                &mut session,
                &others_waiting,
                brief_wait,
            ) {
                Outcome::Closed => {
                    stages::exit(shared, session, &mut stream);
                    break;
                }
                Outcome::Yielded { served } => match tx.try_send((stream, session)) {
                    Ok(()) => {
                        brief_wait = if served { Duration::ZERO } else { BRIEF_WAIT };
                        break;
                    }
                    // The queue filled meanwhile: keep serving this one.
                    Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => {
                        (stream, session) = job;
                    }
                },
            }
        }
    }
}
