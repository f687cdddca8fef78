//! The `why-threads` binary: parses the command line and hands over.
//! Exit status: 0 done (also when stdout's reader went away), 1 the
//! machine or the run failed, 2 the command line was wrong.

use std::process::ExitCode;

use why_threads::app;
use why_threads::cli;
use why_threads::programs::bench;
use why_threads::shell::diagnostics;
use why_threads::shell::report_file as report;
use why_threads::sys::stdout;

/// The default filter: our messages, and other crates' warnings, less
/// those that change nothing for this game: winit's missing XSETTINGS
/// manager and 0 mm screen (every start under Xvfb), wgpu's OpenGL probe
/// (the game renders with Vulkan: pixels cannot use GL), and egui's
/// clipboard thread (the game has no text to copy; it complains when the
/// display goes away), and the Wayland decorations' question to a settings
/// portal a headless compositor lacks. `RUST_LOG` replaces it.
const DEFAULT_FILTER: &str = "warn,why_threads=info,\
winit::platform_impl::linux::x11::xdisplay=error,\
winit::platform_impl::linux::x11::util::randr=error,\
wgpu_hal::gles=off,arboard=off,sctk_adwaita=off";

fn main() -> ExitCode {
    diagnostics::init_logging(DEFAULT_FILTER);
    diagnostics::install_panic_hook(app::display::claims_panic);
    let command = match cli::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            fail(e);
            return ExitCode::from(2);
        }
    };
    match command {
        cli::Command::Help(text) | cli::Command::Version(text) => out(&text),
        cli::Command::Bench(args) => run_bench(&args),
        cli::Command::Serve(args) => why_threads::serve::run(args),
        cli::Command::Load(args) => why_threads::load::run(args),
        cli::Command::Seda(args) => why_threads::degradation::run(args),
        cli::Command::Run(args) => match app::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(app::RunError::Usage(e)) => {
                fail(e);
                ExitCode::from(2)
            }
            Err(app::RunError::Environment(e)) => {
                fail(e);
                ExitCode::FAILURE
            }
            // Its one line is already out (the panic hook's).
            Err(app::RunError::Panicked) => ExitCode::FAILURE,
        },
    }
}

fn run_bench(args: &why_threads::programs::bench::args::BenchArgs) -> ExitCode {
    if let Some(path) = &args.report
        && let Err(e) = report::check_writable("the report", path)
    {
        fail(e);
        return ExitCode::from(2);
    }
    let result = bench::run(args);
    let text = if args.json {
        match serde_json::to_string_pretty(&result) {
            Ok(json) => json + "\n",
            Err(e) => {
                fail(format!("cannot encode the results: {e}"));
                return ExitCode::FAILURE;
            }
        }
    } else {
        bench::table(&result)
    };
    // The report first: a closed stdout must not cost the file.
    if let Some(path) = &args.report
        && let Err(e) = report::write(path, &result)
    {
        fail(e);
        return ExitCode::FAILURE;
    }
    out(&text)
}

/// The one line a failed command ends with (if stderr itself is gone,
/// there is no one left to tell: the exit status says it).
fn fail(message: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "why-threads: {message}");
}

/// Prints to stdout: a closed pipe (`| head`) ends quietly with status 0,
/// any other failure (`> /dev/full`) is one line and status 1.
fn out(text: &str) -> ExitCode {
    stdout::print_last("why-threads", text)
}
