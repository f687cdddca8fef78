use super::*;

#[test]
fn blocking_reads_return_every_report_in_order() {
    let clock = Clock::new();
    let mut mouse = SyntheticMouse::new(clock, 8000, 640.0, 400.0);
    let mut last = None;
    for _ in 0..40 {
        if let Ok(Some(r)) = mouse.read(Duration::from_secs(1)) {
            assert_eq!(r.seq, last.map_or(0, |s: u64| s + 1));
            assert!(
                clock.now() >= r.time,
                "a report is never read before it exists"
            );
            last = Some(r.seq);
        }
    }
    assert_eq!(last, Some(39));
}

#[test]
fn poll_returns_the_newest_report_and_skips_the_rest() {
    let clock = Clock::new();
    let mut mouse = SyntheticMouse::new(clock, 8000, 640.0, 400.0);
    std::thread::sleep(Duration::from_millis(3));
    let polled = mouse.poll().ok().flatten().map(|r| r.seq).unwrap_or(0);
    assert!(polled >= 23, "3 ms at 8 kHz is at least 24 reports");
    // A read after a poll continues after the polled report.
    let next = mouse
        .read(Duration::from_secs(1))
        .ok()
        .flatten()
        .map(|r| r.seq);
    assert_eq!(next, Some(polled + 1));
    assert!(mouse.produced() > polled);
}

#[test]
fn a_reader_far_behind_loses_the_oldest_reports() {
    let clock = Clock::new();
    let mut mouse = SyntheticMouse::new(clock, 8000, 640.0, 400.0);
    std::thread::sleep(Duration::from_millis(200)); // 1600 reports
    let first = mouse
        .read(Duration::ZERO)
        .ok()
        .flatten()
        .map(|r| r.seq)
        .unwrap_or(0);
    assert!(mouse.overruns() >= 1600 - SyntheticMouse::BUFFER);
    assert_eq!(first, mouse.overruns());
}

#[test]
fn window_pixels_map_to_the_arena_and_clicks_off_it_are_dropped() {
    let m = ArenaMapping::default();
    m.set(100.0, 50.0, 2.0);
    assert_eq!(m.to_arena(100.0, 50.0), (0.0, 0.0, true));
    assert_eq!(m.to_arena(740.0, 450.0), (320.0, 200.0, true));
    let off = m.report(1, Duration::ZERO, 5000.0, 10.0, 1);
    assert_eq!((off.x, off.y, off.buttons), (639.0, 0.0, 0));
    assert_eq!(m.report(2, Duration::ZERO, 740.0, 450.0, 1).buttons, 1);
}

#[test]
fn the_relay_folds_when_polled_and_delivers_each_when_read() {
    let (mut mouse, tx) = RelayMouse::new();
    for seq in 0..3 {
        tx.send(MouseReport {
            seq,
            time: Duration::ZERO,
            read: Duration::ZERO,
            x: seq as f32,
            y: 0.0,
            buttons: 0,
        });
    }
    assert_eq!(
        mouse.read(Duration::ZERO).ok().flatten().map(|r| r.seq),
        Some(0)
    );
    assert_eq!(mouse.poll().ok().flatten().map(|r| r.seq), Some(2));
    assert_eq!(mouse.produced(), 3);
    drop(tx);
    assert!(mouse.read(Duration::ZERO).is_err());
}
