//! API keys: kept in the OS keychain (macOS Keychain, Windows Credential Manager,
//! the Linux kernel keyring), read from an environment variable when the keychain
//! has none, and never printed: `ApiKey`'s Debug and Display show no part of it.

use crate::error::LlmError;
use crate::provider_id::ProviderId;
use std::fmt;

/// A secret key. Its Debug and Display redact it, so it cannot end up in a log
/// line or an error message by accident; `expose` is for the request header only.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Trims the pasted text; refuses empty keys and characters no header can carry.
    pub fn new(key: impl Into<String>) -> Result<Self, LlmError> {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(LlmError::InvalidSettings("The API key is empty.".into()));
        }
        if !trimmed.chars().all(|c| c.is_ascii_graphic()) {
            return Err(LlmError::InvalidSettings(
                "The API key has spaces or characters that keys never have. Copy it again from \
                 your account page."
                    .into(),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The key itself, for the one header that carries it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every copy of the key replaced, for provider messages that echo it.
    pub(crate) fn scrub(&self, text: &str) -> String {
        text.replace(&self.0, "[API key]")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where a key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Keychain,
    Environment(&'static str),
}

/// The keychain entries of one application (`sandpiper`), one per provider id.
#[derive(Debug, Clone)]
pub struct KeyStore {
    service: String,
}

impl Default for KeyStore {
    fn default() -> Self {
        Self::new("sandpiper")
    }
}

impl KeyStore {
    /// A store under another service name (tests use their own).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, provider: ProviderId) -> Result<keyring::Entry, LlmError> {
        keyring::Entry::new(&self.service, provider.as_str()).map_err(keychain_error)
    }

    /// Saves the key in the OS keychain, replacing any earlier one.
    pub fn save(&self, provider: ProviderId, key: &ApiKey) -> Result<(), LlmError> {
        self.entry(provider)?
            .set_password(key.expose())
            .map_err(keychain_error)
    }

    /// Removes the provider's key from the keychain; fine if there was none.
    pub fn delete(&self, provider: ProviderId) -> Result<(), LlmError> {
        match self.entry(provider)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(keychain_error(err)),
        }
    }

    /// The key from the keychain only.
    pub fn keychain_key(&self, provider: ProviderId) -> Result<Option<ApiKey>, LlmError> {
        match self.entry(provider)?.get_password() {
            Ok(key) => ApiKey::new(key).map(Some),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(keychain_error(err)),
        }
    }

    /// The key to use: the keychain's, else the provider's environment variable.
    /// A keychain that cannot be used (locked, or none on this system) is treated
    /// as empty, so the environment variable still works.
    pub fn find(&self, provider: ProviderId) -> Option<(ApiKey, KeySource)> {
        match self.keychain_key(provider) {
            Ok(Some(key)) => return Some((key, KeySource::Keychain)),
            Ok(None) => {}
            Err(err) => tracing::debug!(%provider, error = %err, "keychain not usable"),
        }
        let var = provider.key_env_var()?;
        let value = std::env::var(var).ok()?;
        ApiKey::new(value)
            .ok()
            .map(|key| (key, KeySource::Environment(var)))
    }
}

fn keychain_error(err: keyring::Error) -> LlmError {
    LlmError::Keychain {
        reason: err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_show_in_debug_or_display() {
        let key = ApiKey::new("  sk-test-0123456789abcdef \n").unwrap();
        assert_eq!(key.expose(), "sk-test-0123456789abcdef");
        assert!(!format!("{key:?} {key}").contains("0123456789"));
        assert_eq!(
            key.scrub("Incorrect API key provided: sk-test-0123456789abcdef."),
            "Incorrect API key provided: [API key]."
        );
    }

    #[test]
    fn pasted_nonsense_is_refused() {
        assert!(ApiKey::new("   ").is_err());
        assert!(ApiKey::new("sk-abc def").is_err());
    }
}
