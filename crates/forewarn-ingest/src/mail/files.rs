//! E-mails one to a file: a Maildir (`cur/` and `new/`), a folder of
//! `.eml` files, or a single `.eml` file.
//!
//! Files are read in the order of their names, so that every run gives the
//! same order. Each file's size is checked before it is read; symbolic
//! links and anything that is not a regular file are skipped and named, and
//! so is a file that cannot be read: the scan goes on with the next one.

use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::message::{MailReader, Origin};
use crate::scan::{Member, Progress, ScanError, ScanItem, ScanLimits, ScanSource, Skipped};

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    /// The name shown, relative to the scanned path: `cur/1491941793.M41850P8566`.
    name: String,
    path: PathBuf,
}

/// The e-mails of a list of files.
pub(crate) struct FileSource {
    entries: std::vec::IntoIter<Entry>,
    total: u64,
    done: u64,
    /// A single file given by the user: an error reading it ends the scan.
    single: bool,
    max: usize,
    reader: MailReader,
    pending: VecDeque<Result<ScanItem, ScanError>>,
}

impl FileSource {
    fn new(
        mut entries: Vec<Entry>,
        pending: VecDeque<Result<ScanItem, ScanError>>,
        single: bool,
        member: &Member,
        limits: ScanLimits,
    ) -> FileSource {
        entries.sort();
        FileSource {
            total: entries.len() as u64,
            entries: entries.into_iter(),
            done: 0,
            single,
            max: limits.max_email_bytes,
            reader: MailReader::new(member.clone(), limits),
            pending,
        }
    }

    /// The messages of the Maildir at `path`: the files of `cur/` and
    /// `new/` (not `tmp/`, which holds messages still being delivered).
    pub(crate) fn maildir(
        path: &Path,
        member: &Member,
        limits: ScanLimits,
    ) -> Result<FileSource, ScanError> {
        let mut entries = Vec::new();
        let mut pending = VecDeque::new();
        for sub in ["cur", "new"] {
            let dir = path.join(sub);
            let listing = match fs::read_dir(&dir) {
                Ok(listing) => listing,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(ScanError::io(dir, e)),
            };
            for item in listing {
                match item {
                    Ok(item) => {
                        let name = item.file_name().to_string_lossy().into_owned();
                        // Maildir readers ignore names starting with a dot.
                        if !name.starts_with('.') {
                            entries.push(Entry {
                                name: format!("{sub}/{name}"),
                                path: item.path(),
                            });
                        }
                    }
                    Err(e) => pending.push_back(Ok(skipped(sub, format!("cannot be listed: {e}")))),
                }
            }
        }
        Ok(FileSource::new(entries, pending, false, member, limits))
    }

    /// The `.eml` files at the top level of the folder at `path`.
    pub(crate) fn eml_folder(
        path: &Path,
        member: &Member,
        limits: ScanLimits,
    ) -> Result<FileSource, ScanError> {
        let mut entries = Vec::new();
        let mut pending = VecDeque::new();
        let listing = fs::read_dir(path).map_err(|e| ScanError::io(path, e))?;
        for item in listing {
            match item {
                Ok(item) => {
                    let name = item.file_name().to_string_lossy().into_owned();
                    if is_eml_name(&name) {
                        entries.push(Entry {
                            name,
                            path: item.path(),
                        });
                    }
                }
                Err(e) => pending.push_back(Ok(skipped(
                    &path.display().to_string(),
                    format!("cannot be listed: {e}"),
                ))),
            }
        }
        Ok(FileSource::new(entries, pending, false, member, limits))
    }

    /// The one e-mail in the file at `path`.
    pub(crate) fn single(
        path: &Path,
        member: &Member,
        limits: ScanLimits,
    ) -> Result<FileSource, ScanError> {
        // Fail now if the file cannot be opened at all.
        File::open(path).map_err(|e| ScanError::io(path, e))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let entries = vec![Entry {
            name,
            path: path.to_owned(),
        }];
        Ok(FileSource::new(
            entries,
            VecDeque::new(),
            true,
            member,
            limits,
        ))
    }

    /// Reads one file into `pending`.
    fn read_entry(&mut self, entry: &Entry) -> Result<(), ScanError> {
        let bytes = match self.load(entry) {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(reason)) => {
                self.pending.push_back(Ok(skipped(&entry.name, reason)));
                return Ok(());
            }
            Err(e) if self.single => return Err(ScanError::io(&entry.path, e)),
            Err(e) => {
                self.pending
                    .push_back(Ok(skipped(&entry.name, format!("cannot be read: {e}"))));
                return Ok(());
            }
        };
        let origin = Origin {
            file: &entry.name,
            offset: None,
            envelope: None,
        };
        for item in self.reader.read(&bytes, &origin) {
            self.pending.push_back(Ok(item));
        }
        Ok(())
    }

    /// The bytes of a file, or why it is not read.
    fn load(&self, entry: &Entry) -> io::Result<Result<Vec<u8>, String>> {
        // A single file was named by the user: follow it if it is a link.
        // Files in a folder are not followed out of it.
        let meta = if self.single {
            fs::metadata(&entry.path)?
        } else {
            fs::symlink_metadata(&entry.path)?
        };
        if meta.file_type().is_symlink() {
            return Ok(Err("a symbolic link; not followed".to_owned()));
        }
        if !meta.is_file() {
            return Ok(Err("not a regular file; skipped".to_owned()));
        }
        let max = self.max as u64;
        let too_large = |size: u64| {
            Err(format!(
                "the e-mail is {size} bytes, over the limit of {max} bytes; skipped"
            ))
        };
        if meta.len() > max {
            return Ok(too_large(meta.len()));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        File::open(&entry.path)?
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > max {
            // It grew since its size was read.
            return Ok(too_large(bytes.len() as u64));
        }
        Ok(Ok(bytes))
    }
}

impl Iterator for FileSource {
    type Item = Result<ScanItem, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            let entry = self.entries.next()?;
            self.done += 1;
            if let Err(e) = self.read_entry(&entry) {
                // Nothing more to read after a fatal error.
                self.entries = Vec::new().into_iter();
                return Some(Err(e));
            }
        }
    }
}

impl ScanSource for FileSource {
    fn progress(&self) -> Progress {
        Progress {
            done: self.done,
            total: Some(self.total),
        }
    }
}

fn skipped(location: &str, reason: String) -> ScanItem {
    ScanItem::Skipped(Skipped {
        location: location.to_owned(),
        reason,
    })
}

/// Whether a file name ends in `.eml`, in any case.
pub(crate) fn is_eml_name(name: &str) -> bool {
    name.len() > 4
        && name
            .get(name.len() - 4..)
            .is_some_and(|ext| ext.eq_ignore_ascii_case(".eml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eml_names() {
        assert!(is_eml_name("a.eml"));
        assert!(is_eml_name("A.EML"));
        assert!(!is_eml_name(".eml"));
        assert!(!is_eml_name("a.emlx"));
        assert!(!is_eml_name("aé"));
    }
}
