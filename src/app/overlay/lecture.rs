//! Lecture mode's panel: the slide's caption and the loop's pseudo-code
//! so far.

use egui::{Color32, CornerRadius, Frame, Margin, RichText, Stroke, Ui};

use super::DIM;
use crate::core::lecture;
use crate::core::schedule::Subsystem;

/// Lecture mode: the slide's caption and the loop's pseudo-code so far.
pub(super) fn lecture_panel(ui: &mut Ui, step: usize) {
    let s = lecture::STEPS[step];
    Frame::new()
        .stroke(Stroke::new(2.0, Color32::from_rgb(0xff, 0xd8, 0x4d)))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(Margin::same(8))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(format!(
                    "Lecture {}/{}: {}",
                    step + 1,
                    lecture::STEPS.len(),
                    s.caption
                ))
                .size(17.0)
                .strong()
                .color(Color32::from_rgb(0xff, 0xd8, 0x4d)),
            );
            let line = |ui: &mut Ui, text: &str, on: bool, new: bool| {
                let color = if new {
                    Color32::from_rgb(0xff, 0xd8, 0x4d)
                } else if on {
                    Color32::WHITE
                } else {
                    Color32::from_gray(70)
                };
                ui.label(RichText::new(text).monospace().size(13.0).color(color));
            };
            line(ui, "while (1) {", true, false);
            line(ui, "    sync_to_highest_frequency();", true, false);
            for sub in Subsystem::ALL {
                let on = lecture::is_on(step, sub);
                let new = s.adds.contains(&sub);
                if sub == Subsystem::Mouse && s.mode == "threaded" {
                    line(
                        ui,
                        "    /* read_mouse(): in its own thread now */",
                        true,
                        true,
                    );
                } else {
                    line(ui, &format!("    {}", lecture::code_line(sub)), on, new);
                }
            }
            line(ui, "}", true, false);
            if s.mode == "threaded" {
                line(
                    ui,
                    "pthread_create(&tid, NULL, read_mouse, NULL);",
                    true,
                    true,
                );
            }
            ui.label(RichText::new("N: next step").color(DIM));
        });
}
