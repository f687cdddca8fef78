//! "Compute-intensive operations, like AI": enemies that chase the player
//! with A* on a grid of the arena, re-planned on every AI tick. The cost is
//! real and adjustable: more enemies, a finer grid.
//!
//! [`Planner::plan`] is a pure function of a [`Snapshot`], so it can run
//! inline in the loop or on a worker thread; the loop applies the
//! [`Plan`] it gets back.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::arena::{HEIGHT, WALLS, WIDTH};

/// Most enemies at once.
pub(crate) const MAX_ENEMIES: usize = 32;
pub(crate) const ENEMY_RADIUS: f32 = 8.0;

/// How hard the AI works: enemies and grid cell size, by level.
pub(crate) const LEVELS: [(usize, u32); 5] = [(2, 16), (4, 8), (8, 8), (16, 4), (32, 4)];

/// What the planner needs to know, copied out of the game (no allocation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Snapshot {
    pub level: usize,
    pub player: (f32, f32),
    pub enemies: [(f32, f32); MAX_ENEMIES],
    pub count: usize,
}

/// Where each enemy should head next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Plan {
    pub targets: [(f32, f32); MAX_ENEMIES],
    pub count: usize,
    /// Grid cells A* expanded in total: the work done.
    pub expanded: u64,
    /// Which snapshot this answers (the AI tick's number).
    pub tick: u64,
}

/// A* on a grid, with its buffers kept between searches.
#[derive(Clone, Debug)]
pub(crate) struct Planner {
    cell: u32,
    w: usize,
    h: usize,
    blocked: Vec<bool>,
    g: Vec<u32>,
    came: Vec<u32>,
    closed: Vec<bool>,
    open: BinaryHeap<Reverse<(u32, u32)>>,
}

const NONE: u32 = u32::MAX;

impl Planner {
    /// A planner for grid cells of `cell` pixels (at least 2).
    pub(crate) fn new(cell: u32) -> Self {
        let cell = cell.max(2);
        let (w, h) = ((WIDTH / cell) as usize, (HEIGHT / cell) as usize);
        let blocked = (0..w * h)
            .map(|i| {
                let (cx, cy) = ((i % w) as f32, (i / w) as f32);
                let (x0, y0) = (
                    cx * cell as f32 - ENEMY_RADIUS,
                    cy * cell as f32 - ENEMY_RADIUS,
                );
                let size = cell as f32 + 2.0 * ENEMY_RADIUS;
                WALLS.iter().any(|wall| {
                    x0 < wall.x + wall.w
                        && x0 + size > wall.x
                        && y0 < wall.y + wall.h
                        && y0 + size > wall.y
                })
            })
            .collect();
        Self {
            cell,
            w,
            h,
            blocked,
            g: vec![NONE; w * h],
            came: vec![NONE; w * h],
            closed: vec![false; w * h],
            open: BinaryHeap::with_capacity(w * h),
        }
    }

    pub(crate) fn cell(&self) -> u32 {
        self.cell
    }

    fn index_of(&self, (x, y): (f32, f32)) -> usize {
        let cx = ((x / self.cell as f32) as usize).min(self.w - 1);
        let cy = ((y / self.cell as f32) as usize).min(self.h - 1);
        cy * self.w + cx
    }

    fn centre(&self, i: usize) -> (f32, f32) {
        let c = self.cell as f32;
        (
            (i % self.w) as f32 * c + c / 2.0,
            (i / self.w) as f32 * c + c / 2.0,
        )
    }

    /// The nearest free cell to `i` (the player may stand where an enemy cannot).
    fn free_near(&self, i: usize) -> usize {
        if !self.blocked[i] {
            return i;
        }
        (0..self.blocked.len())
            .filter(|&j| !self.blocked[j])
            .min_by_key(|&j| {
                let (dx, dy) = (
                    (j % self.w).abs_diff(i % self.w),
                    (j / self.w).abs_diff(i / self.w),
                );
                dx * dx + dy * dy
            })
            .unwrap_or(i)
    }

    fn heuristic(&self, a: usize, b: usize) -> u32 {
        // Octile distance, in tenths of a cell (10 straight, 14 diagonal).
        let dx = (a % self.w).abs_diff(b % self.w) as u32;
        let dy = (a / self.w).abs_diff(b / self.w) as u32;
        10 * dx.max(dy) + 4 * dx.min(dy)
    }

    /// A* from `from` to `to` (pixels). Returns the centre of the next cell
    /// on the shortest path (or `to` itself when adjacent or unreachable),
    /// and how many cells were expanded.
    pub(crate) fn next_step(&mut self, from: (f32, f32), to: (f32, f32)) -> ((f32, f32), u64) {
        let start = self.free_near(self.index_of(from));
        let goal = self.free_near(self.index_of(to));
        if start == goal {
            return (to, 0);
        }
        self.g.fill(NONE);
        self.came.fill(NONE);
        self.closed.fill(false);
        self.open.clear();
        self.g[start] = 0;
        self.open
            .push(Reverse((self.heuristic(start, goal), start as u32)));
        let mut expanded = 0u64;
        while let Some(Reverse((_, node))) = self.open.pop() {
            let node = node as usize;
            if self.closed[node] {
                continue;
            }
            self.closed[node] = true;
            expanded += 1;
            if node == goal {
                break;
            }
            let (x, y) = ((node % self.w) as i64, (node / self.w) as i64);
            for (dx, dy, cost) in [
                (1, 0, 10),
                (-1, 0, 10),
                (0, 1, 10),
                (0, -1, 10),
                (1, 1, 14),
                (1, -1, 14),
                (-1, 1, 14),
                (-1, -1, 14),
            ] {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= self.w as i64 || ny >= self.h as i64 {
                    continue;
                }
                let next = ny as usize * self.w + nx as usize;
                // No cutting corners past a blocked cell.
                let corner_a = y as usize * self.w + nx as usize;
                let corner_b = ny as usize * self.w + x as usize;
                if self.blocked[next] || self.blocked[corner_a] || self.blocked[corner_b] {
                    continue;
                }
                let g = self.g[node] + cost;
                if g < self.g[next] {
                    self.g[next] = g;
                    self.came[next] = node as u32;
                    self.open
                        .push(Reverse((g + self.heuristic(next, goal), next as u32)));
                }
            }
        }
        if self.came[goal] == NONE {
            return (to, expanded);
        }
        // Walk back from the goal to the cell right after the start.
        let mut step = goal;
        while self.came[step] as usize != start {
            step = self.came[step] as usize;
        }
        if step == goal {
            return (to, expanded);
        }
        (self.centre(step), expanded)
    }

    /// Plans every enemy of `snapshot`.
    pub(crate) fn plan(&mut self, snapshot: &Snapshot, tick: u64) -> Plan {
        let mut plan = Plan {
            targets: [(0.0, 0.0); MAX_ENEMIES],
            count: snapshot.count.min(MAX_ENEMIES),
            expanded: 0,
            tick,
        };
        for i in 0..plan.count {
            let (target, expanded) = self.next_step(snapshot.enemies[i], snapshot.player);
            plan.targets[i] = target;
            plan.expanded += expanded;
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walls_are_blocked_and_open_floor_is_not() {
        let p = Planner::new(16);
        assert!(p.blocked[0], "the corner is wall");
        assert!(!p.blocked[p.index_of((320.0, 200.0))]);
        assert!(p.blocked[p.index_of((185.0, 102.0))], "inside a block");
    }

    #[test]
    fn a_straight_run_steps_towards_the_goal() {
        let mut p = Planner::new(16);
        let ((x, y), expanded) = p.next_step((312.0, 200.0), (504.0, 200.0));
        assert_eq!((x, y), (328.0, 200.0));
        assert!(expanded >= 12);
    }

    #[test]
    fn the_path_goes_around_a_block() {
        let mut p = Planner::new(8);
        // From above the top-left block to below it: the first step must
        // not enter the block's column straight down.
        let from = (185.0, 60.0);
        let (step, _) = p.next_step(from, (185.0, 150.0));
        assert!(!p.blocked[p.index_of(step)]);
        assert!(step.0 != from.0 || step.1 < 90.0 - ENEMY_RADIUS, "{step:?}");
        // Following the steps reaches the goal.
        let mut at = from;
        for _ in 0..200 {
            let (next, _) = p.next_step(at, (185.0, 150.0));
            at = next;
            if p.index_of(at) == p.index_of((185.0, 150.0)) {
                return;
            }
        }
        panic!("never arrived, stuck at {at:?}");
    }

    #[test]
    fn plans_are_deterministic_and_finer_grids_cost_more() {
        let mut snap = Snapshot {
            level: 0,
            player: (600.0, 380.0),
            enemies: [(40.0, 40.0); MAX_ENEMIES],
            count: 4,
        };
        snap.enemies[1] = (600.0, 40.0);
        let coarse = Planner::new(16).plan(&snap, 1);
        assert_eq!(coarse, Planner::new(16).plan(&snap, 1));
        let fine = Planner::new(4).plan(&snap, 1);
        assert!(fine.expanded > 4 * coarse.expanded);
        assert_eq!(fine.count, 4);
    }
}
