use super::*;
use std::collections::VecDeque;

/// A scripted device that returns its reports at once, then times out.
struct Script {
    reports: VecDeque<MouseReport>,
    produced: u64,
    fail_when_empty: bool,
}

impl Script {
    fn new(n: u64, fail_when_empty: bool) -> Box<Self> {
        let reports = (0..n)
            .map(|seq| MouseReport {
                seq,
                time: Duration::from_micros(seq),
                read: Duration::from_micros(seq),
                x: seq as f32,
                y: 0.0,
                buttons: 0,
            })
            .collect();
        Box::new(Self {
            reports,
            produced: 0,
            fail_when_empty,
        })
    }
}

impl MouseDevice for Script {
    fn read(&mut self, timeout: Duration) -> Result<Option<MouseReport>, DeviceError> {
        match self.reports.pop_front() {
            Some(r) => {
                self.produced += 1;
                Ok(Some(r))
            }
            None if self.fail_when_empty => Err(DeviceError("unplugged".into())),
            None => {
                std::thread::sleep(timeout.min(Duration::from_millis(1)));
                Ok(None)
            }
        }
    }
    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        Ok(self.reports.pop_back())
    }
    fn produced(&self) -> u64 {
        self.produced
    }
    fn label(&self) -> String {
        "script".into()
    }
}

/// Waits (bounded) until the reader has read `n` reports.
fn until_produced(t: &MouseThread, n: u64) {
    for _ in 0..10_000 {
        if t.counters().produced.load(Ordering::Relaxed) >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn every_report_arrives_in_order() {
    let t = MouseThread::spawn(Script::new(500, false)).expect("spawn");
    until_produced(&t, 500);
    let seqs: Vec<u64> = t.receiver().try_iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (0..500).collect::<Vec<_>>());
    assert_eq!(t.counters().dropped.load(Ordering::Relaxed), 0);
    let joined = t.join();
    assert!(joined.device.is_some() && joined.error.is_none());
}

#[test]
fn a_full_channel_drops_and_counts_without_blocking_the_reader() {
    let t =
        MouseThread::spawn_with(Builder::new(), Script::new(100, false), 10, None).expect("spawn");
    until_produced(&t, 100);
    assert_eq!(t.counters().sent.load(Ordering::Relaxed), 10);
    assert_eq!(t.counters().dropped.load(Ordering::Relaxed), 90);
    // The first ten are kept, in order.
    let seqs: Vec<u64> = t.receiver().try_iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (0..10).collect::<Vec<_>>());
    t.join();
}

#[test]
fn the_thread_ends_when_the_receiver_goes_and_returns_the_device() {
    let t = MouseThread::spawn(Script::new(3, false)).expect("spawn");
    let joined = t.join();
    let mut device = joined.device.expect("device back");
    assert_eq!(device.label(), "script");
    // It can be polled again from the loop.
    assert!(device.poll().is_ok());
}

#[test]
fn a_device_error_ends_the_thread_and_is_reported() {
    let t = MouseThread::spawn(Script::new(2, true)).expect("spawn");
    for _ in 0..10_000 {
        if t.is_finished() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let joined = t.join();
    assert_eq!(joined.error, Some(DeviceError("unplugged".into())));
    assert!(joined.device.is_some());
}

#[test]
fn a_refused_spawn_reports_the_os_error_and_gives_the_device_back() {
    // A stack no machine can map: pthread_create fails for real.
    let builder = Builder::new().stack_size(usize::MAX / 4);
    match MouseThread::spawn_with(builder, Script::new(1, false), 8, None) {
        Ok(t) => {
            t.join();
            panic!("a thread with an impossible stack was created");
        }
        Err(e) => {
            assert!(!e.error.to_string().is_empty());
            assert_eq!(e.device.label(), "script");
        }
    }
}

#[test]
fn the_thread_is_named_read_mouse() {
    let t = MouseThread::spawn(Script::new(0, false)).expect("spawn");
    for _ in 0..10_000 {
        if t.counters().tid.load(Ordering::Relaxed) != 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let tid = t.counters().tid.load(Ordering::Relaxed) as u32;
    let threads = os::threads();
    // Where the OS lists our threads (Linux), read_mouse is there by name.
    let listed = !threads.is_empty();
    let names: Vec<_> = threads
        .into_iter()
        .filter(|th| th.tid == tid)
        .map(|th| th.name)
        .collect();
    t.join();
    if listed {
        assert_eq!(names, vec![THREAD_NAME.to_string()]);
    }
}
