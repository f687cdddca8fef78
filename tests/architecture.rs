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
    // crates only under src/shell (and src/app, which drives them). The
    // programs (the benchmark) run headless.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for file in rust_files(&src.join("shell"))
        .into_iter()
        .chain(rust_files(&src.join("programs")))
    {
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
    // overlay's view), the mode table, the hotkey table, the mouse devices
    // it opens, the clock, the flags' value parsers and the pacers they name, the report writer and
    // diagnostics (the panic flag).
    // Pacers, workers, the recorder, signals and the benchmark are the
    // engine's own business.
    let allowed = [
        "engine",
        "modes",
        "hotkeys",
        "mouse",
        "x11",
        "raw_input",
        "clock",
        "flags",
        "pacer",
        "report_file",
        "diagnostics",
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
    // every mode file (one with a `SPEC`) is in the table. The folder also
    // holds what only the modes use (intake, the read_mouse thread).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/shell/modes");
    let table = production_code(&dir.join("mod.rs"));
    for file in rust_files(&dir) {
        let Some(stem) = file.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        if stem == "mod" || !production_code(&file).contains("pub const SPEC: ModeSpec") {
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

/// Every `.rs` file under src/, with its text and its path from src/.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    rust_files(&src)
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {rel}: {e}"));
            (rel, text)
        })
        .collect()
}

#[test]
fn os_crates_are_named_only_in_the_platform_layer() {
    // src/sys is the one platform layer: nothing else calls the OS itself.
    let os_crates = [
        "libc::",
        "windows_sys::",
        "signal_hook::",
        "io_uring::",
        "alsa::",
        "alsa_sys::",
    ];
    for (file, text) in sources() {
        if file.starts_with("sys/") {
            continue;
        }
        for word in os_crates {
            assert!(
                !text.contains(word),
                "src/{file} names `{word}` (it belongs in src/sys)"
            );
        }
    }
    // The tests and examples too (this file names them only as strings).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["tests", "examples"] {
        for file in rust_files(&root.join(dir)) {
            if file.ends_with("architecture.rs") {
                continue;
            }
            let text = fs::read_to_string(&file).unwrap_or_default();
            for word in os_crates {
                assert!(!text.contains(word), "{} names `{word}`", file.display());
            }
        }
    }
}

/// Is `line` a `cfg` that picks a platform?
fn is_platform_cfg(line: &str) -> bool {
    let cfg = line.contains("cfg(") || line.contains("cfg!(") || line.contains("cfg_attr(");
    cfg && [
        "target_os",
        "unix",
        "windows",
        "target_family",
        "target_vendor",
    ]
    .iter()
    .any(|p| line.contains(p))
}

#[test]
fn platforms_are_chosen_only_on_module_declarations() {
    // Outside src/sys a platform is chosen only where a module is declared
    // (`#[cfg(target_os = "linux")] mod x11;`), never inside code.
    for (file, text) in sources() {
        if file.starts_with("sys/") {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !is_platform_cfg(line) {
                continue;
            }
            let declared = line.trim_start().starts_with("#[")
                && lines[i + 1..]
                    .iter()
                    .map(|l| l.trim_start())
                    .find(|l| !l.starts_with("#[") && !l.starts_with("///") && !l.starts_with("//"))
                    .is_some_and(|l| {
                        l.starts_with("mod ")
                            || l.starts_with("pub mod ")
                            || l.starts_with("pub(crate) mod ")
                    });
            assert!(
                declared,
                "src/{file}:{}: a platform cfg not on a module declaration: {line}",
                i + 1
            );
        }
    }
}

#[test]
fn the_servers_use_nothing_of_the_game() {
    // serve, load and the degradation figure stand on the core and sys.
    for (file, text) in sources() {
        if !["serve/", "load/", "degradation/"]
            .iter()
            .any(|d| file.starts_with(d))
        {
            continue;
        }
        for word in [
            "crate::shell",
            "crate::app",
            "crate::programs",
            "crate::cli",
        ] {
            assert!(!text.contains(word), "src/{file} uses `{word}`");
        }
    }
}

#[test]
fn only_the_binary_reads_the_command_line_table() {
    // cli/ is the top floor: the subcommand table names every program's
    // flags, and no program imports it back.
    for (file, text) in sources() {
        if file.starts_with("cli/") {
            continue;
        }
        assert!(
            !text.contains("crate::cli"),
            "src/{file} imports the command line"
        );
    }
    let main = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs"));
    assert!(main.is_ok_and(|m| m.contains("why_threads::cli")));
}

#[test]
fn programs_print_only_through_checked_stdout() {
    // A closed stdout must never panic: every program prints through
    // sys::stdout::print, which says whether the reader went away.
    for (file, text) in sources() {
        let code = match text.find("#[cfg(test)]") {
            Some(i) => &text[..i],
            None => &text,
        };
        for word in ["println!(", "print!("] {
            let unchecked = code.match_indices(word).any(|(i, _)| {
                // `eprintln!` and `eprint!` (stderr) are fine.
                !code[..i].ends_with('e')
            });
            assert!(
                !unchecked,
                "src/{file} uses `{word}` (use sys::stdout::print)"
            );
        }
    }
}

#[test]
fn no_two_files_share_a_name_unless_they_mean_the_same() {
    // mod.rs and tests.rs are roles, args.rs is each program's flags, and
    // a file under src/sys/<platform>/ implements the concept of its
    // namesake in src/sys/. Any other shared name is two ideas, one name.
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (file, _) in sources() {
        let name = file.rsplit('/').next().unwrap_or(&file).to_string();
        if ["mod.rs", "tests.rs", "args.rs", "main.rs", "lib.rs"].contains(&name.as_str()) {
            continue;
        }
        let platform_impl = ["sys/unix/", "sys/windows/"]
            .iter()
            .any(|p| file.starts_with(p));
        if platform_impl {
            continue;
        }
        seen.entry(name).or_default().push(file);
    }
    let shared: Vec<_> = seen.values().filter(|files| files.len() > 1).collect();
    assert!(shared.is_empty(), "files sharing a name: {shared:?}");
}
