//! Everything that can go wrong when talking to a model, typed, each with what the
//! analyst reads: what happened and what to do next.

use crate::plain_words::PlainWords;
use crate::provider_id::{ProviderId, WireFormat};
use std::fmt;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("no API key for {provider}")]
    MissingKey { provider: ProviderId },

    #[error("{provider} refused the API key (HTTP {status}): {message}")]
    InvalidKey {
        provider: ProviderId,
        status: u16,
        message: String,
    },

    #[error("{provider} has no model {model:?}: {message}")]
    UnknownModel {
        provider: ProviderId,
        model: String,
        message: String,
    },

    #[error("{provider} is limiting requests (after {attempts} tries): {message}")]
    RateLimited {
        provider: ProviderId,
        retry_after: Option<Duration>,
        attempts: u32,
        message: String,
    },

    #[error("{provider} account is out of credit or quota: {message}")]
    OutOfCredit {
        provider: ProviderId,
        message: String,
    },

    #[error("the request is too long for the model: {message}")]
    ContextTooLong {
        provider: ProviderId,
        message: String,
    },

    #[error(
        "{provider} is overloaded or failing (HTTP {status:?}, after {attempts} tries): {message}"
    )]
    Unavailable {
        provider: ProviderId,
        status: Option<u16>,
        attempts: u32,
        message: String,
    },

    #[error("{provider} refused the request (HTTP {status}): {message}")]
    Rejected {
        provider: ProviderId,
        status: u16,
        message: String,
    },

    #[error("{provider} declined to answer: {reason}")]
    Blocked {
        provider: ProviderId,
        reason: String,
    },

    #[error("could not reach {provider} at {host}: {reason}")]
    Unreachable {
        provider: ProviderId,
        host: String,
        reason: String,
        /// A proxy is configured (HTTPS_PROXY and friends).
        via_proxy: bool,
        /// The secure connection failed on the certificate (TLS-inspecting proxies).
        certificate: bool,
    },

    #[error("the connection to {provider} broke off during the reply: {reason}")]
    Interrupted {
        provider: ProviderId,
        reason: String,
    },

    #[error("{provider} sent a reply that is not in its API's format: {reason}")]
    Malformed {
        provider: ProviderId,
        reason: String,
    },

    #[error("{provider} did not answer in time ({phase}, {after:?})")]
    Timeout {
        provider: ProviderId,
        phase: TimeoutPhase,
        after: Duration,
    },

    #[error("the model call was cancelled")]
    Cancelled,

    #[error("invalid model settings: {0}")]
    InvalidSettings(String),

    #[error("the keychain failed: {reason}")]
    Keychain { reason: String },
}

/// Which time limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    Connect,
    FirstToken,
    Total,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::FirstToken => "waiting for the reply",
            TimeoutPhase::Total => "whole call",
        })
    }
}

impl LlmError {
    /// Passing problems worth another try: rate limits, overload, server errors,
    /// and a connection that broke before any text arrived.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LlmError::RateLimited { .. }
                | LlmError::Unavailable { .. }
                | LlmError::Interrupted { .. }
        )
    }

    /// How long the provider asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LlmError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Records how many tries were made, for the message.
    pub(crate) fn with_attempts(mut self, tries: u32) -> Self {
        match &mut self {
            LlmError::RateLimited { attempts, .. } | LlmError::Unavailable { attempts, .. } => {
                *attempts = tries
            }
            _ => {}
        }
        self
    }

    pub fn plain_words(&self) -> PlainWords {
        match self {
            LlmError::MissingKey { provider } => PlainWords::new(
                "llm.missing_key",
                format!("Sandpiper has no API key for {}.", provider.display_name()),
                match provider.key_env_var() {
                    Some(var) => format!(
                        "Add your key in Settings, under Model. (Power users can also set {var}.)"
                    ),
                    None => "Add the server's key in Settings, under Model.".to_owned(),
                },
            ),
            LlmError::InvalidKey {
                provider, message, ..
            } => PlainWords::new(
                "llm.invalid_key",
                format!("{} did not accept your API key.", provider.display_name()),
                format!(
                    "Copy the key again from your account page and paste it in Settings, without \
                     spaces. A key that was just created can take a minute to work. {}",
                    said(message)
                ),
            ),
            LlmError::UnknownModel {
                provider,
                model,
                message,
            } => PlainWords::new(
                "llm.unknown_model",
                format!(
                    "{} has no model called \"{model}\".",
                    capitalised(provider.display_name())
                ),
                if *provider == ProviderId::Ollama {
                    format!(
                        "Pick one from the model list in Settings, or download it first with \
                         `ollama pull {model}`. {}",
                        said(message)
                    )
                } else {
                    format!(
                        "Pick one from the model list in Settings: it shows the models your key \
                         can use. {}",
                        said(message)
                    )
                },
            ),
            LlmError::RateLimited {
                provider,
                retry_after,
                attempts,
                message,
            } => PlainWords::new(
                "llm.rate_limited",
                format!(
                    "{} is limiting how fast you can send requests.",
                    capitalised(provider.display_name())
                ),
                format!(
                    "Sandpiper tried {attempts} time{}. {} If this happens often, your plan's \
                     rate limit may be low. {}",
                    if *attempts == 1 { "" } else { "s" },
                    match retry_after {
                        Some(wait) => format!("Wait {} and try again.", human_duration(*wait)),
                        None => "Wait a minute and try again.".to_owned(),
                    },
                    said(message)
                ),
            ),
            LlmError::OutOfCredit { provider, message } => PlainWords::new(
                "llm.out_of_credit",
                format!(
                    "Your {} account has run out of credit or quota.",
                    provider.display_name()
                ),
                format!(
                    "Add credit or raise the quota on the provider's billing page, then try \
                     again. {}",
                    said(message)
                ),
            ),
            LlmError::ContextTooLong { message, .. } => PlainWords::new(
                "llm.context_too_long",
                "The conversation is too long for this model.",
                format!(
                    "Start a new conversation, ask a shorter question, or pick a model that \
                     accepts longer input. {}",
                    said(message)
                ),
            ),
            LlmError::Unavailable {
                provider,
                attempts,
                message,
                ..
            } => PlainWords::new(
                "llm.unavailable",
                format!(
                    "{} is overloaded or having problems right now.",
                    capitalised(provider.display_name())
                ),
                format!(
                    "Sandpiper tried {attempts} time{}. This is on the provider's side: wait a \
                     few minutes and try again. {}",
                    if *attempts == 1 { "" } else { "s" },
                    said(message)
                ),
            ),
            LlmError::Rejected {
                provider, message, ..
            } => PlainWords::new(
                "llm.rejected",
                format!(
                    "{} refused the request.",
                    capitalised(provider.display_name())
                ),
                format!(
                    "Check the model and the address in Settings. {}",
                    said(message)
                ),
            ),
            LlmError::Blocked { provider, reason } => PlainWords::new(
                "llm.blocked",
                format!(
                    "{} declined to answer.",
                    capitalised(provider.display_name())
                ),
                format!("It gave the reason \"{reason}\". Try asking in other words."),
            ),
            LlmError::Unreachable {
                provider,
                host,
                reason,
                via_proxy,
                certificate,
            } => PlainWords::new(
                "llm.unreachable",
                format!(
                    "Sandpiper could not reach {} at {host}.",
                    provider.display_name()
                ),
                if *certificate {
                    format!(
                        "The secure connection was refused because of its certificate. Company \
                         networks that inspect traffic replace certificates: ask IT to install \
                         the company's root certificate on this computer (Sandpiper trusts the \
                         system's certificates). Details: {reason}"
                    )
                } else if provider.is_local_preset() || host_is_local(host) {
                    format!(
                        "Check that {} is running on this computer and that the address in \
                         Settings is right. Details: {reason}",
                        provider.display_name()
                    )
                } else if *via_proxy {
                    format!(
                        "Check your internet connection and the proxy set in HTTPS_PROXY: \
                         Sandpiper sends requests through it. Details: {reason}"
                    )
                } else {
                    format!(
                        "Check your internet connection. If your company network needs a proxy, \
                         set HTTPS_PROXY to its address before starting Sandpiper. Details: {reason}"
                    )
                },
            ),
            LlmError::Interrupted { provider, reason } => PlainWords::new(
                "llm.interrupted",
                format!(
                    "The connection to {} broke off in the middle of the reply.",
                    provider.display_name()
                ),
                format!("Check your internet connection and try again. Details: {reason}"),
            ),
            LlmError::Malformed { provider, reason } => PlainWords::new(
                "llm.malformed",
                format!(
                    "{} sent a reply Sandpiper could not read.",
                    capitalised(provider.display_name())
                ),
                format!(
                    "Try again. If it keeps happening and you set your own server address, check \
                     that the server speaks the {} API, and that no login page or proxy answers \
                     in its place. Details: {reason}",
                    match provider.wire_format() {
                        WireFormat::Anthropic => "Anthropic Messages",
                        WireFormat::Gemini => "Gemini",
                        WireFormat::OpenAi => "OpenAI Chat Completions",
                    }
                ),
            ),
            LlmError::Timeout {
                provider,
                phase,
                after,
            } => {
                let name = provider.display_name();
                let (title, advice) = match phase {
                    TimeoutPhase::Connect => (
                        format!(
                            "{} did not answer within {}.",
                            capitalised(name),
                            human_duration(*after)
                        ),
                        "Check your internet connection (or, for a local model, that its server \
                         is running), then try again."
                            .to_owned(),
                    ),
                    TimeoutPhase::FirstToken => (
                        format!(
                            "The model stopped answering: nothing came for {}.",
                            human_duration(*after)
                        ),
                        "Try again. Local models on a slow computer can need longer: raise the \
                         wait in Settings, under Model."
                            .to_owned(),
                    ),
                    TimeoutPhase::Total => (
                        format!("The answer took longer than {}.", human_duration(*after)),
                        "Ask for something smaller, pick a faster model, or raise the time limit \
                         in Settings, under Model."
                            .to_owned(),
                    ),
                };
                PlainWords::new("llm.timeout", title, advice)
            }
            LlmError::Cancelled => PlainWords::new(
                "llm.cancelled",
                "You stopped the reply.",
                "Nothing more is sent or received for it.",
            ),
            LlmError::InvalidSettings(reason) => PlainWords::new(
                "llm.invalid_settings",
                "These model settings can't be used.",
                reason.clone(),
            ),
            LlmError::Keychain { reason } => PlainWords::new(
                "llm.keychain",
                "Sandpiper could not use this computer's keychain.",
                format!(
                    "Unlock the keychain and try again, or set the key in an environment variable \
                     (ANTHROPIC_API_KEY, GEMINI_API_KEY or OPENAI_API_KEY). Details: {reason}"
                ),
            ),
        }
    }
}

/// The provider's own words, trimmed, for the end of an advice.
fn said(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        return String::new();
    }
    let mut short: String = message.chars().take(300).collect();
    if short.len() < message.len() {
        short.push('…');
    }
    format!("The provider said: {short}")
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn host_is_local(host: &str) -> bool {
    host.starts_with("localhost") || host.starts_with("127.") || host.starts_with("[::1]")
}

/// "45 s", "3 min", "1 min 30 s".
fn human_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 1.0 {
        return format!("{:.1} s", secs);
    }
    let secs = secs.round() as u64;
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_title_and_advice() {
        let p = ProviderId::Gemini;
        let all = [
            LlmError::MissingKey { provider: p },
            LlmError::Cancelled,
            LlmError::Timeout {
                provider: p,
                phase: TimeoutPhase::Total,
                after: Duration::from_secs(90),
            },
        ];
        for err in all {
            let words = err.plain_words();
            assert!(words.title.ends_with('.'), "{words:?}");
            assert!(!words.advice.is_empty(), "{words:?}");
        }
    }

    #[test]
    fn durations_read_like_a_person_would_say_them() {
        assert_eq!(human_duration(Duration::from_secs(45)), "45 s");
        assert_eq!(human_duration(Duration::from_secs(300)), "5 min");
        assert_eq!(human_duration(Duration::from_secs(90)), "1 min 30 s");
    }
}
