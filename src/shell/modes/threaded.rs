//! Threaded, the slide's fix: `pthread_create(&tid, NULL, read_mouse, NULL)`.
//! A `read_mouse` thread blocks on the device and sends every report
//! through a bounded channel (see shell/reader.rs); the loop drains it
//! every tick without blocking, at the loop's own rate.

use crate::core::timeline::Lane;
use std::sync::atomic::Ordering::Relaxed;
use std::thread::Builder;
use std::time::Duration;

use super::reader::{CHANNEL_CAPACITY, MouseThread, ReaderCounters};
use super::{Health, Intake, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped};
use crate::shell::mouse::MouseDevice;

pub(crate) const SPEC: ModeSpec = ModeSpec {
    name: "threaded",
    colour: [0x3d, 0xd6, 0xff, 0xff],
    about: "read_mouse blocks on the mouse in its own thread; the loop drains every report at its own rate",
    mouse_runs_in: "read_mouse thread",
    lane: Lane::ReadMouse,
    mouse_in_table: false,
    start,
};

struct Threaded {
    thread: MouseThread,
}

fn start(device: Box<dyn MouseDevice>, ctx: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    let builder = match ctx.reader_stack {
        Some(bytes) => Builder::new().stack_size(bytes),
        None => Builder::new(),
    };
    match MouseThread::spawn_with(builder, device, CHANNEL_CAPACITY, ctx.lane.clone()) {
        Ok(thread) => Ok(Box::new(Threaded { thread })),
        Err(e) => Err(Refused {
            device: e.device,
            reason: format!("pthread_create(read_mouse): {}", e.error),
        }),
    }
}

impl Threaded {
    /// Everything in the channel now (a bounded number: the loop never
    /// chases a reader that keeps sending).
    fn drain(&mut self, intake: &mut Intake<'_>) {
        for s in self.thread.receiver().try_iter().take(CHANNEL_CAPACITY) {
            intake.deliver(&s);
        }
    }
}

impl Mode for Threaded {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        intake.channel_depth(self.thread.receiver().len() as u64);
        self.drain(intake);
        if self.thread.is_finished() {
            return Health::Ended;
        }
        Health::Working
    }

    fn flush(&mut self, intake: &mut Intake<'_>) {
        self.drain(intake);
    }

    fn figures(&self) -> MouseFigures {
        figures_of(self.thread.counters())
    }

    fn stop(self: Box<Self>, intake: &mut Intake<'_>) -> Stopped {
        // Join first, so the reader's last figures are in; then take what
        // it sent before it stopped: those reports were read in this mode.
        let joined = self.thread.join();
        for s in joined.unread.try_iter() {
            intake.deliver(&s);
        }
        let mut figures = figures_of(&joined.counters);
        if let Some(device) = &joined.device {
            figures.produced = device.produced();
        }
        Stopped {
            device: joined.device,
            figures,
            error: joined.error.map(|e| format!("read_mouse stopped: {e}")),
        }
    }
}

fn figures_of(c: &ReaderCounters) -> MouseFigures {
    MouseFigures {
        produced: c.produced.load(Relaxed),
        dropped: c.dropped.load(Relaxed) + c.overruns.load(Relaxed),
        reader_cpu: Duration::from_nanos(c.cpu_ns.load(Relaxed)),
    }
}
