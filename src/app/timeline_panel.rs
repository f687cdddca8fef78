//! The thread timeline panel (`G`): a lane per thread of ours over the last
//! [`HISTORY`], drawn with egui's painter. The loop's lane shows a span per
//! subsystem in that subsystem's colour and the sleep until the deadline;
//! `read_mouse` shows when it was blocked in the device's read and when it
//! delivered. Each mouse report is a dot where it was produced, with a line
//! to the tick that consumed it; lost reports are red ticks. Frozen while
//! the game is paused, so a lecturer can point at it.

use std::time::Duration;

use egui::{Align2, Color32, CornerRadius, FontId, Painter, Pos2, Rect, Stroke, pos2, vec2};

use crate::core::schedule::Subsystem;
use crate::core::timeline::{Activity, HISTORY, Lane, Timeline};

/// Colour of each subsystem, the same in the lane and the legend.
pub(crate) fn subsystem_color(s: Subsystem) -> Color32 {
    match s {
        Subsystem::Keyboard => Color32::from_rgb(0x4c, 0xc9, 0xf0),
        Subsystem::Mouse => Color32::from_rgb(0xff, 0x8a, 0x3d),
        Subsystem::Gamepad => Color32::from_rgb(0x80, 0xed, 0x99),
        Subsystem::Physics => Color32::from_rgb(0xff, 0xd1, 0x66),
        Subsystem::Lights => Color32::from_rgb(0xf4, 0xa2, 0x61),
        Subsystem::Display => Color32::from_rgb(0xef, 0x47, 0x6f),
        Subsystem::Sound => Color32::from_rgb(0xb3, 0x88, 0xeb),
        Subsystem::Haptics => Color32::from_rgb(0xa0, 0xa0, 0xa0),
        Subsystem::Ai => Color32::from_rgb(0x06, 0xd6, 0xa0),
        Subsystem::Video => Color32::from_rgb(0x11, 0x8a, 0xb2),
    }
}

const SLEEP: Color32 = Color32::from_gray(55);
const BLOCKED: Color32 = Color32::from_rgb(0x2a, 0x3f, 0x55);
const DELIVER: Color32 = Color32::from_rgb(0x3d, 0xd6, 0xff);
const LOST: Color32 = Color32::from_rgb(0xff, 0x44, 0x44);
/// A long handler (lecture) or the benchmark's extra work per tick.
const LOAD: Color32 = Color32::from_gray(225);
const DIM: Color32 = Color32::from_gray(150);

fn activity_color(lane: Lane, what: Activity) -> Color32 {
    match what {
        Activity::Run(s) => subsystem_color(s),
        Activity::Sleep => SLEEP,
        Activity::Load => LOAD,
        Activity::Blocked => BLOCKED,
        Activity::Deliver => DELIVER,
        Activity::Job if lane == Lane::Video => subsystem_color(Subsystem::Video),
        Activity::Job => subsystem_color(Subsystem::Ai),
        Activity::Signal => Color32::WHITE,
        Activity::Latch => subsystem_color(Subsystem::Mouse),
    }
}

/// Waiting is drawn thin, working full height.
fn is_waiting(what: Activity) -> bool {
    matches!(what, Activity::Sleep | Activity::Blocked)
}

/// Height of the panel (points) for an area `available` points tall.
pub(crate) fn height_for(available: f32) -> f32 {
    (available * 0.38).clamp(120.0, 190.0)
}

/// Lines drawn from reports to ticks at most (an 8 kHz mouse makes 1600
/// in the window; one in every few is as telling and costs less to draw).
const MAX_LINES: usize = 500;

/// Draws the panel along the bottom of `area`; returns what is left above.
pub(crate) fn show(ctx: &egui::Context, area: Rect, timeline: &Timeline, now: Duration) -> Rect {
    let h = height_for(area.height()).min(area.height() * 0.6);
    let panel = Rect::from_min_max(pos2(area.left(), area.bottom() - h), area.max);
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Middle,
        egui::Id::new("timeline"),
    ));
    let painter = painter.with_clip_rect(panel);
    painter.rect_filled(panel, CornerRadius::same(3), Color32::from_gray(12));
    draw(&painter, panel, timeline, now);
    Rect::from_min_max(area.min, pos2(area.right(), panel.top() - 2.0))
}

/// Rows: the reports, then one lane per thread.
const ROWS: usize = 1 + Lane::COUNT;

fn draw(painter: &Painter, panel: Rect, timeline: &Timeline, now: Duration) {
    let end = timeline.view_end(now);
    let start = end.saturating_sub(HISTORY);
    let label_w = 100.0;
    let title_h = 18.0;
    let axis_h = 14.0;
    let rows_top = panel.top() + title_h;
    let row_h = ((panel.height() - title_h - axis_h) / ROWS as f32).max(6.0);
    let plot = Rect::from_min_max(
        pos2(panel.left() + label_w, rows_top),
        pos2(panel.right() - 6.0, rows_top + row_h * ROWS as f32),
    );
    let x_of = |t: Duration| {
        let f = t.saturating_sub(start).as_secs_f32() / HISTORY.as_secs_f32();
        egui::lerp(plot.left()..=plot.right(), f.clamp(0.0, 1.0))
    };
    let row_rect = |row: usize| {
        let top = rows_top + row as f32 * row_h;
        Rect::from_min_max(
            pos2(plot.left(), top + 1.0),
            pos2(plot.right(), top + row_h - 1.0),
        )
    };
    title(painter, panel, timeline);
    legend(painter, panel, timeline, start, end);
    let label_font = FontId::monospace((row_h * 0.62).clamp(9.0, 14.0));
    let names = std::iter::once("reports").chain(Lane::ALL.iter().map(|l| l.name()));
    for (row, name) in names.enumerate() {
        let r = row_rect(row);
        painter.rect_filled(r, CornerRadius::ZERO, Color32::from_gray(20));
        painter.text(
            pos2(panel.left() + 6.0, r.center().y),
            Align2::LEFT_CENTER,
            name,
            label_font.clone(),
            Color32::WHITE,
        );
    }
    for (i, lane) in Lane::ALL.into_iter().enumerate() {
        lane_spans(painter, timeline, lane, start, end, row_rect(i + 1), &x_of);
    }
    reports(
        painter,
        timeline,
        start,
        end,
        row_rect(0),
        row_rect(1),
        &x_of,
    );
    axis(painter, plot, panel.bottom());
}

/// The colours of what the loop did in the window, after the title.
fn legend(painter: &Painter, panel: Rect, timeline: &Timeline, start: Duration, end: Duration) {
    let mut seen = [false; Subsystem::COUNT];
    let mut load = false;
    for s in timeline.spans(Lane::Loop, start, end) {
        match s.what {
            Activity::Run(sub) => {
                if let Some(slot) = seen.get_mut(sub.index()) {
                    *slot = true;
                }
            }
            Activity::Load => load = true,
            _ => {}
        }
    }
    let mut x = panel.left() + 200.0;
    let y = panel.top() + 9.0;
    for sub in Subsystem::ALL {
        if seen.get(sub.index()).copied().unwrap_or(false) {
            x = swatch(painter, x, y, subsystem_color(sub), sub.name(), false);
        }
    }
    if load {
        x = swatch(painter, x, y, LOAD, "long handler", false);
    }
    swatch(painter, x, y, SLEEP, "waiting", true);
}

/// A colour and its name at `x`; returns where the next one goes.
fn swatch(painter: &Painter, x: f32, y: f32, color: Color32, name: &str, thin: bool) -> f32 {
    let h = if thin { 3.0 } else { 9.0 };
    painter.rect_filled(
        Rect::from_center_size(pos2(x + 5.0, y), vec2(9.0, h)),
        CornerRadius::ZERO,
        color,
    );
    let font = FontId::proportional(12.0);
    let text = painter.text(pos2(x + 12.0, y), Align2::LEFT_CENTER, name, font, DIM);
    text.right() + 10.0
}

fn title(painter: &Painter, panel: Rect, timeline: &Timeline) {
    let mut text = format!("threads, last {} ms", HISTORY.as_millis());
    if timeline.handover_drops > 0 {
        text.push_str(&format!(" · {} spans dropped", timeline.handover_drops));
    }
    painter.text(
        panel.left_top() + vec2(6.0, 2.0),
        Align2::LEFT_TOP,
        text,
        FontId::proportional(13.0),
        Color32::WHITE,
    );
    if timeline.is_frozen() {
        painter.text(
            panel.right_top() + vec2(-8.0, 2.0),
            Align2::RIGHT_TOP,
            "PAUSED: frozen",
            FontId::proportional(13.0),
            LOST,
        );
    }
}

/// One lane's spans, merged where they fall on the same pixels.
fn lane_spans(
    painter: &Painter,
    timeline: &Timeline,
    lane: Lane,
    start: Duration,
    end: Duration,
    r: Rect,
    x_of: &impl Fn(Duration) -> f32,
) {
    let mut pending: Option<(f32, f32, Color32, bool)> = None;
    let flush = |p: (f32, f32, Color32, bool)| {
        let (x0, x1, color, thin) = p;
        let rect = if thin {
            Rect::from_min_max(pos2(x0, r.center().y - 2.0), pos2(x1, r.center().y + 2.0))
        } else {
            Rect::from_min_max(pos2(x0, r.top()), pos2(x1.max(x0 + 1.0), r.bottom()))
        };
        painter.rect_filled(rect, CornerRadius::ZERO, color);
    };
    for s in timeline.spans(lane, start, end) {
        let color = activity_color(lane, s.what);
        let thin = is_waiting(s.what);
        let (x0, x1) = (x_of(s.start), x_of(s.end));
        pending = match pending {
            Some((p0, p1, c, t)) if c == color && t == thin && x0 <= p1 + 1.0 => {
                Some((p0, p1.max(x1), c, t))
            }
            Some(p) => {
                flush(p);
                Some((x0, x1, color, thin))
            }
            None => Some((x0, x1, color, thin)),
        };
    }
    if let Some(p) = pending {
        flush(p);
    }
}

/// Report marks and their lines to the consuming tick; lost reports.
fn reports(
    painter: &Painter,
    timeline: &Timeline,
    start: Duration,
    end: Duration,
    row: Rect,
    loop_row: Rect,
    x_of: &impl Fn(Duration) -> f32,
) {
    let y = row.center().y;
    let shown = timeline.marks(start, end).count();
    let stride = shown.div_ceil(MAX_LINES).max(1);
    for (i, m) in timeline.marks(start, end).enumerate() {
        let x = x_of(m.produced);
        let color = if m.read_by == Lane::Loop {
            subsystem_color(Subsystem::Mouse)
        } else {
            DELIVER
        };
        painter.circle_filled(pos2(x, y), 2.0, color);
        if i % stride == 0 {
            let to = pos2(x_of(m.consumed), loop_row.top() + 2.0);
            painter.line_segment(
                [pos2(x, y), to],
                Stroke::new(1.0, color.gamma_multiply(0.55)),
            );
        }
    }
    for l in timeline.lost(start, end) {
        let (x0, x1) = (x_of(l.after), x_of(l.before));
        let n = (l.count as f32).min((x1 - x0).max(1.0)).max(1.0) as usize;
        for k in 1..=n {
            let x = egui::lerp(x0..=x1, k as f32 / (n + 1) as f32);
            cross(painter, pos2(x, y), LOST);
        }
    }
}

fn cross(painter: &Painter, c: Pos2, color: Color32) {
    let s = 2.5;
    let stroke = Stroke::new(1.2, color);
    painter.line_segment([c + vec2(-s, -s), c + vec2(s, s)], stroke);
    painter.line_segment([c + vec2(-s, s), c + vec2(s, -s)], stroke);
}

/// Milliseconds before now, every 50 ms.
fn axis(painter: &Painter, plot: Rect, bottom: f32) {
    let total = HISTORY.as_millis() as u32;
    for ms in (0..=total).step_by(50) {
        let x = egui::lerp(plot.left()..=plot.right(), 1.0 - ms as f32 / total as f32);
        painter.vline(x, plot.y_range(), Stroke::new(1.0, Color32::from_gray(40)));
        let (label, align) = if ms == 0 {
            ("now".to_string(), Align2::RIGHT_BOTTOM)
        } else {
            (format!("-{ms} ms"), Align2::CENTER_BOTTOM)
        };
        painter.text(
            pos2(x, bottom - 1.0),
            align,
            label,
            FontId::proportional(11.0),
            DIM,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subsystem_has_its_own_colour() {
        let mut colors: Vec<_> = Subsystem::ALL.iter().map(|&s| subsystem_color(s)).collect();
        colors.sort_by_key(|c| c.to_array());
        colors.dedup();
        assert_eq!(colors.len(), Subsystem::COUNT);
    }

    #[test]
    fn the_panel_leaves_the_arena_most_of_the_area() {
        assert_eq!(height_for(100.0), 120.0);
        assert_eq!(height_for(1000.0), 190.0);
        let ctx = egui::Context::default();
        let area = Rect::from_min_size(pos2(0.0, 0.0), vec2(500.0, 700.0));
        let mut left = area;
        let _ = ctx.run_ui(egui::RawInput::default(), |_| {
            left = show(&ctx, area, &Timeline::new(), Duration::from_secs(1));
        });
        assert!(left.height() >= 500.0 && left.height() < 700.0, "{left:?}");
        assert_eq!(left.width(), 500.0);
    }
}
