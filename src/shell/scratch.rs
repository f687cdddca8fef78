//! Scratch folders for the shell's file-writing tests.

use std::fs;
use std::path::{Path, PathBuf};

/// An empty folder of its own under the system's temporary folder, for
/// one test of this process (`name` tells the tests apart).
pub(crate) fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("why-threads-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::create_dir_all(&dir);
    dir
}

/// The names of the files in `dir`, sorted (none if it cannot be read).
pub(crate) fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
