//! The containers panel: Sandpiper's containers with the session each belongs
//! to, stop, remove, remove the unused ones; and a closed session's
//! environment removed when the analyst does not keep it. Thin calls into the
//! engine.

use crate::plain_error::CommandResult;
use crate::state::AppState;
use sandpiper::SessionId;
use serde::Serialize;
use std::collections::HashMap;
use tauri::State;

/// One container, as the panel lists it.
#[derive(Serialize)]
pub struct ContainerLine {
    id: String,
    /// The saved session's title, or None for a run's own container or a
    /// session that is gone.
    session_title: Option<String>,
    session_id: Option<SessionId>,
    image: String,
    running: bool,
    /// Seconds since the Unix epoch.
    created_at: i64,
    /// Bytes it wrote on top of its image, when Docker says.
    size_bytes: Option<i64>,
    packages: Vec<String>,
}

#[tauri::command]
pub async fn list_containers(state: State<'_, AppState>) -> CommandResult<Vec<ContainerLine>> {
    let containers = state.engine.list_containers().await?;
    // A damaged or unreadable session list only costs the titles.
    let titles: HashMap<SessionId, String> = state
        .engine
        .list_sessions()
        .map(|list| list.sessions.into_iter().map(|s| (s.id, s.title)).collect())
        .unwrap_or_default();
    Ok(containers
        .into_iter()
        .map(|c| ContainerLine {
            session_title: c.session.as_ref().and_then(|s| titles.get(s).cloned()),
            id: c.id,
            session_id: c.session,
            image: c.image,
            running: c.running,
            created_at: c.created_at,
            size_bytes: c.size_bytes,
            packages: c.installed_packages,
        })
        .collect())
}

#[tauri::command]
pub async fn stop_container(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    Ok(state.engine.stop_container(&id).await?)
}

#[tauri::command]
pub async fn remove_container(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    Ok(state.engine.remove_container(&id).await?)
}

/// Returns how many things went (containers, leftovers, unused package sets).
#[tauri::command]
pub async fn remove_unused_containers(state: State<'_, AppState>) -> CommandResult<usize> {
    Ok(state.engine.remove_unused_containers().await?.len())
}

/// "Keep its environment for next time?" answered No on closing a session.
#[tauri::command]
pub async fn remove_session_environment(
    state: State<'_, AppState>,
    session_id: SessionId,
) -> CommandResult<()> {
    Ok(state.engine.remove_session_environment(&session_id).await?)
}
