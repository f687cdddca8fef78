//! Slide: "pthread_create(&tid, NULL, read_mouse, NULL)" — the mouse gets
//! its own thread.
//!
//! The slide's C program, in Rust: a thread named `read_mouse` blocks on the
//! mouse (here the synthetic one, 1000 reports a second), and the main loop,
//! running at only 60 Hz, drains everything it sent without ever blocking.
//! Spawning can fail; then, like the slide's `perror`, the reason is printed
//! and the program goes on polling. Try it: pass `fail` to ask for an
//! impossible stack.
//!
//! Run: `cargo run --release --example read_mouse [fail]`

use std::thread::Builder;
use std::time::Duration;

use why_threads::core::pacing::{Deadlines, period_of};
use why_threads::shell::clock::Clock;
use why_threads::shell::modes::reader::{CHANNEL_CAPACITY, MouseThread};
use why_threads::shell::mouse::{MouseDevice, SyntheticMouse};
use why_threads::shell::pacer::{Pacer, PacerKind};

fn main() {
    let clock = Clock::new();
    let mouse = Box::new(SyntheticMouse::new(clock, 1000, 640.0, 400.0));
    // pthread_create(&tid, NULL, read_mouse, NULL);
    let builder = match std::env::args().nth(1).as_deref() {
        Some("fail") => Builder::new().stack_size(usize::MAX / 4),
        _ => Builder::new(),
    };
    let reader = match MouseThread::spawn_with(builder, mouse, CHANNEL_CAPACITY, None) {
        Ok(reader) => reader,
        Err(e) => {
            // perror("pthread_create");
            eprintln!("pthread_create: {}", e.error);
            poll_instead(e.device, clock);
            return;
        }
    };

    // The game loop, at 60 Hz: it never waits for the mouse.
    let mut pacer = Pacer::new(PacerKind::Adaptive);
    let mut deadlines = Deadlines::new(clock.now(), period_of(60));
    let mut seen = 0u64;
    for tick in 0..60 {
        pacer.wait_until(&clock, deadlines.next());
        deadlines.arrive(clock.now());
        let batch = reader.receiver().try_iter().count();
        seen += batch as u64;
        if tick % 15 == 0 {
            println!(
                "tick {tick:2}: {batch:2} reports drained (channel now holds {})",
                reader.receiver().len()
            );
        }
    }
    let produced = reader
        .counters()
        .produced
        .load(std::sync::atomic::Ordering::Relaxed);
    let joined = reader.join();
    println!(
        "one second: the loop ran 60 ticks and saw {seen} of {produced} reports; the device came back: {}",
        joined.device.is_some()
    );
}

/// Without a thread, the loop can only look at the newest report each tick.
fn poll_instead(mut mouse: Box<dyn MouseDevice>, clock: Clock) {
    let start = clock.now();
    let mut seen = 0;
    while clock.now() < start + Duration::from_secs(1) {
        if let Ok(Some(_)) = mouse.poll() {
            seen += 1;
        }
        std::thread::sleep(period_of(60));
    }
    println!(
        "polling at 60 Hz instead: {seen} samples of {} reports",
        mouse.produced()
    );
}
