//! What differs between providers' wire formats, as one trait each provider file
//! implements; `client.rs` does the HTTP, timeouts, retries and cancelling for all.

use super::error_reply::{ErrorReply, by_status, by_words};
use super::keys::ApiKey;
use super::provider::{CompletionRequest, ModelInfo, Usage};
use super::sse::Event;
use crate::error::LlmError;
use crate::provider_id::ProviderId;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use std::time::Duration;

pub(crate) trait Wire: Send + Sync + std::fmt::Debug + 'static {
    fn provider(&self) -> ProviderId;

    /// Where a completion is sent.
    fn completion_url(&self, base: &Url, model: &str, stream: bool) -> Url;

    /// One page of the model list; `page` is the token the previous page gave.
    fn models_url(&self, base: &Url, page: Option<&str>) -> Url;

    /// The headers that carry the key and the API version.
    fn headers(&self, key: Option<&ApiKey>) -> Result<HeaderMap, LlmError>;

    /// The request body, exactly as sent.
    fn body(&self, request: &CompletionRequest, stream: bool) -> serde_json::Value;

    /// A whole (non-streamed) reply.
    fn parse_reply(&self, body: &str) -> Result<Reply, LlmError>;

    /// One server-sent event of a streamed reply.
    fn on_event(&self, event: &Event, state: &mut StreamState, model: &str)
    -> Result<(), LlmError>;

    /// The body ended: was the reply complete?
    fn stream_ended(&self, state: &StreamState) -> Result<(), LlmError>;

    /// One page of models, and the token of the next page if there is one.
    fn parse_models(&self, body: &str) -> Result<(Vec<ModelInfo>, Option<String>), LlmError>;

    /// The parts of an error body this wire format puts in its own places.
    fn error_reply(&self, body: &str) -> ErrorReply;

    /// This wire format's own rules for telling errors apart, applied after the
    /// words every provider shares and before the HTTP status decides.
    fn specific_error(
        &self,
        status: u16,
        retry_after: Option<Duration>,
        reply: &ErrorReply,
        model: &str,
    ) -> Option<LlmError>;

    /// An error reply (non-2xx status, or an error event in a stream) as a typed
    /// error: the shared words first, then the wire format's rules, then the status.
    fn classify(
        &self,
        status: u16,
        retry_after: Option<Duration>,
        body: &str,
        model: &str,
    ) -> LlmError {
        let provider = self.provider();
        let reply = self.error_reply(body);
        by_words(provider, &reply)
            .or_else(|| self.specific_error(status, retry_after, &reply, model))
            .unwrap_or_else(|| by_status(provider, model, status, retry_after, reply))
    }
}

/// A whole reply, before timing is added.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    pub text: String,
    pub usage: Usage,
    pub stop_reason: Option<String>,
    pub model: Option<String>,
}

/// What a streamed reply has said so far.
#[derive(Debug, Default)]
pub(crate) struct StreamState {
    pub text: String,
    /// Text received since the client last passed it on.
    pending: String,
    pub usage: Usage,
    pub stop_reason: Option<String>,
    pub model: Option<String>,
    /// The provider's end marker arrived (`message_stop`, `[DONE]`).
    pub done: bool,
}

impl StreamState {
    pub fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
        self.pending.push_str(text);
    }

    pub fn take_pending(&mut self) -> String {
        std::mem::take(&mut self.pending)
    }
}

/// The provider's own message, or the start of the body when it gave none.
pub(crate) fn message_or_body(message: Option<&str>, body: &str) -> String {
    message
        .map(str::to_owned)
        .unwrap_or_else(|| body.trim().chars().take(300).collect())
}

/// Parses a JSON body, or says in plain terms why it is not the expected JSON.
pub(crate) fn parse_json<T: DeserializeOwned>(
    provider: ProviderId,
    body: &str,
) -> Result<T, LlmError> {
    serde_json::from_str(body).map_err(|err| {
        let start = body.trim_start();
        let hint = if start.starts_with('<') {
            " (an HTML page came back: a proxy or a login page may have answered)"
        } else if start.is_empty() {
            " (the reply was empty)"
        } else {
            ""
        };
        LlmError::Malformed {
            provider,
            reason: format!("{err}{hint}"),
        }
    })
}

/// `base` with path segments appended (each escaped as needed).
pub(crate) fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// A header holding a secret: marked sensitive, so HTTP tooling never prints it.
pub(crate) fn secret_header(
    headers: &mut HeaderMap,
    name: &'static str,
    value: &str,
) -> Result<(), LlmError> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        LlmError::InvalidSettings("The API key has characters that keys never have.".into())
    })?;
    value.set_sensitive(true);
    headers.insert(HeaderName::from_static(name), value);
    Ok(())
}

/// A status to classify an error event by, when a stream reports one mid-way.
pub(crate) fn status_of_error_kind(kind: &str) -> u16 {
    match kind {
        "overloaded_error" => 529,
        "rate_limit_error" | "rate_limit_exceeded" | "RESOURCE_EXHAUSTED" => 429,
        "api_error" | "server_error" | "internal_server_error" | "INTERNAL" => 500,
        "UNAVAILABLE" => 503,
        "authentication_error" | "UNAUTHENTICATED" => 401,
        "permission_error" | "PERMISSION_DENIED" => 403,
        "not_found_error" | "NOT_FOUND" => 404,
        _ => 400,
    }
}
