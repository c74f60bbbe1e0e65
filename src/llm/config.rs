//! Turning settings (provider, address, key, time limits) into a ready provider.

use super::anthropic::Anthropic;
use super::client::HttpProvider;
use super::errors::LlmError;
use super::gemini::Gemini;
use super::keys::{ApiKey, KeyStore};
use super::openai::OpenAi;
use super::provider::Provider;
use super::provider_id::{ProviderId, WireFormat};
use super::retry::RetryPolicy;
use crate::settings::LlmSettings;
use reqwest::Url;
use std::time::Duration;

/// How long a call may wait, at each stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeouts {
    /// To open the connection (TCP and TLS).
    pub connect: Duration,
    /// From sending the request to the first event of the reply, and then
    /// between two events: a model that goes quiet this long is given up on.
    pub first_token: Duration,
    /// For the whole call, retries included.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self::from(&LlmSettings::default())
    }
}

impl From<&LlmSettings> for Timeouts {
    fn from(s: &LlmSettings) -> Self {
        Self {
            connect: Duration::from_secs(s.connect_timeout_secs),
            first_token: Duration::from_secs(s.first_token_timeout_secs),
            total: Duration::from_secs(s.total_timeout_secs),
        }
    }
}

/// Everything needed to talk to one provider.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub provider: ProviderId,
    pub base_url: Url,
    pub key: Option<ApiKey>,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
}

impl ProviderConfig {
    /// Default time limits and retries; `base_url` `None` means the provider's own.
    pub fn new(
        provider: ProviderId,
        base_url: Option<&str>,
        key: Option<ApiKey>,
    ) -> Result<Self, LlmError> {
        Ok(Self {
            provider,
            base_url: resolve_base_url(provider, base_url)?,
            key,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        })
    }

    pub fn from_settings(settings: &LlmSettings, key: Option<ApiKey>) -> Result<Self, LlmError> {
        settings.validate().map_err(LlmError::InvalidSettings)?;
        Ok(Self {
            provider: settings.provider,
            base_url: resolve_base_url(settings.provider, settings.base_url.as_deref())?,
            key,
            timeouts: Timeouts::from(settings),
            retry: RetryPolicy {
                max_attempts: settings.max_attempts,
                ..RetryPolicy::default()
            },
        })
    }
}

/// The API address to use: the one given, else the provider's. Only http and https.
pub fn resolve_base_url(provider: ProviderId, base_url: Option<&str>) -> Result<Url, LlmError> {
    let text = match base_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(given) => given,
        None => provider.default_base_url().ok_or_else(|| {
            LlmError::InvalidSettings(
                "An OpenAI-compatible server needs an address, e.g. http://localhost:8000/v1."
                    .into(),
            )
        })?,
    };
    let url = Url::parse(text).map_err(|err| {
        LlmError::InvalidSettings(format!(
            "The server address \"{text}\" is not a web address ({err}). It looks like \
             http://localhost:11434/v1."
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(LlmError::InvalidSettings(format!(
            "The server address \"{text}\" must start with http:// or https://."
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(LlmError::InvalidSettings(format!(
            "The server address \"{text}\" must not have a ? or # part."
        )));
    }
    Ok(url)
}

/// A provider ready to call. Cloud providers need a key.
pub fn connect(config: ProviderConfig) -> Result<Box<dyn Provider>, LlmError> {
    if config.provider.needs_key() && config.key.is_none() {
        return Err(LlmError::MissingKey {
            provider: config.provider,
        });
    }
    Ok(match config.provider.wire_format() {
        WireFormat::Anthropic => Box::new(HttpProvider::new(Anthropic, config)?),
        WireFormat::Gemini => Box::new(HttpProvider::new(Gemini, config)?),
        WireFormat::OpenAi => Box::new(HttpProvider::new(
            OpenAi {
                provider: config.provider,
            },
            config,
        )?),
    })
}

/// A provider from settings, with the key from the OS keychain (or its
/// environment variable).
pub fn connect_with_stored_key(settings: &LlmSettings) -> Result<Box<dyn Provider>, LlmError> {
    let key = KeyStore::default()
        .find(settings.provider)
        .map(|(key, _)| key);
    connect(ProviderConfig::from_settings(settings, key)?)
}
