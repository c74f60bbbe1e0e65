//! "Test connection" in Settings, and which model to use when none is chosen.

use super::provider::{ModelInfo, Provider};
use crate::error::LlmError;
use crate::provider_id::ProviderId;
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

impl ConnectionCheck {
    /// What "Test connection" found, in one sentence the window shows as it is.
    pub fn summary(&self, provider: ProviderId) -> String {
        let name = provider.display_name();
        let count = match self.models.len() {
            1 => "1 model".to_owned(),
            n => format!("{n} models"),
        };
        match (&self.model, self.model_listed) {
            (Some(model), true) => {
                format!("Connected to {name}: {count} available, including {model}.")
            }
            (Some(model), false) => format!(
                "Connected to {name}: {count} available. {model} is not in its list; calls will \
                 still try it (some names are aliases)."
            ),
            (None, _) => {
                format!("Connected to {name}, but it lists no models. Load a model in it first.")
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str) -> ModelInfo {
        ModelInfo {
            id: id.to_owned(),
            display_name: None,
            input_token_limit: None,
        }
    }

    #[test]
    fn the_summary_names_the_provider_the_count_and_the_model() {
        let found = ConnectionCheck {
            models: vec![model("smol")],
            model: Some("smol".into()),
            model_listed: true,
        };
        assert_eq!(
            found.summary(ProviderId::OpenAiCompatible),
            "Connected to the model server: 1 model available, including smol."
        );
        let alias = ConnectionCheck {
            model_listed: false,
            model: Some("claude-sonnet-4-5".into()),
            models: vec![model("a"), model("b")],
        };
        assert!(
            alias
                .summary(ProviderId::Anthropic)
                .starts_with("Connected to Claude (Anthropic): 2 models available. claude-sonnet-4-5 is not in its list")
        );
        let empty = ConnectionCheck {
            models: vec![],
            model: None,
            model_listed: false,
        };
        assert!(
            empty
                .summary(ProviderId::Ollama)
                .contains("lists no models")
        );
    }
}
