//! The enemies: where they appear, how they follow the AI's plan, and what
//! happens when one catches the player. (The planning itself is core/ai.rs.)

use super::ai::{ENEMY_RADIUS, MAX_ENEMIES, Plan, Snapshot};
use super::game::{Game, PLAYER_RADIUS, SoundEvent};

/// Enemy speed in arena pixels per second.
const ENEMY_SPEED: f32 = 95.0;
/// Where enemies (re)appear: the four corners, in turn.
const SPAWNS: [(f32, f32); 4] = [(40.0, 40.0), (600.0, 40.0), (40.0, 360.0), (600.0, 360.0)];

impl Game {
    /// Sets how many enemies chase the player; new ones start in the corners.
    pub(crate) fn set_enemy_count(&mut self, n: usize) {
        let n = n.min(MAX_ENEMIES);
        for i in self.enemy_count..n {
            self.enemies[i] = SPAWNS[i % SPAWNS.len()];
            self.enemy_targets[i] = self.enemies[i];
        }
        self.enemy_count = n;
    }

    /// What the AI needs to plan.
    pub(crate) fn snapshot(&self, level: usize) -> Snapshot {
        Snapshot {
            level,
            player: (self.player.x, self.player.y),
            enemies: self.enemies,
            count: self.enemy_count,
        }
    }

    /// Applies a plan (from this tick or an earlier one).
    pub(crate) fn apply(&mut self, plan: &Plan) {
        let n = plan.count.min(self.enemy_count);
        self.enemy_targets[..n].copy_from_slice(&plan.targets[..n]);
    }

    pub(super) fn move_enemies(&mut self, dt: f32) {
        let (px, py) = (self.player.x, self.player.y);
        for i in 0..self.enemy_count {
            let (x, y) = self.enemies[i];
            let (tx, ty) = self.enemy_targets[i];
            let (dx, dy) = (tx - x, ty - y);
            let d = dx.hypot(dy);
            let step = (ENEMY_SPEED * dt).min(d);
            if d > 1e-3 {
                self.enemies[i] = (x + dx / d * step, y + dy / d * step);
            }
            let (ex, ey) = self.enemies[i];
            if (ex - px).hypot(ey - py) < PLAYER_RADIUS + ENEMY_RADIUS {
                self.caught += 1;
                self.sounds.push(SoundEvent::Bump(0.8));
                self.shake = (self.shake + 6.0).min(12.0);
                self.rumble = self.rumble.max(0.8);
                // Back to the corner furthest from the player.
                let far = SPAWNS
                    .iter()
                    .copied()
                    .max_by(|a, b| {
                        let da = (a.0 - px).hypot(a.1 - py);
                        let db = (b.0 - px).hypot(b.1 - py);
                        da.total_cmp(&db)
                    })
                    .unwrap_or(SPAWNS[0]);
                self.enemies[i] = far;
                self.enemy_targets[i] = far;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::game::Controls;

    fn run(game: &mut Game, steps: usize, controls: Controls) {
        for _ in 0..steps {
            game.step(1.0 / 240.0, &controls);
        }
    }

    #[test]
    fn enemies_follow_their_targets_and_catch_the_player() {
        let mut game = Game::new(9);
        game.set_enemy_count(2);
        assert_eq!(game.enemies[0], (40.0, 40.0));
        let mut plan = Plan {
            targets: [(0.0, 0.0); MAX_ENEMIES],
            count: 2,
            expanded: 0,
            tick: 1,
        };
        plan.targets[0] = (140.0, 40.0);
        game.enemies[1] = (game.player.x + 60.0, game.player.y);
        plan.targets[1] = (game.player.x, game.player.y);
        game.apply(&plan);
        run(&mut game, 300, Controls::default()); // 100 px at 95 px/s
        let (x, y) = game.enemies[0];
        assert!(
            (x - 140.0).abs() < 0.01 && (y - 40.0).abs() < 0.01,
            "arrived: {x} {y}"
        );
        assert!(game.caught >= 1, "the second one reached the player");
        assert!(game.sounds.as_slice().contains(&SoundEvent::Bump(0.8)));
    }
}
