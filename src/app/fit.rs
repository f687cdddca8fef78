//! Fitting the overlay to the screen: it scales with the window (the same
//! share of a 1920×1080 projector as of the default 1024×600 window), the
//! `+`/`-` keys scale it further, and if its content would still run past
//! the bottom edge it shrinks until every row is visible.

use egui::{Context, Id};

/// The window the overlay's layout was made for (logical pixels).
pub const DESIGN: (f32, f32) = (1024.0, 600.0);

/// Points per pixel at the design size and scale 1.
const BASE_ZOOM: f32 = 0.85;

/// The overlay's content height last frame (points), kept in egui's memory.
fn content_id() -> Id {
    Id::new("why-threads overlay content height")
}

/// Remembers how tall the overlay's content was (points, margins included).
pub fn remember_content_height(ctx: &Context, height: f32) {
    ctx.data_mut(|d| d.insert_temp(content_id(), height));
}

fn content_height(ctx: &Context) -> Option<f32> {
    ctx.data(|d| d.get_temp::<f32>(content_id()))
}

/// The zoom factor for a window of `window` logical pixels, at the user's
/// `scale`, given the content's height in points (if known). Rounded to
/// 1/64 so that a frame's measurement does not make the next one wobble.
pub fn zoom(scale: f32, window: (f32, f32), content: Option<f32>) -> f32 {
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

/// Changes smaller than this share are not worth a frame laid out at one
/// zoom and drawn at another (egui applies a new zoom from the next frame).
const HYSTERESIS: f32 = 0.04;

/// The zoom to use now, given the current one: the target, unless it is
/// within [`HYSTERESIS`] of the current (and the content still fits).
pub fn settle(current: f32, target: f32) -> f32 {
    let fits = target >= current;
    if fits && (target - current) / current.max(0.01) < HYSTERESIS {
        current
    } else {
        target
    }
}

/// Sets `ctx`'s zoom for the coming frames from the window's size in
/// logical pixels and what the overlay measured last frame.
pub fn apply(ctx: &Context, scale: f32, window: (f32, f32), overlay_shown: bool) {
    let content = if overlay_shown {
        content_height(ctx)
    } else {
        None
    };
    let current = ctx.zoom_factor();
    let next = settle(current, zoom(scale, window, content));
    if next != current {
        ctx.set_zoom_factor(next);
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
    fn small_growth_waits_but_overflow_never_does() {
        // A little more room: stay (no frame laid out twice for 2 %).
        assert_eq!(settle(0.80, 0.81), 0.80);
        // Much more room: grow.
        assert_eq!(settle(0.80, 0.90), 0.90);
        // Content that no longer fits shrinks at once, however little.
        assert_eq!(settle(0.80, 0.79), 0.79);
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
