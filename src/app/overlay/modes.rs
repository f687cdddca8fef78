//! The modes on the overlay. Six full columns do not fit a 1024×600
//! window, so the active mode keeps a card (its charts and the figures the
//! table leaves out) and every mode that ran gets one narrow column of a
//! comparison table, the active one outlined in its colour. The figures
//! are core's `ModeReport`s, formatted short so that no value is cut.

use egui::{
    Align, Color32, CornerRadius, Frame, Label, Layout, Margin, RichText, Stroke, Ui, vec2,
};

use super::charts::{graph, histogram};
use super::{DIM, mode_color};
use crate::core::report::ModeReport;
use crate::core::stats::ModeStats;
use crate::shell::modes::ModeId;

/// The table's label column and the widest a mode's column gets (points).
const LABEL_WIDTH: f32 = 108.0;
const MAX_COLUMN: f32 = 92.0;
const CELL_SIZE: f32 = 11.5;

/// The active mode: its charts side by side, then the figures that the
/// comparison table has no row for.
pub(super) fn active_card(
    ui: &mut Ui,
    mode: ModeId,
    s: &ModeStats,
    r: &ModeReport,
    late_latch: bool,
) {
    let color = mode_color(mode);
    Frame::new()
        .stroke(Stroke::new(2.0, color))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(Margin::same(6))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let title = format!("▶ {}", mode.name().to_uppercase());
                ui.label(RichText::new(title).size(16.0).strong().color(color));
                if r.ticks > 0 {
                    ui.label(format!(
                        "loop {} Hz, ran {:.0} Hz",
                        r.loop_hz, r.measured_hz
                    ));
                } else {
                    ui.label(RichText::new("starting").color(DIM));
                }
                if late_latch {
                    ui.label(RichText::new("late latch").strong().color(color));
                }
            });
            if r.ticks == 0 {
                return;
            }
            ui.columns(2, |cols| {
                graph(&mut cols[0], s, color);
                histogram(&mut cols[1], s, color);
            });
            let late = &r.lateness_us;
            let pe = &r.period_error_us;
            let waited = &r.oldest_age_us;
            let cells = [
                (
                    "late p50/max",
                    format!("{}/{}", dur(late.p50), dur(late.max)),
                ),
                (
                    "period err p50/99",
                    format!("{}/{}", dur(pe.p50), dur(pe.p99)),
                ),
                ("stutters", count(r.stutters)),
                (
                    "oldest waited p99/max",
                    format!("{}/{}", dur(waited.p99), dur(waited.max)),
                ),
                ("samples/tick max", count(r.samples_per_tick_max)),
                ("channel depth max", count(r.channel_depth_max)),
                (
                    "to present p50/99",
                    format!(
                        "{}/{}",
                        dur(r.input_to_present_us.p50),
                        dur(r.input_to_present_us.p99)
                    ),
                ),
                (
                    "oldest to present p99",
                    dur(r.oldest_input_to_present_us.p99),
                ),
            ];
            egui::Grid::new("active figures")
                .num_columns(4)
                .spacing(vec2(8.0, 0.0))
                .show(ui, |ui| {
                    for pair in cells.chunks(2) {
                        for (name, value) in pair {
                            ui.label(RichText::new(*name).size(11.5).color(DIM));
                            ui.label(value_text(value.clone()));
                        }
                        ui.end_row();
                    }
                });
        });
}

/// The legs of a report's way, as the bars name them.
const LEGS: [&str; 6] = ["read", "wait", "sim", "tick", "draw", "shown"];

/// The newest report's way to the screen, one bar per mode that showed
/// input, all to one scale: as long as the whole's p50 (the table's "to
/// present p50", or to the display where the window system says when),
/// cut in proportion to each leg's p50 (read, waited for the tick,
/// simulated, until submitted, drawn and presented, on to the display).
pub(super) fn latency_bars(ui: &mut Ui, shown: &[(ModeId, ModeReport)]) {
    let ways = shown
        .iter()
        .filter(|(_, r)| r.latency_frames > 0)
        .map(|(m, r)| (*m, legs(r), whole(r), r.shown_frames > 0));
    let longest = ways
        .clone()
        .map(|(_, _, whole, _)| whole)
        .fold(0.0, f64::max);
    if longest <= 0.0 {
        return;
    }
    let title = if ways.clone().any(|(_, _, _, to_display)| to_display) {
        "mouse to display p50, in legs: read · wait · sim · tick · draw · shown"
    } else {
        "mouse to present p50, in legs: read · wait · sim · tick · draw"
    };
    ui.label(RichText::new(title).size(CELL_SIZE).color(DIM));
    for (mode, legs, whole, _) in ways {
        ui.horizontal(|ui| {
            let color = mode_color(mode);
            let (name, _) =
                ui.allocate_exact_size(vec2(LABEL_WIDTH - 8.0, 12.0), egui::Sense::hover());
            ui.painter().text(
                name.left_center(),
                egui::Align2::LEFT_CENTER,
                mode.name(),
                egui::FontId::proportional(CELL_SIZE),
                color,
            );
            let full = (ui.available_width() - 60.0).max(40.0);
            let width = (whole / longest) as f32 * full;
            let (rect, _) = ui.allocate_exact_size(vec2(full, 12.0), egui::Sense::hover());
            let painter = ui.painter_at(rect);
            let sum: f64 = legs.iter().sum();
            let mut x = rect.left();
            for (i, leg) in legs.iter().enumerate() {
                let w = if sum > 0.0 {
                    (leg / sum) as f32 * width
                } else {
                    0.0
                };
                let shade = 0.35 + 0.65 * (i as f32 / (LEGS.len() - 1) as f32);
                let seg = egui::Rect::from_min_size(egui::pos2(x, rect.top()), vec2(w, 12.0));
                painter.rect_filled(seg, 0.0, color.linear_multiply(shade));
                if w > 28.0 {
                    painter.text(
                        seg.center(),
                        egui::Align2::CENTER_CENTER,
                        LEGS[i],
                        egui::FontId::proportional(9.5),
                        Color32::BLACK,
                    );
                }
                x += w;
            }
            ui.label(value_text(dur(whole)));
        });
    }
}

/// The whole way at p50: to the display where known, else to the present.
fn whole(r: &ModeReport) -> f64 {
    if r.shown_frames > 0 && r.input_to_shown_us.p50 > 0.0 {
        r.input_to_shown_us.p50
    } else {
        r.input_to_present_us.p50
    }
}

/// A mode's legs at p50, the last (present → shown) only where known.
fn legs(r: &ModeReport) -> [f64; 6] {
    let mut legs = [0.0; 6];
    for (leg, stage) in legs.iter_mut().zip(&r.latency_stages_us) {
        *leg = stage.p50.max(0.0);
    }
    if r.shown_frames > 0 {
        legs[5] = r.present_to_shown_us.p50.max(0.0);
    }
    legs
}

/// One table row: its label and how a mode's report fills it.
type Row = (&'static str, fn(&ModeReport) -> String);

/// The figures compared across modes (one row each, one narrow column
/// per mode).
const ROWS: [Row; 11] = [
    ("loop/ran Hz", |r| {
        format!("{}/{:.0}", r.loop_hz, r.measured_hz)
    }),
    ("late p99", |r| dur(r.lateness_us.p99)),
    ("missed ticks", |r| count(r.missed_ticks)),
    ("fps / 1% low", |r| {
        format!("{:.0}/{:.0}", r.fps, r.one_percent_low_fps)
    }),
    ("reports seen/made", |r| {
        format!("{}/{}", count(r.reports_seen), count(r.reports_generated))
    }),
    ("samples/tick", |r| decimal(r.samples_per_tick)),
    ("input age p50", |r| dur(r.input_age_us.p50)),
    ("input age p99", |r| dur(r.input_age_us.p99)),
    ("to present p50", |r| dur(r.input_to_present_us.p50)),
    ("drops", |r| count(r.dropped)),
    ("CPU loop+reader", |r| format!("{:.1}%", r.cpu_percent)),
];

/// Every mode that ran, a narrow column each, side by side.
pub(super) fn comparison(ui: &mut Ui, shown: &[(ModeId, ModeReport)], active: ModeId) {
    let n = shown.len().max(1) as f32;
    let gaps = 4.0 * n + 2.0;
    let column = ((ui.available_width() - LABEL_WIDTH - gaps) / n).min(MAX_COLUMN);
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        strip(ui, LABEL_WIDTH, None, |ui| {
            header(ui, "", "", DIM);
            for (name, _) in ROWS {
                table_cell(ui, RichText::new(name).size(CELL_SIZE).color(DIM));
            }
        });
        for (mode, report) in shown {
            let color = mode_color(*mode);
            let outline = (*mode == active).then_some(color);
            strip(ui, column, outline, |ui| {
                let (first, second) = split_name(mode.name());
                header(ui, first, second, color);
                for (_, cell) in ROWS {
                    let text = if report.ticks == 0 {
                        "–".to_string()
                    } else {
                        cell(report)
                    };
                    table_cell(ui, value_text(text));
                }
            });
        }
    });
}

/// A column of the table, `width` wide, outlined (and lightly tinted)
/// when it is the active mode's; the same margins either way, so that the
/// rows line up across columns.
fn strip(ui: &mut Ui, width: f32, outline: Option<Color32>, add: impl FnOnce(&mut Ui)) {
    let (stroke, fill) = match outline {
        Some(c) => (
            Stroke::new(2.0, c),
            Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), 28),
        ),
        // A transparent stroke as wide: a frame's size includes its stroke.
        None => (Stroke::new(2.0, Color32::TRANSPARENT), Color32::TRANSPARENT),
    };
    Frame::new()
        .stroke(stroke)
        .fill(fill)
        .corner_radius(CornerRadius::same(4))
        .inner_margin(Margin::symmetric(3, 2))
        .show(ui, |ui| {
            // Less the margins (3 + 3) and the stroke (2 + 2).
            ui.set_width(width - 10.0);
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.y = 1.0;
                add(ui);
            });
        });
}

/// The column's heading on two lines, so that "green-blocking" fits a
/// narrow column.
fn header(ui: &mut Ui, first: &str, second: &str, color: Color32) {
    for line in [first, second] {
        let line = if line.is_empty() { " " } else { line };
        ui.add(Label::new(RichText::new(line).size(13.0).strong().color(color)).extend());
    }
}

/// "green-blocking" → ("green-", "blocking"); "polled" → ("polled", "").
fn split_name(name: &str) -> (&str, &str) {
    match name.find('-') {
        Some(i) => name.split_at(i + 1),
        None => (name, ""),
    }
}

/// One table cell, a fixed height: the labels' proportional font and the
/// values' monospace one have different line heights, and rows of either
/// would drift apart down the table.
fn table_cell(ui: &mut Ui, text: RichText) {
    let size = vec2(ui.available_width(), CELL_SIZE + 2.5);
    ui.allocate_ui_with_layout(size, Layout::left_to_right(Align::Center), |ui| {
        ui.set_min_height(size.y);
        ui.add(Label::new(text).extend());
    });
}

fn value_text(text: String) -> RichText {
    RichText::new(text)
        .size(CELL_SIZE)
        .monospace()
        .color(Color32::WHITE)
}

/// Microseconds in at most five characters and a sign: "850µs", "1.2ms",
/// "28ms", "1.5s", "95s".
pub(super) fn dur(us: f64) -> String {
    let sign = if us < 0.0 { "-" } else { "" };
    let a = us.abs();
    if a < 999.5 {
        format!("{sign}{a:.0}µs")
    } else if a < 9_950.0 {
        format!("{sign}{:.1}ms", a / 1e3)
    } else if a < 999_500.0 {
        format!("{sign}{:.0}ms", a / 1e3)
    } else if a < 9_950_000.0 {
        format!("{sign}{:.1}s", a / 1e6)
    } else {
        format!("{sign}{:.0}s", a / 1e6)
    }
}

/// A count in at most four characters: "950", "1.3k", "13k", "130k", "1.3M".
pub(super) fn count(n: u64) -> String {
    let v = n as f64;
    if n < 1000 {
        n.to_string()
    } else if v < 9_950.0 {
        format!("{:.1}k", v / 1e3)
    } else if v < 999_500.0 {
        format!("{:.0}k", v / 1e3)
    } else if v < 9_950_000.0 {
        format!("{:.1}M", v / 1e6)
    } else {
        format!("{:.0}M", v / 1e6)
    }
}

/// A mean with as many decimals as fit four characters: "0.65", "21.4", "133".
fn decimal(v: f64) -> String {
    if v < 9.995 {
        format!("{v:.2}")
    } else if v < 99.95 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_short_and_keep_their_unit() {
        assert_eq!(dur(850.0), "850µs");
        assert_eq!(dur(999.7), "1.0ms");
        assert_eq!(dur(1_234.0), "1.2ms");
        assert_eq!(dur(28_300.0), "28ms");
        assert_eq!(dur(-28_300.0), "-28ms");
        assert_eq!(dur(671_000.0), "671ms");
        assert_eq!(dur(1_520_000.0), "1.5s");
        assert_eq!(dur(95_000_000.0), "95s");
        for us in [0.0, 9.0, 999.4, 9_949.0, 9_951.0, 999_400.0, 9_949_999.0] {
            assert!(dur(us).chars().count() <= 5, "{us}: {}", dur(us));
        }
    }

    #[test]
    fn counts_fit_four_characters() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_260), "1.3k");
        assert_eq!(count(9_960), "10k");
        assert_eq!(count(130_400), "130k");
        assert_eq!(count(999_600), "1.0M");
        assert_eq!(count(12_000_000), "12M");
        for n in [999, 9_949, 9_950, 999_499, 999_500, 9_949_999, 99_000_000] {
            assert!(count(n).len() <= 4, "{n}: {}", count(n));
        }
    }

    #[test]
    fn means_fit_four_characters() {
        assert_eq!(decimal(0.654), "0.65");
        assert_eq!(decimal(9.996), "10.0");
        assert_eq!(decimal(21.43), "21.4");
        assert_eq!(decimal(133.3), "133");
    }

    #[test]
    fn long_mode_names_split_after_the_dash() {
        assert_eq!(split_name("green-blocking"), ("green-", "blocking"));
        assert_eq!(split_name("polled"), ("polled", ""));
        // Every mode's heading fits a column: no line longer than "threaded".
        for m in ModeId::all() {
            let (a, b) = split_name(m.name());
            assert!(a.len().max(b.len()) <= 9, "{}", m.name());
        }
    }

    #[test]
    fn every_row_fits_a_narrow_column_even_for_large_figures() {
        let mut r = ModeReport {
            ticks: 10,
            loop_hz: 8000,
            measured_hz: 7999.6,
            missed_ticks: 123_456,
            fps: 239.6,
            one_percent_low_fps: 238.2,
            reports_seen: 1_234_567,
            reports_generated: 1_234_999,
            samples_per_tick: 1073.4,
            dropped: 98_765,
            cpu_percent: 100.0,
            ..ModeReport::default()
        };
        r.lateness_us.p99 = 1_234_567.0;
        r.input_age_us.p50 = -28_300.0;
        r.input_age_us.p99 = 671_234.0;
        for (name, cell) in ROWS {
            let text = cell(&r);
            assert!(text.chars().count() <= 9, "{name}: {text}");
        }
    }
}
