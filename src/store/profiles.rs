//! Each dataset's latest Quick profile, kept in the session folder
//! (`profiles/<dataset>.json`), so that reopening the session shows the
//! dataset's columns and first rows again without running anything. A kept
//! profile counts only for the content and the sheet it was made from: the
//! dataset's SHA-256 and table choice are saved with it, and a profile whose
//! dataset has since been recorded again, or read from another sheet, is not
//! shown.

use super::layout::{SessionFolder, safe_component};
use super::meta::DatasetRef;
use crate::profile_data::{DatasetProfile, TableChoice};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Serialize, Deserialize)]
struct KeptProfile {
    /// The content profiled (the dataset's `sha256` when it was profiled).
    sha256: String,
    /// The sheet and header row it was read at.
    #[serde(default)]
    table: TableChoice,
    profile: DatasetProfile,
}

fn file_of(folder: &SessionFolder, dataset: &DatasetRef) -> PathBuf {
    folder
        .profiles_dir()
        .join(format!("{}.json", safe_component(&dataset.name)))
}

/// Keeps `profile` as `dataset`'s, in place of the one before.
pub fn keep(
    folder: &SessionFolder,
    dataset: &DatasetRef,
    profile: &DatasetProfile,
) -> std::io::Result<()> {
    let kept = KeptProfile {
        sha256: dataset.sha256.clone(),
        table: dataset.table.clone(),
        profile: profile.clone(),
    };
    let file = file_of(folder, dataset);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_vec(&kept).map_err(std::io::Error::other)?;
    crate::atomic_file::replace(&file, &json)
}

/// `dataset`'s kept profile, when there is one of its current content and
/// table choice. A missing or unreadable file is no profile: it is only
/// ever a copy of what the next Quick profile says again.
pub fn kept(folder: &SessionFolder, dataset: &DatasetRef) -> Option<DatasetProfile> {
    let bytes = std::fs::read(file_of(folder, dataset)).ok()?;
    let kept: KeptProfile = serde_json::from_slice(&bytes).ok()?;
    (kept.sha256 == dataset.sha256 && kept.table == dataset.table).then_some(kept.profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::meta::DatasetStorage;

    fn dataset(sha256: &str) -> DatasetRef {
        DatasetRef {
            name: "sales (2024).csv".into(),
            original: PathBuf::from("/home/ana/sales (2024).csv"),
            size_bytes: 22,
            sha256: sha256.into(),
            modified_at: None,
            stored: DatasetStorage::Reference,
            column_descriptions: Default::default(),
            table: TableChoice::default(),
        }
    }

    fn profile() -> DatasetProfile {
        serde_json::from_value(serde_json::json!({
            "file_name": "sales__2024_.csv", "size_bytes": 22, "rows": 1,
            "engine": "standard_library", "estimated": false, "delimiter": "\",\"",
            "format": null, "notes": [], "columns": [],
            "first_rows": [["North", "10"]],
        }))
        .unwrap()
    }

    #[test]
    fn a_profile_is_shown_again_only_for_the_content_and_sheet_it_was_made_of() {
        let dir = tempfile::tempdir().unwrap();
        let folder = SessionFolder::new(dir.path());
        let profiled = dataset("aa");
        assert_eq!(kept(&folder, &profiled), None, "nothing kept yet");
        keep(&folder, &profiled, &profile()).unwrap();
        assert_eq!(kept(&folder, &profiled), Some(profile()));
        // Recorded again from other content: that profile is of the old file.
        assert_eq!(kept(&folder, &dataset("bb")), None);
        // Another sheet chosen since: the profile is of the sheet before.
        let mut other_sheet = profiled.clone();
        other_sheet.table.sheet = Some("Detail".into());
        assert_eq!(kept(&folder, &other_sheet), None);
        // A damaged file is no profile, never an error: the next profile replaces it.
        std::fs::write(file_of(&folder, &profiled), b"{not json").unwrap();
        assert_eq!(kept(&folder, &profiled), None);
        keep(&folder, &profiled, &profile()).unwrap();
        assert_eq!(kept(&folder, &profiled), Some(profile()));
    }
}
