//! Blocking, the trap: the loop itself calls the device's blocking read,
//! the slide's `read_from_mouse` without a thread. While the mouse is
//! still, the game stands still (for at most [`BLOCKING_WAIT`]).

use std::time::Duration;

use super::{
    Health, Intake, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped, device_figures,
};
use crate::shell::mouse::MouseDevice;

/// The longest one read may wait, so `T` and `Esc` still work.
pub const BLOCKING_WAIT: Duration = Duration::from_millis(250);

pub const SPEC: ModeSpec = ModeSpec {
    name: "blocking",
    colour: [0xd0, 0x6b, 0xff, 0xff],
    about: "the trap: the loop itself waits in read_from_mouse() (at most 250 ms); nothing else runs meanwhile",
    mouse_runs_in: "loop",
    mouse_in_table: true,
    start,
};

struct Blocking {
    device: Option<Box<dyn MouseDevice>>,
    error: Option<String>,
}

fn start(device: Box<dyn MouseDevice>, _: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    Ok(Box::new(Blocking {
        device: Some(device),
        error: None,
    }))
}

impl Mode for Blocking {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        let Some(device) = &mut self.device else {
            return Health::Ended;
        };
        match device.read(BLOCKING_WAIT) {
            Ok(Some(r)) => intake.deliver(&r),
            Ok(None) => {}
            Err(e) => {
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
