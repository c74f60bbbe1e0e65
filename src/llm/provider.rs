//! What every provider does, whatever its wire format: stream a reply, answer in
//! one piece, list models. The rest of the engine only sees this trait.

use crate::error::LlmError;
use crate::provider_id::ProviderId;
use serde::{Deserialize, Serialize};
use std::ops::AddAssign;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// One request to a model, in Sandpiper's terms; each provider turns it into its
/// own JSON (`Provider::request_body` shows exactly what).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRequest {
    pub model: String,
    /// Instructions that frame the conversation.
    pub system: Option<String>,
    pub messages: Vec<Message>,
    /// The longest reply allowed, in tokens.
    pub max_tokens: u32,
    pub temperature: Option<f64>,
}

impl CompletionRequest {
    /// One user message to `model`, with a reply of up to 4096 tokens.
    pub fn new(model: impl Into<String>, prompt: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            system: None,
            messages: vec![Message::user(prompt)],
            max_tokens: 4096,
            temperature: None,
        }
    }
}

/// Tokens counted by the provider. `None` when it did not say (some local servers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
}

impl AddAssign for Usage {
    /// Adds up calls, e.g. for a session's total.
    fn add_assign(&mut self, other: Usage) {
        fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
            match (a, b) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
            }
        }
        self.input_tokens = add(self.input_tokens, other.input_tokens);
        self.output_tokens = add(self.output_tokens, other.output_tokens);
    }
}

/// A finished reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub usage: Usage,
    /// Why the model stopped, in the provider's words (`end_turn`, `STOP`, `length`, ...).
    pub stop_reason: Option<String>,
    /// The model that answered, as the provider reports it (may be more precise
    /// than the one asked for).
    pub model: Option<String>,
    /// From the start of the call to the first piece of text.
    pub first_token: Option<Duration>,
    pub duration: Duration,
    /// How many tries it took (1 when the first one worked).
    pub attempts: u32,
}

/// A model the provider offers, for the model picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub id: String,
    pub display_name: Option<String>,
    /// The most input tokens it accepts, where the provider says.
    pub input_token_limit: Option<u64>,
}

/// What a streaming call reports while it runs.
#[derive(Debug)]
pub enum Update<'a> {
    /// The next piece of the reply.
    Text(&'a str),
    /// A try failed with a passing problem; the next starts after `wait`.
    Retrying {
        attempt: u32,
        max_attempts: u32,
        wait: Duration,
        reason: &'a LlmError,
    },
}

/// Receives a streaming call's updates as they happen.
pub type OnUpdate<'a> = dyn FnMut(Update<'_>) + Send + 'a;

/// A language model provider. Build one with `llm::connect`.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    fn id(&self) -> ProviderId;

    /// The models this key (or server) can use, for the model picker.
    async fn list_models(&self, cancel: &CancellationToken) -> Result<Vec<ModelInfo>, LlmError>;

    /// Asks for the whole reply at once (no streaming).
    async fn complete(
        &self,
        request: &CompletionRequest,
        cancel: &CancellationToken,
    ) -> Result<Completion, LlmError>;

    /// Asks for the reply and passes each piece to `on_update` as the model writes
    /// it. Cancelling `cancel` closes the connection at once and returns
    /// `LlmError::Cancelled`.
    async fn stream(
        &self,
        request: &CompletionRequest,
        on_update: &mut OnUpdate<'_>,
        cancel: &CancellationToken,
    ) -> Result<Completion, LlmError>;

    /// The JSON body exactly as it is sent for `request` (the key travels in a
    /// header and is not part of it), so the analyst can see what leaves the computer.
    fn request_body(&self, request: &CompletionRequest, stream: bool) -> serde_json::Value;
}
