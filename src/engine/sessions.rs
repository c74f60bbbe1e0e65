//! Saved sessions through the facade: create or open one to run the agent in
//! (`session.recording(sink)` saves the conversation as it is emitted), list,
//! search, read, rename, duplicate, delete to the trash, export and import.
//! Each is a thin call into `store`, with the engine's state dir and settings.

use super::Engine;
use crate::error::Result;
use crate::ids::SessionId;
use crate::profile_data::TableChoice;
use crate::store::{
    ExportFormat, Exported, ModelConfig, OpenedSession, Relocated, SavedSession, SessionHandle,
    SessionList, SessionStore,
};
use std::path::Path;

impl Engine {
    /// The saved sessions: `<state dir>/sessions/`.
    pub fn session_store(&self) -> SessionStore {
        SessionStore::in_state_dir(&self.state_dir)
    }

    /// A new session, open in this window, asking the model in Settings. With
    /// no `id`, a fresh one; with no `title`, one is suggested from the first
    /// question.
    pub fn create_session(
        &self,
        id: Option<SessionId>,
        title: Option<&str>,
    ) -> Result<SessionHandle> {
        self.session_store()
            .create(id.unwrap_or_default(), title, Some(self.model_config()))
    }

    /// Opens a saved session to go on with it (refused while another window
    /// has it open), with its whole conversation and its datasets checked.
    pub fn open_session(&self, id: &SessionId) -> Result<OpenedSession> {
        self.session_store().open(id)
    }

    /// Opens the saved session `id`, or starts it when there is none
    /// (`sandpiper analyze --session ID`).
    pub fn open_or_create_session(&self, id: &SessionId) -> Result<OpenedSession> {
        self.session_store()
            .open_or_create(id, Some(self.model_config()))
    }

    /// The model in Settings, as a new session records it.
    fn model_config(&self) -> ModelConfig {
        let llm = self.settings().llm;
        ModelConfig {
            provider: llm.provider,
            model: llm.model,
        }
    }

    /// Adds a dataset to an open session, copied or referenced as Settings say.
    pub fn add_session_dataset(
        &self,
        session: &SessionHandle,
        path: &Path,
    ) -> Result<crate::store::DatasetRef> {
        let limit = self.settings().sessions.copy_datasets_up_to_bytes();
        session.add_dataset(path, limit)
    }

    /// Saves what the analyst wrote about a column of one of the open
    /// session's datasets (by its name in the session); empty removes it. The
    /// next question sends it to the model with the column. Returns it as saved.
    pub fn describe_session_column(
        &self,
        session: &SessionHandle,
        dataset: &str,
        column: &str,
        description: &str,
    ) -> Result<Option<String>> {
        session.describe_column(dataset, column, description)
    }

    /// Saves which sheet of one of the open session's workbooks to read, and
    /// on which row its column names are (by the dataset's name in the
    /// session). The next Quick profile, and every step after, read it so.
    pub fn choose_dataset_table(
        &self,
        session: &SessionHandle,
        dataset: &str,
        choice: TableChoice,
    ) -> Result<()> {
        session.choose_table(dataset, choice)
    }

    /// Points a dataset of the open session whose original moved at its new
    /// place (the analyst located it); a file with other content is recorded
    /// again, copied or referenced as Settings say.
    pub fn relocate_session_dataset(
        &self,
        session: &SessionHandle,
        name: &str,
        new_place: &Path,
    ) -> Result<Relocated> {
        let limit = self.settings().sessions.copy_datasets_up_to_bytes();
        session.relocate_dataset(name, new_place, limit)
    }

    /// A saved session as it is on disk, without opening it.
    pub fn read_session(&self, id: &SessionId) -> Result<SavedSession> {
        self.session_store().read(id)
    }

    pub fn list_sessions(&self) -> Result<SessionList> {
        self.session_store().list()
    }

    pub fn search_sessions(&self, query: &str) -> Result<SessionList> {
        self.session_store().search(query)
    }

    pub fn rename_session(&self, id: &SessionId, title: &str) -> Result<()> {
        self.session_store().rename(id, title)
    }

    pub fn duplicate_session(&self, id: &SessionId) -> Result<SessionId> {
        self.session_store().duplicate(id)
    }

    /// Moves the session and its token totals to the OS trash (never deleted
    /// for good). Its kept container stays until `containers prune` or
    /// `containers rm`, so a session restored from the trash finds it again.
    pub fn delete_session(&self, id: &SessionId) -> Result<()> {
        let totals = self.usage_ledger().file(id);
        self.session_store().delete(id, &[totals])
    }

    pub fn export_session(
        &self,
        id: &SessionId,
        format: ExportFormat,
        out: &Path,
    ) -> Result<Exported> {
        self.session_store().export(id, format, out)
    }

    /// Imports a session archive; returns its id (a new one if it was taken).
    pub fn import_session(&self, archive: &Path) -> Result<SessionId> {
        self.session_store().import(archive)
    }
}
