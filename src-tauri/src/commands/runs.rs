use crate::events::WindowSink;
use crate::plain_error::CommandResult;
use crate::state::AppState;
use sandpiper::{RunId, SessionId};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, State, WebviewWindow};

use super::sessions::export_file_name;

/// Starts the Quick profile of a dropped or picked file and returns its run id at
/// once; progress and the result arrive as `engine-event`s. With the session
/// the file was added to, it runs in that session's container (created now if
/// need be), which then answers the questions about it too: one container
/// start for the drop. Without one (the file could not be added), it runs in
/// a container of its own.
#[tauri::command]
pub async fn start_quick_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    session_id: Option<SessionId>,
) -> CommandResult<String> {
    let sink = Arc::new(WindowSink::new(app));
    let path = PathBuf::from(path);
    // A session closed meanwhile, or a file it does not have, still gets
    // its profile: in a container of its own.
    let session = session_id.and_then(|id| state.open_session(&id).ok());
    let in_session = session.as_ref().and_then(|session| {
        let profiled = session.dataset_path_of(&path)?;
        Some((session.id().clone(), session.dataset_paths(), profiled))
    });
    let (run_id, _handle) = match in_session {
        Some((id, datasets, profiled)) => {
            state
                .engine
                .start_quick_profile_in_session(
                    &id,
                    &datasets,
                    &[profiled],
                    &state.artifacts_root,
                    sink,
                )
                .await?
        }
        None => {
            state
                .engine
                .start_quick_profile(&[path], &state.artifacts_root, sink)
                .await?
        }
    };
    Ok(run_id.to_string())
}

/// Stops a run; false when it had already finished.
#[tauri::command]
pub fn cancel_run(state: State<'_, AppState>, run_id: String) -> bool {
    state.engine.cancel_run(&RunId::from(run_id))
}

/// "Save output…": asks where (the native save dialog, suggesting `name`.txt)
/// and has the engine write every line the window holds of a run's output;
/// returns the file written, or `None` when the analyst cancelled.
#[tauri::command]
pub async fn save_output(
    window: WebviewWindow,
    state: State<'_, AppState>,
    name: String,
    lines: Vec<String>,
) -> CommandResult<Option<String>> {
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Save the output")
        .set_file_name(export_file_name(&name, "txt"))
        .add_filter("Text", &["txt"])
        .set_parent(&window)
        .save_file()
        .await;
    let Some(out) = picked.map(|file| PathBuf::from(file.path())) else {
        return Ok(None);
    };
    let saved = state.engine.save_output(&lines, &out)?;
    Ok(Some(saved.display().to_string()))
}
