//! The slide's compute-heavy jobs, AI (A*) and video compression (PNG
//! recording), and where they run: inline in the loop or on worker threads.

use std::path::{Path, PathBuf};

use super::Engine;
use crate::core::ai::{LEVELS, Plan, Planner, Snapshot};
use crate::core::schedule::Subsystem;
use crate::core::timeline::Lane;
use crate::shell::recorder::{self, RecordStats, Recorder};
use crate::shell::worker::Worker;

/// The compute-heavy jobs, for the overlay.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ComputeView<'a> {
    pub ai_on: bool,
    pub ai_level: usize,
    pub enemies: usize,
    pub on_workers: bool,
    pub recording: Option<(&'a Path, RecordStats)>,
    pub last_recording: Option<(&'a Path, RecordStats)>,
}

/// The jobs' state.
pub(super) struct Compute {
    pub(super) ai_on: bool,
    pub(super) ai_level: usize,
    pub(super) on_workers: bool,
    planner: Planner,
    ai_worker: Option<Worker<(Snapshot, u64), Plan>>,
    ai_tick: u64,
    recorder: Option<Recorder>,
    last_recording: Option<(PathBuf, RecordStats)>,
    record_base: PathBuf,
}

impl Compute {
    pub(super) fn new() -> Self {
        Self {
            ai_on: false,
            ai_level: 0,
            on_workers: false,
            planner: Planner::new(LEVELS[0].1),
            ai_worker: None,
            ai_tick: 0,
            recorder: None,
            last_recording: None,
            record_base: PathBuf::from("recordings"),
        }
    }

    pub(super) fn recording(&self) -> bool {
        self.recorder.is_some()
    }

    pub(super) fn view(&self, enemies: usize) -> ComputeView<'_> {
        ComputeView {
            ai_on: self.ai_on,
            ai_level: self.ai_level,
            enemies,
            on_workers: self.on_workers,
            recording: self.recorder.as_ref().map(|r| (r.dir(), r.stats)),
            last_recording: self.last_recording.as_ref().map(|(d, s)| (d.as_path(), *s)),
        }
    }
}

impl Engine {
    /// "AI": plan inline, or hand the snapshot to the `ai` worker and apply
    /// whatever plan it has finished (one AI tick late, at most).
    pub(super) fn run_ai(&mut self) {
        let c = &mut self.compute;
        c.ai_tick += 1;
        let snapshot = self.game.snapshot(c.ai_level);
        match &c.ai_worker {
            None => {
                let plan = c.planner.plan(&snapshot, c.ai_tick);
                self.game.apply(&plan);
            }
            Some(worker) => {
                // A busy worker skips this snapshot: the next is fresher.
                let _ = worker.try_send((snapshot, c.ai_tick));
                let mut newest = None;
                for plan in worker.results() {
                    newest = Some(plan);
                }
                if let Some(plan) = newest {
                    self.game.apply(&plan);
                }
            }
        }
    }

    pub(super) fn set_ai(&mut self, on: bool, level: usize) {
        let level = level % LEVELS.len();
        let c = &mut self.compute;
        c.ai_on = on;
        if level != c.ai_level {
            c.ai_level = level;
            c.planner = Planner::new(LEVELS[level].1);
        }
        self.game
            .set_enemy_count(if on { LEVELS[level].0 } else { 0 });
        self.schedule.set_on(Subsystem::Ai, on);
        self.rate_changed();
        self.place_compute(self.compute.on_workers);
    }

    /// Puts AI and video compression inline or on worker threads.
    pub(super) fn place_compute(&mut self, on_workers: bool) {
        self.compute.on_workers = on_workers;
        let want_ai_worker = on_workers && self.compute.ai_on;
        if want_ai_worker && self.compute.ai_worker.is_none() {
            let mut planner = Planner::new(LEVELS[self.compute.ai_level].1);
            let lane = Some(self.timeline.sender(Lane::Ai));
            let spawned =
                Worker::spawn_traced("ai", 1, lane, move |(snapshot, tick): (Snapshot, u64)| {
                    let cell = LEVELS[snapshot.level % LEVELS.len()].1;
                    if planner.cell() != cell {
                        planner = Planner::new(cell);
                    }
                    planner.plan(&snapshot, tick)
                });
            match spawned {
                Ok(w) => self.compute.ai_worker = Some(w),
                Err(e) => {
                    self.compute.on_workers = false;
                    self.warn(format!("pthread_create(ai): {e}; AI stays in the loop"));
                }
            }
        } else if !want_ai_worker && let Some(w) = self.compute.ai_worker.take() {
            w.finish();
        }
        // A recording in progress moves too: finish it and start a new one.
        if self
            .compute
            .recorder
            .as_ref()
            .is_some_and(|r| r.on_worker() != self.compute.on_workers)
        {
            self.set_recording(false);
            self.set_recording(true);
        }
    }

    /// Starts or stops recording every displayed frame.
    pub(crate) fn set_recording(&mut self, on: bool) {
        match (on, self.compute.recorder.take()) {
            (true, None) => {
                let unix = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let dir = recorder::new_dir(&self.compute.record_base, unix);
                let lane = Some(self.timeline.sender(Lane::Video));
                match Recorder::start(dir, self.compute.on_workers, lane) {
                    Ok(r) => {
                        self.say(format!("recording every frame into {}", r.dir().display()));
                        self.compute.recorder = Some(r);
                    }
                    Err(e) => self.warn(e),
                }
            }
            (false, Some(r)) => {
                let dir = r.dir().to_path_buf();
                let (stats, error) = r.stop();
                if let Some(e) = error {
                    self.warn(format!("recording: {e}"));
                }
                self.say(format!(
                    "recorded {} frames into {} ({} dropped, {} failed)",
                    stats.written,
                    dir.display(),
                    stats.dropped,
                    stats.failed
                ));
                self.compute.last_recording = Some((dir, stats));
            }
            (_, keep) => self.compute.recorder = keep,
        }
        self.schedule
            .set_on(Subsystem::Video, self.compute.recorder.is_some());
        self.rate_changed();
    }

    /// Where recordings go (default `recordings/`).
    pub(crate) fn set_record_base(&mut self, base: PathBuf) {
        self.compute.record_base = base;
    }

    /// The benchmark's loads: AI at its hardest, or recording, inline or on workers.
    pub(crate) fn set_compute(&mut self, ai: bool, record: bool, on_workers: bool) {
        self.place_compute(on_workers);
        let level = if ai {
            LEVELS.len() - 1
        } else {
            self.compute.ai_level
        };
        self.set_ai(ai, level);
        self.set_recording(record);
    }

    /// The last finished recording: its folder and figures.
    pub(crate) fn last_recording(&self) -> Option<(&Path, RecordStats)> {
        self.compute
            .last_recording
            .as_ref()
            .map(|(d, s)| (d.as_path(), *s))
    }

    /// "Compress video": hands the displayed frame to the recorder; at
    /// its first write error the recording stops and the user is told.
    pub(super) fn record_frame(&mut self, frame: &[u8]) {
        if let Some(recorder) = &mut self.compute.recorder
            && let Some(e) = recorder.push(frame)
        {
            self.warn(format!("recording stopped: {e}; the game goes on"));
        }
    }

    /// At the end of a run: the recording finished, the AI worker joined.
    pub(super) fn finish_compute(&mut self) {
        self.set_recording(false);
        if let Some(w) = self.compute.ai_worker.take() {
            w.finish();
        }
    }
}
