//! `--trace PATH`: the timeline as Chrome trace-event JSON, which
//! Perfetto's UI (ui.perfetto.dev) and chrome://tracing open.
//!
//! `{"traceEvents": [...]}` with one `ph: "X"` complete event per span
//! (`ts`, `dur` in microseconds, `pid`, `tid` = the lane), `ph: "M"`
//! metadata naming each thread, an instant event (`ph: "i"`) where each
//! mouse report was produced, and a flow (`ph: "s"` → `"f"`) from the
//! thread that read it to the tick that consumed it, and on a track of its
//! own ("mouse → screen") the newest report of each frame, one span per
//! leg of its way to the present, linked to the report by a flow and by
//! `args.seq`. The file keeps the
//! first [`MAX_EVENTS`] events; past that (or if the loop outran the
//! writer) the end of the file says how many were left out.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::export::{ExportThread, Format};
use crate::core::latency::{Path as Way, Stage};
use crate::core::timeline::{Activity, Lane, Lost, Mark, Span};

/// What the loop hands to the trace writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TraceEvent {
    Span(Span),
    Mark(Mark),
    Lost(Lost),
    /// A presented frame's newest report, leg by leg.
    ToScreen(Way),
    /// The display showed that frame at `shown` (where the window system
    /// says): the last leg, present returned → shown.
    Shown {
        way: Way,
        shown: Duration,
    },
}

/// The track of the reports' way to the screen (after the lanes' tids).
const SCREEN_TID: usize = Lane::ALL.len() + 1;

/// Flow ids of the way to the screen, apart from the reports' own.
const SCREEN_FLOW: u64 = 1 << 40;

/// Events written at most (about 100 bytes each: ~100 MB).
pub(crate) const MAX_EVENTS: u64 = 1_000_000;

/// Events in flight between the loop and the writer.
const QUEUE: usize = 64 * 1024;

/// Starts the writer thread `trace` for `path`.
pub(crate) fn start(path: &Path) -> Result<ExportThread<TraceEvent>, String> {
    ExportThread::start("trace", path, QUEUE, ChromeTrace::new(MAX_EVENTS))
}

/// The trace-event JSON format, streamed.
pub(crate) struct ChromeTrace {
    pid: u32,
    cap: u64,
    written: u64,
}

impl ChromeTrace {
    pub(crate) fn new(cap: u64) -> Self {
        Self {
            pid: std::process::id(),
            cap,
            written: 0,
        }
    }
}

/// The trace's thread id of a lane (0 is not a valid tid for the viewers).
pub(crate) fn tid(lane: Lane) -> usize {
    lane.index() + 1
}

fn us(t: Duration) -> f64 {
    t.as_nanos() as f64 / 1e3
}

fn category(what: Activity) -> &'static str {
    match what {
        Activity::Run(_) => "subsystem",
        Activity::Sleep => "sleep",
        Activity::Load => "load",
        Activity::Blocked | Activity::Deliver | Activity::Latch => "mouse",
        Activity::Job => "job",
        Activity::Signal => "signal",
    }
}

/// One span per leg of a report's way to the screen, on its own track,
/// with a flow from where the report was made.
fn to_screen(out: &mut dyn Write, pid: u32, way: &Way) -> std::io::Result<()> {
    let (seq, id) = (way.seq, way.seq | SCREEN_FLOW);
    write!(
        out,
        ",\n{{\"name\":\"to screen\",\"cat\":\"latency\",\"ph\":\"s\",\"id\":{id},\"ts\":{:.3},\"pid\":{pid},\"tid\":{SCREEN_TID}}}",
        us(way.made)
    )?;
    let mut start = way.made;
    for stage in Stage::ALL {
        let leg = way.leg(stage);
        write!(
            out,
            ",\n{{\"name\":\"{}\",\"cat\":\"latency\",\"ph\":\"X\",\"ts\":{:.3},\"dur\":{:.3},\"pid\":{pid},\"tid\":{SCREEN_TID},\"args\":{{\"seq\":{seq}}}}}",
            stage.name(),
            us(start),
            us(leg)
        )?;
        start += leg;
    }
    write!(
        out,
        ",\n{{\"name\":\"to screen\",\"cat\":\"latency\",\"ph\":\"f\",\"bp\":\"e\",\"id\":{id},\"ts\":{:.3},\"pid\":{pid},\"tid\":{SCREEN_TID}}}",
        us(way.presented)
    )
}

impl Format<TraceEvent> for ChromeTrace {
    fn header(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let pid = self.pid;
        write!(
            out,
            "{{\"traceEvents\":[\n{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{pid},\"tid\":0,\"args\":{{\"name\":\"why-threads\"}}}}"
        )?;
        for lane in Lane::ALL {
            let tid = tid(lane);
            write!(
                out,
                ",\n{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{pid},\"tid\":{tid},\"args\":{{\"name\":\"{}\"}}}}",
                lane.name()
            )?;
            write!(
                out,
                ",\n{{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":{pid},\"tid\":{tid},\"args\":{{\"sort_index\":{tid}}}}}"
            )?;
        }
        write!(
            out,
            ",\n{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{pid},\"tid\":{SCREEN_TID},\"args\":{{\"name\":\"mouse → screen (each frame's newest report)\"}}}}"
        )?;
        Ok(())
    }

    fn item(&mut self, out: &mut dyn Write, item: &TraceEvent) -> std::io::Result<bool> {
        let pid = self.pid;
        match *item {
            TraceEvent::Span(s) => write!(
                out,
                ",\n{{\"name\":\"{}\",\"cat\":\"{}\",\"ph\":\"X\",\"ts\":{:.3},\"dur\":{:.3},\"pid\":{pid},\"tid\":{}}}",
                s.what.name(),
                category(s.what),
                us(s.start),
                us(s.end.saturating_sub(s.start)),
                tid(s.lane)
            )?,
            TraceEvent::Mark(m) => {
                write!(
                    out,
                    ",\n{{\"name\":\"report\",\"cat\":\"mouse\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{:.3},\"pid\":{pid},\"tid\":{},\"args\":{{\"seq\":{},\"tick\":{},\"age_us\":{:.1}}}}}",
                    us(m.produced),
                    tid(m.read_by),
                    m.seq,
                    m.tick,
                    us(m.consumed.saturating_sub(m.produced))
                )?;
                if m.read_by != Lane::Loop {
                    write!(
                        out,
                        ",\n{{\"name\":\"report\",\"cat\":\"mouse\",\"ph\":\"s\",\"id\":{},\"ts\":{:.3},\"pid\":{pid},\"tid\":{}}}",
                        m.seq,
                        us(m.arrived),
                        tid(m.read_by)
                    )?;
                    write!(
                        out,
                        ",\n{{\"name\":\"report\",\"cat\":\"mouse\",\"ph\":\"f\",\"bp\":\"e\",\"id\":{},\"ts\":{:.3},\"pid\":{pid},\"tid\":{}}}",
                        m.seq,
                        us(m.consumed),
                        tid(Lane::Loop)
                    )?;
                }
            }
            TraceEvent::ToScreen(way) => to_screen(out, pid, &way)?,
            TraceEvent::Shown { way, shown } => write!(
                out,
                ",\n{{\"name\":\"presented_to_shown\",\"cat\":\"latency\",\"ph\":\"X\",\"ts\":{:.3},\"dur\":{:.3},\"pid\":{pid},\"tid\":{SCREEN_TID},\"args\":{{\"seq\":{}}}}}",
                us(way.presented),
                us(shown.saturating_sub(way.presented)),
                way.seq
            )?,
            TraceEvent::Lost(l) => write!(
                out,
                ",\n{{\"name\":\"{} reports lost\",\"cat\":\"mouse\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{:.3},\"pid\":{pid},\"tid\":{},\"args\":{{\"count\":{},\"after_us\":{:.3}}}}}",
                l.count,
                us(l.before),
                tid(Lane::Loop),
                l.count,
                us(l.after)
            )?,
        }
        self.written += 1;
        Ok(self.written < self.cap)
    }

    fn footer(&mut self, out: &mut dyn Write, dropped: u64) -> std::io::Result<()> {
        let pid = self.pid;
        if dropped > 0 {
            write!(
                out,
                ",\n{{\"name\":\"trace truncated: {dropped} events left out (cap {} events, or the writer fell behind)\",\"ph\":\"i\",\"s\":\"g\",\"ts\":0,\"pid\":{pid},\"tid\":{}}}",
                self.cap,
                tid(Lane::Loop)
            )?;
        }
        writeln!(
            out,
            "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{{\"program\":\"why-threads\",\"version\":\"{}\",\"events_written\":{},\"events_left_out\":{dropped},\"event_cap\":{}}}}}",
            env!("CARGO_PKG_VERSION"),
            self.written,
            self.cap
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::schedule::Subsystem;
    use serde_json::Value;

    fn us_(v: u64) -> Duration {
        Duration::from_micros(v)
    }

    fn write_trace(path: &Path, events: &[TraceEvent], cap: u64) -> Value {
        let t =
            ExportThread::start("test-trace", path, 1024, ChromeTrace::new(cap)).expect("start");
        for e in events {
            t.send(*e);
        }
        t.finish().expect("finish");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or_default()
    }

    fn sample() -> Vec<TraceEvent> {
        vec![
            TraceEvent::Span(Span {
                lane: Lane::Loop,
                what: Activity::Run(Subsystem::Display),
                start: us_(1000),
                end: us_(6500),
            }),
            TraceEvent::Span(Span {
                lane: Lane::ReadMouse,
                what: Activity::Blocked,
                start: us_(0),
                end: us_(900),
            }),
            TraceEvent::Mark(Mark {
                seq: 7,
                produced: us_(880),
                read_by: Lane::ReadMouse,
                arrived: us_(900),
                consumed: us_(7000),
                tick: 3,
            }),
            TraceEvent::Lost(Lost {
                after: us_(0),
                before: us_(16_000),
                count: 15,
            }),
        ]
    }

    #[test]
    fn the_trace_has_the_shape_perfetto_reads() {
        let dir = std::env::temp_dir().join(format!("why-threads-trace-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("t.json");
        let v = write_trace(&path, &sample(), MAX_EVENTS);
        let events = v["traceEvents"].as_array().cloned().unwrap_or_default();
        let names: Vec<&str> = events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
            .filter_map(|e| e["args"]["name"].as_str())
            .collect();
        assert_eq!(
            names,
            vec![
                "loop",
                "read_mouse",
                "ai",
                "video",
                "signals",
                "mouse → screen (each frame's newest report)"
            ]
        );
        let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        assert_eq!(complete.len(), 2);
        let display = complete[0];
        assert_eq!(display["name"], "display");
        assert_eq!(display["ts"].as_f64(), Some(1000.0));
        assert_eq!(display["dur"].as_f64(), Some(5500.0));
        assert_eq!(display["tid"], 1);
        assert!(display["pid"].as_u64().is_some_and(|p| p > 0));
        // The report: where it was produced, and a flow to the consuming tick.
        let flow: Vec<(&str, f64, u64)> = events
            .iter()
            .filter(|e| (e["ph"] == "s" || e["ph"] == "f") && e["cat"] == "mouse")
            .map(|e| {
                (
                    e["ph"].as_str().unwrap_or(""),
                    e["ts"].as_f64().unwrap_or(0.0),
                    e["tid"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(flow, vec![("s", 900.0, 2), ("f", 7000.0, 1)]);
        let report = events
            .iter()
            .find(|e| e["ph"] == "i" && e["name"] == "report");
        assert_eq!(
            report.map(|r| r["args"]["age_us"].clone()),
            Some(6120.0.into())
        );
        assert!(events.iter().any(|e| e["name"] == "15 reports lost"));
        assert_eq!(v["otherData"]["events_left_out"], 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_frames_way_to_the_screen_is_a_span_per_leg_linked_to_its_report() {
        let dir =
            std::env::temp_dir().join(format!("why-threads-trace-way-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("t.json");
        let way = Way {
            seq: 7,
            made: us_(1000),
            read: us_(1100),
            consumed: us_(1900),
            simulated: us_(2000),
            submitted: us_(2100),
            presented: us_(8100),
        };
        // The window system said, a frame later, when it was shown.
        let shown = TraceEvent::Shown {
            way,
            shown: us_(16_700),
        };
        let v = write_trace(&path, &[TraceEvent::ToScreen(way), shown], MAX_EVENTS);
        let events = v["traceEvents"].as_array().cloned().unwrap_or_default();
        let mut legs: Vec<&Value> = events
            .iter()
            .filter(|e| e["ph"] == "X" && e["cat"] == "latency")
            .collect();
        let last = legs.pop();
        assert_eq!(last.map(|e| &e["name"]), Some(&"presented_to_shown".into()));
        assert_eq!(last.map(|e| &e["args"]["seq"]), Some(&7.into()));
        assert_eq!(
            last.and_then(|e| Some((e["ts"].as_f64()?, e["dur"].as_f64()?))),
            Some((8100.0, 8600.0))
        );
        let names: Vec<&str> = legs.iter().filter_map(|e| e["name"].as_str()).collect();
        assert_eq!(names, Stage::ALL.map(Stage::name).to_vec());
        // Back to back from made to presented, on the track of their own.
        let mut at = 1000.0;
        for leg in &legs {
            assert_eq!(leg["ts"].as_f64(), Some(at));
            assert_eq!(leg["tid"].as_u64(), Some(SCREEN_TID as u64));
            assert_eq!(leg["args"]["seq"], 7);
            at += leg["dur"].as_f64().unwrap_or(f64::NAN);
        }
        assert_eq!(at, 8100.0);
        let flow: Vec<(&str, f64)> = events
            .iter()
            .filter(|e| e["cat"] == "latency" && (e["ph"] == "s" || e["ph"] == "f"))
            .map(|e| {
                (
                    e["ph"].as_str().unwrap_or(""),
                    e["ts"].as_f64().unwrap_or(0.0),
                )
            })
            .collect();
        assert_eq!(flow, vec![("s", 1000.0), ("f", 8100.0)]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn past_the_cap_the_file_says_what_was_left_out() {
        let dir =
            std::env::temp_dir().join(format!("why-threads-trace-cap-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("t.json");
        let v = write_trace(&path, &sample(), 2);
        let events = v["traceEvents"].as_array().cloned().unwrap_or_default();
        assert_eq!(events.iter().filter(|e| e["ph"] == "X").count(), 2);
        assert_eq!(v["otherData"]["events_left_out"], 2);
        assert!(events.iter().any(|e| {
            e["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("trace truncated: 2 events"))
        }));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
