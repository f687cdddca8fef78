//! "Video compression": every displayed frame becomes a PNG (deflate, a
//! real codec) in a numbered sequence, `recordings/<name>/frame-00001.png`,
//! that any image tool opens (`identify recordings/<name>/*.png`).
//!
//! Inline, the loop compresses each frame itself. On the `video` worker,
//! the loop copies the frame into one of a few preallocated buffers and
//! hands it over; when every buffer is in flight the frame is dropped and
//! counted, never queued without bound. Stopping finishes every queued
//! frame.
//!
//! Each frame is written to a temporary name, synced and renamed, so a
//! `frame-*.png` is always whole. The first write error (a full disk)
//! stops the recording: frames queued behind it are discarded and
//! counted as failed, the error is kept for the report, and the game
//! goes on.

use std::fmt::{self, Write as _};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::worker::Worker;
use crate::core::arena::{HEIGHT, WIDTH};
use crate::sys::fs::AtomicFile;

/// Frames in flight at most on the worker.
const POOL: usize = 6;

struct Job {
    number: u64,
    frame: Vec<u8>,
}

struct Done {
    frame: Vec<u8>,
    result: Outcome,
}

/// What became of one frame.
enum Outcome {
    Written,
    Failed(RecordError),
    /// Queued behind a failed frame: not attempted.
    Discarded,
}

/// Why a recording stopped: the frame and the system's error (kept as
/// plain values, so the figures stay `Copy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordError {
    pub frame: u64,
    pub kind: io::ErrorKind,
    pub os_code: Option<i32>,
}

impl RecordError {
    fn new(frame: u64, e: &io::Error) -> Self {
        Self {
            frame,
            kind: e.kind(),
            os_code: e.raw_os_error(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cause = match self.os_code {
            Some(code) => io::Error::from_raw_os_error(code),
            None => io::Error::from(self.kind),
        };
        write!(f, "frame {} could not be written: {cause}", self.frame)
    }
}

/// Writes one RGBA frame as a PNG file at `path`, atomically
/// (`sys::fs::AtomicFile`): on failure `path` does not exist and no
/// temporary file is left.
pub(crate) fn encode_png(path: &Path, rgba: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    let mut encoder = png::Encoder::new(&mut file, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(io_error)?;
    writer.write_image_data(rgba).map_err(io_error)?;
    writer.finish().map_err(io_error)?;
    file.commit()
}

fn io_error(e: png::EncodingError) -> io::Error {
    match e {
        png::EncodingError::IoError(e) => e,
        other => io::Error::other(other),
    }
}

/// Figures of a recording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RecordStats {
    pub written: u64,
    /// Skipped because every buffer was in flight on the worker.
    pub dropped: u64,
    /// Lost to the write error: the frame that failed and any queued behind it.
    pub failed: u64,
    /// The error that stopped the recording, if one did.
    pub error: Option<RecordError>,
}

pub(crate) struct Recorder {
    dir: PathBuf,
    /// Inline, where each frame is written.
    paths: FramePaths,
    next: u64,
    worker: Option<Worker<Job, Done>>,
    /// Set by the first failed write; the worker discards what follows.
    stopped: Arc<AtomicBool>,
    announced: bool,
    pool: Vec<Vec<u8>>,
    pub stats: RecordStats,
}

impl Recorder {
    /// Starts a recording into `dir` (created), on a worker thread or inline.
    pub(crate) fn start(
        dir: PathBuf,
        on_worker: bool,
        lane: Option<super::timeline::LaneSender>,
    ) -> Result<Self, String> {
        fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot record into {}: {e}", dir.display()))?;
        let stopped = Arc::new(AtomicBool::new(false));
        let worker = if on_worker {
            let mut paths = FramePaths::new(&dir);
            let stop = stopped.clone();
            let w = Worker::spawn_traced("video", POOL, lane, move |job: Job| {
                let result = if stop.load(Ordering::Relaxed) {
                    Outcome::Discarded
                } else {
                    let path = paths.of(job.number);
                    match encode_png(path, &job.frame) {
                        Ok(()) => Outcome::Written,
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            Outcome::Failed(RecordError::new(job.number, &e))
                        }
                    }
                };
                Done {
                    result,
                    frame: job.frame,
                }
            })
            .map_err(|e| format!("cannot start the video thread: {e}"))?;
            Some(w)
        } else {
            None
        };
        let frame_bytes = (WIDTH * HEIGHT * 4) as usize;
        let pool = if on_worker {
            (0..POOL).map(|_| vec![0; frame_bytes]).collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            paths: FramePaths::new(&dir),
            dir,
            next: 1,
            worker,
            stopped,
            announced: false,
            pool,
            stats: RecordStats::default(),
        })
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn on_worker(&self) -> bool {
        self.worker.is_some()
    }

    /// Counts one frame's outcome, keeping the first error.
    fn tally(&mut self, result: Outcome) {
        match result {
            Outcome::Written => self.stats.written += 1,
            Outcome::Failed(e) => {
                self.stats.failed += 1;
                self.stats.error.get_or_insert(e);
            }
            Outcome::Discarded => self.stats.failed += 1,
        }
    }

    fn collect(&mut self, done: Done) {
        self.tally(done.result);
        self.pool.push(done.frame);
    }

    /// Records one displayed frame (a frame of the wrong size is skipped).
    /// Returns the error that stopped the recording, once, when it is
    /// first seen; after it, frames are ignored.
    pub(crate) fn push(&mut self, rgba: &[u8]) -> Option<RecordError> {
        // Take back the buffers of frames the worker has finished.
        if let Some(worker) = self.worker.take() {
            for done in worker.results() {
                self.collect(done);
            }
            self.worker = Some(worker);
        }
        if self.stopped.load(Ordering::Relaxed) {
            return self.announce();
        }
        if rgba.len() != (WIDTH * HEIGHT * 4) as usize {
            return None;
        }
        match (&self.worker, self.pool.pop()) {
            (None, _) => {
                let number = self.next;
                let path = self.paths.of(number);
                let result = match encode_png(path, rgba) {
                    Ok(()) => Outcome::Written,
                    Err(e) => {
                        self.stopped.store(true, Ordering::Relaxed);
                        Outcome::Failed(RecordError::new(number, &e))
                    }
                };
                self.tally(result);
            }
            (Some(worker), Some(mut frame)) => {
                frame.copy_from_slice(rgba);
                let number = self.next;
                if let Err(job) = worker.try_send(Job { number, frame }) {
                    self.stats.dropped += 1;
                    self.pool.push(job.frame);
                    return None;
                }
            }
            (Some(_), None) => {
                self.stats.dropped += 1;
                return None;
            }
        }
        self.next += 1;
        if self.stopped.load(Ordering::Relaxed) {
            return self.announce();
        }
        None
    }

    fn announce(&mut self) -> Option<RecordError> {
        if self.announced {
            return None;
        }
        self.announced = self.stats.error.is_some();
        self.stats.error
    }

    /// Has a write error stopped the recording?
    #[cfg(test)]
    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Finishes every queued frame and closes the recording. The error is
    /// returned if [`push`](Self::push) has not reported it already.
    pub(crate) fn stop(mut self) -> (RecordStats, Option<String>) {
        if let Some(worker) = self.worker.take() {
            for done in worker.finish() {
                self.collect(done);
            }
        }
        let unsaid = self.announce().map(|e| e.to_string());
        (self.stats, unsaid)
    }
}

/// The path of frame `number` in a folder (`frame-00001.png`), rewritten
/// in place: after the first frame, naming one allocates nothing.
struct FramePaths {
    path: PathBuf,
    name: String,
    holds_frame: bool,
}

impl FramePaths {
    fn new(dir: &Path) -> Self {
        Self {
            path: dir.to_path_buf(),
            name: String::with_capacity(32),
            holds_frame: false,
        }
    }

    fn of(&mut self, number: u64) -> &Path {
        if self.holds_frame {
            self.path.pop();
        }
        self.name.clear();
        // Formatting into a String cannot fail.
        let _ = write!(self.name, "frame-{number:05}.png");
        self.path.push(&self.name);
        self.holds_frame = true;
        &self.path
    }
}

/// A fresh folder name under `recordings/`.
pub(crate) fn new_dir(base: &Path, unix_seconds: u64) -> PathBuf {
    let mut dir = base.join(format!("why-threads-{unix_seconds}"));
    let mut n = 2;
    while dir.exists() {
        dir = base.join(format!("why-threads-{unix_seconds}-{n}"));
        n += 1;
    }
    dir
}

#[cfg(test)]
mod tests;
