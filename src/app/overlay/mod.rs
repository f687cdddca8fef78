//! The overlay: one column per input mode that ran (the active one
//! highlighted, in the mode's colour from the mode table), the rate table
//! and the loop rate it implies, CPU per thread, messages and hotkeys.
//! The figures are the report's (core/report.rs computes them once for
//! both). Built with egui every displayed frame.

use egui::{Align2, Color32, CornerRadius, Frame, Margin, RichText, Stroke, Ui, vec2};

use crate::core::ai::LEVELS;
use crate::core::report::ModeReport;
use crate::core::stats::ModeStats;
use crate::shell::engine::EngineView;
use crate::shell::hotkeys;
use crate::shell::modes::ModeId;

mod charts;
mod rates;

use charts::{graph, histogram};
use rates::rate_table;

const DIM: Color32 = Color32::from_gray(150);
const BAD: Color32 = Color32::from_rgb(0xff, 0x55, 0x55);

/// Mode columns side by side; more wrap onto another row.
const COLUMNS_PER_ROW: usize = 3;

/// A mode's colour (defined once, in its file of the mode table).
fn mode_color(m: ModeId) -> Color32 {
    let [r, g, b, _] = m.spec().colour;
    Color32::from_rgb(r, g, b)
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
    let panel = egui::Panel::right("figures")
        .exact_size(PANEL_WIDTH)
        .resizable(false)
        .frame(frame)
        .show(ui, |ui| {
            // Both ways: content wider than the panel scrolls instead of
            // widening the panel past the window's edge.
            let shown = egui::ScrollArea::both().show(ui, |ui| figures(ui, input));
            // The panel's margins and the content: what must fit the window.
            super::fit::remember_content_height(ui.ctx(), shown.content_size.y + 24.0);
        });
    let arena = egui::CentralPanel::no_frame()
        .show(ui, |ui| ui.max_rect())
        .inner;
    // The arena (and the timeline under it) ends where the panel begins.
    let arena = super::fit::left_of(arena, panel.response.rect);
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
    ui.label(RichText::new(e.mode.spec().about).color(mode_color(e.mode)));
    if !e.mode_note.is_empty() {
        ui.label(RichText::new(e.mode_note).color(Color32::WHITE));
    }
    ui.add_space(6.0);
    // A column per mode that ran, and the active one.
    let shown: Vec<(ModeId, ModeReport)> = ModeId::all()
        .filter(|&m| m == e.mode || e.stats[m.index()].ticks > 0)
        .map(|m| (m, ModeReport::from_stats(&e.stats[m.index()])))
        .collect();
    for row in shown.chunks(COLUMNS_PER_ROW) {
        ui.columns(row.len().max(2), |cols| {
            for (col, (mode, report)) in cols.iter_mut().zip(row) {
                let s = &e.stats[mode.index()];
                mode_column(col, *mode, s, report, *mode == e.mode);
            }
        });
    }
    let active = shown
        .iter()
        .find(|(m, _)| *m == e.mode)
        .map(|(_, r)| r.clone())
        .unwrap_or_default();
    if shown.len() == 1 {
        ui.label(RichText::new("T: the next mode, side by side").color(DIM));
    }
    compute_line(ui, e);
    ui.add_space(6.0);
    rate_table(ui, e, &active);
    ui.add_space(6.0);
    threads(ui, input.threads, mode_color(e.mode));
    for m in e.messages {
        ui.label(RichText::new(m).color(BAD));
    }
    ui.add_space(4.0);
    // Wrapped at the panel's visible edge, not at the width of the widest
    // content (the scroll area's), so no key is cut off at the window's edge.
    let visible = (ui.clip_rect().right() - ui.cursor().left()).max(100.0);
    ui.scope(|ui| {
        ui.set_max_width(visible);
        ui.label(RichText::new(hotkeys::summary_line(input.lights)).color(DIM));
    });
}

fn mode_column(ui: &mut Ui, mode: ModeId, s: &ModeStats, r: &ModeReport, active: bool) {
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
        ui.label(RichText::new(title).size(18.0).strong().color(color));
        if r.ticks == 0 {
            ui.label(RichText::new("starting").color(DIM));
            return;
        }
        ui.label(format!(
            "loop {} Hz, ran {:.0} Hz",
            r.loop_hz, r.measured_hz
        ));
        graph(ui, s, color);
        histogram(ui, s, color);
        egui::Grid::new(("figures", mode.index()))
            .num_columns(2)
            .spacing(vec2(8.0, 1.0))
            .show(ui, |ui| {
                let late = &r.lateness_us;
                row(
                    ui,
                    "late p50/99/max",
                    format!("{}/{}/{}", us(late.p50), us(late.p99), us(late.max)),
                );
                let pe = &r.period_error_us;
                row(
                    ui,
                    "period err p50/99",
                    format!("{}/{}", us(pe.p50), us(pe.p99)),
                );
                row(ui, "missed ticks", r.missed_ticks.to_string());
                row(
                    ui,
                    "fps / 1% low",
                    format!("{:.0} / {:.0}", r.fps, r.one_percent_low_fps),
                );
                row(ui, "stutters", r.stutters.to_string());
                row(
                    ui,
                    "reports seen/made",
                    format!("{}/{}", r.reports_seen, r.reports_generated),
                );
                row(
                    ui,
                    "samples/tick",
                    format!("{:.2} (max {})", r.samples_per_tick, r.samples_per_tick_max),
                );
                let age = &r.input_age_us;
                row(
                    ui,
                    "input age p50/99",
                    format!("{}/{}", us(age.p50), us(age.p99)),
                );
                let waited = &r.oldest_age_us;
                row(
                    ui,
                    "oldest waited p99/max",
                    format!("{}/{}", us(waited.p99), us(waited.max)),
                );
                row(ui, "channel depth max", r.channel_depth_max.to_string());
                row(ui, "drops", r.dropped.to_string());
                row(ui, "CPU loop+reader", format!("{:.1}%", r.cpu_percent));
            });
    });
}

/// Microseconds, short and signed: "850µs", "-28.3ms", "1.52s".
fn us(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a < 1000.0 {
        format!("{sign}{a:.0}µs")
    } else if a < 1e6 {
        format!("{sign}{:.1}ms", a / 1e3)
    } else {
        format!("{sign}{:.2}s", a / 1e6)
    }
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

fn threads(ui: &mut Ui, threads: &[(String, f64)], reader: Color32) {
    ui.label(
        RichText::new("CPU per thread (from /proc/self/task)")
            .strong()
            .color(Color32::WHITE),
    );
    ui.horizontal_wrapped(|ui| {
        for (name, pct) in threads {
            let color = if name == crate::shell::reader::THREAD_NAME {
                reader
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
                for h in hotkeys::listed() {
                    ui.label(RichText::new(h.label).monospace().strong());
                    ui.label(hotkeys::plain(h.help));
                    ui.end_row();
                }
            });
        });
}
