//! `why-threads serve`: one static-file web server, the slides' stages
//! ([`stages`]), driven by each architecture of the lecture's second half.
//!
//! Adding an architecture is one row in [`ARCHITECTURES`] plus its file: a
//! `run(listener, shared)` that drives the stages until
//! `shared.shutdown` is set, then lets in-flight responses finish. The
//! command line's `--arch` is parsed straight into the row
//! ([`ServeArgs::arch`]), and the tests run over the table.

mod args;
mod blocking_io;
pub(crate) mod cache;
pub(crate) mod conn;
mod event_driven;
mod hybrid;
mod pool;
mod run;
pub(crate) mod seda;
pub(crate) mod shutdown;
pub mod site;
pub(crate) mod stages;
mod threads;

/// `--arch completion` runs on Linux's io_uring.
#[cfg(target_os = "linux")]
mod completion;
/// Elsewhere it says, in one line, what it needs.
#[cfg(not(target_os = "linux"))]
mod completion {
    use std::net::TcpListener;
    use std::sync::Arc;

    const ELSEWHERE: &str = "--arch completion needs Linux's io_uring (a completion interface); use --arch events or hybrid here";

    pub(crate) fn probe() -> Result<(), String> {
        Err(ELSEWHERE.into())
    }

    pub(crate) fn run(_listener: TcpListener, _shared: Arc<super::Shared>) -> Result<(), String> {
        Err(ELSEWHERE.into())
    }
}

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use args::ServeArgs;
pub use run::run;

use crate::sys::stdout::{self, OutError};
use cache::Cache;
use shutdown::Shutdown;
use site::Site;

/// One way to drive the stages: a row of [`ARCHITECTURES`].
pub struct Architecture {
    pub name: &'static str,
    /// What it is, in the slides' words (printed at start, in `--help`).
    pub about: &'static str,
    pub run: fn(TcpListener, Arc<Shared>) -> Result<(), String>,
    /// Checks that this machine can run it, before anything is announced
    /// (io_uring may be refused by the kernel).
    pub probe: fn() -> Result<(), String>,
    /// Threads by default (`--workers`): pool size, per-stage maximum, or
    /// the runtime's kernel threads. 0: one per core.
    pub default_workers: usize,
    /// Connections held at once by default; one more gets 503.
    pub default_max_connections: usize,
}

impl PartialEq for Architecture {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// `--arch NAME` becomes the row named NAME: clap offers and checks the
/// names, and hands over the row itself.
impl clap::ValueEnum for &'static Architecture {
    fn value_variants<'a>() -> &'a [Self] {
        ARCHITECTURES
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name))
    }
}

/// Every architecture: `--arch` takes its values from here.
pub static ARCHITECTURES: &[&Architecture] = &[
    &Architecture {
        name: "threads",
        about: "a kernel thread per connection (SEDA Figure 1)",
        run: threads::run,
        probe: always,
        default_workers: 0,
        default_max_connections: 1000,
    },
    &Architecture {
        name: "pool",
        about: "a fixed pool of threads taking connections from a bounded queue",
        run: pool::run,
        probe: always,
        default_workers: 8,
        default_max_connections: 1000,
    },
    &Architecture {
        name: "events",
        about: "one thread, non-blocking sockets (mio), a state machine per connection (SEDA Figure 3)",
        run: event_driven::run,
        probe: always,
        default_workers: 0,
        default_max_connections: 10_000,
    },
    &Architecture {
        name: "seda",
        about: "the stages joined by bounded queues, a self-sizing thread pool per stage (SEDA)",
        run: seda::run,
        probe: always,
        default_workers: 4,
        default_max_connections: 10_000,
    },
    &Architecture {
        name: "completion",
        about: "the Fire web server's state machine on completions (io_uring, a ring per worker)",
        run: completion::run,
        probe: completion::probe,
        default_workers: 0,
        default_max_connections: 10_000,
    },
    &Architecture {
        name: "hybrid",
        about: "a user-level task per connection on a few kernel threads (tokio, M:N)",
        run: hybrid::run,
        probe: always,
        default_workers: 0,
        default_max_connections: 10_000,
    },
];

/// The probe of an architecture that runs wherever the crate builds.
fn always() -> Result<(), String> {
    Ok(())
}

/// The row named `name` (for callers that hold a name, such as the tests).
pub fn architecture(name: &str) -> Option<&'static Architecture> {
    ARCHITECTURES.iter().copied().find(|a| a.name == name)
}

/// What a server is started with (the command line's flags, resolved).
#[derive(Clone, Debug)]
pub struct Options {
    pub addr: SocketAddr,
    /// None: the generated site.
    pub root: Option<PathBuf>,
    pub workers: Option<usize>,
    pub max_connections: Option<usize>,
    /// How long a request head may take once begun (slow clients: 408).
    pub request_timeout: Duration,
    /// How long an idle keep-alive connection is kept.
    pub idle_timeout: Duration,
    /// Print a status line each second (seda: one per stage).
    pub status: bool,
}

impl Options {
    pub fn loopback(port: u16) -> Options {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            root: None,
            workers: None,
            max_connections: None,
            request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            status: false,
        }
    }
}

/// The settings every stage reads.
pub struct Config {
    pub workers: usize,
    pub max_connections: usize,
    pub request_timeout: Duration,
    pub idle_timeout: Duration,
    pub status: bool,
}

#[derive(Default)]
pub struct Counters {
    pub connections: AtomicU64,
    pub requests: AtomicU64,
    /// Responses with an error status.
    pub errors: AtomicU64,
    /// Connections turned away with 503 at admission.
    pub refused: AtomicU64,
    /// Connections that ended in an I/O error (a client leaving mid-response).
    pub aborted: AtomicU64,
    /// Connections held now.
    pub active: AtomicUsize,
}

/// What every thread of a server shares.
pub struct Shared {
    pub config: Config,
    pub cache: Cache,
    pub counters: Counters,
    pub shutdown: Shutdown,
    /// Set by an architecture that prints its own, richer `--status` line.
    pub own_status: AtomicBool,
    /// Why a status line could not be printed (the server then stops).
    out_error: Mutex<Option<OutError>>,
}

impl Shared {
    /// Prints a status line through the checked stdout. If stdout fails,
    /// the server stops and [`run`] ends as that failure says (a closed
    /// pipe quietly, anything else with one line and status 1).
    pub(crate) fn print(&self, text: &str) {
        if let Err(e) = stdout::print(text) {
            let mut first = self.out_error.lock().unwrap_or_else(|p| p.into_inner());
            first.get_or_insert(e);
            drop(first);
            self.shutdown.trigger();
        }
    }

    /// The failure of stdout that stopped the server, if one did.
    pub(crate) fn take_out_error(&self) -> Option<OutError> {
        self.out_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

/// The one-line summary printed at exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub connections: u64,
    pub requests: u64,
    pub errors: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} connections, {} requests, {} errors",
            self.connections, self.requests, self.errors
        )
    }
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub arch: &'static Architecture,
    pub shared: Arc<Shared>,
    thread: JoinHandle<Result<(), String>>,
    /// Kept alive while serving; dropping it deletes the generated files.
    site: Option<Site>,
}

impl Server {
    /// The folder being served.
    pub fn root(&self) -> &std::path::Path {
        self.shared.cache.root()
    }

    pub(crate) fn generated(&self) -> bool {
        self.site.is_some()
    }

    /// Asks it to stop: in-flight responses finish, idle connections close.
    pub fn stop(&self) {
        self.shared.shutdown.trigger();
    }

    /// Waits until it has stopped.
    pub fn wait(self) -> Result<Summary, String> {
        let result = self
            .thread
            .join()
            .map_err(|_| format!("the {} server thread panicked", self.arch.name))?;
        drop(self.site);
        result?;
        let c = &self.shared.counters;
        Ok(Summary {
            connections: c.connections.load(Ordering::Relaxed),
            requests: c.requests.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed)
                + c.refused.load(Ordering::Relaxed)
                + c.aborted.load(Ordering::Relaxed),
        })
    }
}

/// Binds, prepares the site and starts `arch` on a thread of its own.
pub fn start(arch: &'static Architecture, options: &Options) -> Result<Server, String> {
    (arch.probe)()?;
    let site = match &options.root {
        Some(_) => None,
        None => Some(Site::generate()?),
    };
    let root = match (&options.root, &site) {
        (Some(root), _) => root.clone(),
        (None, Some(site)) => site.dir().to_path_buf(),
        (None, None) => return Err("no root".into()),
    };
    let cache = Cache::new(&root)?;
    let listener = TcpListener::bind(options.addr)
        .map_err(|e| format!("cannot listen on {}: {e}", options.addr))?;
    // std listens with a backlog of 128; `wrk -c1000` connects faster than that drains.
    crate::sys::net::deepen_backlog(&listener, 4096);
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let workers = match (options.workers, arch.default_workers) {
        (Some(n), _) => n.max(1),
        (None, 0) => cores,
        (None, n) => n,
    };
    let config = Config {
        workers,
        max_connections: options
            .max_connections
            .unwrap_or(arch.default_max_connections)
            .max(1),
        request_timeout: options.request_timeout,
        idle_timeout: options.idle_timeout,
        status: options.status,
    };
    let shared = Arc::new(Shared {
        config,
        cache,
        counters: Counters::default(),
        shutdown: Shutdown::default(),
        own_status: AtomicBool::new(false),
        out_error: Mutex::new(None),
    });
    if shared.config.status {
        status_line(arch.name, Arc::clone(&shared));
    }
    let run = arch.run;
    let for_thread = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name(format!("serve-{}", arch.name))
        .spawn(move || run(listener, for_thread))
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    Ok(Server {
        addr,
        arch,
        shared,
        thread,
        site,
    })
}

/// The address to connect to in order to reach a listener bound to `addr`
/// (an unspecified address is reached through loopback).
pub(crate) fn reachable(addr: SocketAddr) -> SocketAddr {
    let mut to = addr;
    if to.ip().is_unspecified() {
        to.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    to
}

/// `--status` for every architecture: requests/s, connections and errors,
/// once a second, until shutdown (unless the architecture prints its own).
fn status_line(name: &'static str, shared: Arc<Shared>) {
    let spawned = std::thread::Builder::new()
        .name("status".into())
        .spawn(move || {
            let c = &shared.counters;
            let mut last = (std::time::Instant::now(), 0);
            while !shared.shutdown.is_set() {
                std::thread::sleep(Duration::from_secs(1));
                if shared.own_status.load(Ordering::Relaxed) {
                    return;
                }
                let requests = c.requests.load(Ordering::Relaxed);
                let secs = last.0.elapsed().as_secs_f64();
                shared.print(&format!(
                    "{name}: {:.0} requests/s, {} connections, {} errors\n",
                    (requests - last.1) as f64 / secs,
                    c.active.load(Ordering::Relaxed),
                    c.errors.load(Ordering::Relaxed)
                        + c.refused.load(Ordering::Relaxed)
                        + c.aborted.load(Ordering::Relaxed)
                ));
                last = (std::time::Instant::now(), requests);
            }
        });
    if let Err(e) = spawned {
        eprintln!("why-threads serve: no status line: {e}");
    }
}
