//! The pin cache of the slide ("Pin Cache", and "Read File" on a miss):
//! file contents held in memory, shared by every connection and thread.
//!
//! A response holds its entry (`Arc`) until the last byte is out: a file
//! that shrinks or changes while it is sent cannot make the body disagree
//! with the Content-Length already promised. Entries are re-checked
//! against the file (size, mtime) at most once a second, like nginx's
//! `open_file_cache_valid`.

use std::collections::HashMap;
use std::fs;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use crate::core::http::{Status, content_type};

/// Files larger than this are refused (403): every body is held in memory.
pub(crate) const MAX_FILE: u64 = 16 * 1024 * 1024;
/// Total bytes kept in the cache; beyond it files are read for each request.
const BUDGET: usize = 128 * 1024 * 1024;
/// Bytes of file contents held at once, cached or in responses: beyond it
/// a request that needs another file read is answered 503.
const LIVE_LIMIT: usize = 512 * 1024 * 1024;
/// How long an entry is trusted before the file is checked again.
const REVALIDATE: Duration = Duration::from_secs(1);

pub(crate) struct Entry {
    pub bytes: Box<[u8]>,
    pub content_type: &'static str,
    file: PathBuf,
    modified: Option<SystemTime>,
    /// When the entry was last checked, in ms since the cache's epoch.
    checked_ms: AtomicU64,
    /// The cache's count of bytes held, given back when the entry goes.
    live: Arc<AtomicUsize>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.live.fetch_sub(self.bytes.len(), Ordering::Relaxed);
    }
}

pub struct Cache {
    root: PathBuf,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    used: AtomicUsize,
    live: Arc<AtomicUsize>,
    epoch: Instant,
}

impl Cache {
    /// A cache of the files under `root` (which must be a folder).
    pub(crate) fn new(root: &Path) -> Result<Cache, String> {
        let root =
            fs::canonicalize(root).map_err(|e| format!("cannot serve {}: {e}", root.display()))?;
        if !root.is_dir() {
            return Err(format!("cannot serve {}: not a folder", root.display()));
        }
        Ok(Cache {
            root,
            entries: RwLock::new(HashMap::new()),
            used: AtomicUsize::new(0),
            live: Arc::new(AtomicUsize::new(0)),
            epoch: Instant::now(),
        })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    fn ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.epoch).as_millis() as u64
    }

    /// The cached, still valid entry for `path`, pinned; None on a miss.
    pub(crate) fn pin(&self, path: &str, now: Instant) -> Option<Arc<Entry>> {
        let entry = {
            let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
            Arc::clone(entries.get(path)?)
        };
        let now_ms = self.ms(now);
        let checked = entry.checked_ms.load(Ordering::Relaxed);
        if now_ms.saturating_sub(checked) < REVALIDATE.as_millis() as u64 {
            return Some(entry);
        }
        let same = fs::metadata(&entry.file).is_ok_and(|m| {
            m.len() == entry.bytes.len() as u64 && m.modified().ok() == entry.modified
        });
        if same {
            entry.checked_ms.store(now_ms, Ordering::Relaxed);
            Some(entry)
        } else {
            self.forget(path);
            None
        }
    }

    fn forget(&self, path: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = entries.remove(path) {
            self.used.fetch_sub(old.bytes.len(), Ordering::Relaxed);
        }
    }

    /// Reads `path` (relative, already normalised) from disk into the cache.
    /// Never anything outside the root: symlinks are resolved first and a
    /// target outside the root is refused (403).
    pub(crate) fn load(&self, path: &str, now: Instant) -> Result<Arc<Entry>, Status> {
        let mut file = self.resolve(Path::new(path))?;
        if file.is_dir() {
            file = self.resolve(&Path::new(path).join("index.html"))?;
        }
        let mut opened = fs::File::open(&file).map_err(status_of)?;
        let meta = opened.metadata().map_err(status_of)?;
        if !meta.is_file() {
            return Err(Status::NotFound);
        }
        if meta.len() > MAX_FILE {
            return Err(Status::Forbidden);
        }
        // Memory is bounded: the bytes are reserved before they are read.
        let reserved = meta.len() as usize;
        if self.live.fetch_add(reserved, Ordering::Relaxed) + reserved > LIVE_LIMIT {
            self.live.fetch_sub(reserved, Ordering::Relaxed);
            return Err(Status::Unavailable);
        }
        // Read what is there now, whatever stat said: a file shrinking
        // meanwhile gives a shorter body, never a wrong Content-Length.
        let mut bytes = Vec::with_capacity(reserved);
        let read = (&mut opened).take(MAX_FILE + 1).read_to_end(&mut bytes);
        self.live.fetch_sub(reserved, Ordering::Relaxed);
        read.map_err(status_of)?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(Status::Forbidden);
        }
        self.live.fetch_add(bytes.len(), Ordering::Relaxed);
        let entry = Arc::new(Entry {
            bytes: bytes.into_boxed_slice(),
            content_type: content_type(&file.to_string_lossy()),
            modified: meta.modified().ok(),
            file,
            checked_ms: AtomicU64::new(self.ms(now)),
            live: Arc::clone(&self.live),
        });
        let size = entry.bytes.len();
        if self.used.load(Ordering::Relaxed) + size <= BUDGET {
            let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
            if let Some(old) = entries.insert(path.to_owned(), Arc::clone(&entry)) {
                self.used.fetch_sub(old.bytes.len(), Ordering::Relaxed);
            }
            self.used.fetch_add(size, Ordering::Relaxed);
        }
        Ok(entry)
    }

    fn resolve(&self, relative: &Path) -> Result<PathBuf, Status> {
        let real = fs::canonicalize(self.root.join(relative)).map_err(status_of)?;
        if real.starts_with(&self.root) {
            Ok(real)
        } else {
            Err(Status::Forbidden)
        }
    }
}

fn status_of(e: std::io::Error) -> Status {
    match e.kind() {
        ErrorKind::PermissionDenied => Status::Forbidden,
        ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory => {
            Status::NotFound
        }
        ErrorKind::InvalidInput | ErrorKind::InvalidFilename => Status::NotFound,
        _ => Status::InternalError,
    }
}
