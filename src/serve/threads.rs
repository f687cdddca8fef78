//! `--arch threads`: SEDA's Figure 1, "each incoming request is dispatched
//! to a separate thread". The main thread accepts; every connection gets
//! a kernel thread of its own that runs the stages top to bottom.
//!
//! The limit is explicit: at `--max-connections` threads (1000 by default)
//! the next connection is answered 503 at once, as is one whose thread the
//! system refuses to create. Thousands of idle connections cost at most
//! that many threads, never a crash.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::bounded;

use super::Shared;
use super::blocking_io::{self, Outcome};
use super::conn::Session;
use super::stages;

/// A connection thread's stack: the stages need little, and a thousand
/// threads with the default 8 MiB would reserve 8 GiB of address space.
const STACK: usize = 128 * 1024;

pub(crate) fn run(listener: TcpListener, shared: Arc<Shared>) -> Result<(), String> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    shared.shutdown.on_trigger(blocking_io::wake_accept(addr));
    blocking_io::accept_until_shutdown(&listener, &shared, |stream, session| {
        // The thread is created first and given its connection after, so
        // that a refused thread leaves the connection here to answer 503.
        let (give, take) = bounded::<(TcpStream, Session)>(1);
        let for_thread = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("connection".into())
            .stack_size(STACK)
            .spawn(move || {
                let Ok((mut stream, mut session)) = take.recv() else {
                    return;
                };
                let never = || false;
                if let Outcome::Closed = blocking_io::drive(
                    &for_thread,
                    &mut stream,
                    &mut session,
                    &never,
                    Duration::ZERO,
                ) {
                    stages::exit(&for_thread, session, &mut stream);
                }
            });
        match spawned {
            Ok(_) => give.send((stream, session)).err().map(|e| e.into_inner()),
            Err(_) => Some((stream, session)),
        }
    });
    blocking_io::wait_for_connections(&shared, Duration::from_secs(10));
    Ok(())
}
