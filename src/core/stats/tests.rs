use super::*;

#[test]
fn recent_keeps_the_last_n_oldest_first() {
    let mut r = Recent::<3>::default();
    for v in 1..=5 {
        r.push(v as f32);
    }
    assert_eq!(r.iter().collect::<Vec<_>>(), vec![3.0, 4.0, 5.0]);
}

#[test]
fn stutter_is_a_frame_over_two_and_a_half_times_the_moving_average() {
    let mut s = StutterDetector::default();
    for _ in 0..10 {
        assert!(!s.push(16.0));
    }
    assert!(!s.push(40.0)); // exactly 2.5x: not over
    let avg = (9.0 * 16.0 + 40.0) / 11.0;
    assert!(!s.push(2.5 * avg - 0.01));
    let mut s = StutterDetector::default();
    for _ in 0..10 {
        s.push(16.0);
    }
    assert!(s.push(40.1));
}

fn tick(start_us: u64, deadline_us: u64, missed: u64) -> Tick {
    Tick {
        index: 0,
        deadline: Duration::from_micros(deadline_us),
        start: Duration::from_micros(start_us),
        missed,
    }
}

#[test]
fn mode_stats_lateness_and_period_error() {
    let mut m = ModeStats::default();
    let period = Duration::from_micros(1000);
    // Starts at 1000, 2010, 3000, 4500 (deadlines 1000, 2000, 3000, 4000).
    m.on_tick(&tick(1000, 1000, 0), period);
    m.on_tick(&tick(2010, 2000, 0), period);
    m.on_tick(&tick(3000, 3000, 0), period);
    m.on_tick(&tick(4500, 4000, 0), period);
    assert_eq!(m.ticks, 4);
    assert_eq!(m.lateness.max(), 500_000);
    // Period errors: +10 µs, -10 µs, +500 µs.
    assert_eq!(m.period_error.count(), 3);
    assert_eq!(m.period_error.percentile(0.0), -10_000);
    assert_eq!(m.period_error.max(), 500_000);
    m.resume();
    m.on_tick(&tick(9000, 9000, 4), period);
    assert_eq!(m.period_error.count(), 3, "no period across a pause");
    assert_eq!(m.missed_ticks, 4);
}

#[test]
fn mode_stats_frames_stutters_and_one_percent_low() {
    let mut m = ModeStats::default();
    let mut t = Duration::ZERO;
    // 99 frames of 16 ms (exact in the histogram: 16 ms is not, so use
    // 2^24 ns ≈ 16.78 ms) and one of 4x that.
    let base = Duration::from_nanos(1 << 24);
    m.on_frame(t, t);
    for i in 0..100 {
        t += if i == 50 { base * 4 } else { base };
        m.on_frame(t, t);
    }
    assert_eq!(m.frames, 101);
    assert_eq!(m.frame_time.count(), 100);
    assert_eq!(m.stutters, 1);
    assert_eq!(m.frame_time.percentile(0.5), 1 << 24);
    // The 99th percentile is base: the mean at or above it is (99·base + 4·base) / 100
    // ... but "at or above the p99 value" includes every frame here, so:
    let low = 1000.0 / ((99.0 + 4.0) * (1u64 << 24) as f64 / 100.0 / 1e6);
    assert!((m.one_percent_low_fps() - low).abs() < 1e-9);
}

#[test]
fn mode_stats_counts_distinct_reports_and_input_age() {
    let mut m = ModeStats::default();
    let ms = Duration::from_millis;
    // Polled: one sample per tick, sometimes the same report twice: the
    // second time it is a sample, not new input, and has no age (a still
    // mouse polled for a minute is not a minute of latency).
    m.on_mouse_read(ms(10), 1, (7, ms(9)), ms(9));
    m.on_mouse_read(ms(11), 1, (7, ms(9)), ms(9));
    m.on_mouse_read(ms(60_000), 1, (7, ms(9)), ms(9));
    m.on_mouse_read(ms(60_002), 1, (9, ms(60_000)), ms(60_000));
    assert_eq!((m.mouse_samples, m.reports_seen), (4, 2));
    assert_eq!(m.input_age.count(), 2);
    assert_eq!(m.input_age.max(), 2_000_000);
    assert_eq!(m.oldest_age.max(), 2_000_000);
    // Threaded: a batch of four; the oldest waited 5 ms.
    m.on_mouse_read(ms(60_020), 4, (13, ms(60_019)), ms(60_015));
    assert_eq!((m.mouse_samples, m.reports_seen), (8, 6));
    assert_eq!(m.samples_per_tick.max(), 4);
    assert_eq!(m.oldest_age.max(), 5_000_000);
    m.on_mouse_empty();
    assert_eq!(m.samples_per_tick.count(), 6);
    assert_eq!(m.mean_samples_per_tick(), 8.0 / 6.0);
}

#[test]
fn reports_made_before_a_stretch_are_not_seen_in_it() {
    let mut m = ModeStats::default();
    let ms = Duration::from_millis;
    m.begin_stretch(100);
    // Report 99 was made before this stretch began: a sample, not seen.
    m.on_mouse_read(ms(1), 1, (99, ms(1)), ms(1));
    assert_eq!((m.mouse_samples, m.reports_seen), (1, 0));
    assert_eq!(m.input_age.count(), 0, "nor new input");
    m.on_mouse_read(ms(2), 3, (102, ms(2)), ms(2));
    assert_eq!(m.reports_seen, 3);
    // A later stretch never moves the mark backwards.
    m.begin_stretch(50);
    m.on_mouse_read(ms(3), 1, (102, ms(3)), ms(3));
    assert_eq!(m.reports_seen, 3);
    m.begin_stretch(0);
    m.on_mouse_read(ms(4), 1, (103, ms(4)), ms(4));
    assert_eq!(m.reports_seen, 4);
}

#[test]
fn rates_and_percentages() {
    let mut m = ModeStats {
        active: Duration::from_secs(2),
        ticks: 480,
        cpu_loop: Duration::from_millis(100),
        cpu_reader: Duration::from_millis(20),
        ..ModeStats::default()
    };
    assert_eq!(m.measured_hz(), 240.0);
    assert!((m.cpu_percent() - 6.0).abs() < 1e-9);
    m.active = Duration::ZERO;
    assert_eq!(m.cpu_percent(), 0.0);
}
