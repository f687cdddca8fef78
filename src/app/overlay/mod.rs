//! The overlay: the active mode's card and a comparison table with a
//! column per input mode that ran (the active one highlighted, in the
//! mode's colour from the mode table: `modes.rs`), the rate table
//! and the loop rate it implies, CPU per thread, messages and hotkeys.
//! The figures are the report's (core/report.rs computes them once for
//! both). Built with egui every displayed frame.

use egui::{Align2, Color32, Frame, Margin, RichText, Ui, vec2};

use crate::core::ai::LEVELS;
use crate::core::report::ModeReport;
use crate::shell::engine::EngineView;
use crate::shell::hotkeys;
use crate::shell::modes::ModeId;

mod charts;
mod modes;
mod rates;

use rates::rate_table;

const DIM: Color32 = Color32::from_gray(150);
const BAD: Color32 = Color32::from_rgb(0xff, 0x55, 0x55);

/// A mode's colour (defined once, in its file of the mode table).
fn mode_color(m: ModeId) -> Color32 {
    let [r, g, b, _] = m.spec().colour;
    Color32::from_rgb(r, g, b)
}

/// What the overlay shows besides the engine's figures.
pub(crate) struct OverlayInput<'a> {
    pub engine: &'a EngineView<'a>,
    pub show_help: bool,
    pub lights: bool,
    pub muted: bool,
    pub audio: &'a str,
    pub gamepad: &'a str,
    pub threads: &'a [(String, f64)],
}

/// Width of the side panel in points (before the overlay scale).
pub(crate) const PANEL_WIDTH: f32 = 600.0;

/// Builds the overlay; returns the rectangle (points) left for the arena.
pub(crate) fn show(ui: &mut Ui, input: &OverlayInput<'_>) -> egui::Rect {
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
    // Every mode that ran, and the active one (even before its first tick).
    let shown: Vec<(ModeId, ModeReport)> = ModeId::all()
        .filter(|&m| m == e.mode || e.stats[m.index()].ticks > 0)
        .map(|m| (m, ModeReport::from_stats(&e.stats[m.index()])))
        .collect();
    let active = shown
        .iter()
        .find(|(m, _)| *m == e.mode)
        .map(|(_, r)| r.clone())
        .unwrap_or_default();
    modes::active_card(ui, e.mode, &e.stats[e.mode.index()], &active, e.late_latch);
    ui.add_space(4.0);
    modes::comparison(ui, &shown, e.mode);
    modes::latency_bars(ui, &shown);
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

fn threads(ui: &mut Ui, threads: &[(String, f64)], reader: Color32) {
    ui.label(
        RichText::new(format!(
            "CPU per thread (from {})",
            crate::sys::thread::THREADS_FROM
        ))
        .strong()
        .color(Color32::WHITE),
    );
    ui.horizontal_wrapped(|ui| {
        for (name, pct) in threads {
            let color = if name == crate::shell::modes::THREAD_NAME {
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
