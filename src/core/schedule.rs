//! "Synchronize to the highest frequency": the subsystems of the game loop,
//! their rates, and which of them run on which tick.
//!
//! The loop runs at the highest rate among the subsystems that live inside
//! it in the current mode. Every subsystem runs on the first tick whose
//! deadline reaches its own next due time, so a 60 Hz display in a 240 Hz
//! loop runs on every fourth tick. When the input mode reads the mouse
//! outside the rate table (a thread, an event wait), the mouse leaves the
//! table and the loop may slow down.

use std::time::Duration;

use super::pacing::period_of;

/// One job of the slide's game loop, in the order a tick runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Subsystem {
    Keyboard,
    Mouse,
    Gamepad,
    /// Recompute the player position (fixed timestep).
    Physics,
    /// "Update all other lights": the lighting pass' inputs for this frame.
    Lights,
    /// Draw the frame and present it.
    Display,
    /// Emit the sounds the game asked for.
    Sound,
    /// "Move the game physically": rumble and screen shake.
    Haptics,
    /// "Compute-intensive operations, like AI": enemies plan their paths.
    Ai,
    /// "... video compression": the displayed frame is recorded.
    Video,
}

impl Subsystem {
    /// Every subsystem, in tick order.
    pub(crate) const ALL: [Subsystem; 10] = [
        Subsystem::Keyboard,
        Subsystem::Mouse,
        Subsystem::Gamepad,
        Subsystem::Physics,
        Subsystem::Lights,
        Subsystem::Display,
        Subsystem::Sound,
        Subsystem::Haptics,
        Subsystem::Ai,
        Subsystem::Video,
    ];
    pub(crate) const COUNT: usize = Self::ALL.len();

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Subsystem::Keyboard => "keyboard",
            Subsystem::Mouse => "mouse",
            Subsystem::Gamepad => "gamepad",
            Subsystem::Physics => "physics",
            Subsystem::Display => "display",
            Subsystem::Lights => "lights",
            Subsystem::Sound => "sound",
            Subsystem::Haptics => "haptics",
            Subsystem::Ai => "ai",
            Subsystem::Video => "video",
        }
    }

    /// The line of the slide's pseudo-code loop this subsystem is.
    pub(crate) fn slide_line(self) -> &'static str {
        match self {
            Subsystem::Keyboard => "read keyboard",
            Subsystem::Mouse => "read mouse",
            Subsystem::Gamepad => "read gamepad",
            Subsystem::Physics => "recompute player position",
            Subsystem::Display => "update display",
            Subsystem::Lights => "update all other lights",
            Subsystem::Sound => "emit sounds",
            Subsystem::Haptics => "move game physically",
            Subsystem::Ai => "plan enemies (AI)",
            Subsystem::Video => "compress video",
        }
    }
}

/// The rate of every subsystem, in hertz (at least 1), and whether it is
/// switched on at all (AI and video start off; lecture mode switches the
/// loop's jobs on one slide at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateTable {
    hz: [u32; Subsystem::COUNT],
    on: [bool; Subsystem::COUNT],
}

impl RateTable {
    /// The game's rates: `base_hz` (`--hz`) for keyboard, gamepad and
    /// physics; 60 Hz for what is seen and heard; 30 Hz for rumble; and
    /// `mouse_hz`, the mouse's report rate, which a polling loop must match
    /// to see every report.
    pub(crate) fn new(base_hz: u32, mouse_hz: u32) -> Self {
        let mut table = Self {
            hz: [base_hz, mouse_hz, base_hz, base_hz, 60, 60, 60, 30, 10, 60],
            on: [true, true, true, true, true, true, true, true, false, false],
        };
        for hz in &mut table.hz {
            *hz = (*hz).max(1);
        }
        table
    }

    pub(crate) fn hz(&self, s: Subsystem) -> u32 {
        self.hz[s.index()]
    }

    pub(crate) fn set_hz(&mut self, s: Subsystem, hz: u32) {
        self.hz[s.index()] = hz.max(1);
    }

    pub(crate) fn is_on(&self, s: Subsystem) -> bool {
        self.on[s.index()]
    }

    pub(crate) fn set_on(&mut self, s: Subsystem, on: bool) {
        self.on[s.index()] = on;
    }

    /// Does `s` run at its rate inside the loop? Everything switched on
    /// does, except the mouse when the input mode reads it some other way
    /// (`mouse_in_table` false: a thread, an event wait).
    pub(crate) fn in_loop(&self, s: Subsystem, mouse_in_table: bool) -> bool {
        self.is_on(s) && (s != Subsystem::Mouse || mouse_in_table)
    }

    /// The loop rate required: the highest rate in the loop.
    pub(crate) fn loop_hz(&self, mouse_in_table: bool) -> u32 {
        Subsystem::ALL
            .iter()
            .filter(|&&s| self.in_loop(s, mouse_in_table))
            .map(|&s| self.hz(s))
            .max()
            .unwrap_or(1)
    }

    /// The subsystem that sets the loop rate (the first of the fastest).
    pub(crate) fn pace_setter(&self, mouse_in_table: bool) -> Subsystem {
        let hz = self.loop_hz(mouse_in_table);
        Subsystem::ALL
            .into_iter()
            .find(|&s| self.in_loop(s, mouse_in_table) && self.hz(s) == hz)
            .unwrap_or(Subsystem::Physics)
    }
}

/// A set of subsystems, as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SubsystemSet(u16);

impl SubsystemSet {
    pub(crate) fn insert(&mut self, s: Subsystem) {
        self.0 |= 1 << s.index();
    }
    pub(crate) fn contains(self, s: Subsystem) -> bool {
        self.0 & (1 << s.index()) != 0
    }
    /// Members in tick order.
    #[cfg(test)]
    pub(crate) fn iter(self) -> impl Iterator<Item = Subsystem> {
        Subsystem::ALL
            .into_iter()
            .filter(move |&s| self.contains(s))
    }
}

/// Decides, tick by tick, which subsystems are due.
#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    rates: RateTable,
    /// Is the mouse read at its rate by the loop (the input mode says)?
    mouse_in_table: bool,
    /// When each subsystem is next due; `None` until it first runs.
    next_due: [Option<Duration>; Subsystem::COUNT],
}

impl Schedule {
    pub(crate) fn new(rates: RateTable, mouse_in_table: bool) -> Self {
        Self {
            rates,
            mouse_in_table,
            next_due: [None; Subsystem::COUNT],
        }
    }

    pub(crate) fn rates(&self) -> &RateTable {
        &self.rates
    }

    pub(crate) fn mouse_in_table(&self) -> bool {
        self.mouse_in_table
    }

    /// The loop rate the current mode requires.
    pub(crate) fn loop_hz(&self) -> u32 {
        self.rates.loop_hz(self.mouse_in_table)
    }

    /// The subsystem that sets the loop rate now.
    pub(crate) fn pace_setter(&self) -> Subsystem {
        self.rates.pace_setter(self.mouse_in_table)
    }

    pub(crate) fn loop_period(&self) -> Duration {
        period_of(self.loop_hz())
    }

    /// Puts the mouse in the rate table or takes it out (the input mode
    /// changed); returns whether the loop rate changed.
    pub(crate) fn set_mouse_in_table(&mut self, in_table: bool) -> bool {
        let before = self.loop_hz();
        self.mouse_in_table = in_table;
        self.loop_hz() != before
    }

    /// Changes one rate; returns whether the loop rate changed.
    pub(crate) fn set_hz(&mut self, s: Subsystem, hz: u32) -> bool {
        let before = self.loop_hz();
        self.rates.set_hz(s, hz);
        self.next_due[s.index()] = None;
        self.loop_hz() != before
    }

    /// Switches a subsystem on or off; returns whether the loop rate changed.
    pub(crate) fn set_on(&mut self, s: Subsystem, on: bool) -> bool {
        let before = self.loop_hz();
        self.rates.set_on(s, on);
        self.next_due[s.index()] = None;
        self.loop_hz() != before
    }

    /// The subsystems due on the tick whose deadline is `deadline`, and
    /// their next due times advanced.
    ///
    /// A subsystem is due when the deadline is within half a loop period
    /// of its due time, so rates that do not divide the loop rate still
    /// average out exactly. One that fell behind (the loop was late) runs
    /// once and re-anchors, like the loop itself.
    pub(crate) fn due(&mut self, deadline: Duration) -> SubsystemSet {
        let half_tick = self.loop_period() / 2;
        let mut set = SubsystemSet::default();
        for s in Subsystem::ALL {
            if !self.rates.in_loop(s, self.mouse_in_table) {
                continue;
            }
            let period = period_of(self.rates.hz(s));
            let slot = &mut self.next_due[s.index()];
            let due_at = slot.unwrap_or(deadline);
            if deadline + half_tick >= due_at {
                set.insert(s);
                let next = due_at + period;
                *slot = Some(if next + half_tick <= deadline {
                    deadline + period
                } else {
                    next
                });
            }
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pacing::Deadlines;

    fn runs(schedule: &mut Schedule, ticks: usize) -> [usize; Subsystem::COUNT] {
        let mut deadlines = Deadlines::new(Duration::ZERO, schedule.loop_period());
        let mut counts = [0; Subsystem::COUNT];
        for _ in 0..ticks {
            let tick = deadlines.arrive(deadlines.next());
            for s in schedule.due(tick.deadline).iter() {
                counts[s.index()] += 1;
            }
        }
        counts
    }

    #[test]
    fn polled_loop_runs_at_the_mouse_rate_threaded_at_the_physics_rate() {
        let rates = RateTable::new(240, 1000);
        assert_eq!(rates.loop_hz(true), 1000);
        assert_eq!(rates.pace_setter(true), Subsystem::Mouse);
        assert_eq!(rates.loop_hz(false), 240);
        assert_eq!(
            rates.pace_setter(false),
            Subsystem::Keyboard,
            "first of the 240 Hz ones"
        );
        // A slow mouse does not set the pace even when polled.
        assert_eq!(RateTable::new(240, 125).loop_hz(true), 240);
    }

    #[test]
    fn display_runs_every_fourth_tick_of_a_240_hz_loop() {
        let mut s = Schedule::new(RateTable::new(240, 1000), false);
        let mut deadlines = Deadlines::new(Duration::ZERO, s.loop_period());
        let mut display_ticks = Vec::new();
        for i in 0..12 {
            let tick = deadlines.arrive(deadlines.next());
            let due = s.due(tick.deadline);
            assert!(due.contains(Subsystem::Physics));
            assert!(
                !due.contains(Subsystem::Mouse),
                "threaded: the loop never reads the mouse"
            );
            if due.contains(Subsystem::Display) {
                display_ticks.push(i);
            }
        }
        assert_eq!(display_ticks, vec![0, 4, 8]);
    }

    #[test]
    fn one_second_of_ticks_runs_each_subsystem_at_its_rate() {
        let mut s = Schedule::new(RateTable::new(240, 1000), true);
        let counts = runs(&mut s, 1000);
        let expect = [240, 1000, 240, 240, 60, 60, 60, 30, 0, 0];
        assert_eq!(counts, expect);

        let mut s = Schedule::new(RateTable::new(240, 1000), false);
        let counts = runs(&mut s, 240);
        assert_eq!(counts, [240, 0, 240, 240, 60, 60, 60, 30, 0, 0]);

        // The game's default: without the mouse, a 60 Hz loop does it all.
        let mut s = Schedule::new(RateTable::new(60, 1000), false);
        assert_eq!(s.loop_hz(), 60);
        s.set_on(Subsystem::Ai, true);
        s.set_on(Subsystem::Video, true);
        assert_eq!(runs(&mut s, 60), [60, 0, 60, 60, 60, 60, 60, 30, 10, 60]);
    }

    #[test]
    fn rates_that_do_not_divide_the_loop_rate_average_out() {
        let mut s = Schedule::new(RateTable::new(240, 1000), true);
        // 240 Hz physics in a 1000 Hz loop: 4.1667 ticks apart.
        let counts = runs(&mut s, 10_000);
        assert_eq!(counts[Subsystem::Physics.index()], 2400);
    }

    #[test]
    fn a_late_loop_runs_each_subsystem_once_not_in_a_burst() {
        let mut s = Schedule::new(RateTable::new(240, 1000), false);
        s.due(Duration::ZERO);
        // The next tick comes 100 ms late: physics (4.17 ms) is 24 periods behind.
        let due = s.due(Duration::from_millis(100));
        assert!(due.contains(Subsystem::Physics));
        let next = s.due(Duration::from_millis(100) + s.loop_period());
        assert!(next.contains(Subsystem::Physics));
        assert!(
            !next.contains(Subsystem::Display),
            "display re-anchored, not catching up"
        );
    }

    #[test]
    fn switched_off_subsystems_neither_run_nor_set_the_pace() {
        let mut s = Schedule::new(RateTable::new(240, 1000), true);
        assert!(s.set_on(Subsystem::Mouse, false));
        assert_eq!(s.loop_hz(), 240);
        for k in [Subsystem::Keyboard, Subsystem::Gamepad, Subsystem::Physics] {
            s.set_on(k, false);
        }
        assert_eq!(s.loop_hz(), 60);
        assert!(!s.due(Duration::ZERO).contains(Subsystem::Physics));
    }

    #[test]
    fn switching_mode_reports_a_loop_rate_change() {
        let mut s = Schedule::new(RateTable::new(240, 1000), true);
        assert!(s.set_mouse_in_table(false));
        assert_eq!(s.loop_hz(), 240);
        assert!(!s.set_mouse_in_table(false));
        assert!(s.set_hz(Subsystem::Physics, 500));
        assert_eq!(s.loop_hz(), 500);
    }
}
