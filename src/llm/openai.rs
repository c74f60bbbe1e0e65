//! OpenAI's Chat Completions API (`POST {base}/chat/completions`, Bearer key),
//! which also serves any OpenAI-compatible server: llama.cpp, vLLM, Ollama and
//! LM Studio. Streamed as `chat.completion.chunk` events, usage in a last chunk
//! (`stream_options.include_usage`), then `data: [DONE]`.

use super::error_reply::ErrorReply;
use super::keys::ApiKey;
use super::provider::{CompletionRequest, ModelInfo, Role, Usage};
use super::sse::Event;
use super::wire::{Reply, StreamState, Wire, join, message_or_body, parse_json, secret_header};
use crate::error::LlmError;
use crate::provider_id::ProviderId;
use reqwest::Url;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug)]
pub(crate) struct OpenAi {
    /// `openai`, `openai-compatible`, `ollama` or `lmstudio`.
    pub provider: ProviderId,
}

#[derive(Deserialize)]
struct Completion {
    model: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    choices: Vec<Choice>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct Chunk {
    model: Option<String>,
    /// Empty (or null, on some servers) in the final usage chunk.
    #[serde(default, deserialize_with = "null_is_empty")]
    choices: Vec<ChunkChoice>,
    usage: Option<WireUsage>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    delta: Option<ChunkDelta>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChunkDelta {
    content: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

impl From<WireUsage> for Usage {
    fn from(u: WireUsage) -> Self {
        Usage {
            input_tokens: u.prompt_tokens,
            output_tokens: u.completion_tokens,
        }
    }
}

#[derive(Deserialize)]
struct ModelPage {
    #[serde(default, deserialize_with = "null_is_empty")]
    data: Vec<WireModel>,
}

#[derive(Deserialize)]
struct WireModel {
    id: String,
}

fn null_is_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// OpenAI lists every model it has; these cannot answer a chat.
const NOT_CHAT: [&str; 12] = [
    "embedding",
    "tts",
    "whisper",
    "dall-e",
    "moderation",
    "davinci",
    "babbage",
    "transcribe",
    "image",
    "realtime",
    "audio",
    "search",
];

impl Wire for OpenAi {
    fn provider(&self) -> ProviderId {
        self.provider
    }

    fn completion_url(&self, base: &Url, _model: &str, _stream: bool) -> Url {
        join(base, &["chat", "completions"])
    }

    fn models_url(&self, base: &Url, _page: Option<&str>) -> Url {
        join(base, &["models"])
    }

    fn headers(&self, key: Option<&ApiKey>) -> Result<HeaderMap, LlmError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = key {
            secret_header(
                &mut headers,
                "authorization",
                &format!("Bearer {}", key.expose()),
            )?;
        }
        Ok(headers)
    }

    fn body(&self, request: &CompletionRequest, stream: bool) -> Value {
        let mut messages = Vec::with_capacity(request.messages.len() + 1);
        if let Some(system) = &request.system {
            messages.push(json!({ "role": "system", "content": system }));
        }
        messages.extend(request.messages.iter().map(|m| {
            json!({
                "role": match m.role { Role::User => "user", Role::Assistant => "assistant" },
                "content": m.content,
            })
        }));
        let mut body = json!({ "model": request.model, "messages": messages });
        // OpenAI replaced max_tokens; most compatible servers only know the old name.
        let limit_field = if self.provider == ProviderId::OpenAi {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body[limit_field] = json!(request.max_tokens);
        if let Some(t) = request.temperature {
            body["temperature"] = json!(t);
        }
        if stream {
            body["stream"] = json!(true);
            body["stream_options"] = json!({ "include_usage": true });
        }
        body
    }

    fn parse_reply(&self, body: &str) -> Result<Reply, LlmError> {
        let completion: Completion = parse_json(self.provider, body)?;
        let Some(choice) = completion.choices.into_iter().next() else {
            return Err(LlmError::Malformed {
                provider: self.provider,
                reason: "the reply has no choices".into(),
            });
        };
        let message = choice.message.unwrap_or(ChoiceMessage {
            content: None,
            refusal: None,
        });
        if let (None, Some(refusal)) = (&message.content, message.refusal) {
            return Err(LlmError::Blocked {
                provider: self.provider,
                reason: refusal,
            });
        }
        Ok(Reply {
            text: message.content.unwrap_or_default(),
            usage: completion.usage.map(Usage::from).unwrap_or_default(),
            stop_reason: choice.finish_reason,
            model: completion.model,
        })
    }

    fn on_event(
        &self,
        event: &Event,
        state: &mut StreamState,
        model: &str,
    ) -> Result<(), LlmError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            state.done = true;
            return Ok(());
        }
        if data.is_empty() {
            return Ok(());
        }
        let chunk: Chunk = parse_json(self.provider, data)?;
        if let Some(error) = chunk.error {
            let status = error["code"]
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(500);
            let body = json!({ "error": error }).to_string();
            return Err(self.classify(status, None, &body, model));
        }
        for choice in chunk.choices {
            if let Some(text) = choice.delta.and_then(|d| d.content) {
                state.push_text(&text);
            }
            if choice.finish_reason.is_some() {
                state.stop_reason = choice.finish_reason;
            }
        }
        if let Some(usage) = chunk.usage {
            state.usage = usage.into();
        }
        if chunk.model.is_some() {
            state.model = chunk.model;
        }
        Ok(())
    }

    fn stream_ended(&self, state: &StreamState) -> Result<(), LlmError> {
        // Some compatible servers close the body without `[DONE]`; a finish reason
        // says the reply was whole all the same.
        if state.done || state.stop_reason.is_some() {
            Ok(())
        } else {
            Err(LlmError::Interrupted {
                provider: self.provider,
                reason: "the reply ended before its finish reason or [DONE]".into(),
            })
        }
    }

    fn parse_models(&self, body: &str) -> Result<(Vec<ModelInfo>, Option<String>), LlmError> {
        let page: ModelPage = parse_json(self.provider, body)?;
        let models = page
            .data
            .into_iter()
            .filter(|m| {
                self.provider != ProviderId::OpenAi || !NOT_CHAT.iter().any(|n| m.id.contains(n))
            })
            .map(|m| ModelInfo {
                id: m.id,
                display_name: None,
                input_token_limit: None,
            })
            .collect();
        Ok((models, None))
    }

    fn error_reply(&self, body: &str) -> ErrorReply {
        let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let error = &value["error"];
        let text_of = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        ErrorReply {
            kind: text_of(&error["type"]),
            code: text_of(&error["code"]),
            // Ollama and others may send {"error": "text"}.
            message: message_or_body(error["message"].as_str().or(error.as_str()), body),
            ..ErrorReply::default()
        }
    }

    fn specific_error(
        &self,
        _status: u16,
        _retry_after: Option<Duration>,
        reply: &ErrorReply,
        model: &str,
    ) -> Option<LlmError> {
        let unknown_model = reply.mentions(&["model_not_found"])
            || (reply.mentions(&["model"])
                && reply.mentions(&["not found", "does not exist", "no such"]));
        unknown_model.then(|| LlmError::UnknownModel {
            provider: self.provider,
            model: model.to_owned(),
            message: reply.message.clone(),
        })
    }
}
