//! Google's Gemini API: `POST {base}/models/{model}:generateContent`, streamed with
//! `:streamGenerateContent?alt=sse`, the key in `x-goog-api-key`. Every streamed
//! event is a whole `GenerateContentResponse`; the stream ends with the body.

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
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug, Default)]
pub(crate) struct Gemini;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    #[serde(default)]
    candidates: Vec<Candidate>,
    usage_metadata: Option<UsageMetadata>,
    model_version: Option<String>,
    prompt_feedback: Option<PromptFeedback>,
    error: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    content: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
    /// A thought summary, not part of the answer.
    #[serde(default)]
    thought: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    prompt_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    thoughts_token_count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    block_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModelPage {
    #[serde(default)]
    models: Vec<WireModel>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireModel {
    name: String,
    display_name: Option<String>,
    input_token_limit: Option<u64>,
    #[serde(default)]
    supported_generation_methods: Vec<String>,
}

/// Finish reasons that mean the answer was withheld.
const BLOCKING: [&str; 6] = [
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
];

impl Response {
    fn text(&self) -> String {
        self.candidates
            .first()
            .and_then(|c| c.content.as_ref())
            .map(|c| {
                c.parts
                    .iter()
                    .filter(|p| !p.thought)
                    .filter_map(|p| p.text.as_deref())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn finish_reason(&self) -> Option<String> {
        self.candidates
            .first()
            .and_then(|c| c.finish_reason.clone())
    }

    fn usage(&self) -> Option<Usage> {
        self.usage_metadata.as_ref().map(|u| Usage {
            input_tokens: u.prompt_token_count,
            // Thinking is billed as output.
            output_tokens: match (u.candidates_token_count, u.thoughts_token_count) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
            },
        })
    }

    fn block_reason(&self) -> Option<String> {
        self.prompt_feedback
            .as_ref()
            .and_then(|f| f.block_reason.clone())
    }
}

fn model_path(model: &str) -> &str {
    model.strip_prefix("models/").unwrap_or(model)
}

impl Gemini {
    fn blocked(&self, reason: String) -> LlmError {
        LlmError::Blocked {
            provider: self.provider(),
            reason,
        }
    }
}

impl Wire for Gemini {
    fn provider(&self) -> ProviderId {
        ProviderId::Gemini
    }

    fn completion_url(&self, base: &Url, model: &str, stream: bool) -> Url {
        let method = if stream {
            "streamGenerateContent"
        } else {
            "generateContent"
        };
        let mut url = join(
            base,
            &["models", &format!("{}:{method}", model_path(model))],
        );
        if stream {
            url.query_pairs_mut().append_pair("alt", "sse");
        }
        url
    }

    fn models_url(&self, base: &Url, page: Option<&str>) -> Url {
        let mut url = join(base, &["models"]);
        url.query_pairs_mut().append_pair("pageSize", "1000");
        if let Some(token) = page {
            url.query_pairs_mut().append_pair("pageToken", token);
        }
        url
    }

    fn headers(&self, key: Option<&ApiKey>) -> Result<HeaderMap, LlmError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = key {
            secret_header(&mut headers, "x-goog-api-key", key.expose())?;
        }
        Ok(headers)
    }

    fn body(&self, request: &CompletionRequest, _stream: bool) -> Value {
        let contents: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                json!({
                    "role": match m.role { Role::User => "user", Role::Assistant => "model" },
                    "parts": [{ "text": m.content }],
                })
            })
            .collect();
        let mut config = json!({ "maxOutputTokens": request.max_tokens });
        if let Some(t) = request.temperature {
            config["temperature"] = json!(t);
        }
        let mut body = json!({ "contents": contents, "generationConfig": config });
        if let Some(system) = &request.system {
            body["systemInstruction"] = json!({ "parts": [{ "text": system }] });
        }
        body
    }

    fn parse_reply(&self, body: &str) -> Result<Reply, LlmError> {
        let response: Response = parse_json(self.provider(), body)?;
        if let Some(reason) = response.block_reason() {
            return Err(self.blocked(reason));
        }
        let text = response.text();
        let stop_reason = response.finish_reason();
        if response.candidates.is_empty() {
            return Err(LlmError::Malformed {
                provider: self.provider(),
                reason: "the reply has no candidates".into(),
            });
        }
        if text.is_empty()
            && let Some(reason) = stop_reason.as_deref().filter(|r| BLOCKING.contains(r))
        {
            return Err(self.blocked(reason.to_owned()));
        }
        Ok(Reply {
            text,
            usage: response.usage().unwrap_or_default(),
            stop_reason,
            model: response.model_version,
        })
    }

    fn on_event(
        &self,
        event: &Event,
        state: &mut StreamState,
        model: &str,
    ) -> Result<(), LlmError> {
        let response: Response = parse_json(self.provider(), &event.data)?;
        if let Some(error) = &response.error {
            let kind = error["status"].as_str().unwrap_or_default();
            let status = error["code"]
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or_else(|| status_of_error_kind(kind));
            return Err(self.classify(status, None, &event.data, model));
        }
        if let Some(reason) = response.block_reason() {
            return Err(self.blocked(reason));
        }
        state.push_text(&response.text());
        if let Some(reason) = response.finish_reason() {
            state.stop_reason = Some(reason);
        }
        if let Some(usage) = response.usage() {
            state.usage = usage;
        }
        if response.model_version.is_some() {
            state.model = response.model_version;
        }
        Ok(())
    }

    fn stream_ended(&self, state: &StreamState) -> Result<(), LlmError> {
        match state.stop_reason.as_deref() {
            Some(reason) if state.text.is_empty() && BLOCKING.contains(&reason) => {
                Err(self.blocked(reason.to_owned()))
            }
            Some(_) => Ok(()),
            None if !state.text.is_empty() => Ok(()),
            None => Err(LlmError::Interrupted {
                provider: self.provider(),
                reason: "the reply ended before any text or finish reason".into(),
            }),
        }
    }

    fn parse_models(&self, body: &str) -> Result<(Vec<ModelInfo>, Option<String>), LlmError> {
        let page: ModelPage = parse_json(self.provider(), body)?;
        let models = page
            .models
            .into_iter()
            .filter(|m| {
                m.supported_generation_methods
                    .iter()
                    .any(|g| g == "generateContent")
            })
            .map(|m| ModelInfo {
                id: model_path(&m.name).to_owned(),
                display_name: m.display_name,
                input_token_limit: m.input_token_limit,
            })
            .collect();
        Ok((models, page.next_page_token.filter(|t| !t.is_empty())))
    }

    fn error_reply(&self, body: &str) -> ErrorReply {
        let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        // Some Gemini endpoints wrap the error in a one-element array.
        let error = match &value {
            Value::Array(items) => &items.first().unwrap_or(&Value::Null)["error"],
            other => &other["error"],
        };
        let details = &error["details"];
        let reason = details
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|d| d["reason"].as_str())
            .map(str::to_owned);
        let asked_wait = details
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|d| d["retryDelay"].as_str())
            .and_then(|d| d.trim_end_matches('s').parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64);
        ErrorReply {
            kind: error["status"].as_str().map(str::to_owned),
            code: reason,
            message: message_or_body(error["message"].as_str(), body),
            details: details.to_string().to_lowercase(),
            retry_after: asked_wait,
        }
    }

    fn specific_error(
        &self,
        status: u16,
        retry_after: Option<Duration>,
        reply: &ErrorReply,
        model: &str,
    ) -> Option<LlmError> {
        let provider = self.provider();
        let message = reply.message.clone();
        if status == 429 || reply.kind.as_deref() == Some("RESOURCE_EXHAUSTED") {
            return Some(if reply.mentions(&["perday"]) {
                // A daily quota is used up: waiting minutes will not help.
                LlmError::OutOfCredit { provider, message }
            } else {
                LlmError::RateLimited {
                    provider,
                    retry_after: retry_after.or(reply.retry_after),
                    attempts: 1,
                    message,
                }
            });
        }
        Some(match reply.kind.as_deref()? {
            "UNAUTHENTICATED" | "PERMISSION_DENIED" => LlmError::InvalidKey {
                provider,
                status,
                message,
            },
            "NOT_FOUND" => LlmError::UnknownModel {
                provider,
                model: model.to_owned(),
                message,
            },
            _ => return None,
        })
    }
}
