//! Files that appear whole or not at all: every file the program writes
//! (reports, checkpoints, traces, frame CSVs, recorded frames, figures,
//! the generated site) goes through [`AtomicFile`].
//!
//! The recipe: a temporary file in the target's own folder (a rename
//! across file systems would not be atomic), write, flush, fsync, rename
//! over the target, then fsync the folder so the rename itself survives a
//! crash (Unix; Windows cannot open a folder to sync it). Any error
//! removes the temporary file and leaves an older target as it was.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::imp;

/// Bytes gathered before a write call: a trace streams millions of
/// ~100-byte events, and a recorded frame is a ~1 MB PNG.
const BUFFER: usize = 64 * 1024;

/// A file being written to a temporary name beside its target; it takes
/// the target's name only in [`AtomicFile::commit`]. Dropped uncommitted,
/// it removes the temporary file.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    temp: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file for `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        let temp = temp_path(path);
        let file = File::create(&temp)?;
        Ok(Self {
            path: path.to_path_buf(),
            temp,
            out: Some(BufWriter::with_capacity(BUFFER, file)),
        })
    }

    /// The target's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames over the target, then syncs the folder.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(out) = self.out.take() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        let renamed = out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
            .and_then(|file| file.sync_all())
            .and_then(|()| fs::rename(&self.temp, &self.path));
        if let Err(e) = renamed {
            let _ = fs::remove_file(&self.temp);
            return Err(e);
        }
        imp::sync_folder(folder_of(&self.path))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Some(out) => out.write(buf),
            None => Err(io::ErrorKind::NotConnected.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// The temporary name used for `path`: hidden, in the same folder, unique
/// to this process (`.report.json.4242.tmp`).
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_else(|| "file".as_ref()));
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// The folder a relative or bare file name lives in.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Reads into `buf` from `offset` in `file` without moving its cursor, so
/// threads can share one file (`pread` on Unix, `seek_read` on Windows).
/// Returns how many bytes came, like `read`.
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    imp::read_at(file, buf, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("why-threads-sys-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let _ = fs::create_dir_all(&dir);
        dir
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn a_committed_file_replaces_the_old_one_and_leaves_nothing_else() {
        let dir = fresh_dir("commit");
        let path = dir.join("out.txt");
        assert!(fs::write(&path, "old").is_ok());
        assert!(write_atomic(&path, b"new").is_ok());
        assert_eq!(fs::read_to_string(&path).unwrap_or_default(), "new");
        assert_eq!(names_in(&dir), vec!["out.txt".to_string()]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_uncommitted_file_leaves_the_old_one_and_no_temporary_file() {
        let dir = fresh_dir("drop");
        let path = dir.join("out.txt");
        assert!(fs::write(&path, "old").is_ok());
        if let Ok(mut file) = AtomicFile::create(&path) {
            assert!(file.write_all(b"half").is_ok());
            assert!(file.flush().is_ok());
            assert!(temp_path(&path).exists());
        }
        assert_eq!(fs::read_to_string(&path).unwrap_or_default(), "old");
        assert_eq!(names_in(&dir), vec!["out.txt".to_string()]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_create_is_an_error_and_keeps_the_old_file() {
        let dir = fresh_dir("fail");
        let path = dir.join("out.txt");
        assert!(fs::write(&path, "old").is_ok());
        // A folder where the temporary file would go makes creating it fail.
        assert!(fs::create_dir(temp_path(&path)).is_ok());
        assert!(write_atomic(&path, b"new").is_err());
        assert_eq!(fs::read_to_string(&path).unwrap_or_default(), "old");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_temporary_file_is_hidden_beside_its_target() {
        let temp = temp_path(Path::new("a/b/r.json"));
        assert_eq!(temp.parent(), Some(Path::new("a/b")));
        let name = temp.file_name().map(|n| n.to_string_lossy().into_owned());
        assert_eq!(name, Some(format!(".r.json.{}.tmp", std::process::id())));
        assert_eq!(folder_of(Path::new("r.json")), Path::new("."));
    }
}
