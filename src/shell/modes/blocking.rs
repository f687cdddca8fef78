//! Blocking, the trap: the loop itself calls the device's blocking read,
//! the slide's `read_from_mouse` without a thread. While the mouse is
//! still, the game stands still (for at most [`BLOCKING_WAIT`]).

use crate::core::timeline::Lane;
use std::time::Duration;

use super::{
    Health, Intake, LoopDevice, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped,
};
use crate::shell::mouse::MouseDevice;

/// The longest one read may wait, so `T` and `Esc` still work.
pub(crate) const BLOCKING_WAIT: Duration = Duration::from_millis(250);

pub(crate) const SPEC: ModeSpec = ModeSpec {
    name: "blocking",
    colour: [0xd0, 0x6b, 0xff, 0xff],
    about: "the trap: the loop itself waits in read_from_mouse() (at most 250 ms); nothing else runs meanwhile",
    mouse_runs_in: "loop",
    lane: Lane::Loop,
    mouse_in_table: true,
    start,
};

struct Blocking(LoopDevice);

fn start(device: Box<dyn MouseDevice>, _: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    Ok(Box::new(Blocking(LoopDevice::new(device))))
}

impl Mode for Blocking {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        if let Some(r) = self.0.read(|mouse| mouse.read(BLOCKING_WAIT)) {
            intake.deliver(&r);
        }
        self.0.health()
    }

    /// Late latching: one poll of the device (never its blocking read).
    fn latch(&mut self, intake: &mut Intake<'_>) {
        self.0.poll_into(intake);
    }

    fn figures(&self) -> MouseFigures {
        self.0.figures()
    }

    fn stop(self: Box<Self>, _: &mut Intake<'_>) -> Stopped {
        self.0.stop()
    }
}
