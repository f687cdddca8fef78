//! `--trace` and `--frames` end to end on the real loop: the engine runs
//! headless with the synthetic mouse, polled then threaded, writes both
//! files at the end, and they are read back: the trace as JSON in the shape
//! Perfetto reads, the frames as CSV with a row per displayed frame.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use why_threads::core::arena::{HEIGHT, WIDTH};
use why_threads::programs::bench::Headless;
use why_threads::shell::clock::Clock;
use why_threads::shell::engine::{Engine, EngineConfig};
use why_threads::shell::modes::ModeId;
use why_threads::shell::mouse::SyntheticMouse;
use why_threads::shell::pacer::PacerKind;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("why-threads-{name}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

#[test]
fn the_loop_writes_a_trace_and_a_frame_log_that_read_back() {
    let dir = scratch("exports");
    let (trace, frames) = (dir.join("trace.json"), dir.join("frames.csv"));
    let clock = Clock::new();
    let mouse = SyntheticMouse::new(clock, 1000, WIDTH as f32, HEIGHT as f32);
    let mut engine = Engine::new(
        EngineConfig {
            physics_hz: 240,
            mouse_hz: 1000,
            mode: ModeId::default(),
            pacer: PacerKind::SpinSleep,
            device: Some(Box::new(mouse)),
            reader_stack: None,
            signals: false,
        },
        clock,
    );
    assert_eq!(engine.timeline_mut().start_trace(&trace), Ok(()));
    assert_eq!(engine.timeline_mut().start_frames(&frames), Ok(()));
    let mut frontend = Headless::new();
    engine.run_until(&mut frontend, clock.now() + Duration::from_millis(400));
    engine.set_mode(ModeId::parse("threaded").unwrap_or_default());
    engine.run_until(&mut frontend, clock.now() + Duration::from_millis(400));
    engine.finish();

    let text = std::fs::read_to_string(&trace).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let events = v["traceEvents"].as_array().cloned().unwrap_or_default();
    let threads: HashMap<u64, String> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .filter_map(|e| Some((e["tid"].as_u64()?, e["args"]["name"].as_str()?.to_string())))
        .collect();
    let tid = |name: &str| threads.iter().find(|(_, n)| *n == name).map(|(t, _)| *t);
    let spans_on = |name: &str, what: &str| {
        events
            .iter()
            .filter(|e| e["ph"] == "X" && e["tid"].as_u64() == tid(name) && e["name"] == what)
            .count()
    };
    assert!(
        spans_on("loop", "display") > 5,
        "display frames on the loop lane"
    );
    assert!(spans_on("loop", "mouse") > 10);
    assert!(spans_on("loop", "sleep until deadline") > 10);
    assert!(spans_on("read_mouse", "blocked in read") > 10);
    for e in events.iter().filter(|e| e["ph"] == "X") {
        assert!(e["ts"].as_f64().is_some() && e["dur"].as_f64().is_some_and(|d| d >= 0.0));
        assert!(e["pid"].as_u64().is_some());
    }
    // Threaded reports flow from read_mouse to the loop; polled ones are
    // read by the loop itself (no flow). Every report consumed is an
    // instant event where it was produced.
    // (The way to the screen has flows of its own, category "latency".)
    let flows_of = |ph: &str, cat: &str| {
        events
            .iter()
            .filter(|e| e["ph"] == ph && e["cat"] == cat)
            .count()
    };
    let flows = flows_of("s", "mouse");
    assert!(flows > 50, "{flows} flows");
    assert_eq!(flows, flows_of("f", "mouse"));
    assert_eq!(flows_of("s", "latency"), flows_of("f", "latency"));
    let reports = events
        .iter()
        .filter(|e| e["ph"] == "i" && e["name"] == "report")
        .count();
    assert!(reports > flows, "{reports} reports, {flows} flows");
    assert_eq!(v["otherData"]["events_left_out"], 0);

    let csv = std::fs::read_to_string(&frames).unwrap_or_default();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() > 5, "{} frames", rows.len());
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or(usize::MAX);
    let modes: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r.get(col("Mode")).copied())
        .collect();
    assert_eq!(
        modes.into_iter().collect::<Vec<_>>(),
        vec!["polled", "threaded"]
    );
    let times: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.get(col("TimeInSeconds"))?.parse().ok())
        .collect();
    assert_eq!(times.len(), rows.len());
    assert!(times.windows(2).all(|w| w[0] < w[1]), "presents in order");
    let _ = std::fs::remove_dir_all(&dir);
}
