use crate::events::WindowSink;
use crate::plain_error::CommandResult;
use crate::state::AppState;
use sandpiper::RunId;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, State};

/// Starts the Quick profile of a dropped or picked file and returns its run id at
/// once; progress and the result arrive as `engine-event`s.
#[tauri::command]
pub async fn start_quick_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<String> {
    let sink = Arc::new(WindowSink::new(app));
    let (run_id, _handle) = state
        .engine
        .start_quick_profile(&[PathBuf::from(path)], &state.artifacts_root, sink)
        .await?;
    Ok(run_id.to_string())
}

/// Stops a run; false when it had already finished.
#[tauri::command]
pub fn cancel_run(state: State<'_, AppState>, run_id: String) -> bool {
    state.engine.cancel_run(&RunId::from(run_id))
}
