use crate::plain_error::{CommandError, CommandResult};
use crate::settings_store;
use crate::state::AppState;
use sandpiper::settings::PackageSettings;
use sandpiper::{Error, Settings};
use tauri::{AppHandle, State, WebviewWindow};

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
    settings_store::save(&app, &settings)
        .map_err(|reason| CommandError::from(Error::SettingsNotSaved { reason }))?;
    Ok(settings)
}

/// Opens the native file dialog for Settings → Packages → Trusted certificates;
/// `None` when the user cancels. The engine checks the file when settings are saved.
#[tauri::command]
pub async fn pick_ca_bundle(window: WebviewWindow) -> Result<Option<String>, ()> {
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Choose your organisation's certificates")
        .add_filter("Certificates (PEM, CRT, CER)", &["pem", "crt", "cer"])
        .add_filter("All files", &["*"])
        .set_parent(&window)
        .pick_file()
        .await;
    Ok(picked.map(|file| file.path().display().to_string()))
}

/// This computer's own certificates file, what "Use this computer's" goes back to
/// (`None` where there is none, e.g. on Windows).
#[tauri::command]
pub fn default_ca_bundle() -> Option<String> {
    PackageSettings::default()
        .ca_bundle
        .map(|path| path.display().to_string())
}
