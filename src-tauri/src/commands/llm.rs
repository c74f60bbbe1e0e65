//! Language models: the provider section of Settings (models, "Test connection",
//! API keys in the OS keychain). Thin calls into the engine; errors come back in
//! plain words.

use crate::plain_error::CommandResult;
use crate::state::AppState;
use sandpiper::engine::{ConnectionReport, KeyStatus, ModelChoice, ProviderChoice};
use sandpiper::llm::ModelInfo;
use sandpiper::{Engine, ProviderId};
use serde::Serialize;
use tauri::State;

/// Every provider, in the order the picker lists them.
#[tauri::command]
pub fn list_providers() -> Vec<ProviderChoice> {
    Engine::providers()
}

#[derive(Serialize)]
pub struct ModelList {
    models: Vec<ModelInfo>,
    /// The model calls use when none is chosen.
    default_model: Option<String>,
}

/// The models the provider offers with the stored key, for the model picker.
#[tauri::command]
pub async fn list_models(
    state: State<'_, AppState>,
    provider: ProviderId,
    base_url: Option<String>,
) -> CommandResult<ModelList> {
    let choice = ModelChoice {
        provider,
        base_url,
        model: None,
    };
    let report = state.engine.test_connection(&choice).await?;
    Ok(ModelList {
        models: report.models,
        default_model: report.model,
    })
}

/// What "Test connection" found, in a sentence the dialog shows as it is.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    provider: ProviderId,
    base_url: Option<String>,
    model: Option<String>,
) -> CommandResult<ConnectionReport> {
    let choice = ModelChoice {
        provider,
        base_url,
        model,
    };
    Ok(state.engine.test_connection(&choice).await?)
}

/// Whether a key is there for the provider, never the key itself.
#[tauri::command]
pub fn api_key_status(
    state: State<'_, AppState>,
    provider: ProviderId,
) -> CommandResult<KeyStatus> {
    Ok(state.engine.key_status(provider)?)
}

/// Saves the key in the OS keychain (never in a settings file), replacing any earlier one.
#[tauri::command]
pub fn save_api_key(
    state: State<'_, AppState>,
    provider: ProviderId,
    key: String,
) -> CommandResult<KeyStatus> {
    Ok(state.engine.save_key(provider, key)?)
}

#[tauri::command]
pub fn forget_api_key(
    state: State<'_, AppState>,
    provider: ProviderId,
) -> CommandResult<KeyStatus> {
    Ok(state.engine.forget_key(provider)?)
}
