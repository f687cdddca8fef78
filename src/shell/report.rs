//! Writing the JSON report: checked before the run (so a bad path fails at
//! once, with status 2) and written at the end.

use std::path::Path;

use serde::Serialize;

use crate::core::report::Modes;

/// The game's report: the brief's `modes`, plus how the run was set up.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub modes: Modes,
    pub program: &'static str,
    pub version: &'static str,
    pub mouse: String,
    pub pacer: &'static str,
    pub hz: u32,
    pub mouse_hz: u32,
    pub final_mode: &'static str,
    pub seconds: f64,
    /// The last recording made (`V`), if any.
    pub recording: Option<RecordingReport>,
}

/// Where a recording went and how many frames it has.
#[derive(Debug, Serialize)]
pub struct RecordingReport {
    pub dir: String,
    pub frames_written: u64,
    pub frames_dropped: u64,
}

/// Fails with a one-line reason if `path` cannot be written.
pub fn check_writable(path: &Path) -> Result<(), String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(drop)
        .map_err(|e| format!("cannot write the report to {}: {e}", path.display()))
}

/// Writes `report` as pretty JSON to `path`.
pub fn write(path: &Path, report: &impl Serialize) -> Result<(), String> {
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| format!("cannot encode the report: {e}"))?;
    std::fs::write(path, json + "\n")
        .map_err(|e| format!("cannot write the report to {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwritable_paths_are_refused_with_the_reason() {
        let err = check_writable(Path::new("/nonexistent-dir/r.json"))
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("cannot write the report to /nonexistent-dir/r.json: "),
            "{err}"
        );
    }

    #[test]
    fn a_report_round_trips_as_json() {
        let dir = std::env::temp_dir().join(format!("why-threads-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("r.json");
        assert_eq!(check_writable(&path), Ok(()));
        let mut polled = crate::core::stats::ModeStats::default();
        polled.ticks = 3;
        let modes = Modes::from_stats([("polled", &polled)]);
        assert_eq!(write(&path, &modes), Ok(()));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(v["polled"]["ticks"], 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
