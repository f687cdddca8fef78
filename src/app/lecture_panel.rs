//! Lecture mode's panel: the slide's words, and beside them what proves
//! them. First act: the loop's pseudo-code growing one line per step.
//! Second act: the step's own code and a figure measured live in the modes
//! it compares; a "predict" step shows the question and hides the figure
//! until the next key press.

use egui::{Color32, CornerRadius, Frame, Margin, Rect, RichText, Stroke, Ui, pos2};

use crate::core::lecture::{self, Figure, Step};
use crate::core::schedule::Subsystem;
use crate::core::stats::ModeStats;
use crate::shell::engine::EngineView;
use crate::shell::modes::ModeId;

const GOLD: Color32 = Color32::from_rgb(0xff, 0xd8, 0x4d);
const DIM: Color32 = Color32::from_gray(150);

/// In lecture mode, the panel across the top of `area` (above the arena,
/// where a class reads it best); returns what is left below it.
pub(crate) fn show(ctx: &egui::Context, area: Rect, e: &EngineView<'_>) -> Rect {
    let Some(step) = e.lecture else {
        return area;
    };
    let shown = egui::Area::new(egui::Id::new("lecture"))
        .fixed_pos(area.min)
        .order(egui::Order::Middle)
        .show(ctx, |ui| {
            ui.set_width(area.width());
            ui.set_max_width(area.width());
            Frame::new()
                .fill(Color32::from_rgb(12, 12, 16))
                .show(ui, |ui| {
                    panel(ui, step, |name| {
                        ModeId::parse(name).and_then(|m| e.stats.get(m.index()))
                    })
                });
        });
    let bottom = (shown.response.rect.bottom() + 4.0).min(area.bottom());
    Rect::from_min_max(pos2(area.left(), bottom), area.max)
}

/// The panel for lecture step `step`; `stats_of` finds a mode's figures
/// by its name in the mode table (`None`: this build has no such mode).
pub(crate) fn panel<'a>(
    ui: &mut Ui,
    step: usize,
    stats_of: impl Fn(&str) -> Option<&'a ModeStats>,
) {
    let Some(s) = lecture::STEPS.get(step).copied() else {
        return;
    };
    Frame::new()
        .stroke(Stroke::new(2.0, GOLD))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(Margin::same(8))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            let text = match s.ask {
                Some(q) => format!(
                    "Lecture {}/{}: predict. {q}",
                    step + 1,
                    lecture::STEPS.len()
                ),
                None => format!(
                    "Lecture {}/{}: {}",
                    step + 1,
                    lecture::STEPS.len(),
                    s.caption
                ),
            };
            ui.label(RichText::new(text).size(17.0).strong().color(GOLD));
            if !s.source.is_empty() {
                ui.label(
                    RichText::new(format!("({})", s.source))
                        .italics()
                        .color(DIM),
                );
            }
            if step < lecture::FIRST_ACT {
                first_act_code(ui, step, &s);
            } else {
                for l in s.code {
                    code_line(ui, l, true, false);
                }
                figure(ui, &s, &stats_of);
            }
            let next = if step + 1 == lecture::STEPS.len() {
                "N: end the lecture"
            } else if s.ask.is_some() {
                "N: show the measured answer"
            } else {
                "N: next step"
            };
            ui.label(RichText::new(next).color(DIM));
        });
}

fn code_line(ui: &mut Ui, text: &str, on: bool, new: bool) {
    let color = if new {
        GOLD
    } else if on {
        Color32::WHITE
    } else {
        Color32::from_gray(70)
    };
    ui.label(RichText::new(text).monospace().size(13.0).color(color));
}

/// The slide's loop with the lines switched on so far.
fn first_act_code(ui: &mut Ui, step: usize, s: &Step) {
    let threaded = s.mode == "threaded";
    code_line(ui, "while (1) {", true, false);
    code_line(ui, "    sync_to_highest_frequency();", true, false);
    for sub in Subsystem::ALL {
        let on = lecture::is_on(step, sub);
        let new = s.adds.contains(&sub);
        if sub == Subsystem::Mouse && threaded {
            code_line(
                ui,
                "    /* read_mouse(): in its own thread now */",
                true,
                true,
            );
        } else {
            code_line(ui, &format!("    {}", lecture::code_line(sub)), on, new);
        }
    }
    code_line(ui, "}", true, false);
    if threaded {
        code_line(
            ui,
            "pthread_create(&tid, NULL, read_mouse, NULL);",
            true,
            true,
        );
    }
}

/// The figure, measured: one line per mode it compares ("?" while the
/// class predicts).
fn figure<'a>(ui: &mut Ui, s: &Step, stats_of: &impl Fn(&str) -> Option<&'a ModeStats>) {
    ui.add_space(4.0);
    for &mode in s.figure.modes() {
        let value = match (s.ask, stats_of(mode)) {
            (Some(_), _) => "?".to_string(),
            (None, None) => "not in this build".to_string(),
            (None, Some(st)) if st.ticks == 0 => "not run yet".to_string(),
            (None, Some(st)) => measured(s.figure, st),
        };
        ui.label(
            RichText::new(format!("{mode:>14}: {value}"))
                .monospace()
                .size(16.0)
                .color(Color32::WHITE),
        );
    }
}

/// One mode's answer to a figure, in words a class reads from the back row.
pub(crate) fn measured(figure: Figure, s: &ModeStats) -> String {
    let seen = if s.reports_generated > 0 {
        100.0 * s.reports_seen as f64 / s.reports_generated as f64
    } else {
        0.0
    };
    match figure {
        Figure::Code => String::new(),
        Figure::SamplesPerTick => format!(
            "{:.1} reports per tick, saw {seen:.1}% of the reports",
            s.mean_samples_per_tick()
        ),
        Figure::InputAge => format!(
            "input age p50 {}, p99 {}",
            ms(s.input_age.percentile(0.5)),
            ms(s.input_age.percentile(0.99))
        ),
        Figure::MissedTicks => format!("{} missed ticks, {:.0} fps", s.missed_ticks, s.fps()),
        Figure::Duality => format!(
            "saw {seen:.1}% of the reports, age p99 {}, CPU {:.1}%",
            ms(s.input_age.percentile(0.99)),
            s.cpu_percent()
        ),
        Figure::ToScreen => format!(
            "to screen p50 {}, p99 {} ({} frames with new input)",
            ms(s.latency.whole.percentile(0.5)),
            ms(s.latency.whole.percentile(0.99)),
            s.latency.frames()
        ),
        Figure::LateLatch => format!(
            "to screen p50 {}, p99 {}; latched {} reports, {} µs each (p99)",
            ms(s.latency.whole.percentile(0.5)),
            ms(s.latency.whole.percentile(0.99)),
            s.latched,
            s.latch_work.percentile(0.99) / 1000
        ),
    }
}

fn ms(ns: u64) -> String {
    format!("{:.1} ms", ns as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn answers_read_as_words() {
        let mut s = ModeStats::default();
        s.on_mouse_read(
            Duration::from_millis(20),
            16,
            (15, Duration::from_millis(18)),
            Duration::from_millis(3),
        );
        s.reports_seen = 999;
        s.reports_generated = 1000;
        s.missed_ticks = 42;
        assert_eq!(
            measured(Figure::SamplesPerTick, &s),
            "16.0 reports per tick, saw 99.9% of the reports"
        );
        assert!(measured(Figure::InputAge, &s).starts_with("input age p50 2.0 ms"));
        assert!(measured(Figure::MissedTicks, &s).starts_with("42 missed ticks"));
    }
}
