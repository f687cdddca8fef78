//! A fixed ring of the newest entries, allocated once: what the thread
//! timeline keeps per lane.

/// A fixed ring: pushing onto a full ring forgets the oldest entry. Its
/// size is a power of two, so wrapping is a mask, not a division.
#[derive(Clone, Debug)]
pub(crate) struct Ring<T> {
    items: Vec<T>,
    next: usize,
    len: usize,
}

impl<T: Copy + Default> Ring<T> {
    /// Allocates every slot now: `capacity` rounded up to a power of two.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            items: vec![T::default(); capacity.max(1).next_power_of_two()],
            next: 0,
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, item: T) {
        let cap = self.items.len();
        if let Some(slot) = self.items.get_mut(self.next) {
            *slot = item;
        }
        self.next = (self.next + 1) & (cap - 1);
        self.len = (self.len + 1).min(cap);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Oldest first.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let cap = self.items.len();
        let start = (self.next + cap - self.len) % cap;
        (0..self.len).filter_map(move |i| self.items.get((start + i) % cap))
    }

    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        self.next = 0;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_ring_forgets_the_oldest() {
        let mut r = Ring::new(3); // four slots
        for i in 0..6u32 {
            r.push(i);
        }
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), vec![2, 3, 4, 5]);
        assert_eq!(r.len(), 4);
        r.clear();
        assert!(r.is_empty());
        r.push(9);
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), vec![9]);
    }
}
