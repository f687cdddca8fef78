//! The rate table: each subsystem's rate, where it runs, its work time,
//! and the loop rate they imply ("synchronize to the highest frequency").

use std::time::Duration;

use egui::{Color32, RichText, Ui, vec2};

use super::modes::dur;
use super::{BAD, DIM, mode_color};
use crate::core::pacing::period_of;
use crate::core::report::ModeReport;
use crate::core::schedule::Subsystem;
use crate::shell::engine::EngineView;

/// The rate table: each subsystem's rate, where it runs, its work time,
/// and whether it overran the loop period.
pub(super) fn rate_table(ui: &mut Ui, e: &EngineView<'_>, report: &ModeReport) {
    let rates = e.schedule.rates();
    let hz = e.schedule.loop_hz();
    let period = period_of(hz);
    let setter = e.schedule.pace_setter();
    let mouse_in_table = e.schedule.mouse_in_table();
    ui.label(
        RichText::new(format!(
            "loop rate = highest rate in the loop = {hz} Hz ({}), period {:.2} ms",
            setter.name(),
            period.as_secs_f64() * 1e3
        ))
        .strong()
        .color(Color32::WHITE),
    );
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
                let in_loop = rates.in_loop(sub, mouse_in_table);
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
                    e.mode.spec().mouse_runs_in,
                ));
                let work = report.work_us.get(sub.name()).copied().unwrap_or_default();
                // Short units ("115ms"), so that no value runs past the
                // window's edge.
                let max = Duration::from_secs_f64(work.max_us / 1e6);
                ui.label(RichText::new(dur(work.p99_us)).monospace());
                if max > period {
                    let over = (max - period).as_secs_f64() * 1e6;
                    ui.label(
                        RichText::new(format!("over by {}", dur(over)))
                            .monospace()
                            .color(BAD),
                    );
                } else {
                    ui.label(RichText::new(dur(work.max_us)).monospace());
                }
                ui.end_row();
            }
        });
}

/// Where a subsystem's work happens, for the rate table's "runs in";
/// `mouse_runs_in` is the input mode's answer for the mouse.
fn runs_in(
    sub: Subsystem,
    on: bool,
    in_loop: bool,
    on_workers: bool,
    mouse_runs_in: &'static str,
) -> &'static str {
    match sub {
        _ if !on => "off",
        Subsystem::Mouse if !in_loop => mouse_runs_in,
        Subsystem::Ai if on_workers => "ai thread",
        Subsystem::Video if on_workers => "video thread",
        _ => "loop",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_in_names_the_thread_that_does_the_work() {
        let r = "read_mouse thread";
        assert_eq!(runs_in(Subsystem::Mouse, true, false, false, r), r);
        assert_eq!(runs_in(Subsystem::Mouse, true, true, true, r), "loop");
        assert_eq!(runs_in(Subsystem::Ai, false, false, true, r), "off");
        assert_eq!(runs_in(Subsystem::Ai, true, true, false, r), "loop");
        assert_eq!(runs_in(Subsystem::Ai, true, true, true, r), "ai thread");
        assert_eq!(
            runs_in(Subsystem::Video, true, true, true, r),
            "video thread"
        );
        assert_eq!(runs_in(Subsystem::Lights, false, false, false, r), "off");
    }
}
