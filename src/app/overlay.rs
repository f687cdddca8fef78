//! The overlay: one column per input mode side by side (the active one
//! highlighted), the rate table and the loop rate it implies, CPU per
//! thread, messages and hotkeys. Built with egui every displayed frame.

use std::time::Duration;

use egui::{
    Align2, Color32, CornerRadius, FontId, Frame, Margin, RichText, Sense, Stroke, StrokeKind, Ui,
    pos2, vec2,
};

use crate::core::ai::LEVELS;
use crate::core::input::{BLOCKING_WAIT, InputMode};
use crate::core::pacing::period_of;
use crate::core::schedule::Subsystem;
use crate::core::stats::ModeStats;
use crate::shell::engine::EngineView;

pub const POLLED: Color32 = Color32::from_rgb(0xff, 0x8a, 0x3d);
pub const THREADED: Color32 = Color32::from_rgb(0x3d, 0xd6, 0xff);
pub const BLOCKING: Color32 = Color32::from_rgb(0xd0, 0x6b, 0xff);
const DIM: Color32 = Color32::from_gray(150);
const BAD: Color32 = Color32::from_rgb(0xff, 0x55, 0x55);

fn mode_color(m: InputMode) -> Color32 {
    match m {
        InputMode::Polled => POLLED,
        InputMode::Threaded => THREADED,
        InputMode::Blocking => BLOCKING,
    }
}

/// What the overlay shows besides the engine's figures.
pub struct OverlayInput<'a> {
    pub engine: &'a EngineView<'a>,
    pub show_help: bool,
    pub lights: bool,
    pub muted: bool,
    pub audio: &'a str,
    pub gamepad: &'a str,
    pub threads: &'a [(String, f64)],
}

/// Width of the side panel in points (before the overlay scale).
pub const PANEL_WIDTH: f32 = 600.0;

/// Builds the overlay; returns the rectangle (points) left for the arena.
pub fn show(ui: &mut Ui, input: &OverlayInput<'_>) -> egui::Rect {
    // No panel fill: every filled pixel costs a software rasteriser time,
    // and the cleared background is dark already.
    let frame = Frame::new().inner_margin(Margin::same(10));
    egui::Panel::right("figures")
        .exact_size(PANEL_WIDTH)
        .resizable(false)
        .frame(frame)
        .show(ui, |ui| {
            let shown = egui::ScrollArea::vertical().show(ui, |ui| figures(ui, input));
            // The panel's margins and the content: what must fit the window.
            super::fit::remember_content_height(ui.ctx(), shown.content_size.y + 24.0);
        });
    let arena = egui::CentralPanel::no_frame()
        .show(ui, |ui| ui.max_rect())
        .inner;
    if input.show_help {
        help(ui.ctx());
    }
    arena
}

fn figures(ui: &mut Ui, input: &OverlayInput<'_>) {
    let e = input.engine;
    ui.horizontal(|ui| {
        ui.label(
            RichText::new("why-threads")
                .size(22.0)
                .strong()
                .color(Color32::WHITE),
        );
        ui.label(
            RichText::new(format!("  mode: {}", e.mode.name().to_uppercase()))
                .size(22.0)
                .strong()
                .color(mode_color(e.mode)),
        );
        if e.paused {
            ui.label(RichText::new("  PAUSED").size(22.0).color(BAD));
        }
    });
    ui.label(
        RichText::new(format!(
            "mouse: {}   pacer: {}   sound: {}{}   gamepad: {}",
            e.mouse_label,
            e.pacer.name(),
            input.audio,
            if input.muted { " (muted)" } else { "" },
            input.gamepad
        ))
        .color(DIM),
    );
    ui.add_space(6.0);
    ui.columns(2, |cols| {
        for (col, mode) in cols
            .iter_mut()
            .zip([InputMode::Polled, InputMode::Threaded])
        {
            mode_column(col, mode, &e.stats[mode.index()], mode == e.mode);
        }
    });
    let blocking = &e.stats[InputMode::Blocking.index()];
    if e.mode == InputMode::Blocking || blocking.ticks > 0 {
        blocking_box(ui, blocking, e.mode == InputMode::Blocking);
    }
    compute_line(ui, e);
    ui.add_space(6.0);
    rate_table(ui, e);
    ui.add_space(6.0);
    threads(ui, input.threads);
    for m in e.messages {
        ui.label(RichText::new(m).color(BAD));
    }
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "T mode · B blocking · I AI · K harder · J workers · V record · N lecture · R reset · O overlay · +/- size · L lights ({}) · PgUp/PgDn rate · M mute · P pause · H help · Esc quit",
            if input.lights { "on" } else { "off" }
        ))
        .color(DIM),
    );
}

fn mode_column(ui: &mut Ui, mode: InputMode, s: &ModeStats, active: bool) {
    let color = mode_color(mode);
    let frame = Frame::new()
        .stroke(Stroke::new(
            if active { 2.5 } else { 1.0 },
            if active {
                color
            } else {
                Color32::from_gray(60)
            },
        ))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(Margin::same(8));
    ui.set_max_width(ui.available_width());
    frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        let title = if active {
            format!("▶ {}", mode.name().to_uppercase())
        } else {
            mode.name().to_uppercase()
        };
        ui.label(RichText::new(title).size(20.0).strong().color(color));
        if s.ticks == 0 {
            ui.label(RichText::new("not run yet: press T").color(DIM));
            return;
        }
        ui.label(format!(
            "loop {} Hz, ran {:.0} Hz",
            s.loop_hz,
            s.measured_hz()
        ));
        graph(ui, s, color);
        histogram(ui, s, color);
        egui::Grid::new(("figures", mode.index()))
            .num_columns(2)
            .spacing(vec2(8.0, 1.0))
            .show(ui, |ui| {
                let late = &s.lateness;
                row(
                    ui,
                    "late p50/99/max",
                    format!(
                        "{}/{}/{}",
                        dur(late.percentile(0.5)),
                        dur(late.percentile(0.99)),
                        dur(late.max())
                    ),
                );
                let pe = &s.period_error;
                row(
                    ui,
                    "period err p50/99",
                    format!(
                        "{}/{}",
                        signed(pe.percentile(0.5)),
                        signed(pe.percentile(0.99))
                    ),
                );
                row(ui, "missed ticks", s.missed_ticks.to_string());
                row(
                    ui,
                    "fps / 1% low",
                    format!("{:.0} / {:.0}", s.fps(), s.one_percent_low_fps()),
                );
                row(ui, "stutters", s.stutters.to_string());
                row(
                    ui,
                    "reports seen/made",
                    format!("{}/{}", s.reports_seen, s.reports_generated),
                );
                row(
                    ui,
                    "samples/tick",
                    format!(
                        "{:.2} (max {})",
                        s.mean_samples_per_tick(),
                        s.samples_per_tick.max()
                    ),
                );
                row(
                    ui,
                    "input age p50/99",
                    format!(
                        "{}/{}",
                        dur(s.input_age.percentile(0.5)),
                        dur(s.input_age.percentile(0.99))
                    ),
                );
                row(ui, "channel depth max", s.channel_depth_max.to_string());
                row(ui, "drops", s.dropped.to_string());
                row(ui, "CPU loop+reader", format!("{:.1}%", s.cpu_percent()));
            });
    });
}

/// Nanoseconds, short: "850µs", "28.3ms", "1.52s".
fn dur(ns: u64) -> String {
    let us = ns as f64 / 1e3;
    if us < 1000.0 {
        format!("{us:.0}µs")
    } else if us < 1e6 {
        format!("{:.1}ms", us / 1e3)
    } else {
        format!("{:.2}s", us / 1e6)
    }
}

fn signed(ns: i64) -> String {
    if ns < 0 {
        format!("-{}", dur(ns.unsigned_abs()))
    } else {
        dur(ns as u64)
    }
}

/// The blocking-read trap, explained where it happens.
fn blocking_box(ui: &mut Ui, s: &ModeStats, active: bool) {
    let frame = Frame::new()
        .stroke(Stroke::new(if active { 2.5 } else { 1.0 }, BLOCKING))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(Margin::same(8));
    ui.add_space(4.0);
    frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(if active { "▶ BLOCKING (the trap)" } else { "BLOCKING (the trap)" }).size(18.0).strong().color(BLOCKING));
        if active {
            ui.label(format!(
                "The loop itself calls read_from_mouse() and waits for the next report (at most {} ms).                  While the mouse is still, nothing else runs: no drawing, no sound, no physics.                  B or T gets you out.",
                BLOCKING_WAIT.as_millis()
            ));
        }
        ui.label(
            RichText::new(format!(
                "ran {:.0} Hz · fps {:.0} · late p99 {} · reports {}/{}",
                s.measured_hz(),
                s.fps(),
                dur(s.lateness.percentile(0.99)),
                s.reports_seen,
                s.reports_generated
            ))
            .monospace(),
        );
    });
}

/// AI and video compression: on or off, inline or on workers.
fn compute_line(ui: &mut Ui, e: &EngineView<'_>) {
    let c = &e.compute;
    let place = if c.on_workers {
        "worker threads"
    } else {
        "inline in the loop"
    };
    let ai = if c.ai_on {
        let (_, cell) = LEVELS[c.ai_level];
        format!(
            "AI level {} ({} enemies, {cell} px grid)",
            c.ai_level, c.enemies
        )
    } else {
        "AI off".to_string()
    };
    let video = match (c.recording, c.last_recording) {
        (Some((dir, s)), _) => format!(
            "recording {} ({} frames, {} dropped)",
            dir.display(),
            s.written,
            s.dropped
        ),
        (None, Some((dir, s))) => format!("recorded {} frames to {}", s.written, dir.display()),
        (None, None) => "not recording".to_string(),
    };
    ui.label(RichText::new(format!("compute: {ai} · {video} · {place}")).color(Color32::WHITE));
}

fn row(ui: &mut Ui, name: &str, value: String) {
    ui.label(RichText::new(name).size(12.0).color(DIM));
    ui.label(
        RichText::new(value)
            .size(12.5)
            .monospace()
            .color(Color32::WHITE),
    );
    ui.end_row();
}

/// Frame times of the last frames, with the 60 fps line.
fn graph(ui: &mut Ui, s: &ModeStats, color: Color32) {
    let (response, painter) = ui.allocate_painter(vec2(ui.available_width(), 60.0), Sense::hover());
    let r = response.rect;
    painter.rect_filled(r, CornerRadius::same(2), Color32::from_gray(18));
    let top_ms = s.recent_frame_ms.iter().fold(33.3f32, f32::max).min(200.0);
    let y_of = |ms: f32| egui::remap_clamp(ms, 0.0..=top_ms, r.bottom()..=r.top());
    painter.hline(
        r.x_range(),
        y_of(16.7),
        Stroke::new(1.0, Color32::from_gray(70)),
    );
    let n = s.recent_frame_ms.len().max(2) as f32 - 1.0;
    let points: Vec<_> = s
        .recent_frame_ms
        .iter()
        .enumerate()
        .map(|(i, ms)| pos2(egui::lerp(r.left()..=r.right(), i as f32 / n), y_of(ms)))
        .collect();
    if points.len() >= 2 {
        painter.add(egui::Shape::line(points, Stroke::new(1.5, color)));
    }
    painter.text(
        r.left_top() + vec2(4.0, 2.0),
        Align2::LEFT_TOP,
        format!("frame time (ms), top {top_ms:.0}; line = 16.7"),
        FontId::proportional(11.0),
        DIM,
    );
}

/// Lateness of the last ticks in decades: <10 µs, <100 µs, <1 ms, <10 ms, more.
fn histogram(ui: &mut Ui, s: &ModeStats, color: Color32) {
    const EDGES: [f32; 4] = [10.0, 100.0, 1000.0, 10_000.0];
    const NAMES: [&str; 5] = ["<10µs", "<100µs", "<1ms", "<10ms", "more"];
    let mut bins = [0u32; 5];
    for us in s.recent_lateness_us.iter() {
        let i = EDGES.iter().position(|&e| us < e).unwrap_or(4);
        bins[i] += 1;
    }
    let (response, painter) = ui.allocate_painter(vec2(ui.available_width(), 54.0), Sense::hover());
    let r = response.rect;
    painter.rect_filled(r, CornerRadius::same(2), Color32::from_gray(18));
    let most = bins.iter().copied().max().unwrap_or(1).max(1) as f32;
    let w = r.width() / bins.len() as f32;
    for (i, (&count, name)) in bins.iter().zip(NAMES).enumerate() {
        let x0 = r.left() + i as f32 * w;
        let bar_h = (r.height() - 14.0) * count as f32 / most;
        let bar = egui::Rect::from_min_max(
            pos2(x0 + 3.0, r.bottom() - 14.0 - bar_h),
            pos2(x0 + w - 3.0, r.bottom() - 14.0),
        );
        painter.rect_filled(bar, CornerRadius::ZERO, if i >= 3 { BAD } else { color });
        painter.text(
            pos2(x0 + w / 2.0, r.bottom() - 1.0),
            Align2::CENTER_BOTTOM,
            name,
            FontId::proportional(10.0),
            DIM,
        );
    }
    painter.rect_stroke(
        r,
        CornerRadius::same(2),
        Stroke::new(1.0, Color32::from_gray(50)),
        StrokeKind::Inside,
    );
}

/// The rate table: each subsystem's rate, where it runs, its work time,
/// and whether it overran the loop period.
fn rate_table(ui: &mut Ui, e: &EngineView<'_>) {
    let rates = e.schedule.rates();
    let hz = e.schedule.loop_hz();
    let period = period_of(hz);
    let setter = rates.pace_setter(e.mode);
    ui.label(
        RichText::new(format!(
            "loop rate = highest rate in the loop = {hz} Hz ({}), period {:.2} ms",
            setter.name(),
            period.as_secs_f64() * 1e3
        ))
        .strong()
        .color(Color32::WHITE),
    );
    let s = &e.stats[e.mode.index()];
    egui::Grid::new("rates")
        .num_columns(5)
        .striped(true)
        .spacing(vec2(14.0, 1.0))
        .show(ui, |ui| {
            for h in ["subsystem", "Hz", "runs in", "work p99", "worst"] {
                ui.label(RichText::new(h).color(DIM));
            }
            ui.end_row();
            for sub in Subsystem::ALL {
                let in_loop = rates.in_loop(sub, e.mode);
                let name_color = if sub == setter {
                    mode_color(e.mode)
                } else {
                    Color32::WHITE
                };
                ui.label(RichText::new(sub.slide_line()).color(name_color));
                ui.label(RichText::new(rates.hz(sub).to_string()).monospace());
                ui.label(runs_in(
                    sub,
                    rates.is_on(sub),
                    in_loop,
                    e.compute.on_workers,
                ));
                let work = &s.work[sub.index()];
                let p99 = Duration::from_nanos(work.percentile(0.99));
                let max = Duration::from_nanos(work.max());
                ui.label(RichText::new(format!("{:.0} µs", p99.as_secs_f64() * 1e6)).monospace());
                if max > period {
                    ui.label(
                        RichText::new(format!(
                            "overran by {:.1} ms",
                            (max - period).as_secs_f64() * 1e3
                        ))
                        .monospace()
                        .color(BAD),
                    );
                } else {
                    ui.label(
                        RichText::new(format!("{:.0} µs", max.as_secs_f64() * 1e6)).monospace(),
                    );
                }
                ui.end_row();
            }
        });
}

/// Where a subsystem's work happens, for the rate table's "runs in".
fn runs_in(sub: Subsystem, on: bool, in_loop: bool, on_workers: bool) -> &'static str {
    match sub {
        _ if !on => "off",
        Subsystem::Mouse if !in_loop => "read_mouse thread",
        Subsystem::Ai if on_workers => "ai thread",
        Subsystem::Video if on_workers => "video thread",
        _ => "loop",
    }
}

fn threads(ui: &mut Ui, threads: &[(String, f64)]) {
    ui.label(
        RichText::new("CPU per thread (from /proc/self/task)")
            .strong()
            .color(Color32::WHITE),
    );
    ui.horizontal_wrapped(|ui| {
        for (name, pct) in threads {
            let color = if name == crate::shell::reader::THREAD_NAME {
                THREADED
            } else {
                Color32::WHITE
            };
            ui.label(
                RichText::new(format!("{name} {pct:.1}%"))
                    .monospace()
                    .color(color),
            );
            ui.add_space(8.0);
        }
    });
}

fn help(ctx: &egui::Context) {
    egui::Window::new("Hotkeys")
        .anchor(Align2::LEFT_TOP, vec2(16.0, 16.0))
        .resizable(false)
        .collapsible(false)
        .show(ctx, |ui| {
            egui::Grid::new("help").num_columns(2).show(ui, |ui| {
                for (k, what) in HOTKEYS {
                    ui.label(RichText::new(*k).monospace().strong());
                    ui.label(*what);
                    ui.end_row();
                }
            });
        });
}

/// Every hotkey, as the help window and the README list them.
pub const HOTKEYS: &[(&str, &str)] = &[
    ("T", "toggle polled / threaded (starts or joins read_mouse)"),
    ("B", "the blocking-read trap: the loop waits for the mouse"),
    ("I", "enemies (AI) on / off"),
    ("K", "harder AI: more enemies, a finer grid"),
    ("J", "AI and video: inline in the loop / on worker threads"),
    ("V", "record every frame (PNG files in recordings/)"),
    (
        "N or Space",
        "lecture mode: the loop grows one slide at a time",
    ),
    ("R", "reset the statistics"),
    ("O", "overlay on / off"),
    ("+ / -", "overlay bigger / smaller (for projectors)"),
    ("L", "lights shader on / off"),
    (
        "PgUp / PgDn",
        "base rate (keyboard, gamepad, physics) up / down",
    ),
    ("M", "mute / unmute"),
    ("P", "pause the game"),
    ("H or F1", "this help"),
    ("Esc", "quit (the report is written)"),
    ("Arrows / WASD", "move the puck; the mouse pulls it too"),
    ("mouse button", "dash"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_in_names_the_thread_that_does_the_work() {
        assert_eq!(
            runs_in(Subsystem::Mouse, true, false, false),
            "read_mouse thread"
        );
        assert_eq!(runs_in(Subsystem::Mouse, true, true, true), "loop");
        assert_eq!(runs_in(Subsystem::Ai, false, false, true), "off");
        assert_eq!(runs_in(Subsystem::Ai, true, true, false), "loop");
        assert_eq!(runs_in(Subsystem::Ai, true, true, true), "ai thread");
        assert_eq!(runs_in(Subsystem::Video, true, true, true), "video thread");
        assert_eq!(runs_in(Subsystem::Lights, false, false, false), "off");
    }
}
