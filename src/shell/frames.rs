//! `--frames PATH`: one CSV row per displayed frame, streamed by a writer
//! thread. Columns follow PresentMon's names where the meaning is the same
//! (`Application`, `ProcessID`, `TimeInSeconds`, `MsBetweenPresents`,
//! `MsCPUBusy`, `MsCPUWait`, `MsAllInputToPhotonLatency`); the rest are
//! the loop's own figures. The latency columns end at the present call's
//! return (`MsInputToPresent`); the photon columns are filled only for
//! frames whose display time the window system gave (X11's Present), and
//! are empty elsewhere. Such a time comes a frame or more after the
//! present, so rows wait for it in [`HeldRows`]. README documents every
//! column.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::export::{ExportThread, Format};
use crate::core::latency::{AWAITING, FrameLatency, Stage};
use crate::core::ring::Queue;
use crate::core::schedule::Subsystem;

/// One displayed frame, as the loop saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct FrameRow {
    /// Frames displayed before this one.
    pub frame: u64,
    /// The input mode that drew it (its name in the mode table).
    pub mode: &'static str,
    /// The loop's rate when it was drawn.
    pub loop_hz: u32,
    /// When the frame was presented (program time).
    pub presented: Duration,
    /// Since the previous frame's present (`None` for the first).
    pub between: Option<Duration>,
    /// The loop's busy time since the previous present.
    pub busy: Duration,
    /// The loop's time waiting for deadlines since the previous present.
    pub wait: Duration,
    /// Lateness of the tick that drew this frame (tick start − deadline).
    pub lateness: Duration,
    /// Mouse samples the loop consumed since the previous frame.
    pub samples: u64,
    /// Reports lost since the previous frame (never consumed).
    pub lost: u64,
    /// Input age of the newest sample consumed since the previous frame.
    pub input_age: Option<Duration>,
    /// Work in the loop per subsystem since the previous frame.
    pub work: [Duration; Subsystem::COUNT],
    /// The way of the input the frame shows (`None`: no new input).
    pub latency: Option<FrameLatency>,
    /// When the display showed it, where the window system says.
    pub shown: Option<Duration>,
}

/// Rows held for their display time: every frame has a row, but only
/// presented ones wait for a completion, so rows wait longer.
const HELD: usize = 2 * AWAITING;

/// Rows waiting for their frame's display time, oldest first, in a fixed
/// ring: a CSV row is written once, and the window system's answer comes
/// a frame or more after the present.
#[derive(Clone, Debug, Default)]
pub(crate) struct HeldRows(Queue<FrameRow, HELD>);

impl HeldRows {
    /// Holds `row`; if the ring was full, its oldest row leaves (without a
    /// display time) and is returned.
    pub(crate) fn hold(&mut self, row: FrameRow) -> Option<FrameRow> {
        self.0.push(row)
    }

    /// Frame `frame` was shown at `shown` (`None`: skipped): its row and
    /// every older one are complete (completions come in order), and go to
    /// `out`, oldest first.
    pub(crate) fn displayed(
        &mut self,
        frame: u64,
        shown: Option<Duration>,
        mut out: impl FnMut(FrameRow),
    ) {
        if !self.0.iter().any(|row| row.frame == frame) {
            return;
        }
        while let Some(mut row) = self.0.pop() {
            let last = row.frame == frame;
            if last {
                row.shown = shown;
            }
            out(row);
            if last {
                break;
            }
        }
    }

    /// Every row held, oldest first (the run is ending).
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = FrameRow> + '_ {
        std::iter::from_fn(move || self.0.pop())
    }
}

/// Rows in flight between the loop and the writer (seconds of frames).
const QUEUE: usize = 4096;

/// Starts the writer thread `frames` for `path`.
pub(crate) fn start(path: &Path) -> Result<ExportThread<FrameRow>, String> {
    ExportThread::start("frames", path, QUEUE, FramesCsv::new())
}

/// The CSV format.
pub(crate) struct FramesCsv {
    pid: u32,
}

impl FramesCsv {
    pub(crate) fn new() -> Self {
        Self {
            pid: std::process::id(),
        }
    }
}

impl Default for FramesCsv {
    fn default() -> Self {
        Self::new()
    }
}

/// The columns, in order.
pub(crate) fn columns() -> Vec<String> {
    let mut c: Vec<String> = [
        "Application",
        "ProcessID",
        "Frame",
        "Mode",
        "LoopHz",
        "TimeInSeconds",
        "MsBetweenPresents",
        "MsCPUBusy",
        "MsCPUWait",
        "MsLateness",
        "Samples",
        "ReportsLost",
        "MsInputAge",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for s in Subsystem::ALL {
        let name = s.name();
        let mut title = String::from("MsWork");
        let mut chars = name.chars();
        if let Some(first) = chars.next() {
            title.extend(first.to_uppercase());
            title.push_str(chars.as_str());
        }
        c.push(title);
    }
    c.push("MsInputToPresent".into());
    c.push("MsOldestInputToPresent".into());
    for stage in Stage::ALL {
        c.push(format!("Ms{}", camel(stage.name())));
    }
    c.extend(PHOTON_COLUMNS.map(String::from));
    c
}

/// Filled only where the display time is known: the oldest report made →
/// shown (PresentMon's meaning), the newest report's, and present
/// returned → shown.
const PHOTON_COLUMNS: [&str; 3] = [
    "MsAllInputToPhotonLatency",
    "MsInputToPhotonLatency",
    "MsPresentedToShown",
];

/// `made_to_read` → `MadeToRead`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |f| {
                f.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl Format<FrameRow> for FramesCsv {
    fn header(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{}", columns().join(","))
    }

    fn item(&mut self, out: &mut dyn Write, r: &FrameRow) -> std::io::Result<bool> {
        write!(
            out,
            "why-threads,{},{},{},{},{:.6},",
            self.pid,
            r.frame,
            r.mode,
            r.loop_hz,
            r.presented.as_secs_f64()
        )?;
        match r.between {
            Some(b) => write!(out, "{:.4},", ms(b))?,
            None => write!(out, ",")?,
        }
        write!(
            out,
            "{:.4},{:.4},{:.4},{},{},",
            ms(r.busy),
            ms(r.wait),
            ms(r.lateness),
            r.samples,
            r.lost
        )?;
        if let Some(age) = r.input_age {
            write!(out, "{:.4}", ms(age))?;
        }
        for w in r.work {
            write!(out, ",{:.4}", ms(w))?;
        }
        match &r.latency {
            Some(l) => {
                write!(
                    out,
                    ",{:.4},{:.4}",
                    ms(l.newest.whole()),
                    ms(l.oldest.whole())
                )?;
                for stage in Stage::ALL {
                    write!(out, ",{:.4}", ms(l.newest.leg(stage)))?;
                }
            }
            None => write!(out, "{}", ",".repeat(2 + Stage::COUNT))?,
        }
        match (r.shown, &r.latency) {
            (Some(shown), Some(l)) => write!(
                out,
                ",{:.4},{:.4},{:.4}",
                ms(shown.saturating_sub(l.oldest.made)),
                ms(shown.saturating_sub(l.newest.made)),
                ms(shown.saturating_sub(r.presented))
            )?,
            (Some(shown), None) => write!(out, ",,,{:.4}", ms(shown.saturating_sub(r.presented)))?,
            (None, _) => write!(out, "{}", ",".repeat(PHOTON_COLUMNS.len()))?,
        }
        writeln!(out)?;
        // Bounded by the run's length: a frame row is ~120 bytes, an hour at
        // 60 fps is ~26 MB. No cap.
        Ok(true)
    }

    /// A CSV has no place for a note: rows left out are counted in
    /// [`super::export::Exported`] and said when the run ends.
    fn footer(&mut self, _: &mut dyn Write, _: u64) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::latency::Path;

    #[test]
    fn rows_parse_back_under_their_columns() {
        let dir = std::env::temp_dir().join(format!("why-threads-frames-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("f.csv");
        let t = ExportThread::start("test-frames", &path, 16, FramesCsv::new()).expect("start");
        let mut work = [Duration::ZERO; Subsystem::COUNT];
        work[Subsystem::Display.index()] = Duration::from_micros(5500);
        t.send(FrameRow {
            frame: 0,
            mode: "polled",
            loop_hz: 1000,
            presented: Duration::from_millis(1500),
            between: None,
            input_age: None,
            ..FrameRow::default()
        });
        t.send(FrameRow {
            frame: 1,
            mode: "threaded",
            loop_hz: 60,
            presented: Duration::from_millis(1517),
            between: Some(Duration::from_micros(16_700)),
            busy: Duration::from_micros(6000),
            wait: Duration::from_micros(10_700),
            lateness: Duration::from_micros(50),
            samples: 17,
            lost: 0,
            input_age: Some(Duration::from_micros(2250)),
            work,
            latency: Some(FrameLatency {
                newest: Path {
                    seq: 41,
                    made: Duration::from_millis(1500),
                    read: Duration::from_millis(1501),
                    consumed: Duration::from_millis(1505),
                    simulated: Duration::from_millis(1506),
                    submitted: Duration::from_millis(1508),
                    presented: Duration::from_millis(1514),
                },
                oldest: Path {
                    seq: 33,
                    made: Duration::from_millis(1490),
                    read: Duration::from_millis(1491),
                    consumed: Duration::from_millis(1505),
                    simulated: Duration::from_millis(1506),
                    submitted: Duration::from_millis(1508),
                    presented: Duration::from_millis(1514),
                },
            }),
            // The X server said: on the display at the refresh at 1.525 s.
            shown: Some(Duration::from_millis(1525)),
        });
        assert_eq!(t.finish().map(|e| e.written), Ok(2));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
        assert_eq!(header, columns());
        assert!(header.contains(&"MsWorkDisplay") && header.contains(&"TimeInSeconds"));
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 2);
        for row in &rows {
            assert_eq!(row.len(), header.len());
        }
        fn get<'a>(header: &[&str], row: &[&'a str], name: &str) -> &'a str {
            let col = header.iter().position(|h| *h == name).unwrap_or(usize::MAX);
            row.get(col).copied().unwrap_or("?")
        }
        assert_eq!(get(&header, &rows[0], "MsBetweenPresents"), "");
        assert_eq!(get(&header, &rows[0], "MsInputAge"), "");
        assert_eq!(get(&header, &rows[1], "Mode"), "threaded");
        assert_eq!(
            get(&header, &rows[1], "TimeInSeconds").parse::<f64>(),
            Ok(1.517)
        );
        assert_eq!(
            get(&header, &rows[1], "MsBetweenPresents").parse::<f64>(),
            Ok(16.7)
        );
        assert_eq!(get(&header, &rows[1], "Samples"), "17");
        assert_eq!(
            get(&header, &rows[1], "MsInputAge").parse::<f64>(),
            Ok(2.25)
        );
        assert_eq!(
            get(&header, &rows[1], "MsWorkDisplay").parse::<f64>(),
            Ok(5.5)
        );
        // The way to the screen: the legs add up to the whole.
        assert_eq!(get(&header, &rows[0], "MsInputToPresent"), "");
        let num = |name: &str| {
            get(&header, &rows[1], name)
                .parse::<f64>()
                .unwrap_or(f64::NAN)
        };
        assert_eq!(num("MsInputToPresent"), 14.0);
        assert_eq!(num("MsOldestInputToPresent"), 24.0);
        assert_eq!(num("MsMadeToRead"), 1.0);
        assert_eq!(num("MsSubmittedToPresented"), 6.0);
        let legs: f64 = Stage::ALL
            .iter()
            .map(|s| num(&format!("Ms{}", camel(s.name()))))
            .sum();
        assert!((legs - 14.0).abs() < 1e-9);
        // The display time, where known: PresentMon's column is the oldest
        // report's; no display time, no photon figures.
        assert_eq!(num("MsAllInputToPhotonLatency"), 35.0);
        assert_eq!(num("MsInputToPhotonLatency"), 25.0);
        assert_eq!(num("MsPresentedToShown"), 8.0);
        assert_eq!(get(&header, &rows[0], "MsAllInputToPhotonLatency"), "");
        assert_eq!(get(&header, &rows[0], "MsPresentedToShown"), "");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn row(frame: u64) -> FrameRow {
        FrameRow {
            frame,
            presented: Duration::from_millis(16 * frame),
            ..FrameRow::default()
        }
    }

    #[test]
    fn rows_wait_for_their_display_time_and_leave_in_order() {
        let mut held = HeldRows::default();
        let mut out = Vec::new();
        for f in 0..3 {
            assert_eq!(held.hold(row(f)), None);
        }
        // Frame 1 shown: frames 0 and 1 leave, 1 with its time.
        held.displayed(1, Some(Duration::from_millis(40)), |r| out.push(r));
        let left: Vec<_> = out.iter().map(|r| (r.frame, r.shown)).collect();
        assert_eq!(left, vec![(0, None), (1, Some(Duration::from_millis(40)))]);
        // A frame no longer held changes nothing.
        held.displayed(0, Some(Duration::from_millis(50)), |r| out.push(r));
        assert_eq!(out.len(), 2);
        // With no display times, rows leave when the ring is full.
        let mut pushed_out = Vec::new();
        for f in 3..(3 + HELD as u64) {
            pushed_out.extend(held.hold(row(f)));
        }
        assert_eq!(
            pushed_out.iter().map(|r| r.frame).collect::<Vec<_>>(),
            vec![2]
        );
        let rest: Vec<_> = held.drain().map(|r| r.frame).collect();
        assert_eq!(rest, (3..3 + HELD as u64).collect::<Vec<_>>());
    }
}
