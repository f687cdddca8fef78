//! The slide's second version: `pthread_create(&tid, NULL, read_mouse, NULL)`.
//!
//! A thread named `read_mouse` owns the mouse, blocks on it and hands every
//! report (stamped by the device) to the loop through a bounded
//! crossbeam channel. The channel is an array queue: `try_send` and
//! `try_recv` take no lock on their fast path (only blocking waits park on
//! a lock-protected waker list, and neither side here blocks on the
//! channel). A full channel never blocks the reader: the report is dropped
//! and counted. The loop drains without blocking.
//!
//! The thread ends when it is asked to stop or when the receiver goes away,
//! and hands the device back when joined, with the reports the loop has not
//! taken yet, so the loop can poll it again and nothing read is lost.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{Builder, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, TryRecvError, TrySendError, bounded};

use crate::core::input::MouseReport;
use crate::core::timeline::Activity;
use crate::shell::mouse::{DeviceError, MouseDevice};
use crate::shell::timeline::LaneSender;
use crate::sys::thread as os;

/// The name `ps -L`, `top -H` and the overlay show.
pub(crate) const THREAD_NAME: &str = "read_mouse";

/// Reports the channel holds: about a second of an 8 kHz mouse read by a
/// stalled loop before anything is dropped.
pub const CHANNEL_CAPACITY: usize = 8192;

/// How long one blocking read may wait before the reader checks whether
/// it should stop.
const READ_TIMEOUT: Duration = Duration::from_millis(20);

/// Counters the reader keeps and the loop reads (relaxed: they are figures,
/// not synchronisation).
#[derive(Debug, Default)]
pub struct ReaderCounters {
    pub sent: AtomicU64,
    pub dropped: AtomicU64,
    /// Reports the device has produced, as last seen by the reader (stored
    /// before a report is sent, so it never lags the reports the loop has).
    pub produced: AtomicU64,
    /// The device's own overruns (reports it lost), as last seen.
    pub overruns: AtomicU64,
    /// The reader thread's CPU time in nanoseconds.
    pub cpu_ns: AtomicU64,
    /// The reader's Linux thread id (0 until it runs).
    pub tid: AtomicU64,
}

impl ReaderCounters {
    /// What the device says it has produced and lost, as of now.
    fn see(&self, device: &dyn MouseDevice) {
        self.produced.store(device.produced(), Ordering::Relaxed);
        self.overruns.store(device.overruns(), Ordering::Relaxed);
    }
}

/// Why starting the reader failed; the device comes back with it.
pub struct SpawnError {
    pub error: io::Error,
    pub device: Box<dyn MouseDevice>,
}

impl std::fmt::Debug for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SpawnError({})", self.error)
    }
}

/// How the reader ended.
pub struct Joined {
    /// The device, to poll from the loop again (gone if the thread panicked).
    pub device: Option<Box<dyn MouseDevice>>,
    /// The device error that ended it, if one did.
    pub error: Option<DeviceError>,
    /// The reader's final counters.
    pub counters: Arc<ReaderCounters>,
    /// Reports it sent that the loop has not taken yet.
    pub unread: Receiver<MouseReport>,
}

/// A running `read_mouse` thread and the receiving end of its channel.
pub struct MouseThread {
    rx: Receiver<MouseReport>,
    stop: Arc<AtomicBool>,
    counters: Arc<ReaderCounters>,
    handle: JoinHandle<(Box<dyn MouseDevice>, Option<DeviceError>)>,
}

impl MouseThread {
    /// Starts `read_mouse` with the default thread builder.
    #[cfg(test)]
    pub(crate) fn spawn(device: Box<dyn MouseDevice>) -> Result<Self, SpawnError> {
        Self::spawn_with(Builder::new(), device, CHANNEL_CAPACITY, None)
    }

    /// Starts `read_mouse` with `builder` (its name is set here) and a
    /// channel of `capacity` reports. If the OS refuses the thread, the
    /// error and the device come back (the slide's `perror`).
    pub fn spawn_with(
        builder: Builder,
        device: Box<dyn MouseDevice>,
        capacity: usize,
        lane: Option<LaneSender>,
    ) -> Result<Self, SpawnError> {
        let (tx, rx) = bounded(capacity.max(1));
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(ReaderCounters::default());
        // Start the count where the device is, so figures are deltas.
        counters.see(device.as_ref());
        // The device travels through a one-slot channel, so that a refused
        // spawn (which drops the closure) leaves it here to take back.
        let (dev_tx, dev_rx) = bounded::<Box<dyn MouseDevice>>(1);
        let keep = dev_rx.clone();
        if let Err(TrySendError::Full(device) | TrySendError::Disconnected(device)) =
            dev_tx.try_send(device)
        {
            return Err(SpawnError {
                error: io::Error::other("could not hand the device over"),
                device,
            });
        }
        let (thread_stop, thread_counters) = (Arc::clone(&stop), Arc::clone(&counters));
        let spawned = builder.name(THREAD_NAME.into()).spawn(move || {
            match dev_rx.try_recv() {
                Ok(device) => {
                    read_mouse(device, &tx, &thread_stop, &thread_counters, lane.as_ref())
                }
                // Unreachable: the device was queued before the spawn.
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => unreachable_device(),
            }
        });
        match spawned {
            Ok(handle) => Ok(Self {
                rx,
                stop,
                counters,
                handle,
            }),
            Err(error) => match keep.try_recv() {
                Ok(device) => Err(SpawnError { error, device }),
                Err(_) => Err(SpawnError {
                    error,
                    device: Box::new(Gone),
                }),
            },
        }
    }

    /// The loop's end of the channel: drain it with `try_iter`.
    pub fn receiver(&self) -> &Receiver<MouseReport> {
        &self.rx
    }

    pub fn counters(&self) -> &ReaderCounters {
        &self.counters
    }

    /// Has the thread ended by itself (device error)?
    pub(crate) fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// Asks the thread to stop, waits for it (at most one read timeout),
    /// and takes the device back with the reports not yet taken.
    pub fn join(self) -> Joined {
        self.stop.store(true, Ordering::Relaxed);
        match self.handle.join() {
            Ok((device, error)) => Joined {
                device: Some(device),
                error,
                counters: self.counters,
                unread: self.rx,
            },
            Err(_) => Joined {
                device: None,
                error: Some(DeviceError("the read_mouse thread panicked".into())),
                counters: self.counters,
                unread: self.rx,
            },
        }
    }
}

/// The thread body: the slide's `read_mouse`.
fn read_mouse(
    mut device: Box<dyn MouseDevice>,
    tx: &crossbeam_channel::Sender<MouseReport>,
    stop: &AtomicBool,
    counters: &ReaderCounters,
    lane: Option<&LaneSender>,
) -> (Box<dyn MouseDevice>, Option<DeviceError>) {
    // This thread sleeps in the device's read: let it wake on time.
    os::set_timer_slack(1);
    counters.tid.store(os::id(), Ordering::Relaxed);
    let mut error = None;
    let mut since_cpu = 0u32;
    while !stop.load(Ordering::Relaxed) {
        // The thread timeline: blocked in the read, then delivering.
        let lane = lane.filter(|l| l.is_on());
        let asked = lane.map(LaneSender::now);
        match device.read(READ_TIMEOUT) {
            Ok(Some(report)) => {
                let got = lane.map(LaneSender::now);
                // Produced first: the loop never holds a report the
                // counters have not counted yet.
                counters
                    .produced
                    .store(device.produced(), Ordering::Relaxed);
                match tx.try_send(report) {
                    Ok(()) => counters.sent.fetch_add(1, Ordering::Relaxed),
                    Err(TrySendError::Full(_)) => counters.dropped.fetch_add(1, Ordering::Relaxed),
                    Err(TrySendError::Disconnected(_)) => break,
                };
                if let (Some(lane), Some(asked), Some(got)) = (lane, asked, got) {
                    lane.record(Activity::Blocked, asked, got);
                    lane.record(Activity::Deliver, got, lane.now());
                }
            }
            Ok(None) => {
                if let (Some(lane), Some(asked)) = (lane, asked) {
                    lane.record(Activity::Blocked, asked, lane.now());
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
        counters.see(device.as_ref());
        since_cpu += 1;
        if since_cpu >= 64 {
            since_cpu = 0;
            counters
                .cpu_ns
                .store(os::cpu_time().as_nanos() as u64, Ordering::Relaxed);
        }
    }
    counters.see(device.as_ref());
    counters
        .cpu_ns
        .store(os::cpu_time().as_nanos() as u64, Ordering::Relaxed);
    (device, error)
}

fn unreachable_device() -> (Box<dyn MouseDevice>, Option<DeviceError>) {
    (
        Box::new(Gone),
        Some(DeviceError("no device was handed to read_mouse".into())),
    )
}

/// Stands in for a device that was lost (never happens in practice: see
/// the callers). Reads fail, so nobody mistakes it for a mouse.
struct Gone;

impl MouseDevice for Gone {
    fn read(&mut self, _: Duration) -> Result<Option<MouseReport>, DeviceError> {
        Err(DeviceError("the mouse device was lost".into()))
    }
    fn poll(&mut self) -> Result<Option<MouseReport>, DeviceError> {
        Err(DeviceError("the mouse device was lost".into()))
    }
    fn produced(&self) -> u64 {
        0
    }
    fn label(&self) -> String {
        "none".into()
    }
}

#[cfg(test)]
mod tests;
