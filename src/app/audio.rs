//! "Emit sounds": rodio mixes the background loop and every event sound at
//! once. With no sound device the game goes on silently, and says so once.

use std::io::Cursor;

use rodio::source::Buffered;
use rodio::{Decoder, DeviceSinkBuilder, MixerDeviceSink, Player, Source};

use crate::core::game::SoundEvent;

/// The sound files, built into the binary.
pub(crate) const FOOTSTEP: &[u8] = include_bytes!("../../assets/footstep.wav");
pub(crate) const BUMP: &[u8] = include_bytes!("../../assets/bump.wav");
pub(crate) const CLICK: &[u8] = include_bytes!("../../assets/click.wav");
pub(crate) const PICKUP: &[u8] = include_bytes!("../../assets/pickup.wav");
pub(crate) const MUSIC: &[u8] = include_bytes!("../../assets/music.wav");

type Clip = Buffered<Decoder<Cursor<&'static [u8]>>>;

/// The event sounds, decoded once; playing one clones a buffered source
/// (no decoding on the loop).
pub(crate) struct SoundBank {
    footstep: Clip,
    bump: Clip,
    click: Clip,
    pickup: Clip,
}

impl SoundBank {
    pub(crate) fn load() -> Result<Self, String> {
        let clip = |bytes: &'static [u8], name: &str| {
            Decoder::new(Cursor::new(bytes))
                .map(Source::buffered)
                .map_err(|e| format!("cannot decode {name}: {e}"))
        };
        Ok(Self {
            footstep: clip(FOOTSTEP, "footstep.wav")?,
            bump: clip(BUMP, "bump.wav")?,
            click: clip(CLICK, "click.wav")?,
            pickup: clip(PICKUP, "pickup.wav")?,
        })
    }

    /// The source for one event, at its loudness.
    pub(crate) fn source(&self, event: SoundEvent) -> impl Source + Send + 'static {
        let (clip, gain) = match event {
            SoundEvent::Footstep => (&self.footstep, 0.5),
            SoundEvent::Bump(strength) => (&self.bump, 0.3 + 0.7 * strength.clamp(0.0, 1.0)),
            SoundEvent::Click => (&self.click, 0.8),
            SoundEvent::Pickup => (&self.pickup, 0.9),
        };
        clip.clone().amplify(gain)
    }
}

/// The sound output: a device, a mixer, the music player.
pub(crate) struct Audio {
    _sink: MixerDeviceSink,
    mixer: rodio::mixer::Mixer,
    music: Player,
    bank: SoundBank,
    muted: bool,
}

const MUSIC_VOLUME: f32 = 0.35;

impl Audio {
    /// Opens the default device; `Err` says why there is no sound.
    pub(crate) fn open() -> Result<Self, String> {
        let bank = SoundBank::load()?;
        let mut sink = crate::sys::sound::quietly(DeviceSinkBuilder::open_default_sink)
            .map_err(|e| format!("no sound device ({e})"))?;
        sink.log_on_drop(false);
        let mixer = sink.mixer().clone();
        let music = Player::connect_new(&mixer);
        let loop_source = Decoder::new(Cursor::new(MUSIC))
            .map_err(|e| format!("cannot decode music.wav: {e}"))?
            .buffered()
            .repeat_infinite();
        music.append(loop_source);
        music.set_volume(MUSIC_VOLUME);
        Ok(Self {
            _sink: sink,
            mixer,
            music,
            bank,
            muted: false,
        })
    }

    pub(crate) fn play(&self, events: &[SoundEvent]) {
        if self.muted {
            return;
        }
        for &e in events {
            self.mixer.add(self.bank.source(e));
        }
    }

    pub(crate) fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
        self.music
            .set_volume(if muted { 0.0 } else { MUSIC_VOLUME });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::synth::{self, Sound};
    use rodio::nz;

    fn pull(sources: Vec<Box<dyn Source + Send>>, n: usize) -> Vec<f32> {
        let (mixer, output) = rodio::mixer::mixer(nz!(1), nz!(22_050));
        // Keep the mixer running past the sounds' ends.
        mixer.add(rodio::source::Zero::new(nz!(1), nz!(22_050)));
        for s in sources {
            mixer.add(s);
        }
        output.take(n).collect()
    }

    #[test]
    fn the_assets_are_what_the_synthesiser_makes() {
        for (bytes, sound) in [
            (FOOTSTEP, Sound::Footstep),
            (BUMP, Sound::Bump),
            (CLICK, Sound::Click),
            (PICKUP, Sound::Pickup),
            (MUSIC, Sound::Music),
        ] {
            assert!(
                bytes == synth::wav(&sound.samples(), synth::RATE).as_slice(),
                "assets/{} is stale: run `cargo run --example make_sounds`",
                sound.file_name()
            );
        }
    }

    #[test]
    fn sounds_mix_at_once_sample_by_sample() {
        let bank = SoundBank::load().expect("assets decode");
        let n = 2000;
        let click = pull(vec![Box::new(bank.source(SoundEvent::Click))], n);
        let step = pull(vec![Box::new(bank.source(SoundEvent::Footstep))], n);
        let both = pull(
            vec![
                Box::new(bank.source(SoundEvent::Click)),
                Box::new(bank.source(SoundEvent::Footstep)),
            ],
            n,
        );
        assert_eq!(both.len(), n);
        // The mixer adds its inputs: the mix is the sum of the parts.
        for i in 0..n {
            assert!((both[i] - (click[i] + step[i])).abs() < 1e-4, "sample {i}");
        }
        let energy = |s: &[f32]| s.iter().map(|v| v * v).sum::<f32>();
        assert!(energy(&click) > 0.1 && energy(&step) > 0.1);
    }

    #[test]
    fn a_harder_bump_is_louder() {
        let bank = SoundBank::load().expect("assets decode");
        let peak = |strength: f32| {
            pull(
                vec![Box::new(bank.source(SoundEvent::Bump(strength)))],
                4000,
            )
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()))
        };
        assert!(peak(1.0) > 2.0 * peak(0.1));
    }

    #[test]
    fn the_decoded_click_matches_the_synthesised_one() {
        let decoded: Vec<f32> = Decoder::new(Cursor::new(CLICK)).expect("decode").collect();
        let made = Sound::Click.samples();
        assert_eq!(decoded.len(), made.len());
        for (d, m) in decoded.iter().zip(&made) {
            assert!((d - m).abs() < 1.0 / 16_000.0);
        }
    }
}
