//! `why-threads bench`: the game's loop with no window, measured.
//!
//! Every configuration (each input mode of the mode table with the
//! project's pacer, then each other pacer in threaded mode) runs in short
//! slices taken in turn, round after round, so a noisy neighbour on a
//! shared machine hits them all alike; the figures are compared side by
//! side within the one run. Display ticks draw a real frame into a byte
//! buffer; the mouse is the synthetic one. Ctrl-C (or SIGTERM) ends it
//! early with what was measured so far; SIGUSR1 moves the running slice
//! to the next mode.

pub mod args;
mod headless;
mod table;
mod timeline_cost;

use std::io::{IsTerminal, Write};
use std::time::Duration;

pub use self::headless::Headless;
pub use self::table::table;
pub(crate) use self::timeline_cost::{RecorderCalls, TimelineCost};

use serde::Serialize;

use crate::core::arena::{HEIGHT, WIDTH};
use crate::core::report::{ModeReport, Modes, Percentiles};
use crate::core::stats::{Histogram, ModeStats};
use crate::shell::clock::Clock;
use crate::shell::engine::{Engine, EngineConfig};
use crate::shell::modes::ModeId;
use crate::shell::mouse::SyntheticMouse;
use crate::shell::pacer::{PacerKind, WAKE_PROBE, sleep_overshoot};
use args::{BenchArgs, Job};

/// One configuration measured.
struct Config {
    mode: ModeId,
    pacer: PacerKind,
    /// The compute job, and whether it runs on a worker thread.
    job: Option<(Job, bool)>,
    /// Is the thread timeline recording?
    timeline: bool,
    /// Is late latching on?
    late_latch: bool,
    stats: Vec<ModeStats>,
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

/// Late latching against it off, in one mode: the way from the mouse to
/// the screen both ways, and what each latch cost the loop.
#[derive(Clone, Debug, Serialize)]
pub struct LatchReport {
    pub to_present_us_off: Percentiles,
    pub to_present_us_on: Percentiles,
    pub latch_us: Percentiles,
    pub latched_reports: u64,
    pub loop_cpu_percent_off: f64,
    pub loop_cpu_percent_on: f64,
}

/// Each configuration that `on` picks (a mode with the project's pacer,
/// no job, and one thing switched on), with the same mode's plain row
/// (nothing switched on): `(off, on)`.
fn beside(
    configs: &[Config],
    on: impl Fn(&Config) -> bool,
) -> impl Iterator<Item = (&Config, &Config)> {
    let plain = |c: &Config| c.pacer == PacerKind::Adaptive && c.job.is_none();
    configs
        .iter()
        .filter(move |c| plain(c) && on(c))
        .filter_map(move |with| {
            let off = configs
                .iter()
                .find(|c| plain(c) && !c.timeline && !c.late_latch && c.mode == with.mode)?;
            Some((off, with))
        })
}

/// Each mode measured with late latching, beside the same mode without.
fn latch_costs(configs: &[Config]) -> std::collections::BTreeMap<&'static str, LatchReport> {
    beside(configs, |c| c.late_latch)
        .map(|(off, on)| {
            let (off, on_r) = (
                ModeReport::from_stats(off.stats()),
                ModeReport::from_stats(on.stats()),
            );
            let report = LatchReport {
                to_present_us_off: off.input_to_present_us,
                to_present_us_on: on_r.input_to_present_us,
                latch_us: on_r.latch_us,
                latched_reports: on_r.latched_reports,
                loop_cpu_percent_off: off.cpu_loop_percent,
                loop_cpu_percent_on: on_r.cpu_loop_percent,
            };
            (on.mode.name(), report)
        })
        .collect()
}

/// This machine's timer: how late a 1 ms sleep wakes (interleaved with
/// the rounds, so it saw the same load).
#[derive(Clone, Debug, Serialize)]
pub struct TimerReport {
    pub sleep_ms: f64,
    pub sleeps: u64,
    pub overshoot_us: Percentiles,
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
    /// Ctrl-C or SIGTERM ended the run before its last round.
    pub stopped_early: bool,
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
    /// With `--timeline`: each mode with the thread timeline recording
    /// against the same mode without it.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub timeline: std::collections::BTreeMap<&'static str, TimelineCost>,
    /// With `--timeline`: the recorder's calls alone, per tick.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline_calls: Option<RecorderCalls>,
    /// With `--late-latch`: each mode with late latching on against it off.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub late_latch: std::collections::BTreeMap<&'static str, LatchReport>,
    pub timer: TimerReport,
    pub settings: BenchSettings,
}

/// Slices shorter than this would be mostly switching.
const SLICE: f64 = 0.5;

/// The modes `args` asks for, in table order (every mode by default).
fn chosen_modes(args: &BenchArgs) -> Vec<ModeId> {
    match &args.modes {
        None => ModeId::all().collect(),
        Some(names) => {
            for name in names.iter().filter(|n| ModeId::parse(n).is_none()) {
                log::warn!(
                    "bench: no input mode called '{name}' (modes: {})",
                    ModeId::choices()
                );
            }
            ModeId::all()
                .filter(|m| names.iter().any(|n| n == m.name()))
                .collect()
        }
    }
}

/// Runs the benchmark and returns its report; progress goes to stderr.
pub fn run(args: &BenchArgs) -> BenchReport {
    let clock = Clock::new();
    let device = SyntheticMouse::new(clock, args.mouse_hz, WIDTH as f32, HEIGHT as f32);
    let mut engine = Engine::new(
        EngineConfig {
            physics_hz: args.hz,
            mouse_hz: args.mouse_hz,
            mode: ModeId::default(),
            pacer: PacerKind::Adaptive,
            device: Some(Box::new(device)),
            reader_stack: None,
            signals: true,
        },
        clock,
    );
    engine.set_load(Duration::from_micros(u64::from(args.load_us)));
    let record_base =
        std::env::temp_dir().join(format!("why-threads-bench-{}", std::process::id()));
    engine.set_record_base(record_base.clone());
    let threaded = ModeId::parse("threaded").unwrap_or_default();
    let mut plan: Vec<_> = chosen_modes(args)
        .into_iter()
        .map(|mode| (mode, PacerKind::Adaptive, None, false, false))
        .collect();
    for pacer in [
        PacerKind::StdSleep,
        PacerKind::SpinSleep,
        PacerKind::BusySpin,
    ] {
        plan.push((threaded, pacer, None, false, false));
    }
    if let Some(job) = args.job {
        plan.push((
            threaded,
            PacerKind::Adaptive,
            Some((job, false)),
            false,
            false,
        ));
        plan.push((
            threaded,
            PacerKind::Adaptive,
            Some((job, true)),
            false,
            false,
        ));
    }
    if args.timeline {
        for mode in chosen_modes(args) {
            plan.push((mode, PacerKind::Adaptive, None, true, false));
        }
    }
    if args.late_latch {
        for mode in chosen_modes(args) {
            plan.push((mode, PacerKind::Adaptive, None, false, true));
        }
    }
    let mut configs: Vec<Config> = plan
        .into_iter()
        .map(|(mode, pacer, job, timeline, late_latch)| Config {
            mode,
            pacer,
            job,
            timeline,
            late_latch,
            stats: crate::shell::engine::new_stats(),
        })
        .collect();

    let rounds = (args.seconds / SLICE).ceil().max(1.0) as u32;
    let slice = Duration::from_secs_f64(args.seconds / f64::from(rounds));
    let mut frontend = Headless::new();
    let tty = std::io::stderr().is_terminal();
    let mut done = 0;
    // Sleeps measured per round: ~0.1 s beside each round's configurations.
    const WAKE_PROBES: u32 = 100;
    let mut overshoot = Histogram::new();
    'rounds: for round in 0..rounds {
        sleep_overshoot(&clock, WAKE_PROBES, &mut overshoot);
        for config in &mut configs {
            engine.set_pacer(config.pacer);
            engine.timeline_mut().set_on(config.timeline);
            engine.set_late_latch(config.late_latch);
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
            if engine.quit_requested() {
                break 'rounds;
            }
        }
        done = round + 1;
        progress(tty, done, rounds, slice * done * configs.len() as u32);
    }
    let stopped_early = engine.quit_requested();
    engine.finish();
    let _ = std::fs::remove_dir_all(&record_base);
    if tty {
        // (A closed stderr is no reason to stop: `let _`, not `eprintln!`.)
        let _ = writeln!(std::io::stderr());
    }
    if stopped_early {
        log::warn!("bench: stopped after {done} of {rounds} rounds; the figures cover what ran");
    }
    // Late latching is measured beside its own mode only.
    let late_latch = latch_costs(&configs);
    configs.retain(|c| !c.late_latch);
    let is_plain_threaded = |c: &Config| {
        c.job.is_none() && c.mode == threaded && c.pacer == PacerKind::Adaptive && !c.timeline
    };
    let loads = configs
        .iter()
        .filter(|c| c.job.is_some() || is_plain_threaded(c))
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

    let pacers = configs
        .iter()
        .filter(|c| c.job.is_none() && c.mode == threaded && !c.timeline)
        .map(|c| {
            let r = ModeReport::from_stats(c.stats());
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
    // Each mode's row: its configuration with the project's pacer, no job.
    let modes = Modes::from_stats(
        configs
            .iter()
            .filter(|c| c.job.is_none() && c.pacer == PacerKind::Adaptive && !c.timeline)
            .map(|c| (c.mode.name(), c.stats())),
    );
    BenchReport {
        modes,
        pacers,
        loads,
        timeline: timeline_cost::costs(&configs),
        late_latch,
        timeline_calls: args.timeline.then(timeline_cost::recorder_calls),
        timer: TimerReport {
            sleep_ms: WAKE_PROBE.as_secs_f64() * 1e3,
            sleeps: overshoot.count(),
            overshoot_us: Percentiles::of(&overshoot, 1e3),
        },
        settings: BenchSettings {
            seconds_per_config: args.seconds,
            hz: args.hz,
            mouse_hz: args.mouse_hz,
            load_us: args.load_us,
            rounds: done,
            job: args.job.map(Job::name),
            pacer_for_modes: PacerKind::Adaptive.name(),
            mode_for_pacers: threaded.name(),
            stopped_early,
        },
    }
}

fn progress(tty: bool, round: u32, rounds: u32, elapsed: Duration) {
    let line = format!(
        "bench: round {round}/{rounds} ({:.1} s measured)",
        elapsed.as_secs_f64()
    );
    if tty {
        // One line rewritten in place: a terminal's progress bar, not a log.
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}").and_then(|()| err.flush());
    } else if round == rounds || round.is_multiple_of(5) {
        log::info!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_bench_fills_every_configuration() {
        // The benchmark hooks signals: no other test may raise one meanwhile.
        let _only = crate::sys::signals::EXCLUSIVE
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let args = BenchArgs {
            seconds: 0.3,
            hz: 240,
            mouse_hz: 1000,
            ..BenchArgs::default()
        };
        let r = run(&args);
        // Counts and rates only: how late ticks were is for release benches.
        let mode = |name: &str| r.modes.get(name).cloned().unwrap_or_default();
        let (polled, threaded) = (mode("polled"), mode("threaded"));
        assert!(polled.ticks > 0 && threaded.ticks > 0);
        assert_eq!(polled.loop_hz, 1000);
        assert_eq!(threaded.loop_hz, 240);
        assert_eq!(r.pacers.len(), 4);
        // Polled reads exactly one sample per tick; threaded drains batches.
        assert_eq!(polled.samples_per_tick_max, 1);
        assert_eq!(threaded.dropped, 0);
        assert!(threaded.mouse_samples > 0);
        // Every mode of the table ran, and none saw a report made while
        // another mode ran.
        for m in ModeId::all() {
            let report = mode(m.name());
            assert!(report.ticks > 0, "{} did not run", m.name());
            assert!(
                report.reports_seen <= report.reports_generated,
                "{}: seen {} > generated {}",
                m.name(),
                report.reports_seen,
                report.reports_generated
            );
        }
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
            modes: Some(vec!["polled".into(), "threaded".into()]),
            ..BenchArgs::default()
        };
        let r = run(&args);
        assert_eq!(r.timeline.len(), 2);
        for (mode, t) in &r.timeline {
            assert!(t.busy_per_tick_us_off > 0.0, "{mode}");
            assert!(t.busy_per_tick_us_on > 0.0, "{mode}");
        }
        assert_eq!(r.timeline["threaded"].loop_hz, 240);
        // Pacers and modes are measured with the timeline off only.
        assert_eq!(r.pacers.len(), 4);
        assert_eq!(r.modes.get("threaded").map(|m| m.loop_hz), Some(240));
        assert!(table(&r).contains("TIMELINE"));
    }

    #[test]
    fn modes_can_be_chosen_by_name() {
        let args = BenchArgs {
            modes: Some(vec!["threaded".into(), "no-such-mode".into()]),
            ..BenchArgs::default()
        };
        let chosen: Vec<_> = chosen_modes(&args).into_iter().map(ModeId::name).collect();
        assert_eq!(chosen, vec!["threaded"]);
        assert_eq!(chosen_modes(&BenchArgs::default()).len(), ModeId::COUNT);
    }
}
