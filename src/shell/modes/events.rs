//! Events (Ousterhout, "Why threads are a bad idea (for most purposes)"):
//! one thread, no locks, no polling. The loop thread sleeps in one wait
//! on two sources: the mouse (the X11 connection's file descriptor; on
//! Windows the raw input reaching the thread's queue; for the synthetic
//! mouse a timer armed for its next report) and a timer for the tick's
//! deadline. A ready mouse runs the mouse handler
//! (it drains every report, stamped by the device); the deadline ends the
//! wait and the tick runs.
//!
//! Its weakness, shown honestly: handlers must never block, and a long one
//! holds everything. While the tick's display (or A* inline) runs, nobody
//! reads the mouse: its reports wait, input age says how long, and the
//! overlay names the handler that held the loop.
//!
//! The wait is `sys::wait::Waiter`: epoll and timerfds on Linux,
//! `MsgWaitForMultipleObjectsEx` and waitable timers on Windows. Where
//! the OS has none, or the mouse has no source to wait on, the mode says so
//! and drains the mouse once per tick instead.

use crate::core::timeline::Lane;
use std::time::Duration;

use super::{
    Health, Intake, LoopDevice, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped, Wait,
};
use crate::shell::mouse::MouseDevice;
use crate::sys::wait::Waiter;

pub(crate) const SPEC: ModeSpec = ModeSpec {
    name: "events",
    colour: [0x7c, 0xe3, 0x5b, 0xff],
    about: "one thread, no polling: the loop sleeps in one wait (epoll, or MsgWait on Windows) on the mouse and a deadline timer; a ready mouse runs its handler",
    mouse_runs_in: "loop: event handler",
    lane: Lane::Loop,
    mouse_in_table: false,
    start,
};

/// A report that waited longer than this behind a handler is worth naming.
const NOTICEABLE: Duration = Duration::from_millis(1);

/// How long the overlay keeps naming the handler that held the loop.
const HELD_FOR: Duration = Duration::from_secs(2);

struct Events {
    mouse: LoopDevice,
    /// The one wait, and the clock's epoch on the wait's clock.
    waiter: Option<(Waiter, Duration)>,
    /// Why the mode drains once per tick instead of waiting on the mouse.
    fallback: Option<String>,
    /// The longest a report waited behind a handler lately: which handler,
    /// how long, and when.
    held: Option<(&'static str, Duration, Duration)>,
    /// Reports up to here have been handled: the mode's count of what the
    /// device produced stops at the last handler's read (see `figures`).
    handled_to: u64,
}

fn start(mut device: Box<dyn MouseDevice>, ctx: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    let source = if ctx.clock.is_manual() {
        None
    } else {
        device.ready_source()
    };
    let mut waiter = None;
    let fallback = match (source, ctx.clock.epoch_monotonic()) {
        (Some(source), Some(epoch)) => match Waiter::new(source) {
            Ok(w) => {
                waiter = Some((w, epoch));
                None
            }
            Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
                Some(format!("events: {e}; drained once per tick here"))
            }
            Err(e) => {
                return Err(Refused {
                    device,
                    reason: format!("the events mode's wait: {e}"),
                });
            }
        },
        _ => Some(format!(
            "events: {} has no source to wait on here; drained once per tick",
            device.label()
        )),
    };
    if let Some(why) = &fallback {
        log::info!("{why}");
    }
    let handled_to = device.produced();
    Ok(Box::new(Events {
        handled_to,
        mouse: LoopDevice::new(device),
        waiter,
        fallback,
        held: None,
    }))
}

impl Events {
    /// The mouse handler: every report the device has now, without
    /// blocking. `waited` is `(now, the handler that ran before)` when the
    /// handler runs in the wait, to see how long reports waited for it.
    fn handle(&mut self, intake: &mut Intake<'_>, waited: Option<(Duration, &'static str)>) {
        let mut first = true;
        while let Some(r) = self.mouse.read(|mouse| mouse.read(Duration::ZERO)) {
            if let (true, Some((now, by))) = (first, waited) {
                first = false;
                let age = now.saturating_sub(r.time);
                let recent = self.held.filter(|h| now.saturating_sub(h.2) < HELD_FOR);
                if age >= NOTICEABLE && recent.is_none_or(|h| age >= h.1) {
                    self.held = Some((by, age, now));
                }
            }
            self.handled_to = self.handled_to.max(r.seq + 1);
            intake.deliver(&r);
        }
    }
}

impl Mode for Events {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        if self.waiter.is_some() {
            // The handler ran in the wait; anything since is taken now.
            intake.quiet();
        }
        self.handle(intake, None);
        self.mouse.health()
    }

    fn flush(&mut self, intake: &mut Intake<'_>) {
        self.handle(intake, None);
    }

    /// The handler reads every report, so a stretch's reports are those
    /// up to its last read: one that comes due between that read and this
    /// count (a preempted loop) is not one this mode missed. Within the
    /// mode it is the next interval's; at a switch it falls before the next
    /// mode's stretch, with the device's backlog, and is counted by neither.
    fn figures(&self) -> MouseFigures {
        let mut figures = self.mouse.figures();
        figures.produced = figures.produced.min(self.handled_to);
        figures
    }

    fn stop(mut self: Box<Self>, intake: &mut Intake<'_>) -> Stopped {
        self.flush(intake);
        let figures = self.figures();
        Stopped {
            figures,
            ..self.mouse.stop()
        }
    }

    fn wait_until(&mut self, deadline: Duration, wait: &mut Wait<'_>) -> Duration {
        loop {
            let now = wait.clock.now();
            let by = wait.held_by.0;
            {
                let mut intake = wait.intake();
                self.handle(&mut intake, Some((now, by)));
                if intake.samples() > 0 {
                    intake.finish();
                }
            }
            let now = wait.clock.now();
            if now >= deadline || self.mouse.health() == Health::Ended {
                return now;
            }
            let (Some((waiter, epoch)), Some(device)) = (&mut self.waiter, &mut self.mouse.device)
            else {
                return wait.pace(deadline);
            };
            // Re-arm the mouse's readiness (the synthetic mouse's timer).
            let _ = device.ready_source();
            if let Err(e) = waiter.wait(*epoch + deadline) {
                let why = format!("events: the wait failed ({e}); drained once per tick");
                log::warn!("{why}");
                self.fallback = Some(why);
                self.waiter = None;
            }
        }
    }

    fn note(&self, out: &mut String) {
        use std::fmt::Write as _;
        if let Some(why) = &self.fallback {
            out.push_str(why);
        } else if let Some((by, waited, _)) = self.held {
            let _ = write!(
                out,
                "events: a report waited {:.1} ms for the loop: '{by}' held it (handlers must not run long)",
                waited.as_secs_f64() * 1e3
            );
        } else {
            out.push_str("events: every report handled as it came");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::MouseReport;
    use crate::programs::bench::Headless;
    use crate::shell::clock::Clock;
    use crate::shell::engine::{Engine, EngineConfig};
    use crate::shell::modes::ModeId;
    use crate::shell::mouse::{DeviceError, SyntheticMouse};
    use crate::shell::pacer::PacerKind;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// The engine at 60 Hz in the events mode, reading `device` (1000 Hz).
    fn events_engine(device: Box<dyn MouseDevice>, clock: Clock) -> Engine {
        Engine::new(
            EngineConfig {
                physics_hz: 60,
                mouse_hz: 1000,
                mode: ModeId::parse("events").unwrap_or_default(),
                pacer: PacerKind::Adaptive,
                device: Some(device),
                reader_stack: None,
                signals: false,
            },
            clock,
        )
    }

    #[test]
    fn events_handles_every_report_between_ticks() {
        let clock = Clock::new();
        let mouse = SyntheticMouse::new(clock, 1000, 640.0, 400.0);
        let events = ModeId::parse("events").unwrap_or_default();
        let mut engine = events_engine(Box::new(mouse), clock);
        assert_eq!(engine.mode(), events);
        let mut frontend = Headless::new();
        engine.run_until(&mut frontend, clock.now() + Duration::from_millis(300));
        let modes = engine.finish();
        let r = modes.get("events").cloned().unwrap_or_default();
        assert_eq!(r.loop_hz, 60, "the mouse is out of the rate table");
        assert!(r.reports_generated > 0);
        assert_eq!(r.reports_seen, r.reports_generated, "every report, once");
        assert_eq!(r.dropped, 0);
        if crate::sys::wait::Timer::new().is_ok() {
            // Where the OS has the wait, the handler ran in it, many times per tick.
            assert!(r.samples_per_tick_max < r.reports_seen);
            // Samples beyond those seen are reports made before the stretch
            // began (the device's backlog at the switch).
            assert!(r.mouse_samples >= r.reports_seen);
        }
    }

    /// A synthetic mouse whose count of what it produced can run `late`
    /// reports ahead of what a read can have: those that came due between
    /// the handler's last read and the count (a preempted loop).
    struct CountedLate {
        inner: SyntheticMouse,
        late: Arc<AtomicU64>,
    }

    impl MouseDevice for CountedLate {
        fn read(&mut self, t: Duration) -> Result<Option<MouseReport>, DeviceError> {
            self.inner.read(t)
        }
        fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
            self.inner.poll()
        }
        fn produced(&self) -> u64 {
            self.inner.produced() + self.late.load(Ordering::Relaxed)
        }
        fn label(&self) -> String {
            "counted late".into()
        }
    }

    #[test]
    fn a_report_due_after_the_last_read_belongs_to_the_next_stretch() {
        let clock = Clock::manual();
        let inner = SyntheticMouse::new(clock, 1000, 640.0, 400.0);
        let late = Arc::new(AtomicU64::new(0));
        let device = CountedLate {
            inner,
            late: Arc::clone(&late),
        };
        let mut engine = events_engine(Box::new(device), clock);
        let mut frontend = Headless::new();
        for _ in 0..20 {
            engine.tick(&mut frontend);
        }
        // The loop is preempted after its last read: three reports come due.
        late.store(3, Ordering::Relaxed);
        let r = engine.finish().get("events").cloned().unwrap_or_default();
        assert!(r.reports_seen > 100, "{} seen", r.reports_seen);
        assert_eq!(
            r.reports_seen, r.reports_generated,
            "none counted as missed"
        );
    }

    #[test]
    fn the_synthetic_mouse_source_is_ready_when_a_report_is_due() {
        let clock = Clock::new();
        let mut mouse = SyntheticMouse::new(clock, 125, 640.0, 400.0);
        while let Ok(Some(_)) = mouse.read(Duration::ZERO) {}
        let Some(source) = mouse.ready_source() else {
            // Only where the OS has no timer to wait on.
            assert!(crate::sys::wait::Timer::new().is_err());
            return;
        };
        let ready = |wait| crate::sys::wait::readable(source, wait).unwrap_or(false);
        // Nothing due yet (the next report is 8 ms away, give or take);
        // within a second it is due, the source says so, and a read gets it.
        if !ready(Duration::ZERO) {
            assert!(ready(Duration::from_secs(1)));
        }
        assert!(matches!(mouse.read(Duration::ZERO), Ok(Some(_))));
    }
}
