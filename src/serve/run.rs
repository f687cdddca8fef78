//! `why-threads serve`'s run: start the chosen architecture, print where
//! it listens, wait for Ctrl-C, print a one-line summary.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::{Options, ServeArgs, shutdown, start};
use crate::sys::stdout;

const PROGRAM: &str = "why-threads serve";

/// Runs the server until Ctrl-C (or SIGTERM): in-flight responses finish,
/// then one summary line, exit 0. If stdout fails, the server stops: a
/// closed pipe ends quietly (0), any other failure with one line (1).
pub fn run(args: ServeArgs) -> ExitCode {
    let arch = args.arch;
    let options = Options {
        addr: SocketAddr::new(args.bind, args.port),
        root: args.root.clone(),
        workers: args.workers.map(|n| n as usize),
        max_connections: args.max_connections.map(|n| n as usize),
        request_timeout: Duration::from_secs_f64(args.request_timeout),
        idle_timeout: Duration::from_secs_f64(args.idle_timeout),
        status: args.status,
    };
    let server = match start(arch, &options) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(why) = shutdown::on_signals(Arc::clone(&server.shared)) {
        eprintln!("{PROGRAM}: {why}");
    }
    let what = if server.generated() {
        format!("a generated site in {}", server.root().display())
    } else {
        server.root().display().to_string()
    };
    // Printed and flushed at once: scripts wait for the URL line.
    let announced = stdout::print(&format!(
        "{PROGRAM}: {} — {}\nserving {what} at http://{}/ (Ctrl-C stops)\n",
        arch.name, arch.about, server.addr
    ));
    if let Err(e) = announced {
        server.stop();
        let _ = server.wait();
        return e.end(PROGRAM);
    }
    let shared = Arc::clone(&server.shared);
    let stopped = server.wait();
    if let Some(e) = shared.take_out_error() {
        return e.end(PROGRAM);
    }
    match stopped {
        Ok(summary) => {
            let line = format!("{PROGRAM}: {} stopped: {summary}\n", arch.name);
            stdout::print_last(PROGRAM, &line)
        }
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            ExitCode::FAILURE
        }
    }
}
