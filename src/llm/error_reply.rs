//! Reading a provider's error reply: the parts each wire format puts in its own
//! place (Anthropic's `error.type`, OpenAI's `code`, Gemini's `status` and
//! `reason`), and the checks every provider shares. Each wire format parses its
//! reply and adds its own rules (`Wire::error_reply`, `Wire::specific_error`);
//! `classify` puts them in one order for all.

use crate::error::LlmError;
use crate::provider_id::ProviderId;
use std::time::Duration;

/// The parts of an error reply that tell one error from another, as each provider
/// puts them (Anthropic's `error.type`, OpenAI's `code`, Gemini's `status` and
/// `reason`). `message` is the provider's human-readable text.
#[derive(Debug, Default, Clone)]
pub(crate) struct ErrorReply {
    pub kind: Option<String>,
    pub code: Option<String>,
    pub message: String,
    /// Everything else in the error, lower-cased, for keyword checks.
    pub details: String,
    /// A wait the provider asked for in the body (Gemini's RetryInfo).
    pub retry_after: Option<Duration>,
}

impl ErrorReply {
    /// True when the kind, code, message or details contain one of `needles`
    /// (lower-case).
    pub fn mentions(&self, needles: &[&str]) -> bool {
        let haystack = format!(
            "{} {} {} {}",
            self.kind.as_deref().unwrap_or(""),
            self.code.as_deref().unwrap_or(""),
            self.message,
            self.details
        )
        .to_lowercase();
        needles.iter().any(|n| haystack.contains(n))
    }
}

/// The error for an HTTP status when nothing more specific was recognised.
pub(crate) fn by_status(
    provider: ProviderId,
    model: &str,
    status: u16,
    retry_after: Option<Duration>,
    reply: ErrorReply,
) -> LlmError {
    let about_a_model = reply.mentions(&["model"]);
    let message = reply.message;
    match status {
        401 | 403 => LlmError::InvalidKey {
            provider,
            status,
            message,
        },
        402 => LlmError::OutOfCredit { provider, message },
        404 if about_a_model => LlmError::UnknownModel {
            provider,
            model: model.to_owned(),
            message,
        },
        413 => LlmError::ContextTooLong { provider, message },
        429 => LlmError::RateLimited {
            provider,
            retry_after: retry_after.or(reply.retry_after),
            attempts: 1,
            message,
        },
        500..=599 => LlmError::Unavailable {
            provider,
            status: Some(status),
            attempts: 1,
            message,
        },
        _ => LlmError::Rejected {
            provider,
            status,
            message,
        },
    }
}

/// Checks shared by all providers, before the status decides: context length,
/// credit, keys. `None` when none matched.
pub(crate) fn by_words(provider: ProviderId, reply: &ErrorReply) -> Option<LlmError> {
    let message = || reply.message.clone();
    if reply.mentions(&[
        "context_length_exceeded",
        "exceed_context_size",
        "prompt is too long",
        "maximum context length",
        "context window",
        "context size",
        "input token count",
    ]) {
        return Some(LlmError::ContextTooLong {
            provider,
            message: message(),
        });
    }
    if reply.mentions(&["insufficient_quota", "credit balance", "billing_error"]) {
        return Some(LlmError::OutOfCredit {
            provider,
            message: message(),
        });
    }
    if reply.mentions(&[
        "invalid_api_key",
        "api_key_invalid",
        "api key not valid",
        "incorrect api key",
        "invalid x-api-key",
        "authentication_error",
    ]) {
        return Some(LlmError::InvalidKey {
            provider,
            status: 401,
            message: message(),
        });
    }
    None
}
