//! Writes the game's sounds to `assets/*.wav`: every sound is synthesised
//! by `why_threads::core::synth` (see its source for how), so the files can
//! be made again, bit for bit, at any time.
//!
//! Run: `cargo run --example make_sounds`

use std::path::Path;

use why_threads::core::synth::{RATE, Sound, wav};

fn main() -> std::process::ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    for sound in Sound::ALL {
        let path = dir.join(sound.file_name());
        let bytes = wav(&sound.samples(), RATE);
        if let Err(e) = std::fs::write(&path, &bytes) {
            eprintln!("make_sounds: cannot write {}: {e}", path.display());
            return std::process::ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    std::process::ExitCode::SUCCESS
}
