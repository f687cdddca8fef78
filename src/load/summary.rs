//! What a load run is given and what it measured, and how that is printed.

use std::net::SocketAddr;
use std::time::Duration;

use crate::core::stats::Histogram;

/// One run's parameters (already validated and capped).
#[derive(Clone, Debug)]
pub struct LoadConfig {
    pub addr: SocketAddr,
    /// The bytes of the request every connection sends.
    pub request: Vec<u8>,
    pub connections: usize,
    pub threads: usize,
    pub duration: Duration,
    pub requests: u64,
}

/// Errors by where they happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Errors {
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    /// Malformed or cut responses.
    pub protocol: u64,
}

impl Errors {
    pub fn total(&self) -> u64 {
        self.connect + self.read + self.write + self.protocol
    }

    pub(crate) fn add(&mut self, o: &Errors) {
        self.connect += o.connect;
        self.read += o.read;
        self.write += o.write;
        self.protocol += o.protocol;
    }
}

/// What a run measured.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub elapsed: Duration,
    /// Complete responses, any status.
    pub responses: u64,
    pub non_2xx: u64,
    /// Bytes received (heads and bodies).
    pub bytes: u64,
    pub errors: Errors,
    /// Connections opened (the first ones and every reconnect).
    pub connects: u64,
    /// Request to complete response, in nanoseconds.
    pub latency: Histogram,
}

impl Report {
    pub(crate) fn per_second(&self, n: u64) -> f64 {
        n as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The report as printed.
pub(crate) fn summary(r: &Report) -> String {
    let e = &r.errors;
    format!(
        "  requests   {:>10} in {:.2} s   {:>12.1} req/s\n  \
           transfer   {:>10}             {:>12}/s\n  \
           latency    p50 {}   p99 {}   max {}\n  \
           responses  non-2xx {}   connections opened {}\n  \
           errors     {} (connect {}, read {}, write {}, protocol {})\n",
        r.responses,
        r.elapsed.as_secs_f64(),
        r.per_second(r.responses),
        bytes(r.bytes as f64),
        bytes(r.per_second(r.bytes)),
        duration(r.latency.percentile(0.5)),
        duration(r.latency.percentile(0.99)),
        duration(r.latency.max()),
        r.non_2xx,
        r.connects,
        e.total(),
        e.connect,
        e.read,
        e.write,
        e.protocol
    )
}

fn bytes(b: f64) -> String {
    match b {
        b if b >= 1e9 => format!("{:.2} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.2} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.1} kB", b / 1e3),
        b => format!("{b:.0} B"),
    }
}

/// Nanoseconds in the unit that keeps 3 significant figures.
pub(crate) fn duration(ns: u64) -> String {
    let ns = ns as f64;
    match ns {
        n if n >= 1e9 => format!("{:.2} s", n / 1e9),
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n => format!("{:.0} µs", n / 1e3),
    }
}
