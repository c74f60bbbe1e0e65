//! What Sandpiper remembers about a session's container, kept with the session
//! as JSON (`<state>/sessions/<name>/container.json`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionContainerMeta {
    pub container_id: String,
    /// e.g. `sandpiper-session-sales-q1`.
    pub container_name: String,
    pub image_name: String,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    /// The datasets (host paths) the container was made with.
    pub session_files: Vec<String>,
    /// Read from the container itself (importlib.metadata), never from what
    /// was asked for.
    pub installed_packages: Vec<String>,
    /// What was installed on request (validated names and versions), to
    /// reinstall when the package store lost them or the image changed.
    #[serde(default)]
    pub requested_packages: Vec<String>,
    /// The package set (in the package store) the session imports from.
    #[serde(default)]
    pub packages_set: Option<String>,
}

pub(crate) fn path(state_dir: &Path, session: &str) -> PathBuf {
    state_dir
        .join("sessions")
        .join(session)
        .join("container.json")
}

pub(crate) fn load(state_dir: &Path, session: &str) -> Option<SessionContainerMeta> {
    let text = std::fs::read_to_string(path(state_dir, session)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes atomically (a temporary file, then a rename), so a crash mid-write
/// never leaves a half-written file behind.
pub(crate) fn save(state_dir: &Path, session: &str, meta: &SessionContainerMeta) -> Result<()> {
    let target = path(state_dir, session);
    let saving = |e| Error::io("saving the session's container details", e);
    let dir = target.parent().expect("a session folder");
    std::fs::create_dir_all(dir).map_err(saving)?;
    let json = serde_json::to_vec_pretty(meta).map_err(|e| saving(std::io::Error::other(e)))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(saving)?;
    std::io::Write::write_all(&mut temp, &json).map_err(saving)?;
    temp.persist(&target).map_err(|e| saving(e.error))?;
    Ok(())
}

pub(crate) fn forget(state_dir: &Path, session: &str) {
    let _ = std::fs::remove_file(path(state_dir, session));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_with_the_issue_s_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let meta = SessionContainerMeta {
            container_id: "abc".into(),
            container_name: "sandpiper-session-x".into(),
            image_name: "python:3.11-slim".into(),
            created_at: 1,
            session_files: vec!["/data/a.csv".into()],
            installed_packages: vec!["pip".into()],
            requested_packages: vec!["tabulate".into()],
            packages_set: Some("3fa9".into()),
        };
        save(dir.path(), "x", &meta).unwrap();
        assert_eq!(load(dir.path(), "x"), Some(meta));
        let json = std::fs::read_to_string(path(dir.path(), "x")).unwrap();
        for field in [
            "container_id",
            "container_name",
            "image_name",
            "created_at",
            "session_files",
            "installed_packages",
        ] {
            assert!(json.contains(field), "{field}");
        }
    }
}
