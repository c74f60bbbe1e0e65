//! What Sandpiper remembers about a session's container, kept with the session
//! as JSON (`<state>/sessions/<session id>/container.json`).

use crate::atomic_file;
use crate::error::{Error, Result};
use crate::ids::SessionId;
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

pub(crate) fn path(state_dir: &Path, session: &SessionId) -> PathBuf {
    state_dir
        .join("sessions")
        .join(session.as_str())
        .join("container.json")
}

pub(crate) fn load(state_dir: &Path, session: &SessionId) -> Option<SessionContainerMeta> {
    let text = std::fs::read_to_string(path(state_dir, session)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Replaces the file atomically, so a crash mid-write never leaves a
/// half-written file behind.
pub(crate) fn save(
    state_dir: &Path,
    session: &SessionId,
    meta: &SessionContainerMeta,
) -> Result<()> {
    let json = serde_json::to_vec_pretty(meta).expect("metadata serialises");
    atomic_file::replace(&path(state_dir, session), &json)
        .map_err(|e| Error::io("saving the session's container details", e))
}

pub(crate) fn forget(state_dir: &Path, session: &SessionId) {
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
        let x = SessionId::parse("x").unwrap();
        save(dir.path(), &x, &meta).unwrap();
        assert_eq!(load(dir.path(), &x), Some(meta));
        let json = std::fs::read_to_string(path(dir.path(), &x)).unwrap();
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
