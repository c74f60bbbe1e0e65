//! "Test connection" in Settings, and which model to use when none is chosen.

use super::errors::LlmError;
use super::provider::{ModelInfo, Provider};
use tokio_util::sync::CancellationToken;

/// What a successful connection test found.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionCheck {
    /// The models the key (or server) can use.
    pub models: Vec<ModelInfo>,
    /// The model calls will use.
    pub model: Option<String>,
    /// False when that model is not in the list (aliases such as
    /// `claude-sonnet-4-5` work without being listed).
    pub model_listed: bool,
}

/// Checks the address and key by listing models: the same errors a call would
/// meet (wrong key, offline, proxy, no server) show up here first.
pub async fn test_connection(
    provider: &dyn Provider,
    configured_model: Option<&str>,
    cancel: &CancellationToken,
) -> Result<ConnectionCheck, LlmError> {
    let models = provider.list_models(cancel).await?;
    let model = choose_model(provider, configured_model, &models);
    let model_listed = model
        .as_deref()
        .is_some_and(|m| models.iter().any(|listed| listed.id == m));
    Ok(ConnectionCheck {
        models,
        model,
        model_listed,
    })
}

/// The configured model, else the provider's default, else the first one listed.
pub fn choose_model(
    provider: &dyn Provider,
    configured: Option<&str>,
    listed: &[ModelInfo],
) -> Option<String> {
    configured
        .map(str::to_owned)
        .or_else(|| provider.id().default_model().map(str::to_owned))
        .or_else(|| listed.first().map(|m| m.id.clone()))
}

/// The model a call should use: the configured one, else the provider's default,
/// else (local servers) the first one the server lists.
pub async fn resolve_model(
    provider: &dyn Provider,
    configured: Option<&str>,
    cancel: &CancellationToken,
) -> Result<String, LlmError> {
    if let Some(model) = configured
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .or_else(|| provider.id().default_model())
    {
        return Ok(model.to_owned());
    }
    let listed = provider.list_models(cancel).await?;
    listed.into_iter().next().map(|m| m.id).ok_or_else(|| {
        LlmError::InvalidSettings(
            "The server lists no models. Load a model in it, or choose one in Settings.".into(),
        )
    })
}
