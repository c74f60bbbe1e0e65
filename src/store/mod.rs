//! The session store: every session the analyst can save, reopen and export,
//! one folder each under `<state dir>/sessions/<session id>/`:
//!
//! - `session.json`: what the session is (`meta.rs`), replaced whole and
//!   atomically, read through the format migrations (`migrate.rs`);
//! - `conversation.jsonl`: the agent's messages, appended as they happen
//!   (`journal.rs`), the last line recovered when a crash tore it;
//! - `scripts/` (each try's code), `artifacts/` (charts and files, one folder
//!   per try), `datasets/` (copies, `datasets.rs`), `recovered/` (what a crash
//!   left unfinished), `profiles/` (each dataset's latest Quick profile,
//!   `profiles.rs`), and `container.json` (the session container's details,
//!   written by `session_container`);
//! - `session.lock`: the OS lock of the one window that has it open (`lock.rs`).
//!
//! `handle.rs` is an open session (the lock, recovery on opening, saving
//! messages); `recorder.rs` saves a conversation from the event stream;
//! `saved.rs` reads a session without opening it; `catalog.rs` lists,
//! searches, renames, duplicates and deletes to the trash; `title.rs` suggests
//! titles; `export/` writes notebooks, reports, scripts and archives.

mod catalog;
mod datasets;
mod export;
mod handle;
mod journal;
mod layout;
mod lock;
mod meta;
mod migrate;
mod profiles;
mod recorder;
mod saved;
mod title;

use crate::profile_data::TableChoices;

pub use catalog::{DamagedSession, SessionList, SessionSummary};
pub use datasets::{DatasetCheck, OriginalState, Relocated};
pub use export::{ExportFormat, Exported};
pub use handle::{OpenedSession, Recovery, SessionHandle};
pub use layout::SessionFolder;
pub use meta::{DatasetRef, DatasetStorage, ModelConfig, SessionMeta, TokenTotals, UNTITLED};
pub use migrate::CURRENT as SCHEMA_VERSION;
pub use recorder::{Recorder, SharedRecorder};
pub use saved::SavedSession;
pub use title::suggest as suggest_title;

use crate::error::{Error, Result};
use crate::ids::SessionId;
use std::path::{Path, PathBuf};

/// The saved sessions of one state dir.
#[derive(Debug, Clone)]
pub struct SessionStore {
    root: PathBuf,
}

impl SessionStore {
    /// Sessions in `root` (one folder each).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The store inside an engine state dir: `<state dir>/sessions`, where the
    /// session containers' details already live.
    pub fn in_state_dir(state_dir: &Path) -> Self {
        Self::new(state_dir.join("sessions"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn folder(&self, id: &SessionId) -> SessionFolder {
        SessionFolder::new(self.root.join(id.as_str()))
    }

    /// A new session, open (its lock held). `id` may name a session that so far
    /// has only a container; a saved session of that id is `SessionExists`.
    pub fn create(
        &self,
        id: SessionId,
        title: Option<&str>,
        model: Option<ModelConfig>,
    ) -> Result<SessionHandle> {
        let title = title.map(str::trim).filter(|t| !t.is_empty());
        SessionHandle::create(self.folder(&id), SessionMeta::new(id, title, model))
    }

    /// Opens a saved session to go on with it: refused with `SessionInUse` while
    /// another window has it open. Repairs what a crash left (see `Recovery`).
    pub fn open(&self, id: &SessionId) -> Result<OpenedSession> {
        SessionHandle::open(self.folder(id), id)
    }

    /// Opens the saved session `id`, or creates it (empty, titled from its
    /// first question) when there is none: `sandpiper analyze --session ID`.
    pub fn open_or_create(
        &self,
        id: &SessionId,
        model: Option<ModelConfig>,
    ) -> Result<OpenedSession> {
        match self.open(id) {
            Err(Error::SessionNotFound { .. }) => {}
            other => return other,
        }
        match self.create(id.clone(), None, model) {
            Ok(handle) => Ok(OpenedSession {
                handle,
                conversation: Vec::new(),
                datasets: Vec::new(),
                recovery: Recovery::default(),
            }),
            // Made by another window in between: open that one.
            Err(Error::SessionExists { .. }) => self.open(id),
            Err(err) => Err(err),
        }
    }

    /// The sheet and header row chosen for each dataset of session `id`, by
    /// name, read from its `session.json` without opening it; none for a
    /// session that is not saved (or cannot be read: its runs then read as
    /// the reader decides, and opening it says what is wrong).
    pub fn table_choices(&self, id: &SessionId) -> TableChoices {
        meta::read(&self.folder(id), id)
            .map(|read| handle::table_choices(&read.meta))
            .unwrap_or_default()
    }

    /// The dataset of session `id` that runs read at `path` (its copy in the
    /// session folder, or its original when only referenced), as recorded now.
    pub fn dataset_at(&self, id: &SessionId, path: &Path) -> Option<DatasetRef> {
        let folder = self.folder(id);
        let wanted = path.canonicalize().ok()?;
        let read = meta::read(&folder, id).ok()?;
        let paths = datasets::paths(&folder, &read.meta.datasets);
        read.meta
            .datasets
            .into_iter()
            .zip(paths)
            .find(|(_, at)| at.canonicalize().is_ok_and(|at| at == wanted))
            .map(|(dataset, _)| dataset)
    }

    /// Keeps `profile`, the Quick profile of `dataset` (as `dataset_at`
    /// found it when the profile started) in session `id`, for the next time
    /// the session opens. It replaces the dataset's profile before it.
    pub fn keep_profile(
        &self,
        id: &SessionId,
        dataset: &DatasetRef,
        profile: &crate::profile_data::DatasetProfile,
    ) -> Result<()> {
        profiles::keep(&self.folder(id), dataset, profile)
            .map_err(|err| Error::io("keeping the file's profile with the session", err))
    }

    /// Reads a saved session without opening it (no lock, nothing written).
    pub fn read(&self, id: &SessionId) -> Result<SavedSession> {
        saved::read(self.folder(id), id)
    }

    /// Every session, newest first; damaged ones apart, with why.
    pub fn list(&self) -> Result<SessionList> {
        catalog::list(&self.root)
    }

    /// Sessions whose title or a dataset's name contains `query` (any case).
    pub fn search(&self, query: &str) -> Result<SessionList> {
        Ok(catalog::search(self.list()?, query))
    }

    /// Renames a session no window has open.
    pub fn rename(&self, id: &SessionId, title: &str) -> Result<()> {
        catalog::rename(self.folder(id), id, title)
    }

    /// A copy of the session under a new id; returns it.
    pub fn duplicate(&self, id: &SessionId) -> Result<SessionId> {
        catalog::duplicate(&self.root, id)
    }

    /// Moves the session (and `also`, e.g. its token totals) to the OS trash.
    pub fn delete(&self, id: &SessionId, also: &[PathBuf]) -> Result<()> {
        catalog::delete(&self.root, id, also)
    }

    /// Exports the session as `format` to `out`.
    pub fn export(&self, id: &SessionId, format: ExportFormat, out: &Path) -> Result<Exported> {
        export::export(&self.read(id)?, format, out)
    }

    /// Imports a session archive; returns its id (a new one if it was taken).
    pub fn import(&self, archive: &Path) -> Result<SessionId> {
        export::import(&self.root, archive)
    }
}
