//! The datasets of a session: fingerprinted (size, SHA-256) when added, copied
//! into `datasets/` up to the size in Settings (so the session re-runs even
//! when the original changes or moves) and kept as a reference above it. On
//! reopening, each original is checked against its fingerprint.

use super::layout::{SessionFolder, safe_component};
use super::meta::{DatasetRef, DatasetStorage};
use crate::conversation::Timestamp;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A dataset's size, SHA-256 and modification time.
pub struct Fingerprint {
    pub size_bytes: u64,
    pub sha256: String,
    pub modified_at: Option<Timestamp>,
}

fn modified_ms(metadata: &std::fs::Metadata) -> Option<Timestamp> {
    let modified = metadata.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since.as_millis() as Timestamp)
}

/// Reads `path` once, hashing it and, when `copy_to` is given, writing it there.
fn read_through(path: &Path, mut copy_to: Option<&mut dyn Write>) -> std::io::Result<Fingerprint> {
    let mut file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1024 * 1024];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        if let Some(out) = copy_to.as_mut() {
            out.write_all(&buffer[..read])?;
        }
        size += read as u64;
    }
    Ok(Fingerprint {
        size_bytes: size,
        sha256: hex(&hasher.finalize()),
        modified_at: modified_ms(&metadata),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    read_through(path, None)
}

/// Adds the dataset at `original` to the session: a copy when it is at most
/// `copy_up_to_bytes`, else a reference. `taken` are the names already in the
/// session; the new one gets a name of its own (`sales-2.csv`).
pub fn add(
    folder: &SessionFolder,
    original: &Path,
    copy_up_to_bytes: u64,
    taken: &[String],
) -> std::io::Result<DatasetRef> {
    let original = std::path::absolute(original)?;
    let size = std::fs::metadata(&original)?.len();
    let file_name = original
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dataset".into());
    let name = unique_name(&safe_component(&file_name), taken);
    store(folder, &original, name, size, copy_up_to_bytes)
}

/// Records the file at `original` (absolute, `size` bytes) as the dataset
/// `name`: a copy in `datasets/<name>` (replacing one of that name) when it is
/// at most `copy_up_to_bytes`, else a reference.
fn store(
    folder: &SessionFolder,
    original: &Path,
    name: String,
    size: u64,
    copy_up_to_bytes: u64,
) -> std::io::Result<DatasetRef> {
    let original = original.to_owned();
    if size > copy_up_to_bytes {
        let print = fingerprint(&original)?;
        return Ok(DatasetRef {
            name,
            original,
            size_bytes: print.size_bytes,
            sha256: print.sha256,
            modified_at: print.modified_at,
            stored: DatasetStorage::Reference,
            column_descriptions: Default::default(),
            table: Default::default(),
        });
    }
    let dir = folder.datasets_dir();
    std::fs::create_dir_all(&dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".copy.")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    let print = read_through(&original, Some(temp.as_file_mut()))?;
    // The sandbox reads the copy as the analyst's (non-root) user: it gets the
    // original's permissions, not the temporary file's owner-only ones.
    temp.as_file()
        .set_permissions(std::fs::metadata(&original)?.permissions())?;
    temp.as_file().sync_all()?;
    let copy = dir.join(&name);
    temp.persist(&copy).map_err(|err| err.error)?;
    crate::atomic_file::sync_folder(&dir)?;
    Ok(DatasetRef {
        name: name.clone(),
        original,
        size_bytes: print.size_bytes,
        sha256: print.sha256,
        modified_at: print.modified_at,
        stored: DatasetStorage::Copy {
            path: PathBuf::from(super::layout::DATASETS_DIR).join(name),
        },
        column_descriptions: Default::default(),
        table: Default::default(),
    })
}

fn unique_name(name: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == name) {
        return name.to_owned();
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|n| format!("{stem}-{n}{extension}"))
        .find(|candidate| !taken.contains(candidate))
        .expect("some number is free")
}

/// A dataset pointed at the file in its new place (the analyst located it).
#[derive(Debug)]
pub struct Relocated {
    pub dataset: DatasetRef,
    /// The file there is the one the session used (same SHA-256). When it is
    /// not, the dataset was recorded again from it (a fresh copy or reference)
    /// and answers may differ from the earlier ones.
    pub same_content: bool,
}

/// Points `dataset` at `new_place`. The same content keeps everything but the
/// place; other content is recorded again under the same name, keeping what
/// the analyst wrote about its columns.
pub fn relocate(
    folder: &SessionFolder,
    dataset: &DatasetRef,
    new_place: &Path,
    copy_up_to_bytes: u64,
) -> std::io::Result<Relocated> {
    let original = std::path::absolute(new_place)?;
    let print = fingerprint(&original)?;
    if print.sha256 == dataset.sha256 {
        let mut moved = dataset.clone();
        moved.original = original;
        moved.modified_at = print.modified_at;
        return Ok(Relocated {
            dataset: moved,
            same_content: true,
        });
    }
    let mut recorded = store(
        folder,
        &original,
        dataset.name.clone(),
        print.size_bytes,
        copy_up_to_bytes,
    )?;
    recorded.column_descriptions = dataset.column_descriptions.clone();
    recorded.table = dataset.table.clone();
    Ok(Relocated {
        dataset: recorded,
        same_content: false,
    })
}

/// What became of a dataset's original since it was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginalState {
    /// Same size and SHA-256.
    Unchanged,
    /// There, but its content differs.
    Changed,
    /// Not there any more (moved, renamed or deleted).
    Missing,
}

/// One dataset as found on reopening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetCheck {
    pub name: String,
    pub original: PathBuf,
    pub state: OriginalState,
    /// The copy the session kept, to use instead of a changed or missing original.
    pub saved_copy: Option<PathBuf>,
    /// When the original changed or is gone: what happened and what the
    /// analyst can do, in plain words.
    pub notice: Option<String>,
}

/// Compares the original with its fingerprint. Same size and modification
/// time: unchanged without reading it (a 1 GB file would take seconds);
/// otherwise it is hashed again.
/// The files a run should mount, in order: each dataset's saved copy when the
/// session has one (what its steps ran on), else the original.
pub fn paths(folder: &SessionFolder, datasets: &[DatasetRef]) -> Vec<PathBuf> {
    datasets
        .iter()
        .map(|d| match &d.stored {
            DatasetStorage::Copy { path } => folder.resolve(path),
            DatasetStorage::Reference => d.original.clone(),
        })
        .collect()
}

pub fn check(folder: &SessionFolder, dataset: &DatasetRef) -> DatasetCheck {
    let saved_copy = match &dataset.stored {
        DatasetStorage::Copy { path } => Some(folder.resolve(path)).filter(|p| p.is_file()),
        DatasetStorage::Reference => None,
    };
    let state = match std::fs::metadata(&dataset.original) {
        Err(_) => OriginalState::Missing,
        Ok(meta) if !meta.is_file() => OriginalState::Missing,
        Ok(meta) if meta.len() != dataset.size_bytes => OriginalState::Changed,
        Ok(meta) if dataset.modified_at.is_some() && modified_ms(&meta) == dataset.modified_at => {
            OriginalState::Unchanged
        }
        Ok(_) => match fingerprint(&dataset.original) {
            Ok(print) if print.sha256 == dataset.sha256 => OriginalState::Unchanged,
            Ok(_) => OriginalState::Changed,
            Err(_) => OriginalState::Missing,
        },
    };
    let name = &dataset.name;
    let original = dataset.original.display();
    let offer = match &saved_copy {
        Some(_) => "Sandpiper kept a copy of it with this session: the analysis goes on with that copy unless you choose the file again.".to_owned(),
        None => "The session kept no copy (the file was larger than the copy limit in Settings): choose the file again to go on.".to_owned(),
    };
    let notice = match state {
        OriginalState::Unchanged => None,
        OriginalState::Changed => Some(format!(
            "{name} has changed since this session used it ({original} is not the same file any more). {offer}"
        )),
        OriginalState::Missing => Some(format!(
            "{name} is no longer at {original}: it was moved, renamed or deleted. {offer}"
        )),
    };
    DatasetCheck {
        name: dataset.name.clone(),
        original: dataset.original.clone(),
        state,
        saved_copy,
        notice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_already_taken_get_a_number() {
        let taken = vec!["sales.csv".to_owned(), "sales-2.csv".to_owned()];
        assert_eq!(unique_name("sales.csv", &taken), "sales-3.csv");
        assert_eq!(unique_name("other.csv", &taken), "other.csv");
        assert_eq!(unique_name("data", &["data".to_owned()]), "data-2");
    }
}
