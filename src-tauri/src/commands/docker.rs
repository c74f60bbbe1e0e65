use crate::state::AppState;
use sandpiper::docker::DockerStatus;
use tauri::State;

/// Whether Docker is ready, in words the window shows as they are.
#[tauri::command]
pub async fn docker_status(state: State<'_, AppState>) -> Result<DockerStatus, ()> {
    Ok(state.engine.docker_status().await)
}
