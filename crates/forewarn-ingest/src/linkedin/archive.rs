//! The files of a LinkedIn data export, from its zip or its extracted
//! folder, read with the defences hostile archives need.
//!
//! Nothing is ever extracted to disk: files are read by name, in memory, as
//! streams. Entries whose names leave the archive (`../`, absolute paths),
//! symbolic links and encrypted entries are left out and reported. Every
//! read is bounded: by the entry's declared size, by a ceiling per entry and
//! for the whole archive, and by a ceiling on the compression ratio, so a zip
//! bomb ends in a clear error after a bounded amount of work.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::scan::{ScanError, ScanLimits, Skipped};

/// Entries smaller than this are never judged by their compression ratio:
/// small files of repeated text compress well for honest reasons.
const RATIO_FLOOR: u64 = 1 << 20;

/// The files of an export, by their name relative to the export's root,
/// lower-cased.
pub(crate) struct Export {
    kind: Kind,
    files: HashMap<String, Entry>,
    limits: ScanLimits,
    /// Uncompressed bytes read from the archive so far, for its ceiling.
    read_total: Arc<AtomicU64>,
    /// What was left out while listing the export.
    pub(crate) skipped: Vec<Skipped>,
}

enum Kind {
    Zip {
        path: PathBuf,
        archive: Box<zip::ZipArchive<BufReader<File>>>,
    },
    Folder,
    /// Files given in memory (tests and fuzzing).
    Memory(HashMap<String, Vec<u8>>),
}

#[derive(Debug, Clone)]
struct Entry {
    /// The name as written, for messages.
    name: String,
    /// Zip: the entry's index.
    index: usize,
    /// Folder: the file.
    path: PathBuf,
    size: u64,
    compressed: u64,
}

/// The names that mark the root of an export.
const MARKERS: [&str; 2] = ["messages.csv", "connections.csv"];

impl Export {
    /// Lists the entries of an export's zip.
    pub(crate) fn open_zip(path: &Path, limits: ScanLimits) -> Result<Export, ScanError> {
        let file = File::open(path).map_err(|e| ScanError::io(path, e))?;
        let archive =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|e| ScanError::Archive {
                path: path.into(),
                message: format!("not a readable zip archive: {e}"),
            })?;
        let mut skipped = Vec::new();
        let mut listed = Vec::new();
        for index in 0..archive.len() {
            let Ok(entry) = archive.by_index_data(index) else {
                skipped.push(skip(format!("zip entry {index}"), "unreadable entry"));
                continue;
            };
            let raw = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if entry.is_dir() {
                continue;
            }
            let absolute = raw.starts_with(['/', '\\']) || raw.as_bytes().get(1) == Some(&b':');
            let Some(name) = entry.enclosed_name().filter(|_| !absolute) else {
                skipped.push(skip(
                    &raw,
                    "name points outside the archive (absolute or ../ path)",
                ));
                continue;
            };
            if entry.is_symlink() {
                skipped.push(skip(&raw, "symbolic link"));
                continue;
            }
            if entry.encrypted() {
                skipped.push(skip(&raw, "encrypted (password-protected) entry"));
                continue;
            }
            listed.push((
                name.to_string_lossy().replace('\\', "/"),
                Entry {
                    name: raw,
                    index,
                    path: PathBuf::new(),
                    size: entry.size(),
                    compressed: entry.compressed_size(),
                },
            ));
        }
        Ok(Export {
            kind: Kind::Zip {
                path: path.into(),
                archive: Box::new(archive),
            },
            files: rooted(listed),
            limits,
            read_total: Arc::default(),
            skipped,
        })
    }

    /// Lists the files of an extracted export: its top level, or the one
    /// folder inside it that holds the export.
    pub(crate) fn open_folder(path: &Path, limits: ScanLimits) -> Result<Export, ScanError> {
        let mut skipped = Vec::new();
        let mut listed = Vec::new();
        let mut dirs = vec![(path.to_path_buf(), String::new(), 0usize)];
        // Depth 2 covers `Export/messages.csv` and `Export/Jobs/...`; a
        // scan never walks the whole disk.
        while let Some((dir, prefix, depth)) = dirs.pop() {
            let read = std::fs::read_dir(&dir).map_err(|e| ScanError::io(&dir, e))?;
            for item in read {
                let item = item.map_err(|e| ScanError::io(&dir, e))?;
                let name = item.file_name().to_string_lossy().into_owned();
                let relative = format!("{prefix}{name}");
                let meta = match std::fs::symlink_metadata(item.path()) {
                    Ok(m) => m,
                    Err(e) => {
                        skipped.push(skip(&relative, &format!("cannot read: {e}")));
                        continue;
                    }
                };
                if meta.file_type().is_symlink() {
                    skipped.push(skip(&relative, "symbolic link, not followed"));
                } else if meta.is_dir() {
                    if depth < 2 {
                        dirs.push((item.path(), format!("{relative}/"), depth + 1));
                    }
                } else if meta.is_file() {
                    listed.push((
                        relative.clone(),
                        Entry {
                            name: relative,
                            index: 0,
                            path: item.path(),
                            size: meta.len(),
                            compressed: meta.len(),
                        },
                    ));
                }
            }
        }
        Ok(Export {
            kind: Kind::Folder,
            files: rooted(listed),
            limits,
            read_total: Arc::default(),
            skipped,
        })
    }

    /// An export of files given in memory, by name.
    pub(crate) fn from_memory(files: Vec<(String, Vec<u8>)>, limits: ScanLimits) -> Export {
        let listed = files
            .iter()
            .map(|(name, bytes)| {
                (
                    name.clone(),
                    Entry {
                        name: name.clone(),
                        index: 0,
                        path: PathBuf::new(),
                        size: bytes.len() as u64,
                        compressed: bytes.len() as u64,
                    },
                )
            })
            .collect();
        Export {
            kind: Kind::Memory(
                files
                    .into_iter()
                    .map(|(n, b)| (n.to_lowercase(), b))
                    .collect(),
            ),
            files: rooted(listed),
            limits,
            read_total: Arc::default(),
            skipped: Vec::new(),
        }
    }

    /// Whether the export has the file `name` (lower case, relative to its
    /// root).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Opens `name` (lower case, relative to the export's root) for
    /// reading, or `None` when the export has no such file.
    pub(crate) fn open(&mut self, name: &str) -> Result<Option<Box<dyn BufRead + '_>>, ScanError> {
        let Some(entry) = self.files.get(name).cloned() else {
            return Ok(None);
        };
        let limits = self.limits;
        if entry.size > limits.max_entry_bytes {
            return Err(ScanError::TooLarge {
                what: entry.name,
                size: entry.size,
                limit: limits.max_entry_bytes,
            });
        }
        let ratio_limit = (entry.compressed.max(1))
            .saturating_mul(limits.max_compression_ratio)
            .max(RATIO_FLOOR);
        if entry.size > ratio_limit {
            return Err(bomb(&entry, entry.size));
        }
        let guard = Guard {
            name: entry.name.clone(),
            // A zip's declared size is checked by the zip reader's CRC only
            // at the end: bound the actual bytes too, by the smallest ceiling.
            limit: entry.size.min(limits.max_entry_bytes).min(ratio_limit),
            read: 0,
            total: Arc::clone(&self.read_total),
            total_limit: limits.max_archive_bytes,
        };
        let reader: Box<dyn Read + '_> = match &mut self.kind {
            Kind::Zip { path, archive } => {
                let file = archive
                    .by_index(entry.index)
                    .map_err(|e| ScanError::Archive {
                        path: path.clone(),
                        message: format!("{}: cannot read: {e}", entry.name),
                    })?;
                Box::new(Guarded { inner: file, guard })
            }
            Kind::Folder => {
                let file = File::open(&entry.path).map_err(|e| ScanError::io(&entry.path, e))?;
                Box::new(Guarded { inner: file, guard })
            }
            Kind::Memory(files) => {
                let bytes = files
                    .get(&entry.name.to_lowercase())
                    .map_or(&[][..], Vec::as_slice);
                Box::new(Guarded {
                    inner: bytes,
                    guard,
                })
            }
        };
        Ok(Some(Box::new(BufReader::with_capacity(1 << 16, reader))))
    }
}

fn skip(location: impl Into<String>, reason: &str) -> Skipped {
    Skipped {
        location: location.into(),
        reason: reason.to_owned(),
    }
}

fn bomb(entry: &Entry, size: u64) -> ScanError {
    ScanError::Archive {
        path: PathBuf::from(&entry.name),
        message: format!(
            "expands from {} to over {} bytes: refusing to read a likely zip bomb",
            entry.compressed, size
        ),
    }
}

/// Keys the files by their path below the export's root: the folder of the
/// shallowest `messages.csv` or `Connections.csv`.
fn rooted(listed: Vec<(String, Entry)>) -> HashMap<String, Entry> {
    let root = listed
        .iter()
        .filter_map(|(path, _)| {
            let lower = path.to_lowercase();
            let (dir, file) = lower.rsplit_once('/').unwrap_or(("", &lower));
            MARKERS
                .contains(&file)
                .then(|| (dir.matches('/').count(), dir.to_owned()))
        })
        .min()
        .map(|(_, dir)| dir)
        .unwrap_or_default();
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let mut files = HashMap::new();
    for (path, entry) in listed {
        let lower = path.to_lowercase();
        if let Some(rest) = lower.strip_prefix(&prefix) {
            files.entry(rest.to_owned()).or_insert(entry);
        }
    }
    files
}

/// Counts what is read from an entry and stops at its ceilings.
struct Guard {
    name: String,
    limit: u64,
    read: u64,
    total: Arc<AtomicU64>,
    total_limit: u64,
}

struct Guarded<R> {
    inner: R,
    guard: Guard,
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let g = &mut self.guard;
        g.read += n as u64;
        let total = g.total.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if g.read > g.limit {
            return Err(io::Error::other(format!(
                "{}: more data than declared or allowed ({} bytes): refusing to read a likely zip bomb",
                g.name, g.limit
            )));
        }
        if total > g.total_limit {
            return Err(io::Error::other(format!(
                "the archive expands to over {} bytes in all: refusing to read on",
                g.total_limit
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> (String, Entry) {
        (
            name.to_owned(),
            Entry {
                name: name.to_owned(),
                index: 0,
                path: PathBuf::new(),
                size: 1,
                compressed: 1,
            },
        )
    }

    #[test]
    fn root_is_the_folder_of_the_shallowest_marker() {
        let files = rooted(vec![
            entry("Basic_Export/messages.csv"),
            entry("Basic_Export/Connections.csv"),
            entry("Basic_Export/Jobs/Job Applications.csv"),
            entry("Other/messages.csv"),
            entry("notes.txt"),
        ]);
        let mut keys: Vec<_> = files.keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "connections.csv",
                "jobs/job applications.csv",
                "messages.csv"
            ]
        );
    }

    #[test]
    fn guard_stops_at_its_ceiling() {
        let data = vec![0u8; 10_000];
        let mut guarded = Guarded {
            inner: &data[..],
            guard: Guard {
                name: "bomb.csv".into(),
                limit: 5_000,
                read: 0,
                total: Arc::default(),
                total_limit: u64::MAX,
            },
        };
        let mut sink = Vec::new();
        let err = guarded.read_to_end(&mut sink).unwrap_err();
        assert!(err.to_string().contains("zip bomb"), "{err}");
        assert!(sink.len() <= 10_000);
    }
}
