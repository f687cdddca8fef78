//! What the program says, and how: log lines timed from the start
//! ("why-threads [2.151 s]: message"), quiet by default (the binary's
//! filter), `RUST_LOG=debug` for more; a panic
//! anywhere becomes one line and a flag the run checks. (Checked writes
//! to stdout are `sys::stdout`'s.)

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
static PANIC: OnceLock<String> = OnceLock::new();

/// Seconds since the program started (since logging was set up).
pub(crate) fn seconds() -> f64 {
    STARTED.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// One log line as this program writes it.
pub(crate) fn format_line(seconds: f64, level: log::Level, target: &str, message: &str) -> String {
    let ours = target == "why_threads" || target.starts_with("why_threads::");
    match (ours, level) {
        (true, log::Level::Info) => format!("why-threads [{seconds:.3} s]: {message}"),
        (true, _) => format!("why-threads [{seconds:.3} s] {level}: {message}"),
        (false, _) => format!("why-threads [{seconds:.3} s] {level} {target}: {message}"),
    }
}

/// Sets up `log` for the binary: `RUST_LOG` if set, else `default_filter`.
pub fn init_logging(default_filter: &str) {
    seconds();
    let env = env_logger::Env::default().default_filter_or(default_filter);
    let _ = env_logger::Builder::from_env(env)
        .format(|buf, record| {
            let line = format_line(
                seconds(),
                record.level(),
                record.target(),
                &record.args().to_string(),
            );
            writeln!(buf, "{line}")
        })
        .try_init();
}

/// Tells a panic the program expects and handles itself from a bug, by
/// the panic's source file and message (a dependency that unwraps what
/// the outside world can break, say).
pub(crate) type Expected = fn(file: &str, message: &str) -> bool;

/// A panic on any thread: one line (the full report with
/// `RUST_BACKTRACE=1`), remembered for [`panicked`]. One that `expected`
/// claims is neither printed nor remembered: its caller says what happened.
pub fn install_panic_hook(expected: Expected) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        let file = info.location().map_or("", |l| l.file());
        if expected(file, &what) {
            log::debug!("an expected panic at {file}: {what}");
            return;
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let line = format!(
            "the {} thread failed{at}: {}",
            thread.name().unwrap_or("unnamed"),
            super::flags::clip(&what)
        );
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default(info);
        } else {
            log::error!("{line}");
        }
        let _ = PANIC.set(line);
    }));
}

/// The first panic of the run, as one line.
pub fn panicked() -> Option<&'static str> {
    PANIC.get().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_timed_and_say_whose_they_are() {
        assert_eq!(
            format_line(2.1514, log::Level::Info, "why_threads::app", "hello"),
            "why-threads [2.151 s]: hello"
        );
        assert_eq!(
            format_line(0.0, log::Level::Warn, "why_threads", "careful"),
            "why-threads [0.000 s] WARN: careful"
        );
        assert_eq!(
            format_line(1.0, log::Level::Warn, "wgpu_hal::vulkan", "odd"),
            "why-threads [1.000 s] WARN wgpu_hal::vulkan: odd"
        );
    }
}
