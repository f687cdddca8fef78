//! The sound libraries' own chatter. Without a sound card ALSA prints some
//! twenty lines of probing to stderr, and libjack (loaded by ALSA's JACK
//! plugin, where installed) a few more, before our one line says "no sound
//! device". [`quietly`] routes them into the log at debug level
//! (`RUST_LOG=debug` shows them). Elsewhere it runs the probe as it is.

/// Runs `probe` (opening the sound device) with the sound libraries'
/// messages routed into the log.
pub fn quietly<T>(probe: impl FnOnce() -> T) -> T {
    super::imp::sound::quietly(probe)
}
