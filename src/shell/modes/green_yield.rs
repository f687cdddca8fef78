//! Green, yielding: the green `read_mouse` of green_blocking.rs with the
//! read made non-blocking and a yield when nothing is there, as green-thread
//! runtimes do it. The kernel still sees one thread, but the loop no longer
//! waits for the mouse.

use super::green_blocking::start_green;
use super::{Mode, ModeSpec, Refused, StartContext};
use crate::core::timeline::Lane;
use crate::shell::mouse::MouseDevice;

pub(crate) const SPEC: ModeSpec = ModeSpec {
    name: "green-yield",
    colour: [0x4d, 0xe8, 0xc0, 0xff],
    about: "read_mouse as a coroutine on the loop's own thread, non-blocking read: it yields when nothing is there",
    mouse_runs_in: "loop: coroutine (yields)",
    lane: Lane::Loop,
    mouse_in_table: false,
    start,
};

fn start(device: Box<dyn MouseDevice>, _: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    start_green(device, false)
}
