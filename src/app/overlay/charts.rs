//! The mode columns' two charts: recent frame times, and recent lateness
//! in decades.

use egui::{Align2, Color32, CornerRadius, FontId, Sense, Stroke, StrokeKind, Ui, pos2, vec2};

use super::{BAD, DIM};
use crate::core::stats::ModeStats;

/// Frame times of the last frames, with the 60 fps line.
pub(super) fn graph(ui: &mut Ui, s: &ModeStats, color: Color32) {
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
pub(super) fn histogram(ui: &mut Ui, s: &ModeStats, color: Color32) {
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
