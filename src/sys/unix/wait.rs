use std::io;
use std::time::Duration;

use super::{RawSource, check};

pub fn monotonic_now() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

pub fn readable(source: RawSource, timeout: Duration) -> io::Result<bool> {
    let mut fd = libc::pollfd {
        fd: source,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd, for the duration of the call.
    match check(unsafe { libc::poll(&mut fd, 1, ms) }) {
        Ok(n) => Ok(n > 0),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(target_os = "linux")]
pub use linux::{Timer, Waiter};

#[cfg(not(target_os = "linux"))]
pub use crate::sys::no_wait::{Timer, Waiter};

/// Why there is no timer and wait here (macOS).
#[cfg(not(target_os = "linux"))]
pub const NO_WAIT: &str = "epoll and timerfd are Linux's (kqueue is not used yet)";

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::time::Duration;

    use super::check;

    /// A timerfd on CLOCK_MONOTONIC.
    #[derive(Debug)]
    pub struct Timer(OwnedFd);

    impl Timer {
        pub fn new() -> io::Result<Self> {
            let flags = libc::TFD_NONBLOCK | libc::TFD_CLOEXEC;
            // SAFETY: a plain system call; the new fd is owned at once.
            let fd = check(unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, flags) })?;
            Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
        }

        pub fn arm_at(&self, at: Duration) -> io::Result<()> {
            let zero = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            let spec = libc::itimerspec {
                it_interval: zero,
                it_value: libc::timespec {
                    tv_sec: at.as_secs() as libc::time_t,
                    tv_nsec: at.subsec_nanos() as libc::c_long,
                },
            };
            let fd = self.0.as_raw_fd();
            let abs = libc::TFD_TIMER_ABSTIME;
            // SAFETY: `fd` is our open timerfd; `spec` is a valid itimerspec.
            check(unsafe { libc::timerfd_settime(fd, abs, &spec, std::ptr::null_mut()) }).map(drop)
        }

        pub fn source(&self) -> RawFd {
            self.0.as_raw_fd()
        }
    }

    const DEADLINE: u64 = 1;
    const DEVICE: u64 = 2;

    /// One epoll instance with two sources, level-triggered: the device's
    /// fd and a timerfd for the deadline.
    #[derive(Debug)]
    pub struct Waiter {
        epoll: OwnedFd,
        deadline: Timer,
    }

    fn add(epoll: RawFd, fd: RawFd, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token,
        };
        let op = libc::EPOLL_CTL_ADD;
        // SAFETY: both fds are open; `event` is valid for the call.
        check(unsafe { libc::epoll_ctl(epoll, op, fd, &mut event) }).map(drop)
    }

    impl Waiter {
        pub fn new(device: RawFd) -> io::Result<Self> {
            // SAFETY: a plain system call; the new fd is owned at once.
            let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
            let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
            let deadline = Timer::new()?;
            add(epoll.as_raw_fd(), deadline.source(), DEADLINE)?;
            add(epoll.as_raw_fd(), device, DEVICE)?;
            Ok(Self { epoll, deadline })
        }

        pub fn wait(&mut self, deadline: Duration) -> io::Result<()> {
            self.deadline.arm_at(deadline)?;
            let mut events = [libc::epoll_event { events: 0, u64: 0 }; 2];
            let epoll = self.epoll.as_raw_fd();
            loop {
                // SAFETY: `events` has room for the 2 events asked for.
                match check(unsafe { libc::epoll_wait(epoll, events.as_mut_ptr(), 2, -1) }) {
                    Ok(_) => return Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_timer_makes_its_source_readable_when_it_fires() {
        let (Ok(timer), Some(now)) = (Timer::new(), monotonic_now()) else {
            panic!("no timerfd or monotonic clock on Linux");
        };
        // Armed an hour ahead: not readable; armed in the past: readable at once.
        assert!(timer.arm_at(now + Duration::from_secs(3600)).is_ok());
        assert_eq!(readable(timer.source(), Duration::ZERO).ok(), Some(false));
        assert!(
            timer
                .arm_at(now.saturating_sub(Duration::from_millis(1)))
                .is_ok()
        );
        assert_eq!(
            readable(timer.source(), Duration::from_secs(10)).ok(),
            Some(true)
        );
    }

    #[test]
    fn a_waiter_returns_for_a_ready_device_before_its_deadline() {
        let (Ok(device), Some(now)) = (Timer::new(), monotonic_now()) else {
            panic!("no timerfd or monotonic clock on Linux");
        };
        let Ok(mut waiter) = Waiter::new(device.source()) else {
            panic!("no epoll on Linux");
        };
        // The device fires now; the deadline is an hour away: the wait ends.
        assert!(device.arm_at(now).is_ok());
        assert!(waiter.wait(now + Duration::from_secs(3600)).is_ok());
    }
}
