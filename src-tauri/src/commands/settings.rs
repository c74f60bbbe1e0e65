use crate::plain_error::{CommandError, CommandResult};
use crate::settings_store;
use crate::state::AppState;
use sandpiper::{PlainWords, Settings};
use tauri::{AppHandle, State};

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.engine.settings()
}

/// Checks, applies and saves new settings; returns what was saved.
#[tauri::command]
pub fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
) -> CommandResult<Settings> {
    state.engine.set_settings(settings.clone())?;
    settings_store::save(&app, &settings).map_err(|reason| {
        CommandError::from(PlainWords::new(
            "Sandpiper could not save your settings.",
            format!("They apply until you close the app. The system said: {reason}"),
        ))
    })?;
    Ok(settings)
}
