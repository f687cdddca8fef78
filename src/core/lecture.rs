//! Lecture mode: the loop grows one slide at a time, as the lecture tells
//! it. Each step switches on one more job of the loop; the last moves the
//! mouse into its own thread.

use super::schedule::Subsystem;

/// One step of the lecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// What the slide says.
    pub caption: &'static str,
    /// The subsystems this step switches on (on top of the earlier steps').
    pub adds: &'static [Subsystem],
    /// The input mode this step runs in, by its name in the shell's mode
    /// table (`polled`, `threaded`, ...).
    pub mode: &'static str,
}

pub const STEPS: [Step; 9] = [
    Step {
        caption: "A game loop: synchronize to the highest frequency, read the keyboard, recompute the player position.",
        adds: &[Subsystem::Keyboard, Subsystem::Gamepad, Subsystem::Physics],
        mode: "polled",
    },
    Step {
        caption: "Read the mouse too: now the loop must run as fast as the mouse reports (1000 Hz).",
        adds: &[Subsystem::Mouse],
        mode: "polled",
    },
    Step {
        caption: "Update the display: a frame takes milliseconds, and the mouse waits.",
        adds: &[Subsystem::Display],
        mode: "polled",
    },
    Step {
        caption: "... and all other lights.",
        adds: &[Subsystem::Lights],
        mode: "polled",
    },
    Step {
        caption: "Emit sounds.",
        adds: &[Subsystem::Sound],
        mode: "polled",
    },
    Step {
        caption: "Move the game physically (rumble, screen shake).",
        adds: &[Subsystem::Haptics],
        mode: "polled",
    },
    Step {
        caption: "What about compute-intensive operations, like AI?",
        adds: &[Subsystem::Ai],
        mode: "polled",
    },
    Step {
        caption: "... video compression? Suddenly, the application is getting complex!",
        adds: &[Subsystem::Video],
        mode: "polled",
    },
    Step {
        caption: "pthread_create(&tid, NULL, read_mouse, NULL): the mouse gets its own thread, and the loop slows down to 60 Hz.",
        adds: &[],
        mode: "threaded",
    },
];

/// Subsystems on at step `step` (0-based): everything its steps and the
/// earlier ones added.
pub fn is_on(step: usize, s: Subsystem) -> bool {
    STEPS.iter().take(step + 1).any(|st| st.adds.contains(&s))
}

/// The slide's pseudo-code, one line per subsystem (in tick order).
pub fn code_line(s: Subsystem) -> &'static str {
    match s {
        Subsystem::Keyboard => "read_keyboard();",
        Subsystem::Mouse => "read_mouse();",
        Subsystem::Gamepad => "read_gamepad();",
        Subsystem::Physics => "recompute_player_position();",
        Subsystem::Lights => "update_other_lights();",
        Subsystem::Display => "update_display();",
        Subsystem::Sound => "emit_sounds();",
        Subsystem::Haptics => "move_game_physically();",
        Subsystem::Ai => "plan_enemies();          /* AI */",
        Subsystem::Video => "compress_video_frame();",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loop_grows_one_step_at_a_time() {
        assert!(is_on(0, Subsystem::Keyboard) && !is_on(0, Subsystem::Mouse));
        assert!(is_on(1, Subsystem::Mouse) && !is_on(1, Subsystem::Display));
        assert!(is_on(7, Subsystem::Video));
        let on_at = |step| Subsystem::ALL.iter().filter(|&&s| is_on(step, s)).count();
        for step in 1..STEPS.len() {
            assert!(on_at(step) >= on_at(step - 1));
        }
        assert_eq!(on_at(STEPS.len() - 1), Subsystem::COUNT);
        assert_eq!(STEPS[STEPS.len() - 1].mode, "threaded");
    }
}
