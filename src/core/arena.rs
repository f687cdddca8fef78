//! The arena's geometry: its size and its walls. Shared by the game's
//! physics, the AI's grid and the drawing, so none of them imports another
//! for it.

/// Frame buffer size: the arena is drawn at this resolution and scaled to the window.
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 400;

/// An axis-aligned rectangle in arena pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub(crate) const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self { x, y, w, h }
    }

    /// The point of the rectangle closest to `(px, py)`.
    pub(crate) fn closest(&self, px: f32, py: f32) -> (f32, f32) {
        (
            px.clamp(self.x, self.x + self.w),
            py.clamp(self.y, self.y + self.h),
        )
    }
}

/// Thickness of the border walls.
pub(crate) const BORDER: f32 = 12.0;

/// The walls: the border and four blocks.
pub(crate) const WALLS: [Rect; 8] = [
    Rect::new(0.0, 0.0, WIDTH as f32, BORDER),
    Rect::new(0.0, HEIGHT as f32 - BORDER, WIDTH as f32, BORDER),
    Rect::new(0.0, 0.0, BORDER, HEIGHT as f32),
    Rect::new(WIDTH as f32 - BORDER, 0.0, BORDER, HEIGHT as f32),
    Rect::new(150.0, 90.0, 70.0, 24.0),
    Rect::new(420.0, 90.0, 70.0, 24.0),
    Rect::new(150.0, 286.0, 70.0, 24.0),
    Rect::new(420.0, 286.0, 70.0, 24.0),
];
