//! The `why-threads` binary: parses the command line and hands over.

use std::process::ExitCode;

use why_threads::app;
use why_threads::shell::{bench, cli, report};

fn main() -> ExitCode {
    // `serve`, `load` and `seda` parse their own options (clap) until the main CLI knows them.
    // Read as OsString: a non-UTF-8 argument is their clap's message, not a panic.
    match std::env::args_os().nth(1).as_ref().and_then(|a| a.to_str()) {
        Some("serve") => return why_threads::serve::main(std::env::args_os().skip(2)),
        Some("load") => return why_threads::load::main_with(std::env::args_os().skip(1)),
        Some("seda") => return why_threads::figure2::main_with(std::env::args_os().skip(1)),
        _ => {}
    }
    let command = match cli::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("why-threads: {e}");
            return ExitCode::from(2);
        }
    };
    match command {
        cli::Command::Help => {
            out(cli::HELP);
            ExitCode::SUCCESS
        }
        cli::Command::Version => {
            out(&format!("why-threads {}\n", env!("CARGO_PKG_VERSION")));
            ExitCode::SUCCESS
        }
        cli::Command::Bench(args) => {
            if let Some(path) = &args.report
                && let Err(e) = report::check_writable(path)
            {
                eprintln!("why-threads: {e}");
                return ExitCode::from(2);
            }
            let result = bench::run(&args);
            if args.json {
                out(&(serde_json::to_string_pretty(&result).unwrap_or_default() + "\n"));
            } else {
                out(&bench::table(&result));
            }
            if let Some(path) = &args.report
                && let Err(e) = report::write(path, &result)
            {
                eprintln!("why-threads: {e}");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        cli::Command::Run(args) => match app::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(app::RunError::Usage(e)) => {
                eprintln!("why-threads: {e}");
                ExitCode::from(2)
            }
            Err(app::RunError::Environment(e)) => {
                eprintln!("why-threads: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Prints to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn out(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
