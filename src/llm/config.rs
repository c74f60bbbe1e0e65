//! What one provider needs to be called: address, key, time limits, retries.

use super::keys::ApiKey;
use super::retry::RetryPolicy;
use crate::error::LlmError;
use crate::provider_id::ProviderId;
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
            base_url: provider
                .base_url(base_url)
                .map_err(LlmError::InvalidSettings)?,
            key,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        })
    }

    pub fn from_settings(settings: &LlmSettings, key: Option<ApiKey>) -> Result<Self, LlmError> {
        settings.validate().map_err(LlmError::InvalidSettings)?;
        Ok(Self {
            provider: settings.provider,
            base_url: settings
                .provider
                .base_url(settings.base_url.as_deref())
                .map_err(LlmError::InvalidSettings)?,
            key,
            timeouts: Timeouts::from(settings),
            retry: RetryPolicy {
                max_attempts: settings.max_attempts,
                ..RetryPolicy::default()
            },
        })
    }
}
