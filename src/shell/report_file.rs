//! Writing the JSON report: checked before the run (so a bad path fails at
//! once, with status 2, and leaves nothing behind), kept current during the
//! run by a checkpoint thread (so even `kill -9` leaves a valid, recent
//! report), and written at the end. Every write is atomic: a temporary
//! file in the same folder, fsync, rename; a reader sees the old report
//! or the new one, never a cut-off one.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Sender, bounded};
use serde::Serialize;

use crate::core::latency::DisplayCounts;
use crate::core::report::Modes;
use crate::sys::fs::{temp_path, write_atomic};

/// The game's report: the brief's `modes`, plus how the run was set up.
#[derive(Debug, Serialize)]
pub(crate) struct RunReport {
    pub modes: Modes,
    pub program: &'static str,
    pub version: &'static str,
    pub mouse: String,
    /// Where the frames' display times come from (X11 Present), or why
    /// the figures end at the present.
    pub display_time: String,
    /// The window system's completions against the game's presents.
    pub display_completions: DisplayCounts,
    pub pacer: &'static str,
    pub hz: u32,
    pub mouse_hz: u32,
    pub final_mode: &'static str,
    pub seconds: f64,
    /// How the run ended: "running" in a checkpoint, then "quit",
    /// "duration", "signal", "display lost", "panic".
    pub ended: &'static str,
    /// What ended it, when it was not the user: one line.
    pub problem: Option<String>,
    /// The last recording made (`V`), if any.
    pub recording: Option<RecordingReport>,
}

/// Where a recording went and what became of its frames.
#[derive(Debug, Serialize)]
pub(crate) struct RecordingReport {
    pub dir: String,
    pub frames_written: u64,
    /// Frames skipped because the video worker was busy.
    pub frames_dropped: u64,
    /// Frames lost to a write error (the recording stopped at the first).
    pub frames_failed: u64,
    /// Why the recording stopped early, if it did.
    pub error: Option<String>,
}

/// Fails with a one-line reason if `path` cannot be written. Nothing is
/// left behind: a temporary file next to it is made and removed.
pub fn check_writable(what: &str, path: &Path) -> Result<(), String> {
    let refuse =
        |e: &dyn std::fmt::Display| format!("cannot write {what} to {}: {e}", path.display());
    if path.is_dir() {
        return Err(refuse(&"it is a folder"));
    }
    let probe = temp_path(path);
    File::create_new(&probe).map_err(|e| refuse(&e))?;
    fs::remove_file(&probe).map_err(|e| refuse(&e))
}

fn encode(report: &impl Serialize) -> Result<Vec<u8>, String> {
    let mut json =
        serde_json::to_vec_pretty(report).map_err(|e| format!("cannot encode the report: {e}"))?;
    json.push(b'\n');
    Ok(json)
}

/// Writes `report` as pretty JSON to `path`, atomically.
pub fn write(path: &Path, report: &impl Serialize) -> Result<(), String> {
    write_atomic(path, &encode(report)?)
        .map_err(|e| format!("cannot write the report to {}: {e}", path.display()))
}

/// A thread that keeps the report at `path` current: the loop hands it
/// each checkpoint and never waits for the encoding or the disk.
pub(crate) struct Checkpoint<R> {
    tx: Option<Sender<R>>,
    handle: Option<JoinHandle<()>>,
    written: Arc<AtomicU64>,
}

impl<R: Serialize + Send + 'static> Checkpoint<R> {
    pub(crate) fn start(path: PathBuf) -> io::Result<Self> {
        let (tx, rx) = bounded::<R>(1);
        let written = Arc::new(AtomicU64::new(0));
        let count = written.clone();
        let handle = std::thread::Builder::new()
            .name("report".into())
            .spawn(move || {
                let mut warned = false;
                for report in rx.iter() {
                    match write(&path, &report) {
                        Ok(()) => {
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        // Once: the final write will say it again if it still fails.
                        Err(e) if !warned => {
                            log::warn!("{e} (checkpoint)");
                            warned = true;
                        }
                        Err(_) => {}
                    }
                }
            })?;
        Ok(Self {
            tx: Some(tx),
            handle: Some(handle),
            written,
        })
    }

    /// Hands a checkpoint over; if the last one is still being written,
    /// this one is skipped (the next is a second away).
    pub(crate) fn save(&self, report: R) {
        if let Some(tx) = &self.tx {
            let _ = tx.try_send(report);
        }
    }

    /// Checkpoints written so far.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Waits for the checkpoint in flight: after this, nothing but the
    /// caller writes the report.
    pub(crate) fn stop(mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::scratch::{fresh_dir, names_in};

    #[test]
    fn unwritable_paths_are_refused_with_the_reason() {
        let err = check_writable("the report", Path::new("/nonexistent-dir/r.json"))
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("cannot write the report to /nonexistent-dir/r.json: "),
            "{err}"
        );
        let dir = fresh_dir("report-folder");
        let err = check_writable("the report", &dir).err().unwrap_or_default();
        assert!(err.ends_with(": it is a folder"), "{err}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_check_leaves_nothing_behind() {
        let dir = fresh_dir("report-check");
        assert_eq!(check_writable("the report", &dir.join("r.json")), Ok(()));
        assert_eq!(names_in(&dir), Vec::<String>::new());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_report_replaces_the_old_one_whole_and_round_trips() {
        let dir = fresh_dir("report-write");
        let path = dir.join("r.json");
        fs::write(&path, "old").unwrap_or_default();
        let mut polled = crate::core::stats::ModeStats::default();
        polled.ticks = 3;
        let modes = Modes::from_stats([("polled", &polled)]);
        assert_eq!(write(&path, &modes), Ok(()));
        let text = fs::read_to_string(&path).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(v["polled"]["ticks"], 3);
        assert_eq!(names_in(&dir), vec!["r.json".to_string()]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_keeps_the_old_report_and_leaves_no_temporary_file() {
        let dir = fresh_dir("report-readonly");
        // A folder that does not exist: the temporary file cannot be made.
        let err = write(&dir.join("missing/r.json"), &Modes::default());
        assert!(err.is_err());
        let path = dir.join("r.json");
        fs::write(&path, "{\"old\": true}\n").unwrap_or_default();
        // A folder in place of the temporary file makes creating it fail.
        let _ = fs::create_dir(temp_path(&path));
        let err = write(&path, &Modes::default()).err().unwrap_or_default();
        assert!(err.starts_with("cannot write the report to "), "{err}");
        assert_eq!(
            fs::read_to_string(&path).unwrap_or_default(),
            "{\"old\": true}\n"
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn checkpoints_keep_the_file_valid_and_current() {
        let dir = fresh_dir("report-checkpoint");
        let path = dir.join("r.json");
        let checkpoint = Checkpoint::start(path.clone()).expect("thread");
        for ticks in 1..=3u64 {
            checkpoint.save(serde_json::json!({ "ticks": ticks }));
            // Wait for this one (the loop does not; the test must).
            for _ in 0..5000 {
                if checkpoint.written() >= ticks {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            let v: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap_or_default())
                    .unwrap_or_default();
            assert_eq!(v["ticks"], ticks);
        }
        checkpoint.stop();
        assert_eq!(names_in(&dir), vec!["r.json".to_string()]);
        let _ = fs::remove_dir_all(&dir);
    }
}
