//! Lecture mode: the loop grows one slide at a time, as the lecture tells
//! it. The first act switches on one more job of the loop per step and
//! ends by moving the mouse into its own thread. The second act goes on
//! through the rest of the argument: events (Ousterhout), the long handler
//! that stalls them, user-level threads and the blocking call, the
//! non-blocking fix, and the duality (von Behren, Condit, Brewer). Each of
//! its figures is first a question for the class ("predict"), and the next
//! key press shows the measured answer.

use std::time::Duration;

use super::schedule::Subsystem;

/// The figure a step shows beside its caption, measured live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Figure {
    /// The first act: the loop's pseudo-code, growing.
    Code,
    /// Reports the loop sees per tick (and of how many the mouse made).
    SamplesPerTick,
    /// How old the newest sample is when the loop consumes it.
    InputAge,
    /// Ticks the loop missed, and the frames it still showed.
    MissedTicks,
    /// Threads and events side by side.
    Duality,
    /// From the mouse to the screen: made → present returned.
    ToScreen,
    /// The same, with late latching on, and what the latch took and cost.
    LateLatch,
}

impl Figure {
    /// The modes (by their names in the mode table) whose figures it shows.
    pub(crate) fn modes(self) -> &'static [&'static str] {
        match self {
            Figure::Code => &[],
            Figure::SamplesPerTick => &["polled", "threaded", "events"],
            Figure::InputAge | Figure::Duality => &["threaded", "events"],
            Figure::MissedTicks => &["green-blocking", "green-yield"],
            Figure::ToScreen => &["polled", "threaded"],
            Figure::LateLatch => &["threaded"],
        }
    }
}

/// One step of the lecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// What the slide says (second act: the slide's own words, quoted).
    pub caption: &'static str,
    /// Whose slide it is.
    pub source: &'static str,
    /// The subsystems this step switches on (on top of the earlier steps').
    pub adds: &'static [Subsystem],
    /// The subsystems this step switches off.
    pub drops: &'static [Subsystem],
    /// The input mode this step runs in, by its name in the shell's mode
    /// table (`polled`, `threaded`, ...). A mode this build lacks leaves
    /// the loop where it is, and says so.
    pub mode: &'static str,
    /// A question for the class: the figure stays hidden until the next step.
    pub ask: Option<&'static str>,
    pub figure: Figure,
    /// A handler that runs this long on every tick (the long-handler step).
    pub handler: Duration,
    /// Late latching on in this step (the cursor drawn at the newest report).
    pub late_latch: bool,
    /// Pseudo-code of the second act's loops (the first act's is built
    /// from the subsystems on).
    pub code: &'static [&'static str],
}

const GALLMEISTER: &str = "Why Threads? (B.O. Gallmeister, POSIX.4)";
const OUSTERHOUT: &str = "J. Ousterhout, Why Threads Are A Bad Idea (for most purposes)";
const USER_LEVEL: &str = "User-Level vs. Kernel-Level Threads";
const VON_BEHREN: &str = "R. von Behren, J. Condit, E. Brewer, Why Events Are A Bad Idea";

/// A step of the first act.
const fn slide(caption: &'static str, adds: &'static [Subsystem], mode: &'static str) -> Step {
    Step {
        caption,
        source: GALLMEISTER,
        adds,
        drops: &[],
        mode,
        ask: None,
        figure: Figure::Code,
        handler: Duration::ZERO,
        late_latch: false,
        code: &[],
    }
}

/// A question before a figure: the loop runs as in the step before.
const fn predict(ask: &'static str, mode: &'static str, figure: Figure) -> Step {
    Step {
        caption: "Predict first.",
        source: "",
        adds: &[],
        drops: &[],
        mode,
        ask: Some(ask),
        figure,
        handler: Duration::ZERO,
        late_latch: false,
        code: &[],
    }
}

/// The measured answer, under the slide's words.
const fn reveal(
    caption: &'static str,
    source: &'static str,
    mode: &'static str,
    figure: Figure,
    code: &'static [&'static str],
) -> Step {
    Step {
        caption,
        source,
        adds: &[],
        drops: &[],
        mode,
        ask: None,
        figure,
        handler: Duration::ZERO,
        late_latch: false,
        code,
    }
}

/// The long handler: 10 ms of work on every tick of the event loop.
pub(crate) const LONG_HANDLER: Duration = Duration::from_millis(10);

const EVENT_LOOP: &[&str] = &[
    "register(mouse_fd, on_mouse);     /* callbacks */",
    "register(deadline_timer, on_tick);",
    "while (1) {",
    "    wait_for_events();            /* epoll: one thread sleeps */",
    "    invoke_handlers();            /* on_mouse drains every report */",
    "}",
];

const LONG_LOOP: &[&str] = &[
    "on_tick() {",
    "    update_display();",
    "    long_handler();               /* 10 ms, never preempted */",
    "}",
    "/* on_mouse waits: its reports grow old */",
];

const GREEN_BLOCKING: &[&str] = &[
    "void read_mouse() {               /* a user-level thread */",
    "    for (;;) {",
    "        read_from_mouse(buf, BUFSIZE);   /* blocks: the kernel */",
    "        dosomething_with(buf);           /* sees one thread, so */",
    "    }                                    /* the loop stops too */",
    "}",
];

const GREEN_YIELD: &[&str] = &[
    "void read_mouse() {",
    "    for (;;) {",
    "        while (!try_read_from_mouse(buf, BUFSIZE))  /* O_NONBLOCK */",
    "            yield();              /* back to the loop */",
    "        dosomething_with(buf);",
    "    }",
    "}",
];

const DUALITY: &[&str] = &[
    "/* Threads                      Events                  */",
    "/* Monitors                     Event handler & queue   */",
    "/* Exported functions           Events accepted         */",
    "/* Call/return and fork/join    Send message / await reply */",
    "/* Wait on condition variable   Wait for new messages   */",
];

const TO_SCREEN: &[&str] = &[
    "/* made -> read -> consumed -> simulated -> submitted -> presented */",
    "polled:   poll at 1000 Hz,  draw at 60 Hz",
    "threaded: read_mouse reads every report, the loop at 60 Hz",
    "/* either way, the report waits for the next frame */",
];

const LATE_LATCH: &[&str] = &[
    "while (1) {",
    "    read_mouse(); recompute_player_position();  /* fixed step */",
    "    latch_newest_mouse();         /* just before drawing */",
    "    update_display();             /* the cursor where it is now */",
    "}",
];

/// Where late latching comes from (not the slides: game engines and VR).
const LATCHING: &str = "Late latching (VR runtimes; NVIDIA Reflex, AMD Anti-Lag)";

pub(crate) const STEPS: [Step; 23] = [
    slide(
        "A game loop: synchronize to the highest frequency, read the keyboard, recompute the player position.",
        &[Subsystem::Keyboard, Subsystem::Gamepad, Subsystem::Physics],
        "polled",
    ),
    slide(
        "Read the mouse too: now the loop must run as fast as the mouse reports (1000 Hz).",
        &[Subsystem::Mouse],
        "polled",
    ),
    slide(
        "Update the display: a frame takes milliseconds, and the mouse waits.",
        &[Subsystem::Display],
        "polled",
    ),
    slide("... and all other lights.", &[Subsystem::Lights], "polled"),
    slide("Emit sounds.", &[Subsystem::Sound], "polled"),
    slide(
        "Move the game physically (rumble, screen shake).",
        &[Subsystem::Haptics],
        "polled",
    ),
    slide(
        "What about compute-intensive operations, like AI?",
        &[Subsystem::Ai],
        "polled",
    ),
    slide(
        "... video compression? Suddenly, the application is getting complex!",
        &[Subsystem::Video],
        "polled",
    ),
    slide(
        "pthread_create(&tid, NULL, read_mouse, NULL): the mouse gets its own thread, and the loop slows down to 60 Hz.",
        &[],
        "threaded",
    ),
    // The second act. AI and video step aside: the loop itself is the subject.
    Step {
        drops: &[Subsystem::Ai, Subsystem::Video],
        ..predict(
            "Events: no read_mouse thread, no polling. One thread sleeps in one wait on the mouse and the deadline. How many reports will the 60 Hz loop see per tick?",
            "threaded",
            Figure::SamplesPerTick,
        )
    },
    reveal(
        "\"One execution stream: no CPU concurrency.\" \"Event loop waits for events, invokes handlers.\"",
        OUSTERHOUT,
        "events",
        Figure::SamplesPerTick,
        EVENT_LOOP,
    ),
    predict(
        "What happens to input age when a handler runs 10 ms?",
        "events",
        Figure::InputAge,
    ),
    Step {
        handler: LONG_HANDLER,
        ..reveal(
            "\"Long-running handlers make application non-responsive.\" \"No preemption of event handlers.\"",
            OUSTERHOUT,
            "events",
            Figure::InputAge,
            LONG_LOOP,
        )
    },
    predict(
        "read_mouse as a user-level thread, scheduled by the loop on its own kernel thread, with a blocking read. What does the game do while the mouse is still?",
        "events",
        Figure::MissedTicks,
    ),
    reveal(
        "\"User-level: kernel not aware of threads\". \"With a single-threaded kernel, as system call blocks the entire process.\"",
        USER_LEVEL,
        "green-blocking",
        Figure::MissedTicks,
        GREEN_BLOCKING,
    ),
    predict(
        "Make the read non-blocking, and yield to the loop when nothing is there. How many ticks will it miss now?",
        "green-blocking",
        Figure::MissedTicks,
    ),
    reveal(
        "\"Cooperative multitasking works for threads, too!\"",
        VON_BEHREN,
        "green-yield",
        Figure::MissedTicks,
        GREEN_YIELD,
    ),
    predict(
        "Threads or events: which sees more of the mouse's reports, and which costs the loop more CPU?",
        "green-yield",
        Figure::Duality,
    ),
    reveal(
        "\"Thread-event duality still holds\": \"Major concepts are analogous\", \"Program structure is similar\", \"Performance should be similar\" (\"Given good implementations!\")",
        VON_BEHREN,
        "threaded",
        Figure::Duality,
        DUALITY,
    ),
    predict(
        "The same 60 frames a second: polled at 1000 Hz, or a read_mouse thread and a 60 Hz loop. Which shows the mouse on screen sooner, and by how much?",
        "threaded",
        Figure::ToScreen,
    ),
    reveal(
        "\"Synchronize to Highest\" frequency reads the mouse sooner, not the screen: every report waits for the next frame. From made to present returned:",
        GALLMEISTER,
        "threaded",
        Figure::ToScreen,
        TO_SCREEN,
    ),
    predict(
        "Late latching: just before drawing, take the newest report and draw the cursor there (physics keeps its fixed step). How much sooner does the mouse reach the screen?",
        "threaded",
        Figure::LateLatch,
    ),
    Step {
        late_latch: true,
        ..reveal(
            "Late latching: the newest report, read just before the frame is drawn; the simulation keeps its fixed step.",
            LATCHING,
            "threaded",
            Figure::LateLatch,
            LATE_LATCH,
        )
    },
];

/// Steps of the first act (the loop growing); the rest is the second act.
pub(crate) const FIRST_ACT: usize = 9;

/// Is `s` on at step `step` (0-based)? The latest step that added or
/// dropped it decides; never mentioned means off.
pub(crate) fn is_on(step: usize, s: Subsystem) -> bool {
    let mut on = false;
    for st in STEPS.iter().take(step + 1) {
        if st.adds.contains(&s) {
            on = true;
        }
        if st.drops.contains(&s) {
            on = false;
        }
    }
    on
}

/// The slide's pseudo-code, one line per subsystem (in tick order).
pub(crate) fn code_line(s: Subsystem) -> &'static str {
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
        for step in 1..FIRST_ACT {
            assert!(on_at(step) >= on_at(step - 1));
        }
        assert_eq!(on_at(FIRST_ACT - 1), Subsystem::COUNT);
        assert_eq!(STEPS[FIRST_ACT - 1].mode, "threaded");
    }

    #[test]
    fn the_second_act_puts_ai_and_video_aside() {
        for step in FIRST_ACT..STEPS.len() {
            assert!(!is_on(step, Subsystem::Ai) && !is_on(step, Subsystem::Video));
            assert!(is_on(step, Subsystem::Mouse) && is_on(step, Subsystem::Display));
        }
    }

    #[test]
    fn every_figure_is_predicted_before_it_is_shown() {
        for (i, step) in STEPS.iter().enumerate().skip(FIRST_ACT) {
            match step.ask {
                Some(_) => {
                    // The next step reveals the very figure asked about.
                    let next = STEPS.get(i + 1).copied();
                    assert!(next.is_some_and(|n| n.ask.is_none() && n.figure == step.figure));
                    // Asking changes nothing: the loop runs as in the step before.
                    assert_eq!(step.mode, STEPS[i - 1].mode, "step {}", i + 1);
                }
                None => {
                    assert_eq!(
                        STEPS[i - 1].ask.map(|_| STEPS[i - 1].figure),
                        Some(step.figure)
                    );
                    assert!(!step.code.is_empty() && !step.source.is_empty());
                }
            }
        }
    }

    #[test]
    fn the_second_act_walks_through_every_new_mode() {
        let modes: Vec<&str> = STEPS[FIRST_ACT..].iter().map(|s| s.mode).collect();
        for m in ["events", "green-blocking", "green-yield", "threaded"] {
            assert!(modes.contains(&m), "{m}");
        }
        let long: Vec<_> = STEPS
            .iter()
            .filter(|s| s.handler > Duration::ZERO)
            .collect();
        assert_eq!(long.len(), 1);
        assert_eq!(long[0].mode, "events");
        assert_eq!(long[0].figure, Figure::InputAge);
    }

    #[test]
    fn the_captions_quote_the_slides() {
        // Every quoted phrase of the second act is in the lecture's slides
        // word for word (markdown emphasis aside).
        let slides = include_str!("../../docs/threads-slides.md").replace("**", "");
        for step in &STEPS[FIRST_ACT..] {
            for (i, quote) in step.caption.split('"').enumerate() {
                if i % 2 == 1 {
                    assert!(slides.contains(quote), "not in the slides: {quote}");
                }
            }
        }
    }
}
