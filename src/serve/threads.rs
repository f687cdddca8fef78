//! `--arch threads`: SEDA's Figure 1, "each incoming request is dispatched
//! to a separate thread". The main thread accepts; every connection gets
//! a kernel thread of its own that runs the stages top to bottom.
//!
//! The limit is explicit: at `--max-connections` threads (1000 by default)
//! the next connection is answered 503 at once, as is one whose thread the
//! system refuses to create. Thousands of idle connections cost at most
//! that many threads, never a crash.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Shared;
use super::blocking::{self, Outcome};
use super::stages;

/// A connection thread's stack: the stages need little, and a thousand
/// threads with the default 8 MiB would reserve 8 GiB of address space.
const STACK: usize = 128 * 1024;

pub fn run(listener: TcpListener, shared: Arc<Shared>) -> Result<(), String> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    shared.shutdown.on_trigger(blocking::wake_accept(addr));
    for accepted in listener.incoming() {
        if shared.shutdown.is_set() {
            break;
        }
        let mut stream = match accepted {
            Ok(stream) => stream,
            Err(e) => {
                blocking::pause_after_accept_error(&e);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Some(mut session) = stages::accept_conn(&shared, Instant::now()) else {
            stages::refuse(&mut stream);
            continue;
        };
        // Kept to answer 503 if the thread cannot be created.
        let spare = stream.try_clone();
        let for_thread = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("connection".into())
            .stack_size(STACK)
            .spawn(move || {
                let shared = for_thread;
                let never = || false;
                if let Outcome::Closed =
                    blocking::drive(&shared, &mut stream, &mut session, &never, Duration::ZERO)
                {
                    stages::exit(&shared, session, &mut stream);
                }
            });
        match (spawned, spare) {
            (Ok(_), _) => {}
            (Err(_), Ok(mut stream)) => {
                shared
                    .counters
                    .active
                    .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
                shared
                    .counters
                    .refused
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                stages::refuse(&mut stream);
            }
            (Err(_), Err(_)) => {
                shared
                    .counters
                    .active
                    .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            }
        }
    }
    blocking::wait_for_connections(&shared, Duration::from_secs(10));
    Ok(())
}
