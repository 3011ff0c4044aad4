//! A LinkedIn data export ("Get a copy of your data"), as its zip or its
//! extracted folder, turned into approaches.
//!
//! `messages.csv` gives the conversations; `Profile.csv` names the member, so
//! that their own messages count as the recipient's; `Connections.csv` adds
//! what a counterpart claims (company, position, e-mail) and when they
//! connected; `Invitations.csv` adds the note of an invitation to connect,
//! which often comes before the first message. The files are matched by name
//! without case, and their columns by header name.

mod archive;
mod conversations;
mod dates;
mod tables;

use std::path::Path;

use crate::scan::{Member, Progress, ScanError, ScanFormat, ScanItem, ScanLimits, ScanSource};

use archive::Export;
use tables::Tables;

/// The items of an export, read whole at the start (an export's messages
/// fit in memory many times over; the archive's own limits bound them).
pub(crate) struct LinkedinScan {
    items: std::vec::IntoIter<ScanItem>,
    total: u64,
    done: u64,
}

impl Iterator for LinkedinScan {
    type Item = Result<ScanItem, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.items.next()?;
        self.done += 1;
        Some(Ok(item))
    }
}

impl ScanSource for LinkedinScan {
    fn progress(&self) -> Progress {
        Progress {
            done: self.done,
            total: Some(self.total),
        }
    }
}

/// Reads the export at `path`.
pub(crate) fn open(
    path: &Path,
    format: ScanFormat,
    member: &Member,
    limits: ScanLimits,
) -> Result<LinkedinScan, ScanError> {
    let mut export = match format {
        ScanFormat::LinkedinZip => Export::open_zip(path, limits)?,
        _ => Export::open_folder(path, limits)?,
    };
    // The file that matters most cannot be read: say so rather than scan
    // the rest and report a clean history.
    if let Some(left_out) = export.skipped.iter().find(|s| {
        let name = s.location.to_lowercase();
        name == tables::MESSAGES || name.ends_with("/messages.csv")
    }) {
        return Err(ScanError::Archive {
            path: path.into(),
            message: format!(
                "{}: {}: cannot scan the messages",
                left_out.location, left_out.reason
            ),
        });
    }
    if !export.has(tables::MESSAGES) && !export.has(tables::INVITATIONS) {
        return Err(ScanError::Archive {
            path: path.into(),
            message: "no messages.csv or Invitations.csv (readable, not encrypted) in this LinkedIn export"
                .into(),
        });
    }
    let items = items(&mut export, member, &limits)?;
    Ok(LinkedinScan {
        total: items.len() as u64,
        done: 0,
        items: items.into_iter(),
    })
}

/// The items of an export given as files in memory, by name
/// (`messages.csv`, `Connections.csv`, ...): what a scan of an export with
/// these files yields. For tests and fuzzing.
pub fn scan_files(
    files: Vec<(String, Vec<u8>)>,
    member: &Member,
    limits: ScanLimits,
) -> Result<Vec<ScanItem>, ScanError> {
    let mut export = Export::from_memory(files, limits);
    items(&mut export, member, &limits)
}

fn items(
    export: &mut Export,
    member: &Member,
    limits: &ScanLimits,
) -> Result<Vec<ScanItem>, ScanError> {
    let tables = Tables::read(export, limits)?;
    let mut items: Vec<ScanItem> = export
        .skipped
        .drain(..)
        .chain(tables.skipped.iter().cloned())
        .map(ScanItem::Skipped)
        .collect();
    items.extend(conversations::build(&tables, member, limits));
    Ok(items)
}

/// Whether the folder at `path` holds an extracted LinkedIn export: a
/// `messages.csv` or `Connections.csv` in it or in a folder inside it.
pub(crate) fn is_export_folder(path: &Path) -> bool {
    let has_marker = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().to_lowercase();
                (name == tables::MESSAGES || name == tables::CONNECTIONS)
                    && e.file_type().is_ok_and(|t| t.is_file())
            })
        })
    };
    if has_marker(path) {
        return true;
    }
    std::fs::read_dir(path).is_ok_and(|entries| {
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .any(|e| has_marker(&e.path()))
    })
}

#[cfg(test)]
mod tests;
