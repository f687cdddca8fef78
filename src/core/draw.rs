//! Software drawing of the game into an RGBA frame (`WIDTH × HEIGHT × 4`
//! bytes), and the light list the lighting shader is fed. No allocation.

use super::arena::{HEIGHT, WALLS, WIDTH};
use super::game::{Game, PICKUP_RADIUS, PLAYER_RADIUS};
pub(crate) use super::input::Rgba;

pub(crate) const BACKGROUND: Rgba = [0x14, 0x17, 0x22, 0xff];
pub(crate) const GRID: Rgba = [0x1b, 0x20, 0x2e, 0xff];
pub(crate) const WALL: Rgba = [0x5a, 0x63, 0x7a, 0xff];
pub(crate) const PLAYER: Rgba = [0xf4, 0xf1, 0xe8, 0xff];
pub(crate) const PICKUP: Rgba = [0xff, 0xc8, 0x3d, 0xff];
pub(crate) const ENEMY: Rgba = [0xe8, 0x3f, 0x4f, 0xff];

/// Frame size in bytes.
pub(crate) const FRAME_BYTES: usize = (WIDTH * HEIGHT * 4) as usize;

/// What the display needs besides the game: how far into the next physics
/// step we are, and the screen-shake offset.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct View {
    pub alpha: f32,
    pub shake: (f32, f32),
}

/// Draws `game` into `frame`. A frame of the wrong size is left as it is.
pub(crate) fn draw(game: &Game, view: View, frame: &mut [u8]) {
    if frame.len() != FRAME_BYTES {
        return;
    }
    let (ox, oy) = (view.shake.0.round() as i32, view.shake.1.round() as i32);
    // Background with a faint 32-pixel grid (scrolls with the shake).
    for (y, row) in frame.chunks_exact_mut(WIDTH as usize * 4).enumerate() {
        let gy = (y as i32 - oy).rem_euclid(32) == 0;
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let gx = (x as i32 - ox).rem_euclid(32) == 0;
            px.copy_from_slice(if gx || gy { &GRID } else { &BACKGROUND });
        }
    }
    for wall in WALLS {
        fill_rect(
            frame,
            wall.x as i32 + ox,
            wall.y as i32 + oy,
            wall.w as i32,
            wall.h as i32,
            WALL,
        );
    }
    for &(x, y) in &game.pickups {
        fill_circle(frame, x + ox as f32, y + oy as f32, PICKUP_RADIUS, PICKUP);
    }
    // Trail: older dots fade out over two seconds.
    for dot in game.trail.iter() {
        let age = (game.time_s - dot.time_s).max(0.0);
        if age > 2.0 {
            continue;
        }
        let color = dot.colour;
        let fade = 1.0 - age / 2.0;
        fill_circle(
            frame,
            dot.x + ox as f32,
            dot.y + oy as f32,
            1.6,
            scale(color, fade),
        );
    }
    if let Some((cx, cy)) = game.cursor {
        let (cx, cy) = (cx as i32 + ox, cy as i32 + oy);
        fill_rect(frame, cx - 6, cy, 13, 1, PLAYER);
        fill_rect(frame, cx, cy - 6, 1, 13, PLAYER);
    }
    for &(x, y) in &game.enemies[..game.enemy_count] {
        fill_circle(
            frame,
            x + ox as f32,
            y + oy as f32,
            crate::core::ai::ENEMY_RADIUS,
            ENEMY,
        );
    }
    let (px, py) = game.interpolated(view.alpha);
    fill_circle(frame, px + ox as f32, py + oy as f32, PLAYER_RADIUS, PLAYER);
}

fn scale(c: Rgba, f: f32) -> Rgba {
    let f = f.clamp(0.0, 1.0);
    [
        (f32::from(c[0]) * f) as u8,
        (f32::from(c[1]) * f) as u8,
        (f32::from(c[2]) * f) as u8,
        0xff,
    ]
}

/// Fills a rectangle, clipped to the frame.
pub(crate) fn fill_rect(frame: &mut [u8], x: i32, y: i32, w: i32, h: i32, c: Rgba) {
    let (x0, y0) = (x.max(0), y.max(0));
    let (x1, y1) = ((x + w).min(WIDTH as i32), (y + h).min(HEIGHT as i32));
    for yy in y0..y1 {
        let row = yy as usize * WIDTH as usize * 4;
        for xx in x0..x1 {
            let i = row + xx as usize * 4;
            frame[i..i + 4].copy_from_slice(&c);
        }
    }
}

/// Fills a disc, clipped to the frame.
pub(crate) fn fill_circle(frame: &mut [u8], cx: f32, cy: f32, r: f32, c: Rgba) {
    let x0 = ((cx - r).floor() as i32).max(0);
    let x1 = ((cx + r).ceil() as i32).min(WIDTH as i32 - 1);
    let y0 = ((cy - r).floor() as i32).max(0);
    let y1 = ((cy + r).ceil() as i32).min(HEIGHT as i32 - 1);
    let r2 = r * r;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            if dx * dx + dy * dy <= r2 {
                let i = (y as usize * WIDTH as usize + x as usize) * 4;
                frame[i..i + 4].copy_from_slice(&c);
            }
        }
    }
}

/// One light for the lighting shader, in arena pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Light {
    pub x: f32,
    pub y: f32,
    pub radius: f32,
    pub intensity: f32,
    pub color: [f32; 3],
}

/// The lights of a frame: the player, the cursor and the pick-ups.
pub(crate) const MAX_LIGHTS: usize = 8;

/// "Update all other lights": the light list for this frame, brightest first.
pub(crate) fn lights(game: &Game, view: View) -> [Light; MAX_LIGHTS] {
    let mut out = [Light::default(); MAX_LIGHTS];
    let (px, py) = game.interpolated(view.alpha);
    out[0] = Light {
        x: px,
        y: py,
        radius: 150.0 + 120.0 * game.flash,
        intensity: 1.0 + 1.5 * game.flash,
        color: [1.0, 0.93, 0.8],
    };
    if let Some((cx, cy)) = game.cursor {
        out[1] = Light {
            x: cx,
            y: cy,
            radius: 70.0,
            intensity: 0.7,
            color: [0.3, 0.85, 1.0],
        };
    }
    for (i, &(x, y)) in game.pickups.iter().enumerate() {
        out[2 + i] = Light {
            x,
            y,
            radius: 55.0,
            intensity: 0.8,
            color: [1.0, 0.75, 0.2],
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::MouseReport;
    use std::time::Duration;

    fn pixel(frame: &[u8], x: u32, y: u32) -> Rgba {
        let i = ((y * WIDTH + x) * 4) as usize;
        [frame[i], frame[i + 1], frame[i + 2], frame[i + 3]]
    }

    #[test]
    fn draws_walls_player_pickups_and_trail() {
        let mut game = Game::new(5);
        let r = MouseReport {
            seq: 0,
            time: Duration::ZERO,
            read: Duration::ZERO,
            x: 100.5,
            y: 200.5,
            buttons: 0,
        };
        let dot: Rgba = [0x3d, 0xd6, 0xff, 0xff];
        game.push_mouse(&r, dot);
        let mut frame = vec![0u8; FRAME_BYTES];
        draw(&game, View::default(), &mut frame);
        assert_eq!(pixel(&frame, 2, 2), WALL);
        assert_eq!(pixel(&frame, 320, 200), PLAYER);
        let (x, y) = game.pickups[0];
        assert_eq!(pixel(&frame, x as u32, y as u32), PICKUP);
        assert_eq!(pixel(&frame, 101, 201), dot);
        assert_eq!(pixel(&frame, 33, 40), BACKGROUND);
    }

    #[test]
    fn shake_moves_the_picture_and_clipping_is_safe() {
        let game = Game::new(5);
        let mut frame = vec![0u8; FRAME_BYTES];
        let view = View {
            alpha: 1.0,
            shake: (5.0, 0.0),
        };
        draw(&game, view, &mut frame);
        assert_eq!(
            pixel(&frame, 2, 200),
            BACKGROUND,
            "the left wall moved right"
        );
        fill_circle(&mut frame, -50.0, 900.0, 80.0, PLAYER);
        fill_rect(&mut frame, -10, -10, 10_000, 3, WALL);
        draw(&game, view, &mut [0u8; 16]); // wrong size: ignored
    }

    #[test]
    fn lights_follow_the_game() {
        let mut game = Game::new(5);
        game.flash = 1.0;
        let l = lights(&game, View::default());
        assert_eq!((l[0].x, l[0].y), (320.0, 200.0));
        assert_eq!(l[0].radius, 270.0);
        assert_eq!(l[1].intensity, 0.0, "no cursor yet, no cursor light");
        assert_eq!((l[2].x, l[2].y), game.pickups[0]);
    }
}
