//! The little game itself: a puck in an arena with walls and pick-ups,
//! steered by keyboard, gamepad and mouse. Fixed-timestep physics; pure and
//! deterministic (the same steps and samples give the same game).

use super::ai::MAX_ENEMIES;
use super::arena::{BORDER, HEIGHT, WALLS, WIDTH};
use super::input::{Keys, MouseReport, Pad, Rgba};
pub(crate) use super::trail::{SoundEvent, SoundQueue, Trail, TrailDot};

pub(crate) const PLAYER_RADIUS: f32 = 11.0;
pub(crate) const PICKUP_RADIUS: f32 = 7.0;
const PICKUPS: usize = 3;
const ACCEL: f32 = 1800.0;
const MAX_SPEED: f32 = 700.0;
const SPRING: f32 = 160.0;
const RESTITUTION: f32 = 0.6;
/// Seconds the mouse keeps steering after its last motion.
const MOUSE_HOLD: f32 = 1.0;
const STEP_LENGTH: f32 = 42.0;

/// What the loop read for one physics step.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Controls {
    pub keys: Keys,
    pub pad: Pad,
}

/// A physics body: position and velocity in arena pixels (per second).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Body {
    pub x: f32,
    pub y: f32,
    pub vx: f32,
    pub vy: f32,
}

/// The whole game state.
#[derive(Clone, Debug)]
pub(crate) struct Game {
    pub player: Body,
    /// Player position before the last step, for interpolation.
    pub previous: (f32, f32),
    pub pickups: [(f32, f32); PICKUPS],
    pub score: u32,
    pub wall_hits: u32,
    pub trail: Trail,
    /// Where the mouse is, and when it last moved (game seconds).
    pub cursor: Option<(f32, f32)>,
    cursor_moved_s: f32,
    buttons: u8,
    pad_action: bool,
    /// Screen shake amplitude in pixels; decays.
    pub shake: f32,
    /// Rumble strength 0..=1 asked for by the last hits; decays.
    pub rumble: f32,
    /// Brightness of the click flash 0..=1; decays.
    pub flash: f32,
    pub sounds: SoundQueue,
    /// Game time in seconds (steps × dt).
    pub time_s: f32,
    pub steps: u64,
    walked: f32,
    rng: u64,
    /// Enemies (the first `enemy_count` are live) and where the AI told
    /// each to head.
    pub enemies: [(f32, f32); MAX_ENEMIES],
    pub enemy_targets: [(f32, f32); MAX_ENEMIES],
    pub enemy_count: usize,
    /// Times an enemy caught the player.
    pub caught: u32,
}

impl Game {
    pub(crate) fn new(seed: u64) -> Self {
        let mut game = Self {
            player: Body {
                x: WIDTH as f32 / 2.0,
                y: HEIGHT as f32 / 2.0,
                vx: 0.0,
                vy: 0.0,
            },
            previous: (WIDTH as f32 / 2.0, HEIGHT as f32 / 2.0),
            pickups: [(0.0, 0.0); PICKUPS],
            score: 0,
            wall_hits: 0,
            trail: Trail::new(),
            cursor: None,
            cursor_moved_s: f32::NEG_INFINITY,
            buttons: 0,
            pad_action: false,
            shake: 0.0,
            rumble: 0.0,
            flash: 0.0,
            sounds: SoundQueue::new(),
            time_s: 0.0,
            steps: 0,
            walked: 0.0,
            rng: seed | 1,
            enemies: [(0.0, 0.0); MAX_ENEMIES],
            enemy_targets: [(0.0, 0.0); MAX_ENEMIES],
            enemy_count: 0,
            caught: 0,
        };
        for i in 0..PICKUPS {
            game.pickups[i] = game.free_spot();
        }
        game
    }

    fn random(&mut self) -> f32 {
        // xorshift64*: deterministic and good enough for pick-up spots.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let v = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (v >> 40) as f32 / (1u64 << 24) as f32
    }

    /// A pick-up spot clear of the walls and the player.
    fn free_spot(&mut self) -> (f32, f32) {
        let margin = BORDER + 2.0 * PICKUP_RADIUS;
        let mut spot = (WIDTH as f32 / 4.0, HEIGHT as f32 / 4.0);
        for _ in 0..32 {
            let x = margin + self.random() * (WIDTH as f32 - 2.0 * margin);
            let y = margin + self.random() * (HEIGHT as f32 - 2.0 * margin);
            let clear = WALLS.iter().all(|w| {
                let (cx, cy) = w.closest(x, y);
                (cx - x).hypot(cy - y) > 3.0 * PICKUP_RADIUS
            }) && (self.player.x - x).hypot(self.player.y - y) > 60.0;
            spot = (x, y);
            if clear {
                break;
            }
        }
        spot
    }

    /// Consumes one mouse sample: the trail gets a dot, the cursor moves,
    /// and a press that starts in this sample clicks. Every sample counts,
    /// so a click shorter than a tick is seen only if its sample is. The
    /// dot takes `colour`: the colour of the mode that consumed the sample.
    pub(crate) fn push_mouse(&mut self, r: &MouseReport, colour: Rgba) {
        let moved = self.cursor != Some((r.x, r.y));
        if moved {
            self.cursor = Some((r.x, r.y));
            self.cursor_moved_s = self.time_s;
            self.trail.push(TrailDot {
                x: r.x,
                y: r.y,
                time_s: self.time_s,
                colour,
            });
        }
        let pressed = r.buttons & !self.buttons & 1 != 0;
        self.buttons = r.buttons;
        if pressed {
            self.click();
        }
    }

    fn click(&mut self) {
        self.sounds.push(SoundEvent::Click);
        self.flash = 1.0;
        // A dash along the current velocity.
        let speed = self.player.vx.hypot(self.player.vy);
        if speed > 1.0 {
            self.player.vx += 250.0 * self.player.vx / speed;
            self.player.vy += 250.0 * self.player.vy / speed;
        }
    }

    /// Is the mouse steering (it moved within the last second)?
    pub(crate) fn mouse_steering(&self) -> bool {
        self.cursor.is_some() && self.time_s - self.cursor_moved_s <= MOUSE_HOLD
    }

    /// One fixed physics step of `dt` seconds.
    pub(crate) fn step(&mut self, dt: f32, controls: &Controls) {
        self.previous = (self.player.x, self.player.y);
        let (kx, ky) = controls.keys.axis();
        let (sx, sy) = controls.pad.stick;
        let mut ax = (kx + sx) * ACCEL;
        let mut ay = (ky + sy) * ACCEL;
        if let (true, Some((tx, ty))) = (self.mouse_steering(), self.cursor) {
            // A critically damped spring towards the cursor.
            let damping = 2.0 * SPRING.sqrt();
            ax += SPRING * (tx - self.player.x) - damping * self.player.vx;
            ay += SPRING * (ty - self.player.y) - damping * self.player.vy;
        }
        if controls.pad.action && !self.pad_action {
            self.click();
        }
        self.pad_action = controls.pad.action;

        let p = &mut self.player;
        p.vx = (p.vx + ax * dt) * (1.0 - 2.5 * dt).max(0.0);
        p.vy = (p.vy + ay * dt) * (1.0 - 2.5 * dt).max(0.0);
        let speed = p.vx.hypot(p.vy);
        if speed > MAX_SPEED {
            p.vx *= MAX_SPEED / speed;
            p.vy *= MAX_SPEED / speed;
        }
        p.x += p.vx * dt;
        p.y += p.vy * dt;
        self.collide();
        self.collect();
        self.move_enemies(dt);

        let moved = (self.player.x - self.previous.0).hypot(self.player.y - self.previous.1);
        self.walked += moved;
        if self.walked >= STEP_LENGTH {
            self.walked -= STEP_LENGTH;
            self.sounds.push(SoundEvent::Footstep);
        }
        let decay = (-8.0 * dt).exp();
        self.shake *= decay;
        self.rumble *= decay;
        self.flash *= decay;
        self.time_s += dt;
        self.steps += 1;
    }

    fn collide(&mut self) {
        for wall in WALLS {
            let p = &mut self.player;
            let (cx, cy) = wall.closest(p.x, p.y);
            let (dx, dy) = (p.x - cx, p.y - cy);
            let dist = dx.hypot(dy);
            if dist >= PLAYER_RADIUS {
                continue;
            }
            // Normal out of the wall (centre inside the wall: push out the short way).
            let (nx, ny) = if dist > 1e-4 {
                (dx / dist, dy / dist)
            } else {
                let left = p.x - wall.x;
                let right = wall.x + wall.w - p.x;
                let top = p.y - wall.y;
                let bottom = wall.y + wall.h - p.y;
                let min = left.min(right).min(top).min(bottom);
                if min == left {
                    (-1.0, 0.0)
                } else if min == right {
                    (1.0, 0.0)
                } else if min == top {
                    (0.0, -1.0)
                } else {
                    (0.0, 1.0)
                }
            };
            let depth = if dist > 1e-4 {
                PLAYER_RADIUS - dist
            } else {
                PLAYER_RADIUS
            };
            p.x += nx * depth;
            p.y += ny * depth;
            let into = p.vx * nx + p.vy * ny;
            if into < 0.0 {
                p.vx -= (1.0 + RESTITUTION) * into * nx;
                p.vy -= (1.0 + RESTITUTION) * into * ny;
                let strength = (-into / MAX_SPEED).min(1.0);
                if -into > 60.0 {
                    self.wall_hits += 1;
                    self.sounds.push(SoundEvent::Bump(strength));
                    self.shake = (self.shake + 8.0 * strength).min(12.0);
                    self.rumble = self.rumble.max(strength);
                }
            }
        }
    }

    fn collect(&mut self) {
        for i in 0..PICKUPS {
            let (x, y) = self.pickups[i];
            if (self.player.x - x).hypot(self.player.y - y) < PLAYER_RADIUS + PICKUP_RADIUS {
                self.score += 1;
                self.sounds.push(SoundEvent::Pickup);
                self.pickups[i] = self.free_spot();
            }
        }
    }

    /// The player's position `alpha` (0..=1) of the way from the previous
    /// step to the current one: smooth display between physics steps.
    pub(crate) fn interpolated(&self, alpha: f32) -> (f32, f32) {
        let a = alpha.clamp(0.0, 1.0);
        (
            self.previous.0 + (self.player.x - self.previous.0) * a,
            self.previous.1 + (self.player.y - self.previous.1) * a,
        )
    }
}

#[cfg(test)]
mod tests;
