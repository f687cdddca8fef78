//! The `why-threads` binary: parses the command line and hands over.

use std::process::ExitCode;

use why_threads::shell::{bench, cli};

fn main() -> ExitCode {
    let command = match cli::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("why-threads: {e}");
            return ExitCode::from(2);
        }
    };
    match command {
        cli::Command::Help => {
            print!("{}", cli::HELP);
            ExitCode::SUCCESS
        }
        cli::Command::Version => {
            println!("why-threads {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        cli::Command::Bench(args) => {
            let report = bench::run(&args);
            let json = serde_json::to_string_pretty(&report).unwrap_or_default();
            if args.json {
                println!("{json}");
            } else {
                print!("{}", bench::table(&report));
            }
            ExitCode::SUCCESS
        }
        cli::Command::Run(_) => {
            eprintln!("why-threads: the window is not built yet");
            ExitCode::from(1)
        }
    }
}
