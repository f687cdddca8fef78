//! Events (Ousterhout, "Why threads are a bad idea (for most purposes)"):
//! one thread, no locks, no polling. The loop thread sleeps in one epoll
//! wait on two sources: the mouse's file descriptor (the X11 connection;
//! for the synthetic mouse a timerfd armed for its next report) and a
//! timerfd for the tick's deadline. A ready mouse runs the mouse handler
//! (it drains every report, stamped by the device); the deadline ends the
//! wait and the tick runs.
//!
//! Its weakness, shown honestly: handlers must never block, and a long one
//! holds everything. While the tick's display (or A* inline) runs, nobody
//! reads the mouse: its reports wait, input age says how long, and the
//! overlay names the handler that held the loop.
//!
//! epoll and timerfd are Linux's; elsewhere, or for a mouse without a file
//! descriptor, the mode says so and drains the mouse once per tick instead.

use std::time::Duration;

#[cfg(target_os = "linux")]
use super::Wait;
use super::{
    Health, Intake, LoopDevice, Mode, ModeSpec, MouseFigures, Refused, StartContext, Stopped,
};
use crate::shell::mouse::MouseDevice;

pub const SPEC: ModeSpec = ModeSpec {
    name: "events",
    colour: [0x7c, 0xe3, 0x5b, 0xff],
    about: "one thread, no polling: the loop sleeps in epoll on the mouse and a deadline timer; a ready mouse runs its handler",
    mouse_runs_in: "loop: event handler",
    mouse_in_table: false,
    start,
};

/// A report that waited longer than this behind a handler is worth naming.
const NOTICEABLE: Duration = Duration::from_millis(1);

/// How long the overlay keeps naming the handler that held the loop.
const HELD_FOR: Duration = Duration::from_secs(2);

struct Events {
    mouse: LoopDevice,
    #[cfg(target_os = "linux")]
    waiter: Option<epoll::Waiter>,
    /// Why the mode drains once per tick instead of waiting on the mouse.
    fallback: Option<String>,
    /// The longest a report waited behind a handler lately: which handler,
    /// how long, and when.
    held: Option<(&'static str, Duration, Duration)>,
}

#[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
fn start(mut device: Box<dyn MouseDevice>, ctx: &StartContext) -> Result<Box<dyn Mode>, Refused> {
    #[cfg(target_os = "linux")]
    let mut waiter = None;
    let fallback;
    #[cfg(target_os = "linux")]
    {
        let fd = if ctx.clock.is_manual() {
            None
        } else {
            device.ready_fd()
        };
        fallback = match fd {
            Some(fd) => match epoll::Waiter::new(fd, ctx.clock.epoch_monotonic_ns()) {
                Ok(w) => {
                    waiter = Some(w);
                    None
                }
                Err(e) => {
                    return Err(Refused {
                        device,
                        reason: format!("epoll for the events mode: {e}"),
                    });
                }
            },
            None => Some(format!(
                "events: {} has no file descriptor to wait on; drained once per tick",
                device.label()
            )),
        };
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = ctx;
        fallback =
            Some("events: epoll and timerfd are Linux's; drained once per tick here".to_string());
    }
    if let Some(why) = &fallback {
        log::info!("{why}");
    }
    Ok(Box::new(Events {
        mouse: LoopDevice::new(device),
        #[cfg(target_os = "linux")]
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
            intake.deliver(&r);
        }
    }
}

impl Mode for Events {
    fn take(&mut self, intake: &mut Intake<'_>) -> Health {
        #[cfg(target_os = "linux")]
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

    fn figures(&self) -> MouseFigures {
        self.mouse.figures()
    }

    fn stop(mut self: Box<Self>, intake: &mut Intake<'_>) -> Stopped {
        self.flush(intake);
        self.mouse.stop()
    }

    #[cfg(target_os = "linux")]
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
            let (Some(waiter), Some(device)) = (&mut self.waiter, &mut self.mouse.device) else {
                return wait.pace(deadline);
            };
            // Re-arm the mouse's readiness (the synthetic mouse's timer).
            let _ = device.ready_fd();
            if let Err(e) = waiter.wait(deadline) {
                let why = format!("events: epoll_wait failed ({e}); drained once per tick");
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

/// One epoll instance with two sources: the mouse's fd and a timerfd for
/// the deadline. Level-triggered: a source stays ready until drained.
#[cfg(target_os = "linux")]
mod epoll {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::time::Duration;

    const DEADLINE: u64 = 1;
    const MOUSE: u64 = 2;

    pub struct Waiter {
        epoll: OwnedFd,
        deadline: OwnedFd,
        /// The program clock's epoch on CLOCK_MONOTONIC, in nanoseconds.
        epoch_ns: u64,
    }

    fn check(r: libc::c_int) -> io::Result<libc::c_int> {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r)
        }
    }

    fn add(epoll: RawFd, fd: RawFd, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token,
        };
        // SAFETY: both fds are open; `event` is valid for the call.
        check(unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, fd, &mut event) }).map(drop)
    }

    impl Waiter {
        pub fn new(mouse: RawFd, epoch_ns: u64) -> io::Result<Self> {
            // SAFETY: plain system calls; each new fd is owned at once.
            let epoll =
                unsafe { OwnedFd::from_raw_fd(check(libc::epoll_create1(libc::EPOLL_CLOEXEC))?) };
            let deadline = unsafe {
                OwnedFd::from_raw_fd(check(libc::timerfd_create(
                    libc::CLOCK_MONOTONIC,
                    libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
                ))?)
            };
            add(epoll.as_raw_fd(), deadline.as_raw_fd(), DEADLINE)?;
            add(epoll.as_raw_fd(), mouse, MOUSE)?;
            Ok(Self {
                epoll,
                deadline,
                epoch_ns,
            })
        }

        /// Sleeps until the mouse is ready or `deadline` (program time) has
        /// come, in one `epoll_wait`.
        pub fn wait(&mut self, deadline: Duration) -> io::Result<()> {
            let at = self.epoch_ns + deadline.as_nanos() as u64;
            crate::shell::os::arm_timerfd(self.deadline.as_raw_fd(), at)?;
            let mut events = [libc::epoll_event { events: 0, u64: 0 }; 2];
            loop {
                // SAFETY: `events` has room for the 2 events asked for.
                let n =
                    unsafe { libc::epoll_wait(self.epoll.as_raw_fd(), events.as_mut_ptr(), 2, -1) };
                if n >= 0 {
                    return Ok(());
                }
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::bench::Headless;
    use crate::shell::clock::Clock;
    use crate::shell::engine::{Engine, EngineConfig};
    use crate::shell::modes::ModeId;
    use crate::shell::mouse::SyntheticMouse;
    use crate::shell::pacer::PacerKind;

    #[test]
    fn events_handles_every_report_between_ticks() {
        let clock = Clock::new();
        let mouse = SyntheticMouse::new(clock, 1000, 640.0, 400.0);
        let events = ModeId::parse("events").unwrap_or_default();
        let mut engine = Engine::new(
            EngineConfig {
                physics_hz: 60,
                mouse_hz: 1000,
                mode: events,
                pacer: PacerKind::Adaptive,
                device: Some(Box::new(mouse)),
                reader_stack: None,
                signals: false,
            },
            clock,
        );
        assert_eq!(engine.mode(), events);
        let mut frontend = Headless::new();
        engine.run_until(&mut frontend, clock.now() + Duration::from_millis(300));
        let modes = engine.finish();
        let r = modes.get("events").cloned().unwrap_or_default();
        assert_eq!(r.loop_hz, 60, "the mouse is out of the rate table");
        assert!(r.reports_generated > 0);
        assert_eq!(r.reports_seen, r.reports_generated, "every report, once");
        assert_eq!(r.dropped, 0);
        if cfg!(target_os = "linux") {
            // The handler ran in the waits, many times per tick.
            assert!(r.samples_per_tick_max < r.reports_seen);
            // Samples beyond those seen are reports made before the stretch
            // began (the device's backlog at the switch).
            assert!(r.mouse_samples >= r.reports_seen);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_synthetic_mouse_fd_is_ready_when_a_report_is_due() {
        let clock = Clock::new();
        let mut mouse = SyntheticMouse::new(clock, 125, 640.0, 400.0);
        while let Ok(Some(_)) = mouse.read(Duration::ZERO) {}
        let Some(fd) = mouse.ready_fd() else {
            panic!("no timerfd");
        };
        let ready = |ms| {
            let mut p = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd for the duration of the call.
            unsafe { libc::poll(&mut p, 1, ms) }
        };
        // Nothing due yet (the next report is 8 ms away, give or take);
        // within a second it is due, the fd says so, and a read gets it.
        if ready(0) == 0 {
            assert_eq!(ready(1000), 1);
        }
        assert!(matches!(mouse.read(Duration::ZERO), Ok(Some(_))));
    }
}
