//! `why-threads bench`: the game's loop with no window, measured.
//!
//! Every configuration (each input mode with the project's pacer, then
//! each pacer in threaded mode) runs in short slices taken in turn, round
//! after round, so a noisy neighbour on a shared machine hits them all
//! alike; the figures are compared side by side within the one run.
//! Display ticks draw a real frame into a byte buffer; the mouse is the
//! synthetic one.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde::Serialize;

use super::cli::{BenchArgs, Job};
use super::clock::Clock;
use super::engine::{Commands, Engine, EngineConfig, Frontend, Scene};
use super::mouse::SyntheticMouse;
use super::pacer::PacerKind;
use crate::core::draw::{self, FRAME_BYTES};
use crate::core::game::{HEIGHT, SoundEvent, WIDTH};
use crate::core::input::{InputMode, Keys, Pad};
use crate::core::report::{ModeReport, Modes, Percentiles};
use crate::core::stats::ModeStats;

/// The headless frontend: draws frames into memory, plays nothing.
pub struct Headless {
    frame: Vec<u8>,
    keyboard_ticks: u64,
    /// Sum of a few pixels of every frame, so drawing cannot be optimised away.
    pub checksum: u64,
    pub sounds: u64,
}

impl Headless {
    pub fn new() -> Self {
        Self {
            frame: vec![0; FRAME_BYTES],
            keyboard_ticks: 0,
            checksum: 0,
            sounds: 0,
        }
    }
}

impl Default for Headless {
    fn default() -> Self {
        Self::new()
    }
}

impl Frontend for Headless {
    fn keyboard(&mut self, _: &mut Commands) -> Keys {
        // A scripted player: right for a second, left for a second.
        self.keyboard_ticks += 1;
        let right = (self.keyboard_ticks / 120).is_multiple_of(2);
        Keys {
            right,
            left: !right,
            ..Keys::default()
        }
    }

    fn gamepad(&mut self) -> Pad {
        Pad::default()
    }

    fn display(&mut self, scene: &Scene<'_>) {
        draw::draw(scene.game, scene.view, &mut self.frame);
        let mid = FRAME_BYTES / 2;
        self.checksum = self
            .checksum
            .wrapping_add(u64::from(self.frame[mid]) + u64::from(self.frame[4]));
    }

    fn sound(&mut self, events: &[SoundEvent]) {
        self.sounds += events.len() as u64;
    }

    fn haptics(&mut self, _: f32) {}

    fn frame(&self) -> &[u8] {
        &self.frame
    }
}

/// One configuration measured.
struct Config {
    mode: InputMode,
    pacer: PacerKind,
    /// The compute job, and whether it runs on a worker thread.
    job: Option<(Job, bool)>,
    /// Is the thread timeline recording?
    timeline: bool,
    stats: [ModeStats; InputMode::COUNT],
}

impl Config {
    fn stats(&self) -> &ModeStats {
        &self.stats[self.mode.index()]
    }
}

/// A pacer's figures in the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct PacerReport {
    pub loop_hz: u32,
    pub ticks: u64,
    pub missed_ticks: u64,
    pub lateness_us: Percentiles,
    pub period_error_us: Percentiles,
    /// CPU of the loop thread: what pacing this way costs.
    pub cpu_percent: f64,
    /// CPU of `read_mouse` meanwhile (the same for every pacer).
    pub cpu_reader_percent: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BenchSettings {
    pub seconds_per_config: f64,
    pub hz: u32,
    pub mouse_hz: u32,
    pub load_us: u32,
    pub rounds: u32,
    pub job: Option<&'static str>,
    pub pacer_for_modes: &'static str,
    pub mode_for_pacers: &'static str,
}

/// A compute job's effect on the loop, by placement.
#[derive(Clone, Debug, Serialize)]
pub struct LoadReport {
    pub lateness_us: Percentiles,
    pub stutters: u64,
    pub missed_ticks: u64,
    pub fps: f64,
    pub cpu_percent: f64,
    /// The job's own time per run, in the loop (inline) or handing it over (worker).
    pub job_in_loop_p99_us: f64,
}

/// The whole result: the brief's report shape plus the pacers (and the
/// placements of a compute job, with `--load ai|video`).
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    pub modes: Modes,
    pub pacers: std::collections::BTreeMap<&'static str, PacerReport>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub loads: std::collections::BTreeMap<&'static str, LoadReport>,
    /// With `--timeline`: each mode with the timeline recording and without.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub timeline: std::collections::BTreeMap<&'static str, TimelineCost>,
    pub settings: BenchSettings,
}

/// What recording the thread timeline costs the loop, in one mode.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineCost {
    pub loop_hz: u32,
    /// The loop's busy time per tick (everything but waiting), off and on.
    pub busy_per_tick_us_off: f64,
    pub busy_per_tick_us_on: f64,
    /// Where recording happens (the loop's own overhead between subsystems,
    /// and the mouse subsystem, which marks every report) per tick, on − off:
    /// the timeline's cost without the display's noise.
    pub recording_us_per_tick: f64,
    /// That cost as a share of the loop's busy time (off).
    pub cost_percent_of_busy: f64,
    /// That cost as a share of the loop's period.
    pub cost_percent_of_period: f64,
    /// The loop thread's CPU, off and on.
    pub cpu_loop_percent_off: f64,
    pub cpu_loop_percent_on: f64,
}

/// Busy time per tick: the work of every subsystem plus the loop's own
/// overhead, in microseconds.
fn busy_per_tick_us(s: &ModeStats) -> f64 {
    per_tick_us(s, s.work.iter().chain(std::iter::once(&s.overhead)))
}

/// The loop's overhead and mouse work per tick: where the timeline records.
fn recording_place_per_tick_us(s: &ModeStats) -> f64 {
    let mouse = &s.work[crate::core::schedule::Subsystem::Mouse.index()];
    per_tick_us(s, [&s.overhead, mouse].into_iter())
}

fn per_tick_us<'a>(
    s: &ModeStats,
    parts: impl Iterator<Item = &'a crate::core::stats::Histogram>,
) -> f64 {
    if s.ticks == 0 {
        return 0.0;
    }
    let total: f64 = parts.map(|h| h.mean() * h.count() as f64).sum();
    total / s.ticks as f64 / 1e3
}

/// Slices shorter than this would be mostly switching.
const SLICE: f64 = 0.5;

/// Runs the benchmark and returns its report; progress goes to stderr.
pub fn run(args: &BenchArgs) -> BenchReport {
    let clock = Clock::new();
    let device = SyntheticMouse::new(clock, args.mouse_hz, WIDTH as f32, HEIGHT as f32);
    let mut engine = Engine::new(
        EngineConfig {
            physics_hz: args.hz,
            mouse_hz: args.mouse_hz,
            mode: InputMode::Polled,
            pacer: PacerKind::Adaptive,
            device: Some(Box::new(device)),
            reader_stack: None,
        },
        clock,
    );
    engine.set_load(Duration::from_micros(u64::from(args.load_us)));
    let record_base =
        std::env::temp_dir().join(format!("why-threads-bench-{}", std::process::id()));
    engine.set_record_base(record_base.clone());
    let mut plan = vec![
        (InputMode::Polled, PacerKind::Adaptive, None, false),
        (InputMode::Threaded, PacerKind::Adaptive, None, false),
        (InputMode::Threaded, PacerKind::StdSleep, None, false),
        (InputMode::Threaded, PacerKind::SpinSleep, None, false),
        (InputMode::Threaded, PacerKind::BusySpin, None, false),
    ];
    if let Some(job) = args.job {
        plan.push((
            InputMode::Threaded,
            PacerKind::Adaptive,
            Some((job, false)),
            false,
        ));
        plan.push((
            InputMode::Threaded,
            PacerKind::Adaptive,
            Some((job, true)),
            false,
        ));
    }
    if args.timeline {
        plan.push((InputMode::Polled, PacerKind::Adaptive, None, true));
        plan.push((InputMode::Threaded, PacerKind::Adaptive, None, true));
    }
    let mut configs: Vec<Config> = plan
        .into_iter()
        .map(|(mode, pacer, job, timeline)| Config {
            mode,
            pacer,
            job,
            timeline,
            stats: Default::default(),
        })
        .collect();

    let rounds = (args.seconds / SLICE).ceil().max(1.0) as u32;
    let slice = Duration::from_secs_f64(args.seconds / f64::from(rounds));
    let mut frontend = Headless::new();
    let tty = std::io::stderr().is_terminal();
    for round in 0..rounds {
        for config in &mut configs {
            engine.set_pacer(config.pacer);
            engine.timeline_mut().set_on(config.timeline);
            engine.set_mode(config.mode);
            if let Some((job, on_worker)) = config.job {
                engine.set_compute(job == Job::Ai, job == Job::Video, on_worker);
            }
            engine.swap_stats(&mut config.stats);
            let until = clock.now() + slice;
            engine.run_until(&mut frontend, until);
            engine.swap_stats(&mut config.stats);
            if config.job.is_some() {
                engine.set_compute(false, false, false);
            }
        }
        progress(
            tty,
            round + 1,
            rounds,
            slice * (round + 1) * configs.len() as u32,
        );
    }
    engine.finish();
    let _ = std::fs::remove_dir_all(&record_base);
    if tty {
        eprintln!();
    }
    let loads = configs
        .iter()
        .filter(|c| {
            c.job.is_some() || (c.mode == InputMode::Threaded && c.pacer == PacerKind::Adaptive)
        })
        .filter(|_| args.job.is_some())
        .map(|c| {
            let s = c.stats();
            let r = ModeReport::from_stats(s);
            let job_sub = match c.job {
                Some((Job::Ai, _)) => Some(crate::core::schedule::Subsystem::Ai),
                Some((Job::Video, _)) => Some(crate::core::schedule::Subsystem::Video),
                None => None,
            };
            let name = match c.job {
                None => "none",
                Some((_, false)) => "inline",
                Some((_, true)) => "worker",
            };
            let load = LoadReport {
                lateness_us: r.lateness_us,
                stutters: r.stutters,
                missed_ticks: r.missed_ticks,
                fps: r.fps,
                cpu_percent: r.cpu_percent,
                job_in_loop_p99_us: job_sub
                    .map_or(0.0, |sub| s.work[sub.index()].percentile(0.99) as f64 / 1e3),
            };
            (name, load)
        })
        .collect();

    let timeline = timeline_costs(&configs);
    let pacers = configs
        .iter()
        .filter(|c| c.mode == InputMode::Threaded && !c.timeline)
        .map(|c| {
            let s = c.stats();
            let r = ModeReport::from_stats(s);
            let report = PacerReport {
                loop_hz: r.loop_hz,
                ticks: r.ticks,
                missed_ticks: r.missed_ticks,
                lateness_us: r.lateness_us,
                period_error_us: r.period_error_us,
                cpu_percent: r.cpu_loop_percent,
                cpu_reader_percent: r.cpu_reader_percent,
            };
            (c.pacer.name(), report)
        })
        .collect();
    let mut mode_stats: [ModeStats; InputMode::COUNT] = Default::default();
    mode_stats[0] = configs[0].stats[0].clone();
    mode_stats[1] = configs[1].stats[1].clone();
    BenchReport {
        modes: Modes::from_stats(&mode_stats),
        pacers,
        loads,
        timeline,
        settings: BenchSettings {
            seconds_per_config: args.seconds,
            hz: args.hz,
            mouse_hz: args.mouse_hz,
            load_us: args.load_us,
            rounds,
            job: args.job.map(Job::name),
            pacer_for_modes: PacerKind::Adaptive.name(),
            mode_for_pacers: InputMode::Threaded.name(),
        },
    }
}

/// Each mode with the timeline on, against the same mode off (the
/// project's pacer, no job).
fn timeline_costs(configs: &[Config]) -> std::collections::BTreeMap<&'static str, TimelineCost> {
    let plain = |c: &&Config| c.pacer == PacerKind::Adaptive && c.job.is_none();
    configs
        .iter()
        .filter(plain)
        .filter(|c| c.timeline)
        .filter_map(|on| {
            let off = configs
                .iter()
                .filter(plain)
                .find(|c| !c.timeline && c.mode == on.mode)?;
            let (a, b) = (busy_per_tick_us(off.stats()), busy_per_tick_us(on.stats()));
            let (ra, rb) = (
                ModeReport::from_stats(off.stats()),
                ModeReport::from_stats(on.stats()),
            );
            let recording =
                recording_place_per_tick_us(on.stats()) - recording_place_per_tick_us(off.stats());
            let period_us = 1e6 / f64::from(rb.loop_hz.max(1));
            let cost = TimelineCost {
                loop_hz: rb.loop_hz,
                busy_per_tick_us_off: a,
                busy_per_tick_us_on: b,
                recording_us_per_tick: recording,
                cost_percent_of_busy: if a > 0.0 { 100.0 * recording / a } else { 0.0 },
                cost_percent_of_period: 100.0 * recording / period_us,
                cpu_loop_percent_off: ra.cpu_loop_percent,
                cpu_loop_percent_on: rb.cpu_loop_percent,
            };
            Some((on.mode.name(), cost))
        })
        .collect()
}

fn progress(tty: bool, round: u32, rounds: u32, elapsed: Duration) {
    let line = format!(
        "bench: round {round}/{rounds} ({:.1} s measured)",
        elapsed.as_secs_f64()
    );
    if tty {
        eprint!("\r{line}");
        let _ = std::io::stderr().flush();
    } else if round == rounds || round.is_multiple_of(5) {
        eprintln!("{line}");
    }
}

/// The readable table.
pub fn table(r: &BenchReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let s = &r.settings;
    let _ = writeln!(
        out,
        "why-threads bench: {} s per configuration in {} interleaved rounds, physics {} Hz, synthetic mouse {} Hz{}",
        s.seconds_per_config,
        s.rounds,
        s.hz,
        s.mouse_hz,
        if s.load_us > 0 {
            format!(", load {} µs/tick", s.load_us)
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "\nINPUT MODES (pacer: {})", s.pacer_for_modes);
    let _ = writeln!(
        out,
        "{:<10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>7} {:>6} {:>6} {:>16} {:>9} {:>10} {:>6} {:>6}",
        "mode",
        "loop Hz",
        "ticks",
        "late p50",
        "late p99",
        "late max",
        "missed",
        "fps",
        "stutt",
        "reports seen/gen",
        "per tick",
        "age p50/99",
        "drops",
        "CPU %"
    );
    for (name, m) in [("polled", &r.modes.polled), ("threaded", &r.modes.threaded)] {
        let _ = writeln!(
            out,
            "{:<10} {:>8} {:>8} {:>7.1}µs {:>7.1}µs {:>7.0}µs {:>7} {:>6.1} {:>6} {:>16} {:>9.2} {:>10} {:>6} {:>6.1}",
            name,
            format!("{}/{:.0}", m.loop_hz, m.measured_hz),
            m.ticks,
            m.lateness_us.p50,
            m.lateness_us.p99,
            m.lateness_us.max,
            m.missed_ticks,
            m.fps,
            m.stutters,
            format!("{}/{}", m.reports_seen, m.reports_generated),
            m.samples_per_tick,
            format!("{:.0}/{:.0}µs", m.input_age_us.p50, m.input_age_us.p99),
            m.dropped,
            m.cpu_percent,
        );
    }
    let _ = writeln!(
        out,
        "\nPACERS (mode: {}, loop at {} Hz)",
        s.mode_for_pacers, s.hz
    );
    let _ = writeln!(
        out,
        "{:<11} {:>9} {:>9} {:>9} {:>9} {:>12} {:>7} {:>10}",
        "pacer",
        "late p50",
        "late p99",
        "late p999",
        "late max",
        "period p99",
        "missed",
        "loop CPU %"
    );
    for kind in PacerKind::ALL {
        if let Some(p) = r.pacers.get(kind.name()) {
            let _ = writeln!(
                out,
                "{:<11} {:>7.1}µs {:>7.1}µs {:>7.1}µs {:>7.0}µs {:>10.1}µs {:>7} {:>10.1}",
                kind.name(),
                p.lateness_us.p50,
                p.lateness_us.p99,
                p.lateness_us.p999,
                p.lateness_us.max,
                p.period_error_us.p99,
                p.missed_ticks,
                p.cpu_percent,
            );
        }
    }
    if let Some(job) = s.job {
        let _ = writeln!(out, "\nLOAD: {job} (threaded, adaptive pacer)");
        let _ = writeln!(
            out,
            "{:<9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>6} {:>14}",
            "placement",
            "late p50",
            "late p99",
            "late max",
            "missed",
            "stutt",
            "CPU %",
            "in loop p99"
        );
        for name in ["none", "inline", "worker"] {
            if let Some(l) = r.loads.get(name) {
                let _ = writeln!(
                    out,
                    "{:<9} {:>7.1}µs {:>7.1}µs {:>7.0}µs {:>7} {:>7} {:>6.1} {:>12.0}µs",
                    name,
                    l.lateness_us.p50,
                    l.lateness_us.p99,
                    l.lateness_us.max,
                    l.missed_ticks,
                    l.stutters,
                    l.cpu_percent,
                    l.job_in_loop_p99_us
                );
            }
        }
    }
    if !r.timeline.is_empty() {
        let _ = writeln!(
            out,
            "\nTIMELINE (recording on vs off, same run; adaptive pacer)"
        );
        let _ = writeln!(
            out,
            "{:<10} {:>8} {:>18} {:>15} {:>9} {:>10} {:>17}",
            "mode",
            "loop Hz",
            "busy/tick off/on",
            "recording/tick",
            "% of busy",
            "% of period",
            "loop CPU % off/on"
        );
        for (name, t) in &r.timeline {
            let _ = writeln!(
                out,
                "{:<10} {:>8} {:>18} {:>13.2}µs {:>8.2}% {:>10.3}% {:>17}",
                name,
                t.loop_hz,
                format!(
                    "{:.1}/{:.1}µs",
                    t.busy_per_tick_us_off, t.busy_per_tick_us_on
                ),
                t.recording_us_per_tick,
                t.cost_percent_of_busy,
                t.cost_percent_of_period,
                format!("{:.2}/{:.2}", t.cpu_loop_percent_off, t.cpu_loop_percent_on)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nlateness: tick start − deadline. Polled: the loop must run at the mouse's rate and sees one report per tick;\nthreaded: read_mouse blocks on the mouse and the loop drains every report at its own rate."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_bench_fills_every_configuration() {
        let args = BenchArgs {
            seconds: 0.3,
            hz: 240,
            mouse_hz: 1000,
            ..BenchArgs::default()
        };
        let r = run(&args);
        // Counts and rates only: how late ticks were is for release benches.
        assert!(r.modes.polled.ticks > 0 && r.modes.threaded.ticks > 0);
        assert_eq!(r.modes.polled.loop_hz, 1000);
        assert_eq!(r.modes.threaded.loop_hz, 240);
        assert_eq!(r.pacers.len(), 4);
        // Polled reads exactly one sample per tick; threaded drains batches.
        assert_eq!(r.modes.polled.samples_per_tick_max, 1);
        assert_eq!(r.modes.threaded.dropped, 0);
        assert!(r.modes.threaded.mouse_samples > 0);
        let text = table(&r);
        assert!(text.contains("polled") && text.contains("busy-spin"));
        let json = serde_json::to_value(&r).unwrap_or_default();
        assert!(json["pacers"]["adaptive"]["lateness_us"]["p999"].is_number());
        assert!(json["modes"]["threaded"]["cpu_percent"].is_number());
    }

    #[test]
    fn the_timeline_is_measured_on_and_off_in_the_same_run() {
        let args = BenchArgs {
            seconds: 0.2,
            hz: 240,
            mouse_hz: 1000,
            timeline: true,
            ..BenchArgs::default()
        };
        let r = run(&args);
        assert_eq!(r.timeline.len(), 2);
        for (mode, t) in &r.timeline {
            assert!(t.busy_per_tick_us_off > 0.0, "{mode}");
            assert!(t.busy_per_tick_us_on > 0.0, "{mode}");
        }
        assert_eq!(r.timeline["threaded"].loop_hz, 240);
        // The pacers are still measured with the timeline off only.
        assert_eq!(r.pacers.len(), 4);
        assert!(table(&r).contains("TIMELINE"));
    }
}
