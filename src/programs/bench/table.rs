//! The benchmark's readable table.

use std::fmt::Write as _;

use super::BenchReport;
use crate::shell::modes::ModeId;
use crate::shell::pacer::PacerKind;

/// From the mouse to the screen, per mode: the newest report of each
/// frame, made → present returned, and its legs (p50/p99). Headless, the
/// "display" draws into memory: the last leg is that drawing.
fn latency_section(out: &mut String, r: &BenchReport) {
    let _ = writeln!(
        out,
        "\nFROM THE MOUSE TO THE SCREEN (reports arriving, used per displayed frame, frame time; then the newest report of each frame, made → present returned, and its legs at p50/p99 in µs)"
    );
    let _ = writeln!(
        out,
        "{:<14} {:>9} {:>9} {:>9} {:>7} {:>17} {:>12} {:>11} {:>11} {:>11} {:>11} {:>11}",
        "mode",
        "reports/s",
        "per frame",
        "frame p99",
        "frames",
        "to present p50/99",
        "oldest p99",
        "→read",
        "→consumed",
        "→simul.",
        "→submit",
        "→present"
    );
    let ran = ModeId::all().filter_map(|m| r.modes.get(m.name()).map(|report| (m.name(), report)));
    for (name, m) in ran {
        let legs = m
            .latency_stages_us
            .map(|s| format!("{:.0}/{:.0}", s.p50, s.p99));
        let _ = writeln!(
            out,
            "{:<14} {:>9} {:>9} {:>9} {:>7} {:>17} {:>12} {:>11} {:>11} {:>11} {:>11} {:>11}",
            name,
            format!("{:.0}", m.reports_generated as f64 / m.seconds.max(1e-9)),
            format!("{:.1}", m.reports_seen as f64 / m.frames.max(1) as f64),
            format!("{:.1}ms", m.frame_time_ms.p99),
            m.latency_frames,
            format!(
                "{:.1}/{:.1} ms",
                m.input_to_present_us.p50 / 1e3,
                m.input_to_present_us.p99 / 1e3
            ),
            format!("{:.1} ms", m.oldest_input_to_present_us.p99 / 1e3),
            legs[0],
            legs[1],
            legs[2],
            legs[3],
            legs[4],
        );
    }
}

/// The readable table.
pub fn table(r: &BenchReport) -> String {
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
        "{:<14} {:>8} {:>8} {:>9} {:>9} {:>9} {:>7} {:>6} {:>6} {:>16} {:>9} {:>10} {:>6} {:>6}",
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
    let ran = ModeId::all().filter_map(|m| r.modes.get(m.name()).map(|report| (m.name(), report)));
    for (name, m) in ran {
        let _ = writeln!(
            out,
            "{:<14} {:>8} {:>8} {:>7.1}µs {:>7.1}µs {:>7.0}µs {:>7} {:>6.1} {:>6} {:>16} {:>9.2} {:>10} {:>6} {:>6.1}",
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
    latency_section(&mut out, r);
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
    if !r.late_latch.is_empty() {
        let _ = writeln!(
            out,
            "\nLATE LATCHING (each mode on against off in the same run: newest report made → present returned)"
        );
        let _ = writeln!(
            out,
            "{:<14} {:>18} {:>18} {:>9} {:>16} {:>9} {:>14}",
            "mode",
            "off p50/p99",
            "on p50/p99",
            "saved p50",
            "latch p50/p99",
            "reports",
            "loop CPU off/on"
        );
        let ran = ModeId::all().filter_map(|m| r.late_latch.get(m.name()).map(|l| (m.name(), l)));
        for (name, l) in ran {
            let (off, on) = (&l.to_present_us_off, &l.to_present_us_on);
            let _ = writeln!(
                out,
                "{:<14} {:>18} {:>18} {:>9} {:>16} {:>9} {:>14}",
                name,
                format!("{:.2}/{:.2} ms", off.p50 / 1e3, off.p99 / 1e3),
                format!("{:.2}/{:.2} ms", on.p50 / 1e3, on.p99 / 1e3),
                format!("{:.2} ms", (off.p50 - on.p50) / 1e3),
                format!("{:.1}/{:.1} µs", l.latch_us.p50, l.latch_us.p99),
                l.latched_reports,
                format!(
                    "{:.1}/{:.1} %",
                    l.loop_cpu_percent_off, l.loop_cpu_percent_on
                ),
            );
        }
    }
    let t = &r.timer;
    let _ = writeln!(
        out,
        "timer: a {:.0} ms sleep woke {:.0} µs late at p50, {:.0} µs at p99, {:.0} µs at most ({} sleeps beside the rounds): every sleeping pacer's tail follows it",
        t.sleep_ms, t.overshoot_us.p50, t.overshoot_us.p99, t.overshoot_us.max, t.sleeps
    );
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
    super::timeline_cost::section(&mut out, &r.timeline, r.timeline_calls);
    let _ = writeln!(out, "\nlateness: tick start − deadline. Modes:");
    for m in ModeId::all() {
        let _ = writeln!(out, "  {:<14} {}", m.name(), m.spec().about);
    }
    if s.stopped_early {
        let _ = writeln!(
            out,
            "(stopped early after {} rounds: the figures cover what ran)",
            s.rounds
        );
    }
    out
}
