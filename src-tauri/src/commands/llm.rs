//! Language models: the provider section of Settings (models, "Test connection",
//! API keys in the OS keychain) and asking about the loaded dataset. Thin calls
//! into `sandpiper::llm` and the engine; errors come back in plain words.

use crate::events::WindowSink;
use crate::plain_error::CommandResult;
use crate::state::AppState;
use sandpiper::llm::{self, ApiKey, KeyStore, ModelInfo, ProviderId};
use sandpiper::settings::LlmSettings;
use sandpiper::{CallId, PlainWords};
use serde::Serialize;
use std::path::PathBuf;
use tauri::{AppHandle, State};
use tokio_util::sync::CancellationToken;

/// A provider as the picker shows it.
#[derive(Serialize)]
pub struct ProviderChoice {
    id: ProviderId,
    name: &'static str,
    /// Empty for `openai-compatible`, whose address the analyst gives.
    default_base_url: Option<&'static str>,
    needs_key: bool,
    key_env_var: Option<&'static str>,
    default_model: Option<&'static str>,
}

/// Every provider, in the order the picker lists them.
#[tauri::command]
pub fn list_providers() -> Vec<ProviderChoice> {
    ProviderId::ALL
        .into_iter()
        .map(|id| ProviderChoice {
            id,
            name: id.display_name(),
            default_base_url: id.default_base_url(),
            needs_key: id.needs_key(),
            key_env_var: id.key_env_var(),
            default_model: id.default_model(),
        })
        .collect()
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
    let provider = connect(&state, provider, base_url)?;
    let check = llm::test_connection(provider.as_ref(), None, &CancellationToken::new()).await?;
    Ok(ModelList {
        models: check.models,
        default_model: check.model,
    })
}

/// What "Test connection" found, in a sentence the dialog shows as it is.
#[derive(Serialize)]
pub struct ConnectionResult {
    message: String,
    models: Vec<ModelInfo>,
    model: Option<String>,
}

#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    provider: ProviderId,
    base_url: Option<String>,
    model: Option<String>,
) -> CommandResult<ConnectionResult> {
    let connected = connect(&state, provider, base_url)?;
    let check = llm::test_connection(
        connected.as_ref(),
        model.as_deref().filter(|m| !m.trim().is_empty()),
        &CancellationToken::new(),
    )
    .await?;
    let count = match check.models.len() {
        1 => "1 model".to_owned(),
        n => format!("{n} models"),
    };
    let message = match (&check.model, check.model_listed) {
        (Some(model), true) => format!(
            "Connected to {}: {count} available, including {model}.",
            provider.display_name()
        ),
        (Some(model), false) => format!(
            "Connected to {}: {count} available. {model} is not in its list; calls will \
             still try it (some names are aliases).",
            provider.display_name()
        ),
        (None, _) => format!(
            "Connected to {}, but it lists no models. Load a model in it first.",
            provider.display_name()
        ),
    };
    Ok(ConnectionResult {
        message,
        models: check.models,
        model: check.model,
    })
}

/// Whether a key is there for the provider, never the key itself.
#[derive(Serialize)]
pub struct KeyStatus {
    in_keychain: bool,
    /// The environment variable that supplies the key when the keychain has none.
    from_environment: Option<&'static str>,
}

#[tauri::command]
pub fn api_key_status(provider: ProviderId) -> CommandResult<KeyStatus> {
    let in_keychain = KeyStore::default().keychain_key(provider)?.is_some();
    let from_environment = provider
        .key_env_var()
        .filter(|var| std::env::var(var).is_ok_and(|v| !v.trim().is_empty()));
    Ok(KeyStatus {
        in_keychain,
        from_environment,
    })
}

/// Saves the key in the OS keychain (never in a settings file), replacing any earlier one.
#[tauri::command]
pub fn save_api_key(provider: ProviderId, key: String) -> CommandResult<KeyStatus> {
    KeyStore::default().save(provider, &ApiKey::new(key)?)?;
    api_key_status(provider)
}

#[tauri::command]
pub fn forget_api_key(provider: ProviderId) -> CommandResult<KeyStatus> {
    KeyStore::default().delete(provider)?;
    api_key_status(provider)
}

/// How an ask ended. A call that failed is not an error here: the window already
/// shows why, from the call's `llm_finished` event.
#[derive(Serialize)]
pub struct AskResult {
    call_id: String,
    answered: bool,
}

/// Asks the model chosen in Settings `question` about the datasets at `paths`,
/// streaming `llm_*` events to the window; resolves when the reply is complete.
#[tauri::command]
pub async fn ask(
    app: AppHandle,
    state: State<'_, AppState>,
    question: String,
    paths: Vec<String>,
) -> CommandResult<AskResult> {
    if question.trim().is_empty() {
        return Err(PlainWords::new("Type a question first.", "").into());
    }
    let call_id = CallId::new();
    let cancel = state.start_call(&call_id);
    let datasets: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let result = state
        .engine
        .ask_about_datasets(
            &state.session_id,
            &call_id,
            &question,
            &datasets,
            &WindowSink::new(app),
            &cancel,
        )
        .await;
    state.end_call(&call_id);
    let answer = result?;
    Ok(AskResult {
        call_id: call_id.to_string(),
        answered: answer.reply.is_ok(),
    })
}

/// Stops a reply that is still streaming; false when it had already ended.
#[tauri::command]
pub fn cancel_ask(state: State<'_, AppState>, call_id: String) -> bool {
    state.cancel_call(&CallId::from(call_id))
}

/// The provider at `base_url` with the timeouts from Settings and the stored key.
fn connect(
    state: &AppState,
    provider: ProviderId,
    base_url: Option<String>,
) -> Result<Box<dyn llm::Provider>, llm::LlmError> {
    let settings = LlmSettings {
        provider,
        base_url: base_url.filter(|url| !url.trim().is_empty()),
        model: None,
        ..state.engine.settings().llm
    };
    llm::connect_with_stored_key(&settings)
}
