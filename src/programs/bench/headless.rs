//! The headless frontend: the benchmark's (and the engine tests') window
//! without a window.

use crate::core::draw::{self, FRAME_BYTES};
use crate::core::game::SoundEvent;
use crate::core::input::{Keys, Pad};
use crate::shell::engine::{Commands, Frontend, Scene};

/// The headless frontend: draws frames into memory, plays nothing.
pub struct Headless {
    frame: Vec<u8>,
    keyboard_ticks: u64,
    /// Sum of a few pixels of every frame, so drawing cannot be optimised away.
    pub checksum: u64,
    pub sounds: u64,
}

impl Headless {
    pub fn new() -> Self {
        Self {
            frame: vec![0; FRAME_BYTES],
            keyboard_ticks: 0,
            checksum: 0,
            sounds: 0,
        }
    }
}

impl Default for Headless {
    fn default() -> Self {
        Self::new()
    }
}

impl Frontend for Headless {
    fn keyboard(&mut self, _: &mut Commands) -> Keys {
        // A scripted player: right for a second, left for a second.
        self.keyboard_ticks += 1;
        let right = (self.keyboard_ticks / 120).is_multiple_of(2);
        Keys {
            right,
            left: !right,
            ..Keys::default()
        }
    }

    fn gamepad(&mut self) -> Pad {
        Pad::default()
    }

    fn display(&mut self, scene: &Scene<'_>) -> bool {
        draw::draw(scene.game, scene.view, &mut self.frame);
        let mid = FRAME_BYTES / 2;
        self.checksum = self
            .checksum
            .wrapping_add(u64::from(self.frame[mid]) + u64::from(self.frame[4]));
        // Drawn into memory: no display to present to.
        false
    }

    fn sound(&mut self, events: &[SoundEvent]) {
        self.sounds += events.len() as u64;
    }

    fn haptics(&mut self, _: f32) {}

    fn frame(&self) -> &[u8] {
        &self.frame
    }
}
