//! The recorder: hand-over, on/off, and what reaches --trace and --frames.

use super::*;

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[test]
fn other_threads_hand_spans_over_and_the_loop_drains_them() {
    let mut r = TimelineRecorder::new(true, Clock::new());
    let reader = r.sender(Lane::ReadMouse);
    let handle = std::thread::spawn(move || {
        for i in 0..100 {
            reader.record(Activity::Blocked, ms(i), ms(i + 1));
        }
    });
    assert!(handle.join().is_ok());
    r.drain();
    assert_eq!(
        r.model().spans(Lane::ReadMouse, ms(0), ms(200)).count(),
        100
    );
    assert_eq!(r.model().handover_drops, 0);
}

#[test]
fn a_full_hand_over_drops_and_counts() {
    let mut r = TimelineRecorder::new(true, Clock::new());
    let s = r.sender(Lane::Ai);
    for i in 0..(HANDOVER as u64 + 10) {
        s.record(Activity::Job, ms(i), ms(i));
    }
    r.drain();
    assert_eq!(r.model().handover_drops, 10);
}

#[test]
fn off_records_nothing() {
    let mut r = TimelineRecorder::new(false, Clock::new());
    r.sender(Lane::Video).record(Activity::Job, ms(0), ms(1));
    r.ran(Activity::Run(Subsystem::Mouse), ms(0), ms(1));
    r.slept(ms(1), ms(2));
    r.consumed(0, ms(0), Lane::Loop, ms(1), ms(1));
    r.drain();
    assert_eq!(r.model().spans(Lane::Video, ms(0), ms(9)).count(), 0);
    assert_eq!(r.model().spans(Lane::Loop, ms(0), ms(9)).count(), 0);
    assert_eq!(r.model().marks(ms(0), ms(9)).count(), 0);
    r.set_on(true);
    r.ran(Activity::Run(Subsystem::Mouse), ms(0), ms(1));
    assert_eq!(r.model().spans(Lane::Loop, ms(0), ms(9)).count(), 1);
}

#[test]
fn frames_and_trace_files_are_written_at_the_end() {
    let dir = std::env::temp_dir().join(format!("why-threads-rec-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let (trace_path, frames_path) = (dir.join("t.json"), dir.join("f.csv"));
    let mut r = TimelineRecorder::new(true, Clock::new());
    assert_eq!(r.start_trace(&trace_path), Ok(()));
    assert_eq!(r.start_frames(&frames_path), Ok(()));
    for tick in 0..3u64 {
        let t0 = ms(tick * 17);
        r.begin_tick(tick, Duration::from_micros(40), "threaded", 60);
        r.consumed(tick * 2, t0, Lane::ReadMouse, t0, t0 + ms(1));
        r.consumed(tick * 2 + 1, t0, Lane::ReadMouse, t0, t0 + ms(1));
        // The same report again (a still mouse, polled): no new mark.
        r.consumed(tick * 2 + 1, t0, Lane::ReadMouse, t0, t0 + ms(2));
        r.ran(Activity::Run(Subsystem::Mouse), t0, t0 + ms(1));
        r.ran(Activity::Run(Subsystem::Display), t0 + ms(1), t0 + ms(6));
        r.slept(t0 + ms(6), t0 + ms(17));
    }
    let said = r.finish();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].starts_with("trace: wrote "), "{said:?}");
    let csv = std::fs::read_to_string(&frames_path).unwrap_or_default();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    let json = std::fs::read_to_string(&trace_path).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let events = v["traceEvents"].as_array().map_or(0, Vec::len);
    // 12 metadata (the lanes, and the way to the screen's track) + 9 spans
    // + 6 reports × 3 (instant, flow start, flow end), each once.
    assert_eq!(events, 12 + 9 + 18);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_handler_inside_the_wait_is_work_not_waiting() {
    let dir = std::env::temp_dir().join(format!("why-threads-wait-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("f.csv");
    let mut r = TimelineRecorder::new(true, Clock::new());
    assert_eq!(r.start_frames(&path), Ok(()));
    for tick in 0..2u64 {
        let t0 = ms(tick * 20);
        // Waiting 0..16 ms of the tick, a 3 ms mouse handler inside it.
        r.handled(Activity::Run(Subsystem::Mouse), t0 + ms(5), t0 + ms(8));
        r.slept(t0, t0 + ms(16));
        r.begin_tick(tick, Duration::ZERO, "events", 60);
        r.ran(Activity::Run(Subsystem::Display), t0 + ms(16), t0 + ms(20));
    }
    r.finish();
    let csv = std::fs::read_to_string(&path).unwrap_or_default();
    let header: Vec<&str> = csv.lines().next().unwrap_or("").split(',').collect();
    let last: Vec<&str> = csv.lines().last().unwrap_or("").split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap_or(usize::MAX);
    let get = |n: &str| last.get(col(n)).and_then(|v| v.parse::<f64>().ok());
    assert_eq!(get("MsCPUWait"), Some(13.0));
    assert_eq!(get("MsBetweenPresents"), Some(20.0));
    assert_eq!(get("MsCPUBusy"), Some(7.0));
    assert_eq!(get("MsWorkMouse"), Some(3.0));
    let _ = std::fs::remove_dir_all(&dir);
}
