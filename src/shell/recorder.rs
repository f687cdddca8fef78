//! "Video compression": every displayed frame becomes a PNG (deflate, a
//! real codec) in a numbered sequence, `recordings/<name>/frame-00001.png`,
//! that any image tool opens (`identify recordings/<name>/*.png`).
//!
//! Inline, the loop compresses each frame itself. On the `video` worker,
//! the loop copies the frame into one of a few preallocated buffers and
//! hands it over; when every buffer is in flight the frame is dropped and
//! counted, never queued without bound. Stopping finishes every queued
//! frame, so nothing is left half written.

use std::fmt::Write;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::worker::Worker;
use crate::core::arena::{HEIGHT, WIDTH};

/// Frames in flight at most on the worker.
const POOL: usize = 6;

struct Job {
    number: u64,
    frame: Vec<u8>,
}

struct Done {
    frame: Vec<u8>,
    result: Result<(), String>,
}

/// Writes one RGBA frame as a PNG file.
pub fn encode_png(path: &Path, rgba: &[u8]) -> Result<(), String> {
    let file = fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(io::BufWriter::new(file), WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writer
        .write_image_data(rgba)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writer
        .finish()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Figures of a recording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordStats {
    pub written: u64,
    pub dropped: u64,
    pub failed: u64,
}

pub struct Recorder {
    dir: PathBuf,
    /// Inline, where each frame is written.
    paths: FramePaths,
    next: u64,
    worker: Option<Worker<Job, Done>>,
    pool: Vec<Vec<u8>>,
    pub stats: RecordStats,
    pub last_error: Option<String>,
}

impl Recorder {
    /// Starts a recording into `dir` (created), on a worker thread or inline.
    pub fn start(
        dir: PathBuf,
        on_worker: bool,
        lane: Option<super::timeline::LaneSender>,
    ) -> Result<Self, String> {
        fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot record into {}: {e}", dir.display()))?;
        let worker = if on_worker {
            let mut paths = FramePaths::new(&dir);
            let w = Worker::spawn_traced("video", POOL, lane, move |job: Job| {
                let result = encode_png(paths.of(job.number), &job.frame);
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
            pool,
            stats: RecordStats::default(),
            last_error: None,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn on_worker(&self) -> bool {
        self.worker.is_some()
    }

    /// Counts one frame's outcome, keeping the last error.
    fn tally(&mut self, result: Result<(), String>) {
        match result {
            Ok(()) => self.stats.written += 1,
            Err(e) => {
                self.stats.failed += 1;
                self.last_error = Some(e);
            }
        }
    }

    fn collect(&mut self, done: Done) {
        self.tally(done.result);
        self.pool.push(done.frame);
    }

    /// Records one displayed frame (a frame of the wrong size is skipped).
    pub fn push(&mut self, rgba: &[u8]) {
        if rgba.len() != (WIDTH * HEIGHT * 4) as usize {
            return;
        }
        // Take back the buffers of frames the worker has finished.
        if let Some(worker) = self.worker.take() {
            for done in worker.results() {
                self.collect(done);
            }
            self.worker = Some(worker);
        }
        match (&self.worker, self.pool.pop()) {
            (None, _) => {
                let result = encode_png(self.paths.of(self.next), rgba);
                self.tally(result);
            }
            (Some(worker), Some(mut frame)) => {
                frame.copy_from_slice(rgba);
                let number = self.next;
                if let Err(job) = worker.try_send(Job { number, frame }) {
                    self.stats.dropped += 1;
                    self.pool.push(job.frame);
                    return;
                }
            }
            (Some(_), None) => {
                self.stats.dropped += 1;
                return;
            }
        }
        self.next += 1;
    }

    /// Finishes every queued frame and closes the recording.
    pub fn stop(mut self) -> (RecordStats, Option<String>) {
        if let Some(worker) = self.worker.take() {
            for done in worker.finish() {
                self.collect(done);
            }
        }
        (self.stats, self.last_error.take())
    }
}

/// The path of frame `number` in a folder (`frame-00001.png`, ...),
/// rewritten in place: after the first frame, naming one allocates nothing.
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
pub fn new_dir(base: &Path, unix_seconds: u64) -> PathBuf {
    let mut dir = base.join(format!("why-threads-{unix_seconds}"));
    let mut n = 2;
    while dir.exists() {
        dir = base.join(format!("why-threads-{unix_seconds}-{n}"));
        n += 1;
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("why-threads-rec-{}-{name}", std::process::id()))
    }

    fn frame(shade: u8) -> Vec<u8> {
        vec![shade; (WIDTH * HEIGHT * 4) as usize]
    }

    fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(io::BufReader::new(fs::File::open(path).expect("open")));
        let mut reader = decoder.read_info().expect("png header");
        let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut buf).expect("png data");
        (info.width, info.height, buf)
    }

    #[test]
    fn both_placements_write_every_frame_as_a_readable_png() {
        for on_worker in [false, true] {
            let dir = temp(if on_worker { "worker" } else { "inline" });
            let _ = fs::remove_dir_all(&dir);
            let mut rec = Recorder::start(dir.clone(), on_worker, None).expect("start");
            for shade in [10u8, 20, 30] {
                rec.push(&frame(shade));
            }
            let (stats, error) = rec.stop();
            assert_eq!(error, None);
            assert_eq!(stats.written + stats.dropped, 3);
            assert_eq!(stats.written, 3, "a pool of {POOL} holds three frames");
            let (w, h, pixels) = decode(&dir.join("frame-00002.png"));
            assert_eq!((w, h), (WIDTH, HEIGHT));
            assert!(pixels.iter().all(|&b| b == 20));
            assert!(!dir.join("frame-00004.png").exists());
            let _ = fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn an_unwritable_folder_is_refused_with_the_reason() {
        let err = Recorder::start(PathBuf::from("/proc/why-threads/rec"), true, None)
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("cannot record into /proc/why-threads/rec"),
            "{err}"
        );
    }

    #[test]
    fn frame_paths_are_rewritten_in_place() {
        let mut paths = FramePaths::new(Path::new("recordings/why-threads-7"));
        assert_eq!(
            paths.of(1),
            Path::new("recordings/why-threads-7/frame-00001.png")
        );
        let capacity = (paths.path.capacity(), paths.name.capacity());
        assert_eq!(
            paths.of(42),
            Path::new("recordings/why-threads-7/frame-00042.png")
        );
        assert_eq!((paths.path.capacity(), paths.name.capacity()), capacity);
        assert_eq!(
            paths.of(123_456),
            Path::new("recordings/why-threads-7/frame-123456.png")
        );
    }

    #[test]
    fn new_folders_never_overwrite() {
        let base = temp("names");
        let _ = fs::create_dir_all(base.join("why-threads-7"));
        assert_eq!(new_dir(&base, 7), base.join("why-threads-7-2"));
        let _ = fs::remove_dir_all(&base);
    }
}
