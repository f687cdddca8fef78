//! Green, blocking (and the machinery green_yield.rs shares).
//!
//! User-level threads: `read_mouse` as a green thread, a stackful
//! coroutine (corosensei) scheduled by the loop on the loop's own kernel
//! thread: the loop resumes it every tick, and it runs until it yields.
//! The kernel sees one thread.
//!
//! Two variants of the same body. `green-blocking` reads with the device's
//! blocking read: when no report is there the read waits, and with it the
//! whole loop, the slide's "with a single-threaded kernel, a system call
//! blocks the entire process". `green-yield` reads without blocking and
//! yields when nothing is there, as green-thread runtimes do: the loop
//! runs on time again. The blocking one yields after a full buffer of
//! reports, so one busy mouse cannot keep the loop forever.

use crate::core::timeline::Lane;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};

use super::{
    Health, Intake, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped, device_figures,
};
use crate::shell::mouse::{DeviceError, MouseDevice};

pub(crate) const SPEC: ModeSpec = ModeSpec {
    name: "green-blocking",
    colour: [0xff, 0x5c, 0x9d, 0xff],
    about: "read_mouse as a coroutine on the loop's own thread, blocking read: while it waits, the whole loop waits",
    mouse_runs_in: "loop: coroutine (blocking read)",
    lane: Lane::Loop,
    mouse_in_table: false,
    start: start_blocking,
};

/// Reports one turn of the blocking green thread reads before it yields:
/// the slide's `read_from_mouse(buf, BUFSIZE)` (16 ms of an 8 kHz mouse).
/// A read that would block never tells it to yield earlier.
const BUFSIZE: u32 = 128;

/// The most one turn of the yielding green thread reads: it yields as soon
/// as nothing is there, so this only bounds a turn against a mouse faster
/// than the reads (the channel's size in threaded mode).
const YIELD_TURN: u32 = 8192;

/// The longest one blocking read may wait (the blocking mode's bound), so
/// `T` and `Esc` still work.
const BLOCKING_WAIT: Duration = Duration::from_millis(250);

/// The coroutine's stack.
const STACK: usize = 256 * 1024;

/// What the loop tells the green thread when it resumes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Resume {
    Run,
    Stop,
}

/// What the green thread hands the loop when it suspends.
enum Suspend {
    Report(crate::core::input::MouseReport),
    /// Its turn is over (nothing to read, or a full buffer).
    Yield,
}

type Ended = (Box<dyn MouseDevice>, Option<DeviceError>);

struct Green {
    thread: Option<Coroutine<Resume, Suspend, Ended, DefaultStack>>,
    /// Updated by the green thread after every read.
    figures: Rc<Cell<MouseFigures>>,
    /// The device and error, once the green thread has ended.
    ended: Option<Ended>,
    /// May the loop take reports without running a turn (switching)?
    blocking: bool,
}

fn start_blocking(
    device: Box<dyn MouseDevice>,
    _: &StartContext,
) -> Result<Box<dyn Mode>, Refused> {
    start_green(device, true)
}

/// Starts the green `read_mouse` with a blocking or a non-blocking read
/// (green_yield.rs starts the second).
pub(super) fn start_green(
    device: Box<dyn MouseDevice>,
    blocking: bool,
) -> Result<Box<dyn Mode>, Refused> {
    let stack = match DefaultStack::new(STACK) {
        Ok(s) => s,
        Err(e) => {
            return Err(Refused {
                device,
                reason: format!("a stack for the green read_mouse: {e}"),
            });
        }
    };
    let figures = Rc::new(Cell::new(device_figures(device.as_ref())));
    let shared = Rc::clone(&figures);
    let thread = Coroutine::with_stack(stack, move |y: &Yielder<Resume, Suspend>, first| {
        read_mouse(device, blocking, y, first, &shared)
    });
    Ok(Box::new(Green {
        thread: Some(thread),
        figures,
        ended: None,
        blocking,
    }))
}

/// The green thread's body: the slide's `read_mouse`, reading until its
/// buffer is full or nothing is there, then giving the loop its turn.
fn read_mouse(
    mut device: Box<dyn MouseDevice>,
    blocking: bool,
    y: &Yielder<Resume, Suspend>,
    mut resume: Resume,
    figures: &Cell<MouseFigures>,
) -> Ended {
    let (wait, turn) = if blocking {
        (BLOCKING_WAIT, BUFSIZE)
    } else {
        (Duration::ZERO, YIELD_TURN)
    };
    loop {
        if resume == Resume::Stop {
            return (device, None);
        }
        let mut read = 0;
        while read < turn {
            let result = device.read(wait);
            figures.set(device_figures(device.as_ref()));
            match result {
                Ok(Some(report)) => {
                    read += 1;
                    if y.suspend(Suspend::Report(report)) == Resume::Stop {
                        return (device, None);
                    }
                }
                // Nothing there (or, blocking, nothing for 250 ms).
                Ok(None) => break,
                Err(e) => return (device, Some(e)),
            }
        }
        resume = y.suspend(Suspend::Yield);
    }
}

impl Green {
    /// Runs one turn of the green thread, delivering what it reads.
    fn turn(&mut self, intake: &mut Intake<'_>) -> Health {
        let Some(thread) = &mut self.thread else {
            return Health::Ended;
        };
        loop {
            match thread.resume(Resume::Run) {
                CoroutineResult::Yield(Suspend::Report(r)) => intake.deliver(&r),
                CoroutineResult::Yield(Suspend::Yield) => return Health::Working,
                CoroutineResult::Return(ended) => {
                    self.ended = Some(ended);
                    self.thread = None;
                    return Health::Ended;
                }
            }
        }
    }
}

impl Mode for Green {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        self.turn(intake)
    }

    fn flush(&mut self, intake: &mut Intake<'_>) {
        // A turn of the non-blocking variant takes what is there and no
        // more; the blocking one would wait, so it is left alone.
        if !self.blocking {
            self.turn(intake);
        }
    }

    fn figures(&self) -> MouseFigures {
        self.figures.get()
    }

    fn stop(mut self: Box<Self>, intake: &mut Intake<'_>) -> Stopped {
        self.flush(intake);
        if let Some(mut thread) = self.thread.take() {
            // It is suspended at a yield: tell it to stop, and it returns
            // the device.
            loop {
                match thread.resume(Resume::Stop) {
                    CoroutineResult::Yield(_) => continue,
                    CoroutineResult::Return(ended) => {
                        self.ended = Some(ended);
                        break;
                    }
                }
            }
        }
        let figures = self.figures.get();
        match self.ended.take() {
            Some((device, error)) => Stopped {
                device: Some(device),
                figures,
                error: error.map(|e| format!("the mouse stopped working ({e})")),
            },
            None => Stopped {
                device: None,
                figures,
                error: Some("the green read_mouse was lost".into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::MouseReport;
    use crate::programs::bench::Headless;
    use crate::shell::clock::Clock;
    use crate::shell::engine::{Command, Engine, EngineConfig};
    use crate::shell::modes::ModeId;
    use crate::shell::pacer::PacerKind;

    /// A 1000 Hz mouse on a manual clock whose blocking read really waits:
    /// it moves the clock on to the next report (as the kernel would make
    /// the caller wait for the interrupt).
    struct Paced {
        clock: Clock,
        next: u64,
    }

    fn due(seq: u64) -> Duration {
        Duration::from_millis(seq + 1)
    }

    impl MouseDevice for Paced {
        fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError> {
            let now = self.clock.now();
            if due(self.next) > now {
                if timeout.is_zero() {
                    return Ok(None);
                }
                self.clock.wait_until(due(self.next).min(now + timeout));
                if due(self.next) > self.clock.now() {
                    return Ok(None);
                }
            }
            let seq = self.next;
            self.next += 1;
            Ok(Some(MouseReport {
                seq,
                time: due(seq),
                read: due(seq),
                x: seq as f32 % 300.0,
                y: 10.0,
                buttons: 0,
            }))
        }
        fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
            self.read(Duration::ZERO)
        }
        fn produced(&self) -> u64 {
            self.clock.now().as_millis() as u64
        }
        fn label(&self) -> String {
            "paced".into()
        }
    }

    const TICKS: u64 = 40;

    fn run(mode: &str) -> crate::core::report::ModeReport {
        let clock = Clock::manual();
        let id = ModeId::parse(mode).unwrap_or_default();
        let mut engine = Engine::new(
            EngineConfig {
                physics_hz: 60,
                mouse_hz: 1000,
                mode: id,
                pacer: PacerKind::Adaptive,
                device: Some(Box::new(Paced { clock, next: 0 })),
                reader_stack: None,
                signals: false,
            },
            clock,
        );
        assert_eq!(engine.mode(), id);
        let mut frontend = Headless::new();
        for _ in 0..TICKS {
            engine.tick(&mut frontend);
        }
        let modes = engine.finish();
        modes.get(mode).cloned().unwrap_or_default()
    }

    #[test]
    fn a_blocking_read_in_a_green_thread_stalls_the_loop_and_a_yield_does_not() {
        let blocking = run("green-blocking");
        let green = run("green-yield");
        // The yielding green thread reads what is there and gives the loop
        // back: no tick is missed and every report is seen once.
        assert_eq!(green.missed_ticks, 0);
        assert_eq!(green.reports_seen, green.mouse_samples);
        assert!(green.reports_generated - green.reports_seen <= 17);
        // The blocking one waits for a whole buffer (128 reports, 128 ms at
        // 1000 Hz) in every tick of a 60 Hz loop: the loop misses ticks.
        assert!(
            blocking.missed_ticks >= TICKS,
            "missed {}",
            blocking.missed_ticks
        );
        assert_eq!(blocking.samples_per_tick_max, u64::from(BUFSIZE));
    }

    #[test]
    fn a_hotkey_toggles_the_variant() {
        assert!(Command::toggle("green-yield", "green-blocking").is_some());
    }
}
