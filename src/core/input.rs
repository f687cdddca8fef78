//! Input as the loop sees it: mouse reports with timestamps, keyboard and
//! gamepad state, and the scripted synthetic mouse. Which mode reads the
//! mouse is the shell's business (src/shell/modes).

use std::time::Duration;

/// A colour, RGBA. Input modes are defined in the shell; the core only
/// receives the colour of the one that consumed a sample.
pub(crate) type Rgba = [u8; 4];

/// Mouse buttons held, as a bit mask (bit 0: left, 1: right, 2: middle).
pub(crate) type Buttons = u8;

/// One mouse report: the answer of one `read_from_mouse(buf, BUFSIZE)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MouseReport {
    /// The device's sequence number (consecutive for a device that drops nothing).
    pub seq: u64,
    /// When the device produced the report, on the program's clock.
    pub time: Duration,
    /// When the mode's reader had it from the device (its `read` or `poll`
    /// returned it): the first leg of its way to the screen. Devices set it
    /// to `time` when they make the report and stamp it as they hand it over.
    pub read: Duration,
    /// Position in arena (frame buffer) pixels.
    pub x: f32,
    pub y: f32,
    pub buttons: Buttons,
}

/// Keyboard state the loop reads each keyboard tick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keys {
    pub up: bool,
    pub down: bool,
    pub left: bool,
    pub right: bool,
}

impl Keys {
    /// The direction the keys ask for, each axis in -1..=1.
    pub(crate) fn axis(self) -> (f32, f32) {
        let x = f32::from(i8::from(self.right) - i8::from(self.left));
        let y = f32::from(i8::from(self.down) - i8::from(self.up));
        (x, y)
    }
}

/// Gamepad state the loop reads each gamepad tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pad {
    /// Left stick, each axis in -1..=1 (y down).
    pub stick: (f32, f32),
    /// The button that does what the mouse button does.
    pub action: bool,
}

/// A scripted mouse: a Lissajous path around the arena at a fixed report
/// rate, clicking now and then. Report `seq` is due at `start + seq / hz`,
/// exactly; the same arguments always give the same reports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SyntheticPath {
    start: Duration,
    hz: u32,
    width: f32,
    height: f32,
}

impl SyntheticPath {
    /// The report rates a real mouse can have.
    pub(crate) const HZ_RANGE: std::ops::RangeInclusive<u32> = 125..=8000;

    /// `hz` is clamped to [`Self::HZ_RANGE`].
    pub(crate) fn new(start: Duration, hz: u32, width: f32, height: f32) -> Self {
        Self {
            start,
            hz: hz.clamp(*Self::HZ_RANGE.start(), *Self::HZ_RANGE.end()),
            width,
            height,
        }
    }

    pub(crate) fn hz(&self) -> u32 {
        self.hz
    }

    /// When report `seq` is produced.
    pub(crate) fn time_of(&self, seq: u64) -> Duration {
        let nanos = u128::from(seq) * 1_000_000_000 / u128::from(self.hz);
        self.start + Duration::from_nanos(nanos as u64)
    }

    /// The newest report produced at or before `now` (`None` before the first).
    pub(crate) fn latest_at(&self, now: Duration) -> Option<u64> {
        let since = now.checked_sub(self.start)?;
        let seq = since.as_nanos() * u128::from(self.hz) / 1_000_000_000;
        Some(seq as u64)
    }

    /// How many reports were produced in `[from, to)`.
    #[cfg(test)]
    pub(crate) fn count_between(&self, from: Duration, to: Duration) -> u64 {
        let first = self.first_at_or_after(from);
        let end = self.first_at_or_after(to);
        end.saturating_sub(first)
    }

    #[cfg(test)]
    fn first_at_or_after(&self, t: Duration) -> u64 {
        match t.checked_sub(self.start) {
            None => 0,
            Some(since) => {
                let n = since.as_nanos() * u128::from(self.hz);
                n.div_ceil(1_000_000_000) as u64
            }
        }
    }

    /// Report number `seq`.
    pub(crate) fn report(&self, seq: u64) -> MouseReport {
        let time = self.time_of(seq);
        let s = (time - self.start).as_secs_f32();
        let (cx, cy) = (self.width / 2.0, self.height / 2.0);
        let x = cx + 0.38 * self.width * (s * 0.9).sin();
        let y = cy + 0.36 * self.height * (s * 1.3 + 0.7).sin();
        // Click for 120 ms every 2.5 s.
        let buttons = u8::from((s % 2.5) < 0.12);
        MouseReport {
            seq,
            time,
            read: time,
            x,
            y,
            buttons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn synthetic_reports_are_evenly_spaced_and_deterministic() {
        let path = SyntheticPath::new(ms(10), 1000, 640.0, 400.0);
        assert_eq!(path.time_of(0), ms(10));
        assert_eq!(path.time_of(250), ms(260));
        assert_eq!(path.latest_at(ms(9)), None);
        assert_eq!(path.latest_at(ms(10)), Some(0));
        assert_eq!(path.latest_at(Duration::from_micros(12_999)), Some(2));
        assert_eq!(path.report(77), path.report(77));
        let r = path.report(1234);
        assert!((0.0..640.0).contains(&r.x) && (0.0..400.0).contains(&r.y));
    }

    #[test]
    fn synthetic_counts_reports_in_half_open_intervals() {
        let path = SyntheticPath::new(ms(0), 8000, 1.0, 1.0);
        assert_eq!(path.count_between(ms(0), ms(1000)), 8000);
        assert_eq!(path.count_between(ms(0), ms(0)), 0);
        // [0.125 ms, 0.25 ms) holds exactly report 1.
        let q = Duration::from_micros(125);
        assert_eq!(path.count_between(q, q * 2), 1);
    }

    #[test]
    fn synthetic_rate_is_clamped_to_real_mice() {
        assert_eq!(SyntheticPath::new(ms(0), 1, 1.0, 1.0).hz(), 125);
        assert_eq!(SyntheticPath::new(ms(0), 100_000, 1.0, 1.0).hz(), 8000);
    }

    #[test]
    fn keys_give_an_axis() {
        let keys = Keys {
            up: true,
            left: true,
            right: true,
            ..Keys::default()
        };
        assert_eq!(keys.axis(), (0.0, -1.0));
    }
}
