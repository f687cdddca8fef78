//! Polled: the loop asks the device for its newest state once per mouse
//! tick, without blocking. Everything that arrived since the last poll is
//! folded into one sample, so the loop must run at the mouse's rate to see
//! every report.

use super::{
    Health, Intake, LoopDevice, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped,
};
use crate::core::timeline::Lane;
use crate::shell::mouse::MouseDevice;

pub(crate) const SPEC: ModeSpec = ModeSpec {
    name: "polled",
    colour: [0xff, 0x8a, 0x3d, 0xff],
    about: "the loop polls the mouse once per tick: it must run at the mouse's rate",
    mouse_runs_in: "loop",
    lane: Lane::Loop,
    mouse_in_table: true,
    start,
};

struct Polled(LoopDevice);

fn start(device: Box<dyn MouseDevice>, _: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    Ok(Box::new(Polled(LoopDevice::new(device))))
}

impl Mode for Polled {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        self.0.poll_into(intake);
        self.0.health()
    }

    /// Late latching: one more poll, just before drawing.
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
