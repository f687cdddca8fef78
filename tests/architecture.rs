//! The architecture's invariants, checked on the source (rust-analyzer's
//! "tidy" tests do the same): the core names no platform crate, reads no
//! clock, and has no way to fail.

use std::fs;
use std::path::Path;

/// The non-test part of a source file.
fn production_code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn core_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "core files found: {files:?}");
    files
}

#[test]
fn the_core_names_no_platform_crate_and_reads_no_clock() {
    let forbidden = [
        "winit::",
        "pixels::",
        "wgpu::",
        "egui::",
        "rodio::",
        "gilrs::",
        "x11rb::",
        "spin_sleep::",
        "crossbeam_channel::",
        "libc::",
        "signal_hook::",
        "Instant",
        "SystemTime",
        "thread::",
        "std::fs",
        "std::io",
        "std::env",
        "std::process",
    ];
    for file in core_files() {
        let code = production_code(&file);
        for word in forbidden {
            assert!(!code.contains(word), "{} mentions `{word}`", file.display());
        }
    }
}

#[test]
fn the_core_cannot_fail() {
    for file in core_files() {
        let code = production_code(&file);
        for word in [
            ".unwrap()",
            ".expect(",
            "panic!(",
            "Result<",
            "unreachable!(",
            "todo!(",
        ] {
            assert!(!code.contains(word), "{} contains `{word}`", file.display());
        }
    }
}

#[test]
fn only_the_shell_and_app_name_platform_crates() {
    // The window crates appear only under src/app; the thread and device
    // crates only under src/shell (and src/app, which drives them).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/shell");
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let code = production_code(&path);
            for word in ["winit::", "pixels::", "egui", "rodio::", "gilrs::"] {
                assert!(!code.contains(word), "{} mentions `{word}`", path.display());
            }
        }
    }
}
