//! The site served without `--root`: an index page linking files of 1 KB,
//! 8 KB, 64 KB and 1 MB, written to a fresh temporary folder (so the Read
//! File stage reads real files) and removed when the server stops.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The generated files: name and size. `8k.bin` is the benchmarks' file.
pub const FILES: [(&str, usize); 4] = [
    ("1k.bin", 1024),
    ("8k.bin", 8 * 1024),
    ("64k.bin", 64 * 1024),
    ("1m.bin", 1024 * 1024),
];

/// A generated site; dropping it deletes the folder.
pub(crate) struct Site {
    dir: PathBuf,
}

impl Site {
    pub(crate) fn generate() -> Result<Site, String> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("why-threads-site-{}-{nanos}", std::process::id()));
        fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let site = Site { dir };
        write_atomically(&site.dir, "index.html", index_page().as_bytes())?;
        for (name, size) in FILES {
            write_atomically(&site.dir, name, &file_contents(name, size))?;
        }
        Ok(site)
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn index_page() -> String {
    let mut links = String::new();
    for (name, size) in FILES {
        links.push_str(&format!(
            "<li><a href=\"/{name}\">{name}</a> ({size} bytes)</li>\n"
        ));
    }
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>why-threads</title></head>\n\
         <body><h1>why-threads serve</h1>\n<p>Accept → Read Request → Pin Cache → Read File → \
         Write Response → Exit</p>\n<ul>\n{links}</ul></body></html>\n"
    )
}

/// Readable filler: numbered 64-byte lines, so a truncated or shuffled
/// body is visible with `curl | head`.
pub fn file_contents(name: &str, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 64);
    let mut line = 0;
    while out.len() < size {
        let text = format!("{name} line {line:06} ");
        out.extend_from_slice(text.as_bytes());
        out.resize(out.len() + 63 - text.len().min(63), b'.');
        out.push(b'\n');
        line += 1;
    }
    out.truncate(size);
    out
}

/// Whole or not at all (`sys::fs::write_atomic`): a reader never sees half.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let target = dir.join(name);
    crate::sys::fs::write_atomic(&target, bytes)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))
}
