//! What the loop needs from the platform (a [`Frontend`]: the window or
//! the headless benchmark) and what it shows it (a [`Scene`] and the
//! overlay's [`EngineView`]).

use std::time::Duration;

use super::{Commands, ComputeView, PacerKind};
use crate::core::draw::{Light, MAX_LIGHTS, View};
use crate::core::game::{Game, SoundEvent};
use crate::core::input::{Keys, Pad};
use crate::core::latency::Completion;
use crate::core::schedule::Schedule;
use crate::core::stats::ModeStats;
use crate::core::timeline::Timeline;
use crate::shell::modes::ModeId;

/// What the display subsystem gets to draw one frame.
pub struct Scene<'a> {
    pub(crate) game: &'a Game,
    pub(crate) view: View,
    pub(crate) lights: &'a [Light; MAX_LIGHTS],
    /// Is "update all other lights" in the loop (lecture mode may not have it yet)?
    pub(crate) lights_on: bool,
    pub(crate) engine: &'a EngineView<'a>,
}

/// Read-only figures for the overlay.
pub(crate) struct EngineView<'a> {
    pub mode: ModeId,
    pub schedule: &'a Schedule,
    /// Every mode's statistics, indexed by the mode table.
    pub stats: &'a [ModeStats],
    pub pacer: PacerKind,
    pub mouse_label: &'a str,
    pub paused: bool,
    pub messages: &'a [String],
    /// The active mode's own line (empty: none).
    pub mode_note: &'a str,
    pub now: Duration,
    pub compute: ComputeView<'a>,
    /// Lecture mode's step, if it is on.
    pub lecture: Option<usize>,
    /// What each of our threads did lately.
    pub timeline: &'a Timeline,
    /// Is late latching on (X)?
    pub late_latch: bool,
}

/// The platform side of a tick: where keys come from and frames go.
pub trait Frontend {
    /// "Read keyboard": the keys held now; commands (hotkeys) go to `commands`.
    fn keyboard(&mut self, commands: &mut Commands) -> Keys;
    /// "Read gamepad".
    fn gamepad(&mut self) -> Pad;
    /// "Update display": draw and present one frame; false if nothing
    /// went to the display (minimized, the display gone, a failed present).
    fn display(&mut self, scene: &Scene<'_>) -> bool;
    /// What the window system says of the frames presented so far, where
    /// it says (X11's Present): one completion per present, in order,
    /// without waiting. Elsewhere nothing, and the figures end at the
    /// present.
    fn display_times(&mut self, each: &mut dyn FnMut(Completion)) {
        let _ = each;
    }
    /// "Emit sounds".
    fn sound(&mut self, events: &[SoundEvent]);
    /// "Move the game physically": rumble of this strength (0..=1).
    fn haptics(&mut self, rumble: f32);
    /// The frame last drawn (RGBA, `WIDTH × HEIGHT`), for the recorder.
    fn frame(&self) -> &[u8];
}
