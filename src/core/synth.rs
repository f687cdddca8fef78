//! The game's sounds, synthesised. `examples/make_sounds.rs` writes them to
//! `assets/*.wav` with [`wav`]; a test checks the files still match.
//! Mono, 16-bit, [`RATE`] Hz; deterministic (the noise is a seeded xorshift).

use std::f32::consts::TAU;

pub const RATE: u32 = 22_050;

/// One sound file of the game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sound {
    Footstep,
    Bump,
    Click,
    Pickup,
    /// The background loop (seamless: it ends where it starts).
    Music,
}

impl Sound {
    pub const ALL: [Sound; 5] = [
        Sound::Footstep,
        Sound::Bump,
        Sound::Click,
        Sound::Pickup,
        Sound::Music,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Sound::Footstep => "footstep.wav",
            Sound::Bump => "bump.wav",
            Sound::Click => "click.wav",
            Sound::Pickup => "pickup.wav",
            Sound::Music => "music.wav",
        }
    }

    /// The samples, in -1..=1.
    pub fn samples(self) -> Vec<f32> {
        match self {
            Sound::Footstep => footstep(),
            Sound::Bump => bump(),
            Sound::Click => click(),
            Sound::Pickup => pickup(),
            Sound::Music => music(),
        }
    }
}

fn len(seconds: f32) -> usize {
    (seconds * RATE as f32) as usize
}

fn time(i: usize) -> f32 {
    i as f32 / RATE as f32
}

/// A soft thud: low-passed noise under a fast decay.
fn footstep() -> Vec<f32> {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut low = 0.0f32;
    (0..len(0.07))
        .map(|i| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let noise = (rng >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
            low += 0.18 * (noise - low);
            let t = time(i);
            0.9 * low * (-t * 60.0).exp() + 0.25 * (TAU * 90.0 * t).sin() * (-t * 45.0).exp()
        })
        .collect()
}

/// A wall hit: a falling low tone.
fn bump() -> Vec<f32> {
    let mut phase = 0.0f32;
    (0..len(0.18))
        .map(|i| {
            let t = time(i);
            let f = 140.0 - 260.0 * t;
            phase += TAU * f / RATE as f32;
            0.8 * phase.sin() * (-t * 22.0).exp()
        })
        .collect()
}

/// A mouse click: a short high tick.
fn click() -> Vec<f32> {
    (0..len(0.018))
        .map(|i| {
            let t = time(i);
            0.6 * (TAU * 2200.0 * t).sin() * (-t * 300.0).exp()
        })
        .collect()
}

/// A pick-up: two rising notes.
fn pickup() -> Vec<f32> {
    (0..len(0.2))
        .map(|i| {
            let t = time(i);
            let f = if t < 0.07 { 880.0 } else { 1318.5 };
            let local = if t < 0.07 { t } else { t - 0.07 };
            0.45 * (TAU * f * t).sin() * (-local * 18.0).exp()
        })
        .collect()
}

/// Four bars of a quiet pad: A minor, F, C, G, one second each; every
/// frequency has a whole number of cycles per bar, so the loop is seamless.
fn music() -> Vec<f32> {
    const CHORDS: [[f32; 3]; 4] = [
        [220.0, 262.0, 330.0],
        [175.0, 220.0, 262.0],
        [131.0, 165.0, 196.0],
        [196.0, 247.0, 294.0],
    ];
    (0..len(4.0))
        .map(|i| {
            let t = time(i);
            let bar = (t as usize).min(3);
            let local = t - bar as f32;
            // Fade in and out within each bar, so bar changes do not click.
            let env = (local * 8.0).min(1.0) * ((1.0 - local) * 8.0).min(1.0);
            let chord = CHORDS[bar];
            let tone: f32 = chord.iter().map(|&f| (TAU * f * local).sin()).sum::<f32>() / 3.0;
            0.22 * env * tone
        })
        .collect()
}

/// A mono 16-bit PCM WAV file of `samples` (clamped to -1..=1).
pub fn wav(samples: &[f32], rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for &s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sounds_are_audible_bounded_and_short() {
        for sound in Sound::ALL {
            let s = sound.samples();
            let peak = s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            assert!(peak > 0.1 && peak <= 1.0, "{sound:?} peak {peak}");
            assert!(s.len() <= len(4.0));
        }
    }

    #[test]
    fn the_music_loops_without_a_click() {
        let m = music();
        assert!(m[0].abs() < 1e-3 && m[m.len() - 1].abs() < 0.01);
    }

    #[test]
    fn wav_header_is_canonical() {
        let w = wav(&[0.0, 1.0, -1.0], 8000);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes([w[4], w[5], w[6], w[7]]), 36 + 6);
        assert_eq!(&w[36..40], b"data");
        assert_eq!(&w[44..], &[0, 0, 0xff, 0x7f, 0x01, 0x80]);
    }
}
