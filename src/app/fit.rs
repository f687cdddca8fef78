//! Fitting the overlay to the screen: it scales with the window (the same
//! share of a 1920×1080 projector as of the default 1024×600 window), the
//! `+`/`-` keys scale it further, and if its content would still run past
//! the bottom edge it shrinks until every row is visible.

use egui::{Context, Id};

/// The window the overlay's layout was made for (logical pixels).
pub(crate) const DESIGN: (f32, f32) = (1024.0, 600.0);

/// Points per pixel at the design size and scale 1.
const BASE_ZOOM: f32 = 0.85;

/// The overlay's content height last frame (points), kept in egui's memory.
fn content_id() -> Id {
    Id::new("why-threads overlay content height")
}

/// Remembers how tall the overlay's content was (points, margins included).
pub(crate) fn remember_content_height(ctx: &Context, height: f32) {
    ctx.data_mut(|d| d.insert_temp(content_id(), height));
}

fn content_height(ctx: &Context) -> Option<f32> {
    ctx.data(|d| d.get_temp::<f32>(content_id()))
}

/// The zoom factor for a window of `window` logical pixels, at the user's
/// `scale`, given the content's height in points (if known). Rounded to
/// 1/64 so that a frame's measurement does not make the next one wobble.
pub(crate) fn zoom(scale: f32, window: (f32, f32), content: Option<f32>) -> f32 {
    let (w, h) = window;
    if w <= 0.0 || h <= 0.0 {
        return BASE_ZOOM * scale;
    }
    let grow = (w / DESIGN.0).min(h / DESIGN.1).max(0.5);
    let mut z = BASE_ZOOM * grow * scale;
    if let Some(c) = content.filter(|c| *c > 1.0) {
        z = z.min(h / c);
    }
    ((z * 64.0).floor() / 64.0).max(0.25)
}

/// `area` without what lies at or right of `panel`'s left edge.
pub(crate) fn left_of(area: egui::Rect, panel: egui::Rect) -> egui::Rect {
    let right = area.right().min(panel.left()).max(area.left());
    egui::Rect::from_min_max(area.min, egui::pos2(right, area.bottom()))
}

/// What the zoom was last fitted to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Fitted {
    pub window: (f32, f32),
    pub scale: f32,
    /// The content's height then (points), if measured.
    pub content: Option<f32>,
    pub zoom: f32,
}

/// Content shorter than this share of what it was when last fitted lets
/// the overlay grow again. Text rows snap to whole pixels, so the same
/// content measures a few per cent taller or shorter at another zoom:
/// growing on every small change would make the zoom swing back and forth
/// (and egui applies a new zoom from the next frame, so each change costs
/// a frame laid out at one zoom and drawn at another).
const REGROW: f32 = 0.8;

/// The zoom for this frame: a new fit when the window or the scale changed
/// (or the content shrank well below what was fitted); with the same
/// window, only ever smaller, when the content runs past the edge.
pub(crate) fn settle(
    last: Option<Fitted>,
    scale: f32,
    window: (f32, f32),
    content: Option<f32>,
) -> Fitted {
    let fresh = Fitted {
        window,
        scale,
        content,
        zoom: zoom(scale, window, content),
    };
    let Some(last) = last else {
        return fresh;
    };
    let shrank = match (content, last.content) {
        (Some(now), Some(then)) => now < then * REGROW,
        (None, Some(_)) => true,
        _ => false,
    };
    if last.window != window || last.scale != scale || shrank {
        return fresh;
    }
    let overflows = content.is_some_and(|c| c * last.zoom > window.1 + 0.5);
    if overflows && fresh.zoom < last.zoom {
        return fresh;
    }
    last
}

fn fitted_id() -> Id {
    Id::new("why-threads overlay fitted zoom")
}

/// Sets `ctx`'s zoom for the coming frames from the window's size in
/// logical pixels and what the overlay measured last frame.
pub(crate) fn apply(ctx: &Context, scale: f32, window: (f32, f32), overlay_shown: bool) {
    let content = if overlay_shown {
        content_height(ctx)
    } else {
        None
    };
    let last = ctx.data(|d| d.get_temp::<Fitted>(fitted_id()));
    let next = settle(last, scale, window, content);
    ctx.data_mut(|d| d.insert_temp(fitted_id(), next));
    if next.zoom != ctx.zoom_factor() {
        ctx.set_zoom_factor(next.zoom);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_scales_with_the_window() {
        let small = zoom(1.0, DESIGN, None);
        let projector = zoom(1.0, (1920.0, 1080.0), None);
        assert_eq!(small, 0.84375); // 0.85 rounded down to 1/64
        // 1080 / 600 = 1.8: the same share of the screen, text 1.8× larger.
        assert!((projector / small - 1.8).abs() < 0.02, "{projector}");
        // + and - scale further.
        assert!(zoom(1.5, DESIGN, None) > small * 1.45);
    }

    #[test]
    fn content_taller_than_the_window_shrinks_until_it_fits() {
        let z = zoom(1.0, DESIGN, Some(800.0));
        assert!(800.0 * z <= 600.0, "{z}");
        assert!(z > 0.7);
        // Content that fits changes nothing.
        assert_eq!(zoom(1.0, DESIGN, Some(500.0)), zoom(1.0, DESIGN, None));
    }

    #[test]
    fn the_zoom_settles_instead_of_swinging() {
        let first = settle(None, 1.0, DESIGN, Some(800.0));
        assert!(800.0 * first.zoom <= 600.0);
        // The same content measured a little shorter at the new zoom:
        // stay, rather than grow and shrink again.
        assert_eq!(settle(Some(first), 1.0, DESIGN, Some(760.0)), first);
        // A little taller, past the edge: shrink at once.
        let taller = settle(Some(first), 1.0, DESIGN, Some(840.0));
        assert!(taller.zoom < first.zoom && 840.0 * taller.zoom <= 600.0);
        // Much shorter (lecture mode ended): fit afresh, larger.
        assert!(settle(Some(taller), 1.0, DESIGN, Some(500.0)).zoom > taller.zoom);
        // A new window size or scale: fit afresh.
        let big = settle(Some(first), 1.0, (1920.0, 1080.0), Some(800.0));
        assert!(big.zoom > first.zoom);
        assert!(settle(Some(first), 0.75, DESIGN, Some(800.0)).zoom < first.zoom);
    }

    #[test]
    fn the_arena_ends_where_the_panel_begins() {
        let area = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(500.0, 700.0));
        let wide = egui::Rect::from_min_max(egui::pos2(480.0, 0.0), egui::pos2(1100.0, 700.0));
        assert_eq!(left_of(area, wide).right(), 480.0);
        let narrow = egui::Rect::from_min_max(egui::pos2(520.0, 0.0), egui::pos2(1100.0, 700.0));
        assert_eq!(left_of(area, narrow), area);
    }

    #[test]
    fn degenerate_windows_do_not_break_it() {
        assert!(zoom(1.0, (0.0, 0.0), Some(700.0)) > 0.0);
        assert!(zoom(1.0, (100.0, 50.0), Some(10_000.0)) >= 0.25);
    }

    #[test]
    fn the_content_height_is_remembered_between_frames() {
        let ctx = Context::default();
        assert_eq!(content_height(&ctx), None);
        remember_content_height(&ctx, 900.0);
        assert_eq!(content_height(&ctx), Some(900.0));
    }
}
