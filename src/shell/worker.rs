//! A worker thread for compute-heavy jobs (AI, video compression): the
//! loop hands a job over with `try_send` and collects results with
//! `try_recv`, so it never waits for the worker. A full queue refuses the
//! job (the caller counts it); dropping the worker finishes queued jobs,
//! then joins the thread.

use std::io;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

use super::timeline::LaneSender;
use crate::core::timeline::Activity;

pub(crate) struct Worker<In, Out> {
    tx: Option<Sender<In>>,
    rx: Receiver<Out>,
    handle: Option<JoinHandle<()>>,
}

impl<In: Send + 'static, Out: Send + 'static> Worker<In, Out> {
    /// Starts a thread called `name` that runs `job` on every input, with
    /// room for `capacity` queued inputs and as many results.
    #[cfg(test)]
    pub(crate) fn spawn(
        name: &str,
        capacity: usize,
        job: impl FnMut(In) -> Out + Send + 'static,
    ) -> io::Result<Self> {
        Self::spawn_traced(name, capacity, None, job)
    }

    /// [`Worker::spawn`], with each job a span on the thread timeline.
    pub(crate) fn spawn_traced(
        name: &str,
        capacity: usize,
        lane: Option<LaneSender>,
        mut job: impl FnMut(In) -> Out + Send + 'static,
    ) -> io::Result<Self> {
        let (tx, inputs) = bounded::<In>(capacity.max(1));
        let (outputs, rx) = bounded::<Out>(capacity.max(1));
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                for input in inputs.iter() {
                    // Results carry buffers back to the loop, so none is
                    // dropped: a full result queue makes the worker wait for
                    // room; a closed one (the loop is gone) ends it.
                    let out = match &lane {
                        Some(lane) => lane.time(Activity::Job, || job(input)),
                        None => job(input),
                    };
                    if outputs.send(out).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self {
            tx: Some(tx),
            rx,
            handle: Some(handle),
        })
    }

    /// Hands `input` over without blocking; gives it back if the queue is full.
    pub(crate) fn try_send(&self, input: In) -> Result<(), In> {
        match &self.tx {
            Some(tx) => tx.try_send(input).map_err(|e| match e {
                TrySendError::Full(v) | TrySendError::Disconnected(v) => v,
            }),
            None => Err(input),
        }
    }

    /// Results ready now.
    pub(crate) fn results(&self) -> crossbeam_channel::TryIter<'_, Out> {
        self.rx.try_iter()
    }

    /// Finishes every queued job, joins the thread and returns the results
    /// not yet collected.
    pub(crate) fn finish(mut self) -> Vec<Out> {
        self.tx = None;
        let mut rest = Vec::new();
        // Keep draining so the worker never waits on a full result queue.
        loop {
            rest.extend(self.rx.try_iter());
            match &self.handle {
                Some(h) if !h.is_finished() => {
                    std::thread::sleep(std::time::Duration::from_millis(1))
                }
                _ => break,
            }
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        rest.extend(self.rx.try_iter());
        rest
    }
}

impl<In, Out> Drop for Worker<In, Out> {
    fn drop(&mut self) {
        self.tx = None;
        // Results are dropped with the receiver, which unblocks the worker.
        if let Some(h) = self.handle.take() {
            let rx = std::mem::replace(&mut self.rx, bounded(1).1);
            drop(rx);
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_and_finish_drains_the_queue() {
        let w = Worker::spawn("test-worker", 4, |x: u32| x * 2).expect("spawn");
        for i in 0..4 {
            assert!(w.try_send(i).is_ok());
        }
        let results = w.finish();
        assert_eq!(results, vec![0, 2, 4, 6]);
    }

    #[test]
    fn a_full_queue_gives_the_job_back() {
        let (gate_tx, gate_rx) = bounded::<()>(0);
        let w = Worker::spawn("test-worker", 1, move |x: u32| {
            let _ = gate_rx.recv();
            x
        })
        .expect("spawn");
        let mut refused = 0;
        for i in 0..10 {
            if w.try_send(i).is_err() {
                refused += 1;
            }
        }
        // One running (blocked on the gate), one queued: the rest refused.
        assert!(refused >= 8, "{refused}");
        drop(gate_tx);
        drop(w);
    }
}
