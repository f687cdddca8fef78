//! `--arch completion`: the slides' Fire web server (Tom R. Dial, 2007) on
//! Linux's completion interface, io_uring, where Fire used Windows'
//! completion ports:
//!
//! | Fire (IOCP)                              | here (io_uring)                                  |
//! | ---------------------------------------- | ------------------------------------------------ |
//! | `CreateIoCompletionPort`                 | one ring per worker thread                       |
//! | `AcceptEx` / `ReadFile` / `TransmitFile` | Accept / Recv / SendMsg submissions              |
//! | `TF_DISCONNECT \| TF_REUSE_SOCKET`       | Close, then the connection slot accepts again    |
//! | `GetQueuedCompletionStatus`              | `submit_and_wait(1)`, then the completion queue  |
//! | `PostQueuedCompletionStatus` (quit)      | a MSG_RING message: one quit completion a worker |
//!
//! Each connection is Fire's state machine, WAIT_ACCEPT → WAIT_REQUEST →
//! WAIT_TRANSMIT → WAIT_RESET (→ WAIT_ACCEPT), and between completions it
//! runs the same stages as every other architecture ([`super::stages`]).
//! Worker threads = `--workers` (default: one per core).
//!
//! Why a ring per worker and not one shared ring like Fire's single port:
//! an io_uring completion queue has one consumer. Sharing it means a lock
//! around every submission and every reaped completion, which serialises
//! the workers exactly where a completion port lets them run in parallel.
//! With a ring each, the workers share only the listening socket: each keeps
//! a few accepts pending on it and the kernel hands every new connection to
//! one of them (like several `AcceptEx` on one listener). A connection then
//! stays on the worker that accepted it.
//!
//! Where the kernel refuses io_uring (too old, or `kernel.io_uring_disabled`),
//! the server stops with one line naming the sysctl.

mod ring_worker;
mod slot;

use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::sync::Arc;

use super::Shared;
use crate::sys::uring::{Op, RawFd, Ring};

/// Makes (and drops) a small ring, so that a kernel refusing io_uring is
/// told before the server announces itself.
pub(crate) fn probe() -> Result<(), String> {
    Ring::new(2).map(drop).map_err(|e| refused(&e))
}

/// The one line printed when `io_uring_setup` fails: why, by its errno
/// (EPERM/EACCES: disabled by the sysctl or not in its group; ENOSYS: a
/// kernel without io_uring), and always the sysctl to look at.
pub(crate) fn refused(e: &std::io::Error) -> String {
    const EPERM: i32 = 1;
    const EACCES: i32 = 13;
    const ENOSYS: i32 = 38;
    let why = match e.raw_os_error() {
        Some(EPERM | EACCES) => "io_uring is disabled on this machine",
        Some(ENOSYS) => "this kernel has no io_uring",
        _ => "io_uring is refused by this kernel",
    };
    format!(
        "{why} (io_uring_setup: {e}); --arch completion needs Linux 5.19+ and the sysctl \
         kernel.io_uring_disabled = 0 (or 1 with this user in kernel.io_uring_group); --arch events works without it"
    )
}

pub(crate) fn run(listener: TcpListener, shared: Arc<Shared>) -> Result<(), String> {
    let workers = shared.config.workers.max(1);
    // The ring that posts the quit completions (PostQueuedCompletionStatus);
    // made first, so that a kernel refusing io_uring is told at once.
    let mut control = Ring::new(8).map_err(|e| refused(&e))?;

    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    shared.shutdown.on_trigger(move || {
        let _ = stop_tx.send(());
    });
    let listener_fd = listener.as_raw_fd();
    let mut threads = Vec::with_capacity(workers);
    let mut ring_fds = Vec::with_capacity(workers);
    let mut failure = None;
    for i in 0..workers {
        // Each worker makes its own ring: a single-issuer ring belongs to
        // the thread that made it. It says back which ring, or why not.
        let (ring_tx, ring_rx) = std::sync::mpsc::channel::<Result<RawFd, String>>();
        let for_worker = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name(format!("completion-{i}"))
            .spawn(move || {
                let shared = for_worker;
                let ring = match Ring::for_one_thread(SQ_ENTRIES, CQ_ENTRIES) {
                    Ok(ring) => ring,
                    Err(e) => {
                        let _ = ring_tx.send(Err(refused(&e)));
                        return Ok(());
                    }
                };
                let _ = ring_tx.send(Ok(ring.fd()));
                let result = ring_worker::Worker::new(ring, listener_fd, Arc::clone(&shared)).run();
                if result.is_err() {
                    shared.shutdown.trigger(); // the others stop too
                }
                result
            });
        let ring = match spawned {
            Ok(t) => {
                threads.push(t);
                ring_rx
                    .recv()
                    .unwrap_or_else(|_| Err("a completion worker died at start".into()))
            }
            Err(e) => Err(format!("cannot start completion worker {i}: {e}")),
        };
        match ring {
            Ok(fd) => ring_fds.push(fd),
            Err(e) => {
                failure = Some(e);
                shared.shutdown.trigger();
                break;
            }
        }
    }

    // Wait for Ctrl-C (or a worker's failure), then one quit completion per worker.
    let _ = stop_rx.recv();
    post_quit(&mut control, &ring_fds);
    let mut first_error = failure;
    for t in threads {
        match t.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => first_error = first_error.or(Some(e)),
            Err(_) => first_error = first_error.or(Some("a completion worker panicked".into())),
        }
    }
    drop(listener);
    first_error.map_or(Ok(()), Err)
}

/// A worker ring's submission queue and (larger) completion queue.
const SQ_ENTRIES: u32 = 1024;
const CQ_ENTRIES: u32 = 16 * 1024;

/// Posts one quit completion into each worker's ring.
fn post_quit(control: &mut Ring, ring_fds: &[RawFd]) {
    for &fd in ring_fds {
        let quit = Op::message_ring(fd, ring_worker::QUIT, 0);
        // SAFETY: MSG_RING carries no buffer; the target ring outlives the
        // post because its worker exits only after reaping the quit.
        while !unsafe { control.push(&quit) } {
            let _ = control.submit_and_wait(1);
            control.completions().for_each(drop);
        }
    }
    let _ = control.submit_and_wait(ring_fds.len());
    control.completions().for_each(drop);
}

#[cfg(test)]
mod tests {
    use super::refused;

    fn line(errno: i32) -> String {
        refused(&std::io::Error::from_raw_os_error(errno))
    }

    #[test]
    fn every_refusal_is_one_line_naming_the_sysctl() {
        for errno in [1, 13, 38, 12] {
            let line = line(errno);
            assert!(line.contains("kernel.io_uring_disabled"), "{line}");
            assert!(line.contains("io_uring_setup: "), "{line}");
            assert!(!line.contains('\n'), "{line}");
        }
    }

    #[test]
    fn the_refusal_says_why_by_its_errno() {
        assert!(line(1).starts_with("io_uring is disabled on this machine"));
        assert!(line(13).starts_with("io_uring is disabled on this machine"));
        assert!(line(38).starts_with("this kernel has no io_uring"));
        assert!(line(12).starts_with("io_uring is refused by this kernel"));
    }
}
