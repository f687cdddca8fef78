//! Polled: the loop asks the device for its newest state once per mouse
//! tick, without blocking. Everything that arrived since the last poll is
//! folded into one sample, so the loop must run at the mouse's rate to see
//! every report.

use super::{
    Health, Intake, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped, device_figures,
};
use crate::shell::mouse::MouseDevice;

pub const SPEC: ModeSpec = ModeSpec {
    name: "polled",
    colour: [0xff, 0x8a, 0x3d, 0xff],
    about: "the loop polls the mouse once per tick: it must run at the mouse's rate",
    mouse_runs_in: "loop",
    mouse_in_table: true,
    start,
};

struct Polled {
    device: Option<Box<dyn MouseDevice>>,
    error: Option<String>,
}

fn start(device: Box<dyn MouseDevice>, _: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    Ok(Box::new(Polled {
        device: Some(device),
        error: None,
    }))
}

impl Mode for Polled {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        let Some(device) = &mut self.device else {
            return Health::Ended;
        };
        match device.poll() {
            Ok(Some(r)) => intake.deliver(&r),
            Ok(None) => {}
            Err(e) => {
                // A device that failed once is not asked again.
                self.error = Some(format!("the mouse stopped working ({e})"));
                self.device = None;
                return Health::Ended;
            }
        }
        Health::Working
    }

    fn figures(&self) -> MouseFigures {
        self.device
            .as_deref()
            .map(device_figures)
            .unwrap_or_default()
    }

    fn stop(self: Box<Self>, _: &mut Intake<'_>) -> Stopped {
        Stopped {
            figures: self.figures(),
            device: self.device,
            error: self.error,
        }
    }
}
