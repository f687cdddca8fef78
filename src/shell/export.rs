//! Files the run streams out while it plays (`--trace`, `--frames`).
//!
//! The loop never writes a file itself: it hands each item to a writer
//! thread with `try_send` on a bounded channel (a full channel drops the
//! item and counts it, the loop never waits). The writer streams into a
//! temporary file beside the target, and at the end flushes, fsyncs and
//! renames it into place, so a reader sees the old file or the whole new
//! one, never half of one. Every write is checked; the first error is kept
//! and reported when the file is finished.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Sender, TrySendError, bounded};

use crate::sys::fs::AtomicFile;

/// How a stream of items becomes a file.
pub(crate) trait Format<T>: Send + 'static {
    /// Written first.
    fn header(&mut self, out: &mut dyn Write) -> std::io::Result<()>;
    /// Writes one item; returns whether the writer should keep going
    /// (`false`: a size cap was reached; later items are counted, not written).
    fn item(&mut self, out: &mut dyn Write, item: &T) -> std::io::Result<bool>;
    /// Written last; `dropped` items never reached the writer (full channel).
    fn footer(&mut self, out: &mut dyn Write, dropped: u64) -> std::io::Result<()>;
}

/// What a finished export did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Exported {
    pub path: PathBuf,
    /// Items written.
    pub written: u64,
    /// Items the loop could not hand over (full channel) or past the cap.
    pub dropped: u64,
}

/// A writer thread streaming into an [`AtomicFile`].
pub(crate) struct ExportThread<T> {
    tx: Option<Sender<T>>,
    dropped: Arc<AtomicU64>,
    handle: Option<JoinHandle<Result<Exported, String>>>,
}

impl<T: Send + 'static> ExportThread<T> {
    /// Creates the file and starts the thread `name`, with room for
    /// `capacity` items in flight (allocated now, once).
    pub(crate) fn start(
        name: &str,
        path: &Path,
        capacity: usize,
        mut format: impl Format<T>,
    ) -> Result<Self, String> {
        let mut file = AtomicFile::create(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let (tx, rx) = bounded::<T>(capacity.max(1));
        let dropped = Arc::new(AtomicU64::new(0));
        let thread_dropped = Arc::clone(&dropped);
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let mut written = 0u64;
                let mut over_cap = 0u64;
                let mut writing = true;
                let mut error: Option<std::io::Error> = format.header(&mut file).err();
                for item in rx.iter() {
                    if error.is_some() {
                        continue; // keep draining: the loop must never find it full
                    }
                    if !writing {
                        over_cap += 1;
                        continue;
                    }
                    match format.item(&mut file, &item) {
                        Ok(keep) => {
                            written += 1;
                            writing = keep;
                        }
                        Err(e) => error = Some(e),
                    }
                }
                let dropped = thread_dropped.load(Ordering::Relaxed) + over_cap;
                if error.is_none() {
                    error = format.footer(&mut file, dropped).err();
                }
                let path = file.path().to_path_buf();
                match error {
                    // Dropped uncommitted: the temporary file goes.
                    Some(e) => Err(format!("cannot write {}: {e}", path.display())),
                    None => match file.commit() {
                        Ok(()) => Ok(Exported {
                            path,
                            written,
                            dropped,
                        }),
                        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
                    },
                }
            })
            .map_err(|e| format!("cannot start the {name} writer thread: {e}"))?;
        Ok(Self {
            tx: Some(tx),
            dropped,
            handle: Some(handle),
        })
    }

    /// Hands `item` over without waiting; a full channel drops it (counted).
    pub(crate) fn send(&self, item: T) {
        if let Some(tx) = &self.tx {
            match tx.try_send(item) {
                Ok(()) => {}
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Ends the stream: the writer writes what is queued, the footer, and
    /// renames the file into place.
    pub(crate) fn finish(mut self) -> Result<Exported, String> {
        self.tx = None;
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("the file writer thread panicked".into()),
            None => Err("the file writer was already finished".into()),
        }
    }
}

impl<T> Drop for ExportThread<T> {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::scratch::fresh_dir;

    /// Numbers, one per line, at most `cap` of them.
    struct Lines {
        cap: u64,
        n: u64,
    }

    impl Format<u64> for Lines {
        fn header(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
            writeln!(out, "numbers")
        }
        fn item(&mut self, out: &mut dyn Write, item: &u64) -> std::io::Result<bool> {
            writeln!(out, "{item}")?;
            self.n += 1;
            Ok(self.n < self.cap)
        }
        fn footer(&mut self, out: &mut dyn Write, dropped: u64) -> std::io::Result<()> {
            writeln!(out, "dropped {dropped}")
        }
    }

    #[test]
    fn the_file_appears_whole_and_only_at_the_end() {
        let dir = fresh_dir("export");
        let path = dir.join("n.txt");
        let _ = std::fs::remove_file(&path);
        let t = ExportThread::start("test-export", &path, 64, Lines { cap: 1000, n: 0 })
            .expect("start");
        for i in 0..10 {
            t.send(i);
        }
        assert!(!path.exists(), "nothing at the path before the end");
        let done = t.finish().expect("finish");
        assert_eq!((done.written, done.dropped), (10, 0));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(text.lines().count(), 12);
        assert!(text.starts_with("numbers\n0\n") && text.ends_with("9\ndropped 0\n"));
        let leftovers = std::fs::read_dir(&dir).map_or(0, |d| d.count());
        assert_eq!(leftovers, 1, "no temporary file left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_cap_stops_writing_and_counts_the_rest() {
        let dir = fresh_dir("export-cap");
        let path = dir.join("n.txt");
        let t =
            ExportThread::start("test-export", &path, 1024, Lines { cap: 3, n: 0 }).expect("start");
        for i in 0..10 {
            t.send(i);
        }
        let done = t.finish().expect("finish");
        assert_eq!((done.written, done.dropped), (3, 7));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.ends_with("2\ndropped 7\n"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unwritable_place_is_refused_with_the_reason() {
        let err = ExportThread::start(
            "test-export",
            Path::new("/nonexistent-dir/t.json"),
            4,
            Lines { cap: 1, n: 0 },
        )
        .err()
        .unwrap_or_default();
        assert!(
            err.starts_with("cannot write /nonexistent-dir/t.json: "),
            "{err}"
        );
    }

    /// A format whose writes fail after the header, as on a full disk.
    struct Failing;

    impl Format<u64> for Failing {
        fn header(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
            writeln!(out, "head")
        }
        fn item(&mut self, _: &mut dyn Write, _: &u64) -> std::io::Result<bool> {
            Err(std::io::Error::other("No space left on device"))
        }
        fn footer(&mut self, _: &mut dyn Write, _: u64) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_is_reported_and_leaves_nothing_behind() {
        let dir = fresh_dir("export-fail");
        let path = dir.join("n.txt");
        let t = ExportThread::start("test-export", &path, 8, Failing).expect("start");
        t.send(1);
        t.send(2);
        let err = t.finish().err().unwrap_or_default();
        assert!(err.contains("No space left on device"), "{err}");
        assert_eq!(std::fs::read_dir(&dir).map_or(1, |d| d.count()), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
