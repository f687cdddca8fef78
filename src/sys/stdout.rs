//! Standard output, checked: every program prints through [`print`], so a
//! closed pipe (`| head`) ends quietly and any other failure (`> /dev/full`)
//! is an error the program reports in one line, never a panic.

use std::io::{self, Write};
use std::process::ExitCode;

/// How writing to stdout went wrong.
#[derive(Debug)]
pub enum OutError {
    /// The reader went away (`| head`): a normal end, status 0.
    Closed,
    /// Anything else (`> /dev/full`): an error.
    Failed(io::Error),
}

/// Writes `text` to stdout and flushes it, saying what went wrong.
pub fn print(text: &str) -> Result<(), OutError> {
    write_all_to(&mut io::stdout().lock(), text)
}

fn write_all_to(out: &mut impl Write, text: &str) -> Result<(), OutError> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => OutError::Closed,
            _ => OutError::Failed(e),
        })
}

/// A program's last words: `text` on stdout, then how `program` ends
/// (status 0, or as [`OutError::end`] says when stdout failed).
pub fn print_last(program: &str, text: &str) -> ExitCode {
    match print(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.end(program),
    }
}

impl OutError {
    /// How `program` ends once stdout failed: a closed pipe is a quiet,
    /// normal end (status 0); anything else is one line on stderr,
    /// `{program}: cannot write to standard output: …`, and status 1.
    pub fn end(self, program: &str) -> ExitCode {
        match self {
            OutError::Closed => ExitCode::SUCCESS,
            OutError::Failed(e) => {
                let _ = writeln!(
                    io::stderr(),
                    "{program}: cannot write to standard output: {e}"
                );
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Broken(io::ErrorKind);

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_an_end_and_a_full_disk_an_error() {
        assert!(matches!(
            write_all_to(&mut Broken(io::ErrorKind::BrokenPipe), "x"),
            Err(OutError::Closed)
        ));
        assert!(matches!(
            write_all_to(&mut Broken(io::ErrorKind::StorageFull), "x"),
            Err(OutError::Failed(_))
        ));
        assert!(write_all_to(&mut Vec::new(), "x").is_ok());
    }
}
