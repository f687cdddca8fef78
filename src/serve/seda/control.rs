//! SEDA's two resource controllers (Welsh, Culler, Brewer, SOSP 2001,
//! section 3.4), as plain arithmetic on samples so that they are tested
//! without threads or clocks.
//!
//! - Thread pool controller: "adjusts the number of threads executing
//!   within each stage": one more thread when the stage's queue stays
//!   above a threshold, up to a maximum; threads idle for a while exit
//!   (that part is the stage threads' own timeout).
//! - Batching controller: how many events a stage thread takes from its
//!   queue at once; it grows while throughput rises and falls back when
//!   throughput drops.

/// Samples in a row with a long queue before a thread is added.
const PATIENCE: u32 = 2;

pub(crate) struct PoolController {
    threshold: usize,
    long_samples: u32,
}

impl PoolController {
    pub(crate) fn new(threshold: usize) -> Self {
        PoolController {
            threshold,
            long_samples: 0,
        }
    }

    /// One sample of the queue; true: add a thread now.
    pub(crate) fn sample(&mut self, queue_len: usize, threads: usize, max_threads: usize) -> bool {
        if queue_len > self.threshold {
            self.long_samples += 1;
        } else {
            self.long_samples = 0;
        }
        if self.long_samples >= PATIENCE && threads < max_threads {
            self.long_samples = 0;
            return true;
        }
        false
    }
}

pub(crate) struct BatchController {
    batch: usize,
    max: usize,
    last_rate: f64,
}

impl BatchController {
    pub(crate) fn new(max: usize) -> Self {
        BatchController {
            batch: 1,
            max: max.max(1),
            last_rate: 0.0,
        }
    }

    /// One sample of the stage's throughput (events/s); returns the batch.
    pub(crate) fn sample(&mut self, rate: f64) -> usize {
        if rate > self.last_rate * 1.05 && rate > 0.0 {
            self.batch = (self.batch * 2).min(self.max);
        } else if rate < self.last_rate * 0.9 {
            self.batch = (self.batch / 2).max(1);
        }
        self.last_rate = rate;
        self.batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_grows_only_while_its_queue_stays_long_and_up_to_its_maximum() {
        let mut c = PoolController::new(4);
        assert!(!c.sample(10, 1, 3), "one long sample is not enough");
        assert!(c.sample(10, 1, 3));
        assert!(!c.sample(2, 2, 3), "a short queue resets the count");
        assert!(!c.sample(10, 2, 3));
        assert!(c.sample(10, 2, 3));
        assert!(!c.sample(10, 3, 3));
        assert!(!c.sample(10, 3, 3), "never past the maximum");
    }

    #[test]
    fn batching_grows_while_throughput_rises_and_backs_off_when_it_falls() {
        let mut c = BatchController::new(16);
        assert_eq!(c.sample(1000.0), 2);
        assert_eq!(c.sample(2000.0), 4);
        assert_eq!(c.sample(2010.0), 4, "a flat rate holds the batch");
        assert_eq!(c.sample(3000.0), 8);
        assert_eq!(c.sample(5000.0), 16);
        assert_eq!(c.sample(9000.0), 16, "never past the maximum");
        assert_eq!(c.sample(4000.0), 8);
        assert_eq!(c.sample(0.0), 4);
        assert_eq!(c.sample(0.0), 4, "idle: holds");
    }
}
