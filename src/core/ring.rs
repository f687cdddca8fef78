//! Fixed rings, allocated once: [`Ring`], the newest entries (what the
//! thread timeline keeps per lane), and [`Queue`], entries waiting in
//! order (presents for their display time, frame rows for theirs).

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

/// A fixed queue in an array, oldest first: pushing onto a full one hands
/// back its oldest entry. `N` is at least 1.
#[derive(Clone, Debug)]
pub(crate) struct Queue<T, const N: usize> {
    items: [T; N],
    first: usize,
    len: usize,
}

impl<T: Copy + Default, const N: usize> Default for Queue<T, N> {
    fn default() -> Self {
        Self {
            items: [T::default(); N],
            first: 0,
            len: 0,
        }
    }
}

impl<T: Copy + Default, const N: usize> Queue<T, N> {
    /// Adds `item` last; if the queue was full, its oldest entry leaves
    /// and is returned.
    pub(crate) fn push(&mut self, item: T) -> Option<T> {
        let gone = if self.len == N { self.pop() } else { None };
        self.items[(self.first + self.len) % N] = item;
        self.len += 1;
        gone
    }

    /// The oldest entry.
    pub(crate) fn front(&self) -> Option<&T> {
        (self.len > 0).then(|| &self.items[self.first])
    }

    /// The oldest entry, taken out.
    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let item = self.items[self.first];
        self.first = (self.first + 1) % N;
        self.len -= 1;
        Some(item)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        (0..self.len).map(move |i| &self.items[(self.first + i) % N])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_hands_back_its_oldest() {
        let mut q: Queue<u32, 3> = Queue::default();
        assert_eq!(q.pop(), None);
        assert_eq!((q.push(1), q.push(2), q.push(3)), (None, None, None));
        assert_eq!(q.push(4), Some(1));
        assert_eq!(q.iter().copied().collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(q.front(), Some(&2));
        assert_eq!((q.pop(), q.len()), (Some(2), 2));
        assert_eq!(q.push(5), None, "room again after a pop");
        assert_eq!(q.iter().copied().collect::<Vec<_>>(), vec![3, 4, 5]);
    }

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
