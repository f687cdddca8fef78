//! "Read gamepad" and "move the game physically": gilrs. No gamepad is
//! the normal case; no gamepad support at all is too.

use gilrs::ff::{BaseEffect, BaseEffectType, Effect, EffectBuilder, Repeat, Replay, Ticks};
use gilrs::{Axis, Button, Gilrs};

use crate::core::input::Pad;

pub(crate) struct Gamepads {
    gilrs: Option<Gilrs>,
    rumble: Option<Effect>,
    last_strength: f32,
}

impl Gamepads {
    /// Opens gilrs; `Err` says why there are no gamepads (the game goes on).
    pub(crate) fn open() -> (Self, Result<(), String>) {
        let (gilrs, status) = match Gilrs::new() {
            Ok(g) => (Some(g), Ok(())),
            Err(gilrs::Error::NotImplemented(g)) => {
                (Some(g), Err("gamepads are not supported here".into()))
            }
            Err(e) => (None, Err(format!("no gamepad support ({e})"))),
        };
        let pads = Self {
            gilrs,
            rumble: None,
            last_strength: 0.0,
        };
        (pads, status)
    }

    /// "none", or the name of the pad in use.
    pub(crate) fn label(&self) -> String {
        self.gilrs
            .as_ref()
            .and_then(|g| g.gamepads().next().map(|(_, pad)| pad.name().to_string()))
            .unwrap_or_else(|| "none".into())
    }

    /// Reads the first connected pad: left stick and the South button.
    pub(crate) fn read(&mut self) -> Pad {
        let Some(gilrs) = &mut self.gilrs else {
            return Pad::default();
        };
        while gilrs.next_event().is_some() {}
        let Some((_, pad)) = gilrs.gamepads().next() else {
            return Pad::default();
        };
        let dead = |v: f32| if v.abs() < 0.15 { 0.0 } else { v };
        Pad {
            stick: (
                dead(pad.value(Axis::LeftStickX)),
                -dead(pad.value(Axis::LeftStickY)),
            ),
            action: pad.is_pressed(Button::South),
        }
    }

    /// Rumbles on a new hit (the strength rose), in proportion to it.
    pub(crate) fn rumble(&mut self, strength: f32) {
        let rising = strength > self.last_strength + 0.05;
        self.last_strength = strength;
        if !rising || strength < 0.1 {
            return;
        }
        let Some(gilrs) = &mut self.gilrs else { return };
        let ids: Vec<_> = gilrs
            .gamepads()
            .filter(|(_, p)| p.is_ff_supported())
            .map(|(id, _)| id)
            .collect();
        if ids.is_empty() {
            return;
        }
        let length = Ticks::from_ms(150);
        let effect = EffectBuilder::new()
            .add_effect(BaseEffect {
                kind: BaseEffectType::Strong {
                    magnitude: (strength.clamp(0.0, 1.0) * f32::from(u16::MAX)) as u16,
                },
                scheduling: Replay {
                    play_for: length,
                    ..Default::default()
                },
                ..Default::default()
            })
            .gamepads(&ids)
            .repeat(Repeat::For(length))
            .finish(gilrs);
        if let Ok(effect) = effect
            && effect.play().is_ok()
        {
            // Kept until the next hit: dropping it would stop the rumble.
            self.rumble = Some(effect);
        }
    }
}
