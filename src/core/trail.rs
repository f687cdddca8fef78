//! What the game leaves behind for the senses, in fixed memory: the sound
//! events of a tick and the trail of mouse samples the loop consumed.

use super::input::Rgba;

/// Something the game wants heard.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SoundEvent {
    Footstep,
    /// A wall hit, with its strength in 0..=1.
    Bump(f32),
    Click,
    Pickup,
}

/// A bounded queue of sound events; overflow is counted, never grown.
#[derive(Clone, Debug)]
pub(crate) struct SoundQueue {
    events: [SoundEvent; Self::CAPACITY],
    len: usize,
    pub overflowed: u64,
}

impl SoundQueue {
    pub(crate) const CAPACITY: usize = 32;

    pub(crate) fn new() -> Self {
        Self {
            events: [SoundEvent::Click; Self::CAPACITY],
            len: 0,
            overflowed: 0,
        }
    }

    pub(crate) fn push(&mut self, e: SoundEvent) {
        if self.len < Self::CAPACITY {
            self.events[self.len] = e;
            self.len += 1;
        } else {
            self.overflowed += 1;
        }
    }

    pub(crate) fn as_slice(&self) -> &[SoundEvent] {
        &self.events[..self.len]
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }
}

/// One dot of the mouse trail: where a sample the loop consumed was, and
/// the colour of the input mode that consumed it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TrailDot {
    pub x: f32,
    pub y: f32,
    pub time_s: f32,
    pub colour: Rgba,
}

/// The last [`Trail::CAPACITY`] mouse samples the loop consumed.
#[derive(Clone, Debug)]
pub(crate) struct Trail {
    dots: [TrailDot; Self::CAPACITY],
    len: usize,
    next: usize,
}

impl Trail {
    pub(crate) const CAPACITY: usize = 1024;

    pub(crate) fn new() -> Self {
        let dot = TrailDot {
            x: 0.0,
            y: 0.0,
            time_s: 0.0,
            colour: [0; 4],
        };
        Self {
            dots: [dot; Self::CAPACITY],
            len: 0,
            next: 0,
        }
    }

    pub(crate) fn push(&mut self, dot: TrailDot) {
        self.dots[self.next] = dot;
        self.next = (self.next + 1) % Self::CAPACITY;
        self.len = (self.len + 1).min(Self::CAPACITY);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &TrailDot> {
        let start = if self.len < Self::CAPACITY {
            0
        } else {
            self.next
        };
        (0..self.len).map(move |i| &self.dots[(start + i) % Self::CAPACITY])
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}
