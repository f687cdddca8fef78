//! A mouse's HID input values gathered into [`RawReport`]s. macOS's
//! IOHIDManager hands a report over one value at a time (X, Y, each
//! button), every value of it with the report's time stamp; the game wants
//! one report per report the device sent, as Raw Input gives it. Pure (the
//! values come in as numbers), so every platform's tests run it.

use std::collections::VecDeque;

use super::raw_mouse::{LEFT, MIDDLE, RIGHT, RawReport};

/// HID usage page "generic desktop", and its X and Y axes.
const PAGE_GENERIC_DESKTOP: u32 = 0x01;
const USAGE_X: u32 = 0x30;
const USAGE_Y: u32 = 0x31;
/// HID usage page "button": usage n is button n (1 primary, 2 secondary,
/// 3 tertiary).
const PAGE_BUTTON: u32 = 0x09;

/// What one value does to its report.
enum Change {
    Dx(i32),
    Dy(i32),
    Press(u8),
    Release(u8),
}

impl Change {
    /// `None`: a value the game does not read (the wheel, buttons past the
    /// third, vendor pages).
    fn of(page: u32, usage: u32, value: i64) -> Option<Self> {
        let motion = value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        let button = match (page, usage) {
            (PAGE_GENERIC_DESKTOP, USAGE_X) => return Some(Self::Dx(motion)),
            (PAGE_GENERIC_DESKTOP, USAGE_Y) => return Some(Self::Dy(motion)),
            (PAGE_BUTTON, 1) => LEFT,
            (PAGE_BUTTON, 2) => RIGHT,
            (PAGE_BUTTON, 3) => MIDDLE,
            _ => return None,
        };
        Some(if value != 0 {
            Self::Press(button)
        } else {
            Self::Release(button)
        })
    }

    fn apply(self, report: &mut RawReport) {
        match self {
            Self::Dx(d) => report.dx = report.dx.saturating_add(d),
            Self::Dy(d) => report.dy = report.dy.saturating_add(d),
            Self::Press(bit) => report.pressed |= bit,
            Self::Release(bit) => report.released |= bit,
        }
    }
}

/// Reports gathered from values, kept for the next read. The queue is
/// sized once: a full queue drops its oldest report (an overrun) rather
/// than allocate while the mouse reports.
#[derive(Debug)]
pub(crate) struct Reports {
    /// The report its values are still arriving for, with their time stamp.
    building: Option<(u64, RawReport)>,
    kept: VecDeque<RawReport>,
    capacity: usize,
    overruns: u64,
}

impl Reports {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            building: None,
            kept: VecDeque::with_capacity(capacity),
            capacity: capacity.max(1),
            overruns: 0,
        }
    }

    /// One value of the report stamped `time`: a value with another time
    /// stamp than the report being built finishes that report first.
    pub(crate) fn value(&mut self, time: u64, page: u32, usage: u32, value: i64) {
        let Some(change) = Change::of(page, usage, value) else {
            return;
        };
        if self.building.is_some_and(|(t, _)| t != time) {
            self.finish();
        }
        let (_, report) = self.building.get_or_insert((time, RawReport::default()));
        change.apply(report);
    }

    /// Keeps the report being built: every value that had arrived was
    /// handed over. One that moved nothing and changed no button (all its
    /// values were zero motion) is no report for the game.
    pub(crate) fn finish(&mut self) {
        let Some((_, report)) = self.building.take() else {
            return;
        };
        if report == RawReport::default() {
            return;
        }
        if self.kept.len() >= self.capacity {
            self.kept.pop_front();
            self.overruns += 1;
        }
        self.kept.push_back(report);
    }

    /// Finished reports waiting to be read.
    pub(crate) fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Hands over the finished reports, oldest first; returns how many.
    pub(crate) fn take(&mut self, each: &mut dyn FnMut(RawReport)) -> usize {
        let n = self.kept.len();
        for report in self.kept.drain(..) {
            each(report);
        }
        n
    }

    /// Reports dropped from a full queue.
    pub(crate) fn overruns(&self) -> u64 {
        self.overruns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GD: u32 = PAGE_GENERIC_DESKTOP;

    /// The reports `values` (time, page, usage, value) make, finished.
    fn reports(values: &[(u64, u32, u32, i64)]) -> Vec<RawReport> {
        let mut r = Reports::with_capacity(16);
        for &(time, page, usage, value) in values {
            r.value(time, page, usage, value);
        }
        r.finish();
        let mut out = Vec::new();
        r.take(&mut |report| out.push(report));
        out
    }

    #[test]
    fn the_values_of_one_time_stamp_are_one_report() {
        let got = reports(&[
            (7, GD, USAGE_X, 3),
            (7, GD, USAGE_Y, -2),
            (7, PAGE_BUTTON, 1, 1),
        ]);
        let want = RawReport {
            dx: 3,
            dy: -2,
            pressed: LEFT,
            ..Default::default()
        };
        assert_eq!(got, [want]);
    }

    #[test]
    fn a_new_time_stamp_finishes_the_report_before_it() {
        let got = reports(&[
            (1, GD, USAGE_X, 5),
            (2, GD, USAGE_X, -1),
            (2, GD, USAGE_Y, 4),
        ]);
        let dx = |dx, dy| RawReport {
            dx,
            dy,
            ..Default::default()
        };
        assert_eq!(got, [dx(5, 0), dx(-1, 4)]);
    }

    #[test]
    fn buttons_one_to_three_press_at_one_and_release_at_zero() {
        let got = reports(&[
            (1, PAGE_BUTTON, 2, 1),
            (1, PAGE_BUTTON, 3, 1),
            (2, PAGE_BUTTON, 2, 0),
            (2, PAGE_BUTTON, 3, 0),
            (2, PAGE_BUTTON, 1, 0),
        ]);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].pressed, got[0].released), (RIGHT | MIDDLE, 0));
        assert_eq!(
            (got[1].pressed, got[1].released),
            (0, RIGHT | MIDDLE | LEFT)
        );
    }

    #[test]
    fn what_the_game_does_not_read_makes_no_report() {
        // The wheel (0x38), a fourth button, a vendor page, and a report
        // of zero motion only.
        let got = reports(&[
            (1, GD, 0x38, 1),
            (1, PAGE_BUTTON, 4, 1),
            (1, 0xFF00, USAGE_X, 9),
            (2, GD, USAGE_X, 0),
            (2, GD, USAGE_Y, 0),
        ]);
        assert_eq!(got, []);
    }

    #[test]
    fn a_value_it_ignores_does_not_split_a_report() {
        let got = reports(&[(1, GD, USAGE_X, 1), (9, GD, 0x38, 1), (1, GD, USAGE_Y, 1)]);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].dx, got[0].dy), (1, 1));
    }

    #[test]
    fn a_full_queue_drops_the_oldest_and_counts_it() {
        let mut r = Reports::with_capacity(2);
        for time in 1..=3 {
            r.value(time, GD, USAGE_X, time as i64);
        }
        r.finish();
        assert_eq!(r.overruns(), 1);
        let mut dx = Vec::new();
        assert_eq!(r.take(&mut |report| dx.push(report.dx)), 2);
        assert_eq!(dx, [2, 3]);
        assert!(r.is_empty());
    }

    #[test]
    fn motion_beyond_i32_saturates() {
        let got = reports(&[(1, GD, USAGE_X, i64::MAX), (1, GD, USAGE_X, 1)]);
        assert_eq!(got[0].dx, i32::MAX);
    }
}
