//! Stopping a server: one flag, and the ways to wake each architecture
//! from its wait (a blocking `accept`, `epoll_wait`, a tokio future).
//! Ctrl-C (SIGINT) and SIGTERM trigger it through the `signals` thread
//! (`sys::signals`), so the handler itself does no work; a second Ctrl-C
//! exits at once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::sys::signals::{self, Signal};

type Waker = Box<dyn Fn() + Send + Sync>;

#[derive(Default)]
pub struct Shutdown {
    stopping: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl Shutdown {
    pub(crate) fn is_set(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Sets the flag and wakes every waiter (once).
    pub(crate) fn trigger(&self) {
        if self.stopping.swap(true, Ordering::AcqRel) {
            return;
        }
        let wakers = self.wakers.lock().unwrap_or_else(|p| p.into_inner());
        for wake in wakers.iter() {
            wake();
        }
    }

    /// Calls `wake` when shutdown is triggered (now, if it already was).
    pub(crate) fn on_trigger(&self, wake: impl Fn() + Send + Sync + 'static) {
        let mut wakers = self.wakers.lock().unwrap_or_else(|p| p.into_inner());
        if self.is_set() {
            wake();
        }
        wakers.push(Box::new(wake));
    }
}

/// Triggers `shutdown` on Ctrl-C or SIGTERM (`Signal::Quit`), through the
/// one `signals` thread; a second one exits at once (status 130) without
/// waiting for slow responses. Returns why it cannot, if so.
pub(crate) fn on_signals(shared: std::sync::Arc<super::Shared>) -> Option<String> {
    let mut quits = 0;
    let listening = signals::listen(move |signal| {
        if signal == Signal::Quit {
            quits += 1;
            if quits == 1 {
                shared.shutdown.trigger();
            } else {
                // A second Ctrl-C: do not wait for slow responses.
                std::process::exit(130);
            }
        }
        true
    });
    listening
        .err()
        .map(|e| format!("Ctrl-C will not stop cleanly: {e}"))
}
