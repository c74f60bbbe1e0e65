//! Where a saved session's files are: one folder per session, named by its id,
//! under `<state dir>/sessions/`. The session's container details
//! (`container.json`, written by `session_container`) live in the same folder,
//! so one id names one folder and nothing else.

use std::path::{Component, Path, PathBuf};

pub const SESSION_FILE: &str = "session.json";
pub const CONVERSATION_FILE: &str = "conversation.jsonl";
pub const LOCK_FILE: &str = "session.lock";
pub const CONTAINER_FILE: &str = "container.json";
pub const SCRIPTS_DIR: &str = "scripts";
pub const ARTIFACTS_DIR: &str = "artifacts";
pub const DATASETS_DIR: &str = "datasets";
/// What could not be read back (a torn last line) is moved here, never dropped.
pub const RECOVERED_DIR: &str = "recovered";
/// Each dataset's latest Quick profile (`profiles.rs`).
pub const PROFILES_DIR: &str = "profiles";

/// The folder of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFolder {
    dir: PathBuf,
}

impl SessionFolder {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn session_file(&self) -> PathBuf {
        self.dir.join(SESSION_FILE)
    }

    pub fn conversation_file(&self) -> PathBuf {
        self.dir.join(CONVERSATION_FILE)
    }

    pub fn lock_file(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    pub fn container_file(&self) -> PathBuf {
        self.dir.join(CONTAINER_FILE)
    }

    pub fn scripts_dir(&self) -> PathBuf {
        self.dir.join(SCRIPTS_DIR)
    }

    pub fn artifacts_dir(&self) -> PathBuf {
        self.dir.join(ARTIFACTS_DIR)
    }

    pub fn datasets_dir(&self) -> PathBuf {
        self.dir.join(DATASETS_DIR)
    }

    pub fn recovered_dir(&self) -> PathBuf {
        self.dir.join(RECOVERED_DIR)
    }

    pub fn profiles_dir(&self) -> PathBuf {
        self.dir.join(PROFILES_DIR)
    }

    /// `path` relative to the folder when it is inside it: what is saved, so a
    /// session still finds its files after a duplicate, an import or a move.
    pub fn relative(&self, path: &Path) -> Option<PathBuf> {
        path.strip_prefix(&self.dir).ok().map(Path::to_path_buf)
    }

    /// A saved relative path made absolute again. An absolute path, or one that
    /// would climb out of the folder, is returned as it is: it never came from
    /// `relative`, so it is not the folder's to resolve.
    pub fn resolve(&self, saved: &Path) -> PathBuf {
        let stays_inside = saved
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        match stays_inside && saved.is_relative() {
            true => self.dir.join(saved),
            false => saved.to_path_buf(),
        }
    }
}

/// A name from outside (a step id, a chart's file name) made safe for one path
/// component: letters, digits, `-`, `_` and `.` kept, the rest `_`, never `.`
/// or `..`, at most 100 characters.
pub fn safe_component(raw: &str) -> String {
    let mut name: String = raw
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() || "-_.".contains(c) {
            true => c,
            false => '_',
        })
        .take(100)
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        name = format!("_{name}");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_folder_are_saved_relative_and_resolved_back() {
        let folder = SessionFolder::new("/state/sessions/s1");
        let chart = Path::new("/state/sessions/s1/artifacts/step/try-1/a.png");
        let saved = folder.relative(chart).unwrap();
        assert_eq!(saved, Path::new("artifacts/step/try-1/a.png"));
        let moved = SessionFolder::new("/elsewhere/s2");
        assert_eq!(
            moved.resolve(&saved),
            Path::new("/elsewhere/s2/artifacts/step/try-1/a.png")
        );
        assert_eq!(moved.resolve(Path::new("../x")), Path::new("../x"));
        assert_eq!(folder.relative(Path::new("/tmp/a.png")), None);
    }

    #[test]
    fn outside_names_become_one_safe_component() {
        assert_eq!(safe_component("step-1a"), "step-1a");
        assert_eq!(safe_component("../etc/passwd"), ".._etc_passwd");
        assert_eq!(safe_component(".."), "_..");
        assert_eq!(safe_component(""), "_");
        assert_eq!(safe_component("a b/c"), "a_b_c");
    }
}
