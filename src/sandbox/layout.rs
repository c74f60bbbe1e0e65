//! Where things are inside the container:
//! - `/workspace` (read-write, size-capped): the run's own work folder, with
//!   `output/` for results; it lives in a tmpfs volume that dies with the run;
//! - `/data/<name>` (read-only): each dataset, mounted one file at a time;
//! - `/tmp` (size-capped tmpfs), which is also HOME. Nothing else is writable.

use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub const CONTAINER_WORKSPACE_DIR: &str = "/workspace";
pub const CONTAINER_OUTPUT_DIR: &str = "/workspace/output";
pub(crate) const CONTAINER_DATA_DIR: &str = "/data";

/// A dataset on the host and where the code sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetMount {
    pub host_path: PathBuf,
    pub container_path: String,
}

/// Gives each dataset a safe, unique path under `/data`, keeping its file name
/// recognisable (`Sales Q1 (final).csv` becomes `/data/Sales_Q1__final_.csv`).
/// Fails, in plain words, when a file is missing or cannot be opened.
pub fn plan_dataset_mounts(paths: &[PathBuf]) -> Result<Vec<DatasetMount>> {
    let mut used = HashSet::new();
    paths
        .iter()
        .map(|path| {
            let host_path = check_readable_file(path)?;
            let base = safe_file_name(&host_path);
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = with_suffix(&base, n);
                n += 1;
            }
            Ok(DatasetMount {
                host_path,
                container_path: format!("{CONTAINER_DATA_DIR}/{name}"),
            })
        })
        .collect()
}

fn check_readable_file(path: &Path) -> Result<PathBuf> {
    let unreadable = |reason: &str| Error::DatasetUnreadable {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let canonical = path
        .canonicalize()
        .map_err(|_| unreadable("The file does not exist, or its folder cannot be opened"))?;
    let metadata = std::fs::metadata(&canonical).map_err(|_| unreadable("It cannot be opened"))?;
    if metadata.is_dir() {
        return Err(unreadable(
            "It is a folder, not a file; drop the data file itself",
        ));
    }
    if !metadata.is_file() {
        return Err(unreadable("It is not a regular file"));
    }
    std::fs::File::open(&canonical)
        .map_err(|_| unreadable("Your account is not allowed to open it"))?;
    Ok(canonical)
}

fn safe_file_name(path: &Path) -> String {
    let raw = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "dataset".to_owned()
    } else {
        cleaned
    }
}

fn with_suffix(name: &str, n: usize) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}_{n}.{ext}"),
        _ => format!("{name}_{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_names_are_made_safe_and_unique() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("Sales Q1 (final).csv");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let b = sub.join("Sales Q1 (final).csv");
        std::fs::write(&a, "x\n1\n").unwrap();
        std::fs::write(&b, "x\n2\n").unwrap();
        let mounts = plan_dataset_mounts(&[a, b]).unwrap();
        assert_eq!(mounts[0].container_path, "/data/Sales_Q1__final_.csv");
        assert_eq!(mounts[1].container_path, "/data/Sales_Q1__final__2.csv");
    }

    #[test]
    fn a_missing_file_or_a_folder_is_refused_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        let err = plan_dataset_mounts(&[dir.path().join("nope.csv")]).unwrap_err();
        assert!(err.plain_words().title.contains("nope.csv"));
        let err = plan_dataset_mounts(&[dir.path().to_owned()]).unwrap_err();
        assert!(err.plain_words().advice.contains("folder"));
    }
}
