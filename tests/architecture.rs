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
    for file in rust_files(&root) {
        let code = production_code(&file);
        for word in ["winit::", "pixels::", "egui", "rodio::", "gilrs::"] {
            assert!(!code.contains(word), "{} mentions `{word}`", file.display());
        }
    }
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The names that follow `prefix` in `code` (`crate::shell::engine` → `engine`).
fn modules_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &code[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn the_app_reaches_the_shell_only_through_its_front_doors() {
    // The window program may use the engine (Frontend, commands, the
    // overlay's view), the mode table, the mouse devices it opens, the
    // clock, the OS figures, the command line and the report writer, and
    // the reader's thread name. Pacers, workers, the recorder, signals and
    // the benchmark are the engine's own business.
    let allowed = [
        "engine", "modes", "mouse", "x11", "clock", "os", "cli", "report", "reader",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    for file in rust_files(&root) {
        let code = production_code(&file);
        for module in modules_after(&code, "crate::shell::") {
            assert!(
                allowed.contains(&module),
                "{} uses shell::{module}",
                file.display()
            );
        }
        for module in modules_after(&code, "crate::core::") {
            assert!(
                !module.is_empty(),
                "{} imports the core as a whole",
                file.display()
            );
        }
    }
}

#[test]
fn the_core_modules_form_no_import_circle() {
    // "game uses ai, ai uses game" was the last one: arena geometry now has
    // its own module. Check every pair of core modules.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let uses = |name: &str| -> Vec<String> {
        let code = production_code(&dir.join(format!("{name}.rs")));
        let mut found: Vec<String> = modules_after(&code, "super::")
            .into_iter()
            .chain(modules_after(&code, "crate::core::"))
            .map(str::to_string)
            .collect();
        found.sort();
        found.dedup();
        found
    };
    let names: Vec<String> = core_files()
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|n| n != "mod")
        .collect();
    for a in &names {
        for b in uses(a) {
            if names.contains(&b) && &b != a {
                assert!(
                    !uses(&b).contains(a),
                    "core/{a}.rs and core/{b}.rs import each other"
                );
            }
        }
    }
}

#[test]
fn the_shell_modes_are_listed_once_in_the_table() {
    // Adding a mode is one file in src/shell/modes and one line in MODES:
    // every mode file is in the table, and nothing outside the modes
    // folder names a mode's module.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/shell/modes");
    let table = production_code(&dir.join("mod.rs"));
    for file in rust_files(&dir) {
        let Some(stem) = file.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        if stem == "mod" {
            continue;
        }
        assert!(
            table.contains(&format!("{stem}::SPEC")),
            "src/shell/modes/{stem}.rs is not in MODES"
        );
    }
}

#[test]
fn the_app_names_no_thread_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    for file in rust_files(&root) {
        let code = production_code(&file);
        for word in ["crossbeam_channel::", "signal_hook::", "spin_sleep::"] {
            assert!(!code.contains(word), "{} mentions `{word}`", file.display());
        }
    }
}
