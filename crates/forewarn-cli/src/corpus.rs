//! Reading a labelled corpus: a directory with `train/` and `dev/` splits of
//! `.jsonl` files, or plain `.jsonl` files; labels in each record or in a
//! separate file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use forewarn_ingest::{ApproachReader, Label, Labelled, Limits};

/// One labelled approach of a corpus.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The record (approach, label, category).
    pub record: Labelled,
    /// The label to use.
    pub label: Label,
}

/// Which part of a corpus directory to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    /// `train/`.
    Train,
    /// `dev/`.
    Dev,
    /// Both.
    All,
}

/// The `.jsonl` files of a split of a corpus, or the path itself when it is
/// a file, sorted by name.
pub fn files(path: &Path, split: Split) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        bail!(
            "corpus `{}` is neither a file nor a directory",
            path.display()
        );
    }
    let has_splits = path.join("train").is_dir() || path.join("dev").is_dir();
    let dirs: Vec<PathBuf> = match (has_splits, split) {
        (false, _) => vec![path.to_path_buf()],
        (true, Split::Train) => vec![path.join("train")],
        (true, Split::Dev) => vec![path.join("dev")],
        (true, Split::All) => vec![path.join("train"), path.join("dev")],
    };
    let mut files = Vec::new();
    for dir in dirs {
        let mut here: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot list `{}`", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        here.sort();
        files.extend(here);
    }
    if files.is_empty() {
        bail!("no .jsonl files in `{}`", path.display());
    }
    Ok(files)
}

/// Reads labels from a file: JSON Lines of `{"id": ..., "label": ...}`, or
/// CSV/TSV lines of `id,label`.
pub fn read_labels(path: &Path) -> Result<HashMap<String, Label>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read labels `{}`", path.display()))?;
    let mut labels = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let located = || format!("{}:{}", path.display(), n + 1);
        let (id, label) = if line.starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("{}: not valid JSON", located()))?;
            let id = v.get("id").and_then(|i| i.as_str()).map(str::to_owned);
            let label = match v.get("label") {
                Some(serde_json::Value::String(s)) => Label::parse(s),
                Some(serde_json::Value::Bool(b)) => {
                    Some(if *b { Label::Hostile } else { Label::Benign })
                }
                Some(serde_json::Value::Number(n)) => Label::parse(&n.to_string()),
                _ => None,
            };
            (id, label)
        } else {
            let mut parts = line.split([',', '\t']);
            let id = parts.next().map(|s| s.trim().trim_matches('"').to_owned());
            let label = parts.next().and_then(|l| Label::parse(l.trim_matches('"')));
            if n == 0 && label.is_none() {
                continue; // a header line
            }
            (id, label)
        };
        let id = id.with_context(|| format!("{}: id: missing", located()))?;
        let label =
            label.with_context(|| format!("{}: label: must be hostile or benign", located()))?;
        labels.insert(id, label);
    }
    Ok(labels)
}

/// Reads the labelled approaches of some files.
pub fn read(files: &[PathBuf], labels: Option<&HashMap<String, Label>>) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for file in files {
        let reader: ApproachReader<_, Labelled> =
            ApproachReader::open_file(file, Limits::default())?;
        for item in reader {
            let read = item?;
            let id = read.approach.approach.id.clone().unwrap_or_default();
            let label = match labels {
                Some(map) => map.get(&id).copied(),
                None => read.approach.label,
            }
            .with_context(|| format!("{}: no label for approach `{id}`", read.location))?;
            entries.push(Entry {
                record: read.approach,
                label,
            });
        }
    }
    Ok(entries)
}
