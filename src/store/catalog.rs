//! Every saved session at once: listing (newest first, with title, datasets,
//! last activity and size), searching, and the operations that change a
//! session as a whole (rename, duplicate, delete to the trash, import). A
//! damaged session is listed as damaged; it never hides the others.

use super::layout::{self, SessionFolder};
use super::lock;
use super::meta::{self, SessionMeta};
use crate::conversation::Timestamp;
use crate::error::{Error, PlainWords, Result};
use crate::ids::SessionId;
use std::path::{Path, PathBuf};

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: SessionId,
    pub title: String,
    /// The datasets' file names.
    pub datasets: Vec<String>,
    pub created_at: Timestamp,
    /// The later of the last saved step boundary and the conversation's last write.
    pub last_activity: Timestamp,
    /// Everything in the session's folder, in bytes.
    pub size_bytes: u64,
    pub steps: u32,
}

/// A session folder that could not be read, with why in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamagedSession {
    /// The folder's name.
    pub folder: String,
    pub error: PlainWords,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionList {
    /// Newest first.
    pub sessions: Vec<SessionSummary>,
    pub damaged: Vec<DamagedSession>,
}

/// Every session under `root`, newest first. Folders that hold only a
/// container's details (`sandpiper run --session`) are not saved sessions.
pub fn list(root: &Path) -> Result<SessionList> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(SessionList::default());
        }
        Err(err) => return Err(Error::io("listing the saved sessions", err)),
    };
    let mut list = SessionList::default();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().is_ok_and(|t| t.is_dir()) || name.starts_with('.') {
            continue;
        }
        let folder = SessionFolder::new(entry.path());
        let summary = match std::fs::read(folder.session_file()) {
            Ok(bytes) => SessionId::parse(&name).and_then(|id| summarise(&folder, &id, &bytes)),
            // Only a container's details (`sandpiper run --session`), or nothing.
            Err(_) if !folder.conversation_file().exists() => continue,
            Err(err) => Err(Error::SessionDamaged {
                id: name.clone(),
                path: folder.session_file(),
                reason: format!("session.json can't be read ({err})"),
            }),
        };
        match summary {
            Ok(summary) => list.sessions.push(summary),
            Err(err) => list.damaged.push(DamagedSession {
                folder: name,
                error: err.plain_words(),
            }),
        }
    }
    list.sessions.sort_by(|a, b| {
        b.last_activity
            .cmp(&a.last_activity)
            .then_with(|| a.id.as_str().cmp(b.id.as_str()))
    });
    list.damaged.sort_by(|a, b| a.folder.cmp(&b.folder));
    Ok(list)
}

fn summarise(folder: &SessionFolder, id: &SessionId, bytes: &[u8]) -> Result<SessionSummary> {
    let meta = meta::parse(bytes, id, &folder.session_file())?.meta;
    let conversation = std::fs::metadata(folder.conversation_file()).ok();
    let written_at = conversation
        .as_ref()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as Timestamp);
    let container = std::fs::metadata(folder.container_file()).map_or(0, |m| m.len());
    Ok(SessionSummary {
        id: meta.id.clone(),
        title: meta.title.clone(),
        datasets: meta.datasets.iter().map(|d| d.name.clone()).collect(),
        created_at: meta.created_at,
        last_activity: meta.updated_at.max(written_at),
        size_bytes: meta.stored_bytes
            + conversation.map_or(0, |m| m.len())
            + bytes.len() as u64
            + container,
        steps: meta.steps,
    })
}

/// Sessions whose title or a dataset's name contains `query`, ignoring case.
pub fn search(list: SessionList, query: &str) -> SessionList {
    let query = query.trim().to_lowercase();
    let matches = |s: &SessionSummary| {
        s.title.to_lowercase().contains(&query)
            || s.datasets.iter().any(|d| d.to_lowercase().contains(&query))
    };
    SessionList {
        sessions: list.sessions.into_iter().filter(matches).collect(),
        damaged: Vec::new(),
    }
}

/// Renames a session that no window has open (the window renames through its
/// own handle).
pub fn rename(folder: SessionFolder, id: &SessionId, title: &str) -> Result<()> {
    let title = meta::usable_title(title)?;
    let _lock = lock::acquire(&folder, id)?;
    let mut meta = meta::read(&folder, id)?.meta;
    meta.title = title;
    meta.title_set_by_user = true;
    meta::write(&folder, &meta)
}

/// Copies a session under a new id and the title "<title> (copy)": its
/// conversation, scripts, charts and datasets (not its container, which a
/// session never shares). Dataset copies are hard-linked where the disk can.
pub fn duplicate(root: &Path, id: &SessionId) -> Result<SessionId> {
    let source = SessionFolder::new(root.join(id.as_str()));
    let meta = meta::read(&source, id)?.meta;
    let new_id = SessionId::new();
    let staging = staging_folder(root, "duplicate")?;
    let result = (|| {
        copy_tree(source.dir(), staging.path(), true)
            .map_err(|err| Error::io("copying the session", err))?;
        let copy = SessionFolder::new(staging.path());
        let _ = std::fs::remove_file(copy.container_file());
        let now = crate::conversation::now();
        let new_meta = SessionMeta {
            id: new_id.clone(),
            title: format!("{} (copy)", meta.title),
            title_set_by_user: true,
            created_at: now,
            updated_at: now,
            ..meta.clone()
        };
        meta::write(&copy, &new_meta)
    })();
    result?;
    place(staging, &root.join(new_id.as_str()), &new_id)?;
    Ok(new_id)
}

/// Moves a session's folder (and `also`, e.g. its token totals) to the
/// operating system's trash, where it can be restored. Refused while a window
/// has it open. Never deletes for good.
pub fn delete(root: &Path, id: &SessionId, also: &[PathBuf]) -> Result<()> {
    let folder = SessionFolder::new(root.join(id.as_str()));
    if !folder.session_file().exists() && !folder.conversation_file().exists() {
        return Err(Error::SessionNotFound { id: id.to_string() });
    }
    // Taken and let go: the trash gets the folder only when nobody writes to it.
    drop(lock::acquire(&folder, id)?);
    let mut items = vec![folder.dir().to_owned()];
    items.extend(also.iter().filter(|p| p.exists()).cloned());
    trash::delete_all(&items).map_err(|err| Error::SessionNotTrashed {
        id: id.to_string(),
        reason: err.to_string(),
    })
}

/// A hidden folder under `root` to assemble a session in before it appears
/// with one rename; removed by itself when something fails.
pub(super) fn staging_folder(root: &Path, why: &str) -> Result<tempfile::TempDir> {
    std::fs::create_dir_all(root).map_err(|err| Error::io("making the sessions folder", err))?;
    tempfile::Builder::new()
        .prefix(&format!(".{why}-"))
        .tempdir_in(root)
        .map_err(|err| Error::io("making a folder for the new session", err))
}

/// Moves an assembled session into place as `target`.
pub(super) fn place(staging: tempfile::TempDir, target: &Path, id: &SessionId) -> Result<()> {
    if target.join(layout::SESSION_FILE).exists() {
        return Err(Error::SessionExists { id: id.to_string() });
    }
    let staged = staging.keep();
    // A folder holding only the container's details (or nothing) gives way.
    let _ = std::fs::remove_file(target.join(layout::CONTAINER_FILE));
    let _ = std::fs::remove_dir(target);
    std::fs::rename(&staged, target).map_err(|err| {
        let _ = std::fs::remove_dir_all(&staged);
        Error::io("putting the new session in place", err)
    })?;
    crate::atomic_file::sync_folder(target.parent().unwrap_or(target))
        .map_err(|err| Error::io("putting the new session in place", err))
}

/// Copies `from` into `to` (which exists), leaving out the lock and temporary
/// files. Datasets are hard-linked when `link_datasets` and the disk allows:
/// a session never changes a dataset copy, so both can share it.
pub(super) fn copy_tree(from: &Path, to: &Path, link_datasets: bool) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if name_text == layout::LOCK_FILE || name_text.starts_with('.') {
            continue;
        }
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_tree(&entry.path(), &target, link_datasets)?;
        } else if kind.is_file() {
            let linked = link_datasets
                && from.file_name().is_some_and(|n| n == layout::DATASETS_DIR)
                && std::fs::hard_link(entry.path(), &target).is_ok();
            if !linked {
                std::fs::copy(entry.path(), &target)?;
            }
        }
    }
    Ok(())
}
