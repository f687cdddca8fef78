//! Input modes and per-mode accounting, in one place for every mode.
//!
//! A mode switch happens between ticks: the running mode takes what is
//! already waiting and stops (giving the device back), its stretch is
//! closed into its statistics, the new mode starts with the device, and a
//! new stretch opens with the new mode's figures at its start. A report
//! belongs to the mode that ran when the device produced it: a stretch
//! counts as seen only reports numbered from its first one on.

use std::time::Duration;

use super::Engine;
use crate::core::report::Modes;
use crate::core::stats::ModeStats;
use crate::shell::modes::{Intake, ModeId, MouseFigures};
use crate::shell::mouse::MouseDevice;
use crate::sys::thread as os;

/// Figures at the start of the current stretch in one mode.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Interval {
    since: Duration,
    cpu_loop: Duration,
    mouse: MouseFigures,
}

/// One empty set of statistics per mode of the table.
pub(crate) fn new_stats() -> Vec<ModeStats> {
    ModeId::all().map(|_| ModeStats::default()).collect()
}

impl Engine {
    /// Starts the loop's first mode (at construction).
    pub(super) fn begin(&mut self, device: Option<Box<dyn MouseDevice>>, mode: ModeId) {
        let now = self.clock.now();
        let previous = self.mode;
        self.start_mode(device, mode, previous);
        self.opened(now);
    }

    /// Switches input mode between ticks. A mode that cannot start (a
    /// refused thread) says why and the previous mode goes on.
    pub fn set_mode(&mut self, to: ModeId) {
        if to == self.mode {
            return;
        }
        let now = self.clock.now();
        let from = self.mode;
        let device = self.stop_active(now);
        self.start_mode(device, to, from);
        log::debug!("mode {} → {}", from.name(), self.mode.name());
        self.opened(now);
    }

    /// The mode's mouse side ended by itself (device error, reader gone):
    /// the first mode of the table takes over with whatever device is left.
    pub(super) fn mouse_failed(&mut self) {
        let now = self.clock.now();
        let from = self.mode;
        let device = self.stop_active(now);
        if device.is_none() {
            self.warn("going on without the mouse".into());
        }
        self.start_mode(device, ModeId::default(), from);
        self.opened(now);
    }

    /// Stops the running mode after a last flush, closes its stretch, and
    /// returns the device.
    fn stop_active(&mut self, now: Duration) -> Option<Box<dyn MouseDevice>> {
        let Some(mode) = self.active.take() else {
            self.close_interval(now, self.interval.mouse);
            return None;
        };
        let mut intake = Intake::new(
            &mut self.game,
            &mut self.stats[self.mode.index()],
            self.mode.spec().colour,
            now,
        );
        let stopped = mode.stop(&mut intake);
        if intake.samples() > 0 {
            intake.finish();
        }
        self.close_interval(now, stopped.figures);
        if let Some(error) = stopped.error {
            self.warn(error);
        }
        stopped.device
    }

    /// Starts `to` with `device`; if it is refused, says why and starts
    /// `fallback` (then the first mode) instead.
    fn start_mode(&mut self, device: Option<Box<dyn MouseDevice>>, to: ModeId, fallback: ModeId) {
        let Some(mut device) = device else {
            self.mode = to;
            return;
        };
        for candidate in [to, fallback, ModeId::default()] {
            match (candidate.spec().start)(device, &self.start) {
                Ok(mode) => {
                    self.active = Some(mode);
                    self.mode = candidate;
                    return;
                }
                Err(refused) => {
                    device = refused.device;
                    self.warn(format!(
                        "{}; staying in {} mode",
                        refused.reason,
                        fallback.name()
                    ));
                }
            }
        }
        // Not even the first mode would start: the loop goes on without a mouse.
        self.mode = ModeId::default();
    }

    /// After a start: the schedule follows the mode, the new stretch opens.
    fn opened(&mut self, now: Duration) {
        self.schedule
            .set_mouse_in_table(self.mode.spec().mouse_in_table);
        self.rate_changed();
        let figures = self.mode_figures();
        let stats = &mut self.stats[self.mode.index()];
        stats.resume();
        stats.begin_stretch(figures.produced);
        self.open_interval(now, figures);
    }

    /// The one step after anything that may change the loop's rate: the
    /// deadlines follow the schedule (a new grid from now, if the period
    /// changed) and the mode's statistics record the rate in force.
    pub(super) fn rate_changed(&mut self) {
        let period = self.schedule.loop_period();
        if period != self.deadlines.period() {
            log::debug!("loop rate now {} Hz", self.schedule.loop_hz());
            self.deadlines.set_period(period, self.clock.now());
        }
        self.stats[self.mode.index()].loop_hz = self.schedule.loop_hz();
    }

    fn mode_figures(&self) -> MouseFigures {
        self.active
            .as_ref()
            .map(|m| m.figures())
            .unwrap_or(self.interval.mouse)
    }

    /// Takes what the mode has waiting into the current stretch.
    fn flush(&mut self) {
        if let Some(mode) = &mut self.active {
            let mut intake = Intake::new(
                &mut self.game,
                &mut self.stats[self.mode.index()],
                self.mode.spec().colour,
                self.clock.now(),
            );
            mode.flush(&mut intake);
            if intake.samples() > 0 {
                intake.finish();
            }
        }
    }

    fn open_interval(&mut self, now: Duration, mouse: MouseFigures) {
        self.interval = Interval {
            since: now,
            cpu_loop: os::cpu_time(),
            mouse,
        };
    }

    /// Adds the stretch since the interval opened to the current mode's
    /// figures; `mouse` are the mouse side's counters now.
    fn close_interval(&mut self, now: Duration, mouse: MouseFigures) {
        let start = self.interval;
        let cpu_now = os::cpu_time();
        let stats = &mut self.stats[self.mode.index()];
        stats.active += now.saturating_sub(start.since);
        stats.cpu_loop += cpu_now.saturating_sub(start.cpu_loop);
        stats.reports_generated += mouse.produced.saturating_sub(start.mouse.produced);
        stats.dropped += mouse.dropped.saturating_sub(start.mouse.dropped);
        stats.cpu_reader += mouse.reader_cpu.saturating_sub(start.mouse.reader_cpu);
    }

    /// Brings the current mode's figures up to now (for a live overlay or
    /// a report) without switching.
    pub(crate) fn refresh(&mut self) {
        let now = self.clock.now();
        let figures = self.mode_figures();
        self.close_interval(now, figures);
        self.open_interval(now, figures);
    }

    /// Exchanges the statistics with `other` (the benchmark keeps one set
    /// per configuration). What the mode has waiting is taken first and the
    /// stretch so far closed into the old set; the new one starts now, on
    /// a fresh deadline grid, counting only reports produced from now on.
    pub(crate) fn swap_stats(&mut self, other: &mut Vec<ModeStats>) {
        self.flush();
        let now = self.clock.now();
        let figures = self.mode_figures();
        self.close_interval(now, figures);
        std::mem::swap(&mut self.stats, other);
        if self.stats.len() != ModeId::COUNT {
            self.stats = new_stats();
        }
        let stats = &mut self.stats[self.mode.index()];
        stats.resume();
        stats.begin_stretch(figures.produced);
        self.deadlines.set_period(self.schedule.loop_period(), now);
        self.rate_changed();
        self.open_interval(now, figures);
    }

    /// Forgets every figure; the current mode starts afresh now.
    pub(crate) fn reset_stats(&mut self) {
        let now = self.clock.now();
        let figures = self.mode_figures();
        self.stats = new_stats();
        self.stats[self.mode.index()].begin_stretch(figures.produced);
        self.rate_changed();
        self.open_interval(now, figures);
    }

    /// Every mode that ran, with its figures up to now.
    pub(crate) fn report(&mut self) -> Modes {
        self.refresh();
        Modes::from_stats(ModeId::all().map(|m| (m.name(), &self.stats[m.index()])))
    }

    /// Ends the run: finishes a recording, joins the workers and the
    /// mode's thread or coroutine (the device goes back to the first mode,
    /// which needs neither), and returns every mode's report.
    pub fn finish(&mut self) -> Modes {
        self.finish_compute();
        self.set_mode(ModeId::default());
        for line in self.timeline.finish() {
            self.say(line);
        }
        self.report()
    }
}
