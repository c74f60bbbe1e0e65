use crate::events::WindowSink;
use crate::plain_error::CommandResult;
use crate::state::AppState;
use sandpiper::{RunId, SessionId};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, State};

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
