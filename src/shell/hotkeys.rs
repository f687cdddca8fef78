//! Every hotkey and input, written down once: the window's key handler,
//! the on-screen help, the overlay's summary line, `--help` and README's
//! table all come from [`HOTKEYS`] (a test compares README with it).

use std::sync::LazyLock;

use super::engine::Command;

/// A key, named without the window library's types (the app maps them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    T,
    B,
    E,
    U,
    I,
    K,
    J,
    V,
    N,
    Space,
    R,
    O,
    Plus,
    NumpadPlus,
    Minus,
    NumpadMinus,
    L,
    PageUp,
    BracketRight,
    PageDown,
    BracketLeft,
    M,
    P,
    H,
    F1,
    G,
    F11,
    Escape,
    ArrowUp,
    ArrowDown,
    ArrowLeft,
    ArrowRight,
    W,
    A,
    S,
    D,
    X,
}

/// What the window alone changes (what it shows or plays).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum View {
    Overlay,
    Bigger,
    Smaller,
    Lights,
    Mute,
    Help,
    /// The thread timeline panel.
    Timeline,
    Fullscreen,
}

/// What a row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// A command for the loop, on a real press.
    Engine(Command),
    /// A change of the view, on a real press.
    View(View),
    /// Held keys and devices (movement, dash): read every tick, not a command.
    Input,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hotkey {
    /// As README and the help window show it ("N or Space").
    pub label: &'static str,
    /// On the overlay's summary line ("N lecture"); empty: not there.
    pub short: &'static str,
    /// What it does; `backticks` mark code in README and are dropped elsewhere.
    pub help: &'static str,
    /// Every key that does it (some have unlisted alternatives, like `]`).
    pub keys: &'static [Key],
    pub action: Action,
}

const fn row(
    label: &'static str,
    short: &'static str,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
) -> Hotkey {
    Hotkey {
        label,
        short,
        help,
        keys,
        action,
    }
}

use Action::{Engine, Input};
use Command as C;

/// B: into the blocking trap, and back to polled. Both names are checked
/// against the mode table when this compiles.
const BLOCKING_TRAP: Command = match Command::toggle("blocking", "polled") {
    Some(c) => c,
    None => panic!("the hotkey table names a mode the mode table lacks"),
};

/// E: Ousterhout's event loop, and back to polled.
const EVENT_LOOP: Command = match Command::toggle("events", "polled") {
    Some(c) => c,
    None => panic!("the hotkey table names a mode the mode table lacks"),
};

/// U: `read_mouse` as a user-level thread; pressed again, the other
/// variant (a blocking read that stalls the whole loop, or non-blocking + yield).
const USER_LEVEL: Command = match Command::toggle("green-blocking", "green-yield") {
    Some(c) => c,
    None => panic!("the hotkey table names a mode the mode table lacks"),
};

/// The hotkeys, in the order every list shows them.
#[rustfmt::skip]
pub(crate) const HOTKEYS: &[Hotkey] = &[
    row("T", "T mode", &[Key::T], Engine(C::NextMode),
        "the next input mode, through every mode in turn (polled → threaded → …); starts or joins `read_mouse` as the mode needs"),
    row("B", "B blocking", &[Key::B], Engine(BLOCKING_TRAP),
        "the blocking-read trap: the loop itself waits in the mouse's blocking read (at most 250 ms); B or T gets out"),
    row("E", "E events", &[Key::E], Engine(EVENT_LOOP),
        "the event loop (Ousterhout): one thread waits on the mouse and the deadline at once; E again: polled"),
    row("U", "U green", &[Key::U], Engine(USER_LEVEL),
        "`read_mouse` as a user-level thread on the loop's own thread: blocking read first (the loop stalls), U again: non-blocking + yield"),
    row("I", "I AI", &[Key::I], Engine(C::ToggleAi),
        "enemies on / off: A* path finding on the arena grid, 10 times a second"),
    row("K", "K harder", &[Key::K], Engine(C::AiHarder),
        "harder AI: more enemies, a finer grid (2 → 32 enemies, 16 → 4 px cells)"),
    row("J", "J workers", &[Key::J], Engine(C::ToggleWorkers),
        "AI and video compression inline in the loop, or on worker threads (`ai`, `video`)"),
    row("X", "X latch", &[Key::X], Engine(C::ToggleLateLatch),
        "late latching on / off: just before each frame is drawn, take the newest reports and draw the cursor there (the simulation keeps its fixed step)"),
    row("V", "V record", &[Key::V], Engine(C::ToggleRecording),
        "record every displayed frame as PNG files in `recordings/why-threads-<time>/`"),
    row("N or Space", "N lecture", &[Key::N, Key::Space], Engine(C::LectureNext),
        "lecture mode: the loop grows one slide at a time (9 steps), then the second act: events, user-level threads, the duality, the way to the screen and late latching (23 steps, then back)"),
    row("G", "G timeline", &[Key::G], Action::View(View::Timeline),
        "the thread timeline: what each of our threads did in the last 200 ms (frozen while paused)"),
    row("F11", "F11 full", &[Key::F11], Action::View(View::Fullscreen), "fullscreen on / off"),
    row("R", "R reset", &[Key::R], Engine(C::ResetStats), "reset the statistics"),
    row("O", "O overlay", &[Key::O], Action::View(View::Overlay), "overlay on / off"),
    row("+ / -", "+/- size", &[Key::Plus, Key::NumpadPlus], Action::View(View::Bigger),
        "overlay bigger / smaller (for projectors)"),
    row("", "", &[Key::Minus, Key::NumpadMinus], Action::View(View::Smaller), ""),
    row("L", "L lights", &[Key::L], Action::View(View::Lights), "lights shader on / off"),
    row("PgUp / PgDn", "PgUp/PgDn rate", &[Key::PageUp, Key::BracketRight], Engine(C::ChangeRate(1)),
        "base rate (keyboard, gamepad, physics) up / down"),
    row("", "", &[Key::PageDown, Key::BracketLeft], Engine(C::ChangeRate(-1)), ""),
    row("M", "M mute", &[Key::M], Action::View(View::Mute), "mute / unmute"),
    row("P", "P pause", &[Key::P], Engine(C::TogglePause), "pause the game"),
    row("H or F1", "H help", &[Key::H, Key::F1], Action::View(View::Help), "help on screen"),
    row("Esc", "Esc quit", &[Key::Escape], Engine(C::Quit), "quit (the report is written)"),
    row("arrows / WASD, left stick", "",
        &[Key::ArrowUp, Key::ArrowDown, Key::ArrowLeft, Key::ArrowRight, Key::W, Key::A, Key::S, Key::D],
        Input, "move the puck; the mouse pulls it towards the cursor"),
    row("mouse button, gamepad South", "", &[], Input, "dash"),
];

/// The rows a person reads (a second key of a pair, like `-`, has none).
pub(crate) fn listed() -> impl Iterator<Item = &'static Hotkey> {
    HOTKEYS.iter().filter(|h| !h.label.is_empty())
}

/// What a press of `key` does, if anything.
pub(crate) fn action_of(key: Key) -> Option<Action> {
    HOTKEYS
        .iter()
        .find(|h| h.keys.contains(&key))
        .map(|h| h.action)
}

/// Help text without README's code marks.
pub(crate) fn plain(help: &str) -> String {
    help.replace('`', "")
}

/// The overlay's summary line, with the lights' state after "L lights".
pub(crate) fn summary_line(lights_on: bool) -> &'static str {
    static ON: LazyLock<String> = LazyLock::new(|| summary("on"));
    static OFF: LazyLock<String> = LazyLock::new(|| summary("off"));
    if lights_on { &ON } else { &OFF }
}

fn summary(lights: &str) -> String {
    listed()
        .filter(|h| !h.short.is_empty())
        .map(|h| match h.action {
            Action::View(View::Lights) => format!("{} ({lights})", h.short),
            _ => h.short.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The hotkeys for `--help`: one aligned line each.
pub(crate) fn help_text() -> String {
    let width = listed().map(|h| h.label.len()).max().unwrap_or(0);
    let mut text = String::from("Hotkeys (in the window; H or F1 shows them on screen):\n");
    for h in listed() {
        text += &format!("  {:width$}  {}\n", h.label, plain(h.help));
    }
    text
}

/// README's table rows, as they must read.
#[cfg(test)]
pub(crate) fn readme_rows() -> Vec<String> {
    listed()
        .map(|h| {
            let key = match h.action {
                Action::Input => h.label.to_string(),
                _ => h
                    .label
                    .split(" or ")
                    .map(|k| format!("**{k}**"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("| {key} | {} |", h.help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::modes::ModeId;

    #[test]
    fn readme_lists_exactly_the_table() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .unwrap_or_default();
        let section = readme
            .split("\n## Hotkeys\n")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_default();
        let rows: Vec<&str> = section
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| key") && !l.starts_with("| ---"))
            .collect();
        assert_eq!(
            rows,
            readme_rows(),
            "README's hotkey table and src/shell/hotkeys.rs differ"
        );
    }

    #[test]
    fn every_key_does_one_thing() {
        let keys: Vec<Key> = HOTKEYS
            .iter()
            .flat_map(|h| h.keys.iter().copied())
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(k), "{k:?} is in the table twice");
        }
        assert_eq!(action_of(Key::Space), Some(Engine(C::LectureNext)));
        assert_eq!(action_of(Key::T), Some(Engine(C::NextMode)));
        assert_eq!(
            action_of(Key::B),
            Some(Engine(C::ToggleMode {
                mode: ModeId::parse("blocking").unwrap_or_default(),
                otherwise: ModeId::default(),
            }))
        );
        assert_eq!(action_of(Key::BracketLeft), Some(Engine(C::ChangeRate(-1))));
        assert_eq!(action_of(Key::G), Some(Action::View(View::Timeline)));
        assert_eq!(action_of(Key::F11), Some(Action::View(View::Fullscreen)));
    }

    #[test]
    fn the_texts_are_single_spaced_and_complete() {
        let summary = summary_line(true);
        assert!(summary.starts_with("T mode · B blocking"), "{summary}");
        assert!(summary.contains("L lights (on)") && summary.contains("PgUp/PgDn rate"));
        assert!(summary_line(false).contains("L lights (off)"));
        let help = help_text();
        for h in listed() {
            assert!(!h.help.contains("  "), "{}", h.label);
            assert!(help.contains(h.label), "{}", h.label);
        }
        assert!(help.contains("PgUp / PgDn") && !help.contains("Up/Down physics"));
    }
}
