//! winit's keys, named as the hotkey table names them.

use winit::keyboard::KeyCode;

use crate::shell::hotkeys::Key;

/// The table's name for a key winit reports.
pub(crate) fn key_of(code: KeyCode) -> Option<Key> {
    Some(match code {
        KeyCode::KeyT => Key::T,
        KeyCode::KeyB => Key::B,
        KeyCode::KeyE => Key::E,
        KeyCode::KeyU => Key::U,
        KeyCode::KeyI => Key::I,
        KeyCode::KeyK => Key::K,
        KeyCode::KeyJ => Key::J,
        KeyCode::KeyV => Key::V,
        KeyCode::KeyN => Key::N,
        KeyCode::Space => Key::Space,
        KeyCode::KeyR => Key::R,
        KeyCode::KeyO => Key::O,
        KeyCode::Equal => Key::Plus,
        KeyCode::NumpadAdd => Key::NumpadPlus,
        KeyCode::Minus => Key::Minus,
        KeyCode::NumpadSubtract => Key::NumpadMinus,
        KeyCode::KeyL => Key::L,
        KeyCode::KeyX => Key::X,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::BracketRight => Key::BracketRight,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::BracketLeft => Key::BracketLeft,
        KeyCode::KeyM => Key::M,
        KeyCode::KeyP => Key::P,
        KeyCode::KeyH => Key::H,
        KeyCode::F1 => Key::F1,
        KeyCode::KeyG => Key::G,
        KeyCode::F11 => Key::F11,
        KeyCode::Escape => Key::Escape,
        KeyCode::ArrowUp => Key::ArrowUp,
        KeyCode::ArrowDown => Key::ArrowDown,
        KeyCode::ArrowLeft => Key::ArrowLeft,
        KeyCode::ArrowRight => Key::ArrowRight,
        KeyCode::KeyW => Key::W,
        KeyCode::KeyA => Key::A,
        KeyCode::KeyS => Key::S,
        KeyCode::KeyD => Key::D,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::hotkeys::{self, Action};

    /// Every key winit can name for the game, in the table's order.
    pub(crate) const CODES: [KeyCode; 37] = {
        use KeyCode as K;
        [
            K::KeyT,
            K::KeyB,
            K::KeyE,
            K::KeyU,
            K::KeyI,
            K::KeyK,
            K::KeyJ,
            K::KeyV,
            K::KeyN,
            K::Space,
            K::KeyR,
            K::KeyO,
            K::Equal,
            K::NumpadAdd,
            K::Minus,
            K::NumpadSubtract,
            K::KeyL,
            K::KeyX,
            K::PageUp,
            K::BracketRight,
            K::PageDown,
            K::BracketLeft,
            K::KeyM,
            K::KeyP,
            K::KeyH,
            K::F1,
            K::KeyG,
            K::F11,
            K::Escape,
            K::ArrowUp,
            K::ArrowDown,
            K::ArrowLeft,
            K::ArrowRight,
            K::KeyW,
            K::KeyA,
            K::KeyS,
            K::KeyD,
        ]
    };

    #[test]
    fn every_key_of_the_table_has_a_winit_key() {
        let mapped: Vec<Key> = CODES.iter().filter_map(|&c| key_of(c)).collect();
        for row in hotkeys::HOTKEYS {
            for key in row.keys {
                assert!(mapped.contains(key), "{key:?} has no winit key");
            }
        }
        let moves = CODES
            .iter()
            .filter(|&&c| key_of(c).and_then(hotkeys::action_of) == Some(Action::Input));
        assert_eq!(moves.count(), 8);
        assert_eq!(key_of(KeyCode::KeyZ), None);
    }
}
