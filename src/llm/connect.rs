//! Turning a provider's config into a ready provider, with the key from the OS
//! keychain when settings are all there is.

use super::anthropic::Anthropic;
use super::client::HttpProvider;
use super::config::ProviderConfig;
use super::gemini::Gemini;
use super::http_clients::HttpClients;
use super::keys::KeyStore;
use super::openai::OpenAi;
use super::provider::Provider;
use crate::error::LlmError;
use crate::provider_id::WireFormat;
use crate::settings::LlmSettings;

/// A provider ready to call, on a client of its own. Cloud providers need a key.
pub fn connect(config: ProviderConfig) -> Result<Box<dyn Provider>, LlmError> {
    connect_sharing(config, &HttpClients::default())
}

/// A provider ready to call, on one of `clients` (kept for the next call).
pub fn connect_sharing(
    config: ProviderConfig,
    clients: &HttpClients,
) -> Result<Box<dyn Provider>, LlmError> {
    if config.provider.needs_key() && config.key.is_none() {
        return Err(LlmError::MissingKey {
            provider: config.provider,
        });
    }
    Ok(match config.provider.wire_format() {
        WireFormat::Anthropic => Box::new(HttpProvider::new(Anthropic, config, clients)?),
        WireFormat::Gemini => Box::new(HttpProvider::new(Gemini, config, clients)?),
        WireFormat::OpenAi => Box::new(HttpProvider::new(
            OpenAi {
                provider: config.provider,
            },
            config,
            clients,
        )?),
    })
}

/// A provider from settings, with the key from the OS keychain (or its
/// environment variable), on one of `clients`.
pub fn connect_with_stored_key(
    settings: &LlmSettings,
    clients: &HttpClients,
) -> Result<Box<dyn Provider>, LlmError> {
    let key = KeyStore::default()
        .find(settings.provider)
        .map(|(key, _)| key);
    connect_sharing(ProviderConfig::from_settings(settings, key)?, clients)
}
