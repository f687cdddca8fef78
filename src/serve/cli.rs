//! `why-threads serve`'s flags and its run: start the chosen architecture,
//! print where it listens, wait for Ctrl-C, print a one-line summary.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::PossibleValuesParser;

use super::{ARCHITECTURES, Options, architecture, shutdown, start};

/// Serve static files over HTTP/1.1 with one architecture of the lecture.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct ServeArgs {
    /// How the server's stages are driven (threads, pool, events, ...).
    #[arg(long, value_parser = arch_names())]
    pub arch: String,
    /// TCP port (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Folder to serve (default: a generated site with 1 KB-1 MB files).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// pool: threads; seda: most threads per stage; hybrid: kernel threads.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub workers: Option<u32>,
    /// Connections held at once; the next one is answered 503.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: Option<u32>,
    /// Seconds a request head may take once begun (then 408).
    #[arg(long, default_value_t = 10.0, value_parser = positive_seconds)]
    pub request_timeout: f64,
    /// Seconds an idle keep-alive connection is kept.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds)]
    pub idle_timeout: f64,
    /// Print a status line every second: requests/s, connections, errors
    /// (seda: each stage's queue, threads, batch and throughput).
    #[arg(long)]
    pub status: bool,
}

fn arch_names() -> PossibleValuesParser {
    PossibleValuesParser::new(ARCHITECTURES.iter().map(|a| a.name))
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("must be seconds between 0 and 86400, got '{text}'")),
    }
}

/// Runs the server until Ctrl-C (or SIGTERM): in-flight responses finish,
/// then one summary line, exit 0.
pub fn run(args: ServeArgs) -> ExitCode {
    let Some(arch) = architecture(&args.arch) else {
        eprintln!("why-threads serve: unknown architecture '{}'", args.arch);
        return ExitCode::from(2);
    };
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
            eprintln!("why-threads serve: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(why) = shutdown::on_signals(std::sync::Arc::clone(&server.shared)) {
        eprintln!("why-threads serve: {why}");
    }
    let what = if server.generated() {
        format!("a generated site in {}", server.root().display())
    } else {
        server.root().display().to_string()
    };
    say(&format!(
        "why-threads serve: {} — {}\nserving {what} at http://{}/ (Ctrl-C stops)\n",
        arch.name, arch.about, server.addr
    ));
    let name = arch.name;
    match server.wait() {
        Ok(summary) => {
            say(&format!("why-threads serve: {name} stopped: {summary}\n"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("why-threads serve: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints and flushes at once (scripts wait for the URL line).
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
