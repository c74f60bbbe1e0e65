//! Saved sessions: start one for dropped files, add files to it, open a saved
//! one (its whole conversation, to draw like live events), list them for Home,
//! rename, delete to the trash, export. Thin calls into the engine; the open
//! sessions' handles are kept in `AppState` so their locks last while open.

use crate::plain_error::{CommandError, CommandResult};
use crate::state::AppState;
use sandpiper::SessionId;
use sandpiper::conversation::Message;
use sandpiper::engine::PendingInstallQuestion;
use sandpiper::profile_data::{DatasetProfile, TableChoice};
use sandpiper::store::{
    DatasetCheck, DatasetRef, DatasetStorage, ExportFormat, OriginalState, SessionHandle,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tauri::{State, WebviewWindow};

/// A session as the window shows it when it opens.
#[derive(Serialize)]
pub struct SessionView {
    id: SessionId,
    title: String,
    datasets: Vec<DatasetView>,
    /// Every saved message, oldest first (empty for a new session).
    conversation: Vec<Message>,
    /// "Install this package?" questions a step of it still waits on.
    install_questions: Vec<PendingInstallQuestion>,
}

#[derive(Serialize)]
pub struct DatasetView {
    name: String,
    /// Where the analyst's file was.
    path: String,
    /// Set on reopening when the original changed or is gone: what happened
    /// and what the analyst can do, in plain words.
    notice: Option<String>,
    /// What reopening found of the original: "unchanged", "changed" or
    /// "missing" ("unchanged" when the session was not just opened).
    state: &'static str,
    /// The session kept a copy of it, which it goes on with.
    kept_copy: bool,
    /// What the analyst wrote about its columns, by column name.
    column_descriptions: BTreeMap<String, String>,
    /// For a workbook: the sheet and header row the analyst chose (absent
    /// when Sandpiper finds them).
    table: TableChoice,
    /// When the session opens: the dataset's last Quick profile, kept with
    /// the session, so its columns and first rows show again at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<DatasetProfile>,
}

impl From<&DatasetRef> for DatasetView {
    fn from(dataset: &DatasetRef) -> Self {
        Self {
            name: dataset.name.clone(),
            path: dataset.original.display().to_string(),
            notice: None,
            state: "unchanged",
            kept_copy: matches!(dataset.stored, DatasetStorage::Copy { .. }),
            column_descriptions: dataset.column_descriptions.clone(),
            table: dataset.table.clone(),
            profile: None,
        }
    }
}

impl DatasetView {
    /// The dataset as reopening found its original.
    fn checked(mut self, check: DatasetCheck) -> Self {
        self.notice = check.notice;
        self.state = match check.state {
            OriginalState::Unchanged => "unchanged",
            OriginalState::Changed => "changed",
            OriginalState::Missing => "missing",
        };
        self.kept_copy = check.saved_copy.is_some();
        self
    }
}

fn view_of(handle: &SessionHandle) -> SessionView {
    let meta = handle.meta();
    SessionView {
        id: meta.id.clone(),
        title: meta.title.clone(),
        datasets: meta
            .datasets
            .iter()
            .zip(handle.kept_profiles())
            .map(|(dataset, profile)| DatasetView {
                profile,
                ..DatasetView::from(dataset)
            })
            .collect(),
        conversation: Vec::new(),
        install_questions: Vec::new(),
    }
}

/// A new session, open in this window, titled from its first question.
#[tauri::command]
pub fn create_session(state: State<'_, AppState>) -> CommandResult<SessionView> {
    let handle = state.engine.create_session(None, None)?;
    let view = view_of(&handle);
    state.keep_open(handle);
    Ok(view)
}

/// Adds dropped or chosen files to an open session (copied or referenced as
/// Settings say); returns the session's datasets after it. Stops at the first
/// file that cannot be added, keeping those before it.
#[tauri::command]
pub async fn add_session_datasets(
    state: State<'_, AppState>,
    session_id: SessionId,
    paths: Vec<String>,
) -> CommandResult<Vec<DatasetView>> {
    let session = state.open_session(&session_id)?;
    let engine = state.engine.clone();
    // Copying a large file into the session takes seconds: off the UI thread.
    tauri::async_runtime::spawn_blocking(move || {
        for path in &paths {
            engine.add_session_dataset(&session, Path::new(path))?;
        }
        Ok::<_, sandpiper::Error>(view_of(&session).datasets)
    })
    .await
    .map_err(|_| CommandError::stopped_unexpectedly("Adding the files"))?
    .map_err(CommandError::from)
}

/// Saves the analyst's description of a column of an open session's dataset
/// (sent to the model with the column); an empty one removes it. Returns the
/// description as saved (on one line), or `None` once removed.
#[tauri::command]
pub fn describe_column(
    state: State<'_, AppState>,
    session_id: SessionId,
    dataset: String,
    column: String,
    description: String,
) -> CommandResult<Option<String>> {
    let session = state.open_session(&session_id)?;
    Ok(state
        .engine
        .describe_session_column(&session, &dataset, &column, &description)?)
}

/// Which sheet of one of the open session's workbooks to read, and on which
/// row its column names are (`None`: Sandpiper finds them). Saved in the
/// session; the window then profiles the file again.
#[tauri::command]
pub fn choose_dataset_table(
    state: State<'_, AppState>,
    session_id: SessionId,
    dataset: String,
    sheet: Option<String>,
    header_row: Option<u32>,
) -> CommandResult<()> {
    let session = state.open_session(&session_id)?;
    Ok(state
        .engine
        .choose_dataset_table(&session, &dataset, TableChoice { sheet, header_row })?)
}

/// A dataset pointed at its new place.
#[derive(Serialize)]
pub struct LocatedView {
    dataset: DatasetView,
    /// The file there is the one the session used; when not, answers may differ.
    same_content: bool,
}

/// "Locate it…" on a moved dataset's banner: the native open dialog asks
/// where the file is now, and the engine records its new place. `None` when
/// the analyst cancelled.
#[tauri::command]
pub async fn locate_dataset(
    window: WebviewWindow,
    state: State<'_, AppState>,
    session_id: SessionId,
    dataset: String,
) -> CommandResult<Option<LocatedView>> {
    let session = state.open_session(&session_id)?;
    let picked = rfd::AsyncFileDialog::new()
        .set_title(format!("Where is {dataset} now?"))
        .set_parent(&window)
        .pick_file()
        .await;
    let Some(path) = picked.map(|file| PathBuf::from(file.path())) else {
        return Ok(None);
    };
    let engine = state.engine.clone();
    // A changed file is hashed and copied again: off the UI thread.
    let relocated = tauri::async_runtime::spawn_blocking(move || {
        engine.relocate_session_dataset(&session, &dataset, &path)
    })
    .await
    .map_err(|_| CommandError::stopped_unexpectedly("Locating the file"))??;
    Ok(Some(LocatedView {
        dataset: DatasetView::from(&relocated.dataset),
        same_content: relocated.same_content,
    }))
}

/// Opens a saved session in this window with its whole conversation. Refused
/// in plain words while another window has it open.
#[tauri::command]
pub fn open_session(
    state: State<'_, AppState>,
    session_id: SessionId,
) -> CommandResult<SessionView> {
    // Closed here while a step still runs in it: this window still holds it.
    if let Some(handle) = state.stepping_in(&session_id) {
        state.keep_open_shared(handle);
    }
    if let Ok(handle) = state.open_session(&session_id) {
        // Already open here (or its step still runs): read it again.
        let mut view = view_of(&handle);
        view.conversation = handle.conversation()?;
        view.install_questions = state.engine.pending_install_questions(&session_id);
        return Ok(view);
    }
    let opened = state.engine.open_session(&session_id)?;
    let mut view = view_of(&opened.handle);
    view.datasets = view
        .datasets
        .into_iter()
        .zip(opened.datasets)
        .map(|(dataset, check)| dataset.checked(check))
        .collect();
    view.conversation = opened.conversation;
    state.keep_open(opened.handle);
    Ok(view)
}

/// Lets another window open the session. False when it was not open here.
#[tauri::command]
pub fn close_session(state: State<'_, AppState>, session_id: SessionId) -> bool {
    state.close(&session_id)
}

/// One line of Home's list of recent sessions.
#[derive(Serialize)]
pub struct SessionLine {
    id: SessionId,
    title: String,
    datasets: Vec<String>,
    /// Milliseconds since the Unix epoch.
    updated_at: u64,
    steps: u32,
}

#[derive(Serialize)]
pub struct SessionListView {
    /// Newest first.
    sessions: Vec<SessionLine>,
    /// Folders that could not be read, by name with why in plain words.
    damaged: Vec<(String, sandpiper::PlainWords)>,
}

#[tauri::command]
pub fn list_sessions(state: State<'_, AppState>) -> CommandResult<SessionListView> {
    let list = state.engine.list_sessions()?;
    Ok(SessionListView {
        sessions: list
            .sessions
            .into_iter()
            .map(|s| SessionLine {
                id: s.id,
                title: s.title,
                datasets: s.datasets,
                updated_at: s.last_activity,
                steps: s.steps,
            })
            .collect(),
        damaged: list
            .damaged
            .into_iter()
            .map(|d| (d.folder, d.error))
            .collect(),
    })
}

/// Renames a session, through this window's handle when it has it open (the
/// store refuses to rename a session some window holds).
#[tauri::command]
pub fn rename_session(
    state: State<'_, AppState>,
    session_id: SessionId,
    title: String,
) -> CommandResult<()> {
    match state.open_session(&session_id) {
        Ok(handle) => Ok(handle.rename(&title)?),
        Err(_) => Ok(state.engine.rename_session(&session_id, &title)?),
    }
}

/// Moves a session to the OS trash (never deleted for good), closing it here first.
#[tauri::command]
pub fn delete_session(state: State<'_, AppState>, session_id: SessionId) -> CommandResult<()> {
    state.close(&session_id);
    Ok(state.engine.delete_session(&session_id)?)
}

/// Asks where to save the export (the native dialog) and writes it; returns
/// the file written, or `None` when the analyst cancelled.
#[tauri::command]
pub async fn export_session(
    window: WebviewWindow,
    state: State<'_, AppState>,
    session_id: SessionId,
    format: String,
) -> CommandResult<Option<String>> {
    let format: ExportFormat = format.parse().map_err(|reason: String| CommandError {
        code: "session.export_failed".into(),
        title: "Sandpiper can't export in that format.".into(),
        advice: reason,
    })?;
    let title = state
        .open_session(&session_id)
        .map(|handle| handle.meta().title.clone())
        .unwrap_or_default();
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Export the session")
        .set_file_name(export_file_name(&title, format.extension()))
        .set_parent(&window)
        .save_file()
        .await;
    let Some(out) = picked.map(|file| PathBuf::from(file.path())) else {
        return Ok(None);
    };
    let exported = state.engine.export_session(&session_id, format, &out)?;
    Ok(Some(exported.file.display().to_string()))
}

/// The file name the save dialog suggests: the session's title without the
/// characters file systems refuse, e.g. `Which region sold the most.html`.
pub(super) fn export_file_name(title: &str, extension: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut stem = words.join(" ");
    if let Some((cut, _)) = stem.char_indices().nth(80) {
        stem.truncate(cut);
    }
    let stem = stem.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let stem = if stem.is_empty() {
        "Sandpiper session"
    } else {
        stem
    };
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::export_file_name;

    #[test]
    fn the_suggested_file_name_is_the_title_without_what_file_systems_refuse() {
        assert_eq!(
            export_file_name("Which region sold the most?", "html"),
            "Which region sold the most.html"
        );
        assert_eq!(export_file_name("a/b: c", "zip"), "a b c.zip");
        assert_eq!(export_file_name("  ..  ", "py"), "Sandpiper session.py");
        assert_eq!(
            export_file_name(&"é".repeat(100), "ipynb").chars().count(),
            80 + 6
        );
    }
}
