//! `why-threads load URL`: a closed-loop HTTP/1.1 load generator for the
//! servers of the lecture's second half, on this machine only.
//!
//! [`target`] parses and polices the URL, [`response`] finds where each
//! response ends, [`client`] runs the connections. This file is the command.

pub mod client;
pub(crate) mod response;
pub mod summary;
pub(crate) mod target;

use std::process::ExitCode;
use std::time::Duration;

use crate::sys::stdout;
use summary::{LoadConfig, summary};
use target::Target;

const PROGRAM: &str = "why-threads load";

/// Caps: a mistyped argument must not become an hour-long flood.
pub(crate) const MAX_CONNECTIONS: usize = 20_000;
pub(crate) const MAX_SECONDS: f64 = 600.0;
pub(crate) const MAX_REQUESTS: u64 = 100_000_000;
pub(crate) const MAX_THREADS: usize = 64;

/// Options of `why-threads load`.
#[derive(clap::Args, Clone, Debug, PartialEq)]
pub struct LoadArgs {
    /// http://HOST[:PORT][/PATH] on loopback or one of this machine's addresses.
    pub url: String,
    /// Keep-alive connections, each with one request in flight (1-20000).
    #[arg(short, long, default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=MAX_CONNECTIONS as i64))]
    pub connections: u32,
    /// Stop after this many seconds (0 < S <= 600).
    #[arg(short, long, default_value_t = 10.0, value_parser = parse_seconds)]
    pub seconds: f64,
    /// Stop after this many requests (1-100000000).
    #[arg(short = 'n', long, default_value_t = 5_000_000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_REQUESTS))]
    pub requests: u64,
    /// Client threads (default: one per core, at most one per connection; 1-64).
    #[arg(short, long, value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS as i64))]
    pub threads: Option<u32>,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= MAX_SECONDS => Ok(v),
        _ => Err(format!("expected seconds in (0, {MAX_SECONDS}]")),
    }
}

/// Builds the run from the arguments; a one-line reason when it cannot.
pub fn config(args: &LoadArgs) -> Result<(Target, LoadConfig), String> {
    let own = crate::sys::net::own_addresses();
    let target = Target::parse(&args.url, &own).map_err(|e| e.to_string())?;
    let connections = (args.connections as usize).clamp(1, MAX_CONNECTIONS);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = args
        .threads
        .map_or(cores, |t| t as usize)
        .clamp(1, MAX_THREADS)
        .min(connections);
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: why-threads-load\r\nAccept: */*\r\n\r\n",
        target.path, target.host
    );
    let config = LoadConfig {
        addr: target.addr,
        request: request.into_bytes(),
        connections,
        threads,
        duration: Duration::from_secs_f64(args.seconds.clamp(0.001, MAX_SECONDS)),
        requests: args.requests.clamp(1, MAX_REQUESTS),
    };
    Ok((target, config))
}

/// Runs `why-threads load` and prints its report. If stdout fails, the run
/// stops: a closed pipe ends quietly (0), any other failure with one line (1).
pub fn run(args: LoadArgs) -> ExitCode {
    let (target, config) = match config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::from(2);
        }
    };
    // One blocking connect first: a dead port gets one clear line, not a run of errors.
    if let Err(e) = std::net::TcpStream::connect_timeout(&config.addr, Duration::from_secs(2)) {
        eprintln!("{PROGRAM}: cannot connect to {}: {e}", config.addr);
        return ExitCode::FAILURE;
    }
    let plan = format!(
        "{PROGRAM}: {} ({}), {} connections on {} threads, for {:.1} s or {} requests\n",
        target.url,
        config.addr,
        config.connections,
        config.threads,
        config.duration.as_secs_f64(),
        config.requests
    );
    if let Err(e) = stdout::print(&plan) {
        return e.end(PROGRAM);
    }
    match client::run(&config) {
        Ok(report) => {
            if let Err(e) = stdout::print(&summary(&report)) {
                return e.end(PROGRAM);
            }
            if report.responses == 0 {
                eprintln!(
                    "why-threads load: no complete response from {}",
                    config.addr
                );
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            ExitCode::FAILURE
        }
    }
}
