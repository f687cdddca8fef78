//! Log-linear histograms in bounded memory: percentiles over a whole run
//! in a fixed 15 KiB each, allocated once. Values are `u64`s (durations in
//! nanoseconds); [`SignedHistogram`] holds early and late alike.

use std::time::Duration;

/// Buckets per power of two above [`Histogram::EXACT`].
const SUB_BUCKETS: u64 = 32;
const SUB_BITS: u32 = 5;
const BUCKETS: usize = 64 + (63 - 6 + 1) * SUB_BUCKETS as usize;

/// A histogram of `u64` values: exact below 64, within 1/32 (3.1 %) above,
/// in a fixed 15 KiB. Percentiles are the nearest rank, reported as the
/// lower edge of their bucket (clamped to the exact min and max).
///
/// ```
/// use why_threads::core::stats::Histogram;
///
/// let mut h = Histogram::new();
/// for v in 1..=100 {
///     h.record(v);
/// }
/// assert_eq!(h.percentile(0.5), 50);
/// assert_eq!(h.percentile(0.99), 98); // 99 shares a bucket with 98
/// assert_eq!(h.max(), 100);
/// ```
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u32]>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.count)
            .field("min", &self.min)
            .field("max", &self.max)
            .finish()
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// Values below this are counted exactly.
    pub(crate) const EXACT: u64 = 64;

    pub fn new() -> Self {
        Self {
            counts: vec![0; BUCKETS].into_boxed_slice(),
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    fn bucket(v: u64) -> usize {
        if v < Self::EXACT {
            return v as usize;
        }
        let top = 63 - v.leading_zeros(); // >= 6
        let mantissa = v >> (top - SUB_BITS); // 32..=63
        (64 + u64::from(top - 6) * SUB_BUCKETS + (mantissa - SUB_BUCKETS)) as usize
    }

    fn lower_edge(i: usize) -> u64 {
        let i = i as u64;
        if i < Self::EXACT {
            return i;
        }
        let top = (i - 64) / SUB_BUCKETS + 6;
        let mantissa = (i - 64) % SUB_BUCKETS + SUB_BUCKETS;
        mantissa << (top - u64::from(SUB_BITS))
    }

    pub fn record(&mut self, v: u64) {
        let slot = &mut self.counts[Self::bucket(v)];
        *slot = slot.saturating_add(1);
        self.count += 1;
        self.sum += u128::from(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub fn record_duration(&mut self, d: Duration) {
        self.record(d.as_nanos().min(u128::from(u64::MAX)) as u64);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    pub(crate) fn min(&self) -> u64 {
        if self.count == 0 { 0 } else { self.min }
    }

    /// Exact mean (zero when empty).
    pub(crate) fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    /// The value of rank `rank` (1-based, ascending).
    fn at_rank(&self, rank: u64) -> u64 {
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Self::lower_edge(i).clamp(self.min(), self.max);
            }
        }
        self.max
    }

    fn rank_of(&self, p: f64) -> u64 {
        ((p.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).clamp(1, self.count.max(1))
    }

    /// The `p`-quantile (0..=1) by nearest rank; 0 when empty.
    pub fn percentile(&self, p: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        self.at_rank(self.rank_of(p))
    }

    /// Mean of the values at or above the `p`-quantile (for the "1 % low").
    pub(crate) fn mean_at_or_above(&self, p: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let first = Self::bucket(self.percentile(p));
        let (mut n, mut sum) = (0u64, 0f64);
        for (i, &c) in self.counts.iter().enumerate().skip(first) {
            if c > 0 {
                let v = Self::lower_edge(i).clamp(self.min(), self.max);
                n += u64::from(c);
                sum += v as f64 * f64::from(c);
            }
        }
        sum / n as f64
    }

    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        self.counts.fill(0);
        self.count = 0;
        self.sum = 0;
        self.min = u64::MAX;
        self.max = 0;
    }
}

/// A histogram of signed values (period error can be early or late).
#[derive(Clone, Debug, Default)]
pub struct SignedHistogram {
    negative: Histogram,
    positive: Histogram,
}

impl SignedHistogram {
    pub(crate) fn record(&mut self, v: i64) {
        if v < 0 {
            self.negative.record(v.unsigned_abs());
        } else {
            self.positive.record(v as u64);
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.negative.count + self.positive.count
    }

    /// The `p`-quantile by nearest rank over all values, negative ones first.
    pub fn percentile(&self, p: f64) -> i64 {
        let n = self.count();
        if n == 0 {
            return 0;
        }
        let rank = ((p.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n);
        let neg = self.negative.count;
        if rank <= neg {
            -(self.negative.at_rank(neg - rank + 1) as i64)
        } else {
            self.positive.at_rank(rank - neg) as i64
        }
    }

    /// The largest value.
    pub fn max(&self) -> i64 {
        if self.positive.count > 0 {
            self.positive.max as i64
        } else {
            -(self.negative.min() as i64)
        }
    }

    /// The value furthest from zero, with its sign.
    #[cfg(test)]
    pub(crate) fn max_abs(&self) -> i64 {
        if self.negative.max > self.positive.max {
            -(self.negative.max as i64)
        } else {
            self.positive.max as i64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_exact_below_64_and_within_a_thirty_second_above() {
        for v in 0..64 {
            assert_eq!(Histogram::lower_edge(Histogram::bucket(v)), v);
        }
        for v in [
            64u64,
            65,
            100,
            1000,
            4_166_667,
            16_666_667,
            u64::MAX / 3,
            u64::MAX,
        ] {
            let edge = Histogram::lower_edge(Histogram::bucket(v));
            assert!(
                edge <= v && (v - edge) as f64 <= v as f64 / 32.0,
                "{v} -> {edge}"
            );
        }
        assert_eq!(Histogram::bucket(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut h = Histogram::new();
        for v in [5, 1, 3, 2, 4] {
            h.record(v);
        }
        assert_eq!(h.percentile(0.0), 1);
        assert_eq!(h.percentile(0.5), 3);
        assert_eq!(h.percentile(0.8), 4);
        assert_eq!(h.percentile(0.81), 5);
        assert_eq!(h.percentile(1.0), 5);
        assert_eq!((h.min(), h.max(), h.mean()), (1, 5, 3.0));
        h.clear();
        assert_eq!((h.count(), h.percentile(0.5), h.max()), (0, 0, 0));
    }

    #[test]
    fn large_values_report_their_bucket_edge_clamped_to_min_and_max() {
        let mut h = Histogram::new();
        h.record(1_000_000); // bucket [999_424, 1_015_808)
        assert_eq!(h.percentile(0.5), 1_000_000); // clamped to the only value
        h.record(999_500);
        assert_eq!(h.percentile(0.5), 999_500);
        assert_eq!(h.max(), 1_000_000);
    }

    #[test]
    fn signed_percentiles_order_negative_values_first() {
        let mut h = SignedHistogram::default();
        for v in [-30, -10, 0, 10, 20, 40] {
            h.record(v);
        }
        assert_eq!(h.percentile(0.0), -30);
        assert_eq!(h.percentile(2.0 / 6.0), -10);
        assert_eq!(h.percentile(0.5), 0);
        assert_eq!(h.percentile(1.0), 40);
        assert_eq!(h.max(), 40);
        assert_eq!(h.max_abs(), 40);
        h.record(-50);
        assert_eq!(h.max_abs(), -50);
    }
}
