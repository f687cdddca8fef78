//! `why-threads serve`'s flags.

use std::path::PathBuf;

use super::Architecture;

/// Serve static files over HTTP/1.1 with one architecture of the lecture.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct ServeArgs {
    /// How the server's stages are driven (threads, pool, events, ...).
    #[arg(long, value_enum)]
    pub arch: &'static Architecture,
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

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("must be seconds between 0 and 86400, got '{text}'")),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::ServeArgs;
    use crate::serve::ARCHITECTURES;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn arch_is_parsed_into_the_tables_own_row() {
        for &row in ARCHITECTURES {
            let parsed = Command::try_parse_from(["serve", "--arch", row.name]);
            let arch = match parsed {
                Ok(c) => c.serve.arch,
                Err(e) => panic!("--arch {}: {e}", row.name),
            };
            // The row itself, not a copy found again by name.
            assert!(std::ptr::eq(arch, row), "{}", row.name);
        }
    }

    #[test]
    fn an_unknown_arch_is_refused_with_the_tables_names() {
        let Err(e) = Command::try_parse_from(["serve", "--arch", "nope"]) else {
            panic!("--arch nope was accepted");
        };
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
        let text = e.to_string();
        for row in ARCHITECTURES {
            assert!(text.contains(row.name), "{text}");
        }
    }
}
