//! Lecture mode: the loop grows one slide at a time (core/lecture.rs says
//! what each step switches on and which input mode it runs in).

use super::Engine;
use crate::core::lecture;
use crate::core::schedule::Subsystem;
use crate::shell::modes::ModeId;

impl Engine {
    /// Lecture mode: the next step, or out of lecture mode after the last.
    pub(super) fn lecture_next(&mut self) {
        let next = self.lecture.map_or(0, |s| s + 1);
        if next >= lecture::STEPS.len() {
            self.lecture_end();
            return;
        }
        self.lecture = Some(next);
        let step = lecture::STEPS[next];
        match ModeId::parse(step.mode) {
            Some(mode) => self.set_mode(mode),
            None => self.warn(format!(
                "lecture: this build has no '{}' mode; the loop stays {}",
                step.mode,
                self.mode.name()
            )),
        }
        // The long handler: the loop's extra work on every tick.
        self.load = step.handler;
        self.late_latch = step.late_latch;
        for s in Subsystem::ALL {
            // Someone has to show the slides: the display always runs.
            let on = s == Subsystem::Display || lecture::is_on(next, s);
            self.schedule.set_on(s, on);
        }
        let ai = lecture::is_on(next, Subsystem::Ai);
        if ai != self.compute.ai_on {
            self.set_ai(ai, self.compute.ai_level);
        }
        let video = lecture::is_on(next, Subsystem::Video);
        if video != self.compute.recording() {
            self.set_recording(video);
        }
        self.rate_changed();
    }

    /// Leaves lecture mode (after its last step, or at once): every job of
    /// the game back on, the slides' AI and recording off, the rates restored.
    pub(super) fn lecture_end(&mut self) {
        if self.lecture.take().is_none() {
            return;
        }
        for s in Subsystem::ALL {
            let on = !matches!(s, Subsystem::Ai | Subsystem::Video);
            self.schedule.set_on(s, on);
        }
        self.set_ai(false, self.compute.ai_level);
        self.set_recording(false);
        self.load = std::time::Duration::ZERO;
        self.late_latch = false;
        self.rate_changed();
    }
}
