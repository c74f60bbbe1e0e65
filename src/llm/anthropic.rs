//! Anthropic's Messages API: `POST /v1/messages` with `x-api-key` and
//! `anthropic-version`, streamed as `message_start`, `content_block_delta`
//! (`text_delta`), `message_delta` (usage, stop reason), `message_stop`, `error`.

use super::error_reply::ErrorReply;
use super::keys::ApiKey;
use super::provider::{CompletionRequest, ModelInfo, Role, Usage};
use super::sse::Event;
use super::wire::{
    Reply, StreamState, Wire, join, message_or_body, parse_json, secret_header,
    status_of_error_kind,
};
use crate::error::LlmError;
use crate::provider_id::ProviderId;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// The API version Sandpiper speaks (sent as `anthropic-version`).
pub const API_VERSION: &str = "2023-06-01";

#[derive(Debug, Default)]
pub(crate) struct Anthropic;

#[derive(Deserialize, Default)]
struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

impl WireUsage {
    /// Input counts what was read from and written to the prompt cache too.
    fn input(&self) -> Option<u64> {
        self.input_tokens.map(|n| {
            n + self.cache_creation_input_tokens.unwrap_or(0)
                + self.cache_read_input_tokens.unwrap_or(0)
        })
    }
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Vec<ContentBlock>,
    model: Option<String>,
    stop_reason: Option<String>,
    #[serde(default)]
    usage: WireUsage,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    MessageStart {
        message: Message,
    },
    ContentBlockDelta {
        delta: Delta,
    },
    MessageDelta {
        delta: MessageDeltaBody,
        #[serde(default)]
        usage: WireUsage,
    },
    MessageStop,
    Error {
        error: Value,
    },
    /// ping, content_block_start, content_block_stop, and anything newer.
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct MessageDeltaBody {
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct ModelPage {
    data: Vec<WireModel>,
    #[serde(default)]
    has_more: bool,
    last_id: Option<String>,
}

#[derive(Deserialize)]
struct WireModel {
    id: String,
    display_name: Option<String>,
}

impl Wire for Anthropic {
    fn provider(&self) -> ProviderId {
        ProviderId::Anthropic
    }

    fn completion_url(&self, base: &Url, _model: &str, _stream: bool) -> Url {
        join(base, &["v1", "messages"])
    }

    fn models_url(&self, base: &Url, page: Option<&str>) -> Url {
        let mut url = join(base, &["v1", "models"]);
        url.query_pairs_mut().append_pair("limit", "1000");
        if let Some(after) = page {
            url.query_pairs_mut().append_pair("after_id", after);
        }
        url
    }

    fn headers(&self, key: Option<&ApiKey>) -> Result<HeaderMap, LlmError> {
        let mut headers = HeaderMap::new();
        headers.insert("anthropic-version", HeaderValue::from_static(API_VERSION));
        if let Some(key) = key {
            secret_header(&mut headers, "x-api-key", key.expose())?;
        }
        Ok(headers)
    }

    fn body(&self, request: &CompletionRequest, stream: bool) -> Value {
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                json!({
                    "role": match m.role { Role::User => "user", Role::Assistant => "assistant" },
                    "content": m.content,
                })
            })
            .collect();
        let mut body = json!({
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": messages,
        });
        if let Some(system) = &request.system {
            body["system"] = json!(system);
        }
        if let Some(t) = request.temperature {
            body["temperature"] = json!(t);
        }
        if stream {
            body["stream"] = json!(true);
        }
        body
    }

    fn parse_reply(&self, body: &str) -> Result<Reply, LlmError> {
        let message: Message = parse_json(self.provider(), body)?;
        let text = message
            .content
            .iter()
            .filter(|b| b.kind == "text")
            .filter_map(|b| b.text.as_deref())
            .collect();
        Ok(Reply {
            text,
            usage: Usage {
                input_tokens: message.usage.input(),
                output_tokens: message.usage.output_tokens,
            },
            stop_reason: message.stop_reason,
            model: message.model,
        })
    }

    fn on_event(
        &self,
        event: &Event,
        state: &mut StreamState,
        model: &str,
    ) -> Result<(), LlmError> {
        match parse_json(self.provider(), &event.data)? {
            StreamEvent::MessageStart { message } => {
                state.usage.input_tokens = message.usage.input();
                state.usage.output_tokens = message.usage.output_tokens;
                state.model = message.model;
            }
            StreamEvent::ContentBlockDelta { delta } => {
                // Only text is shown; thinking and tool input deltas are not.
                if delta.kind == "text_delta"
                    && let Some(text) = delta.text
                {
                    state.push_text(&text);
                }
            }
            StreamEvent::MessageDelta { delta, usage } => {
                if delta.stop_reason.is_some() {
                    state.stop_reason = delta.stop_reason;
                }
                if usage.output_tokens.is_some() {
                    state.usage.output_tokens = usage.output_tokens;
                }
                if let Some(input) = usage.input() {
                    state.usage.input_tokens = Some(input);
                }
            }
            StreamEvent::MessageStop => state.done = true,
            StreamEvent::Error { error } => {
                let kind = error["type"].as_str().unwrap_or_default();
                let status = status_of_error_kind(kind);
                let body = json!({ "type": "error", "error": error }).to_string();
                return Err(self.classify(status, None, &body, model));
            }
            StreamEvent::Other => {}
        }
        Ok(())
    }

    fn stream_ended(&self, state: &StreamState) -> Result<(), LlmError> {
        if state.done {
            Ok(())
        } else {
            Err(LlmError::Interrupted {
                provider: self.provider(),
                reason: "the reply ended before its message_stop event".into(),
            })
        }
    }

    fn parse_models(&self, body: &str) -> Result<(Vec<ModelInfo>, Option<String>), LlmError> {
        let page: ModelPage = parse_json(self.provider(), body)?;
        let next = if page.has_more { page.last_id } else { None };
        let models = page
            .data
            .into_iter()
            .map(|m| ModelInfo {
                id: m.id,
                display_name: m.display_name,
                input_token_limit: None,
            })
            .collect();
        Ok((models, next))
    }

    fn error_reply(&self, body: &str) -> ErrorReply {
        let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let error = &value["error"];
        ErrorReply {
            kind: error["type"].as_str().map(str::to_owned),
            message: message_or_body(error["message"].as_str(), body),
            ..ErrorReply::default()
        }
    }

    fn specific_error(
        &self,
        status: u16,
        retry_after: Option<Duration>,
        reply: &ErrorReply,
        _model: &str,
    ) -> Option<LlmError> {
        let provider = self.provider();
        let message = reply.message.clone();
        Some(match reply.kind.as_deref()? {
            "permission_error" => LlmError::InvalidKey {
                provider,
                status,
                message,
            },
            "rate_limit_error" => LlmError::RateLimited {
                provider,
                retry_after,
                attempts: 1,
                message,
            },
            "overloaded_error" | "api_error" => LlmError::Unavailable {
                provider,
                status: Some(status),
                attempts: 1,
                message,
            },
            "request_too_large" => LlmError::ContextTooLong { provider, message },
            _ => return None,
        })
    }
}
