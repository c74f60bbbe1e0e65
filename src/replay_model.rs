//! A model that replays known replies, for `sandpiper eval --replay` and
//! `sandpiper bench agent`: a real HTTP server on 127.0.0.1 speaking the OpenAI
//! Chat Completions wire format (streamed, as the agent asks), whose replies a
//! closure chooses from the request. It measures Sandpiper, not a model: it
//! answers at once, and always the same way.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Picks the reply to one request: given the system prompt and the last user
/// message, the text the model "writes".
pub type Script = dyn Fn(&str, &str) -> String + Send + Sync;

/// A running replay server; stops when dropped.
pub struct ReplayModel {
    /// Its OpenAI-compatible base URL, e.g. `http://127.0.0.1:41234/v1`.
    pub base_url: String,
    server: JoinHandle<()>,
}

impl Drop for ReplayModel {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The model name the server lists and answers as.
pub const MODEL: &str = "replay";

impl ReplayModel {
    pub async fn start(script: Arc<Script>) -> std::io::Result<ReplayModel> {
        let app = Router::new()
            .route("/v1/models", get(models))
            .route("/v1/chat/completions", post(complete))
            .with_state(script);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}/v1", listener.local_addr()?);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(ReplayModel { base_url, server })
    }
}

async fn models() -> axum::Json<Value> {
    axum::Json(json!({"object": "list", "data": [{"id": MODEL, "object": "model"}]}))
}

async fn complete(State(script): State<Arc<Script>>, body: String) -> Response {
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let text_of = |role: &str| {
        messages
            .iter()
            .rev()
            .find(|m| m["role"] == role)
            .and_then(|m| m["content"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    let reply = script(&text_of("system"), &text_of("user"));
    let chunk = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "replay", "object": "chat.completion.chunk", "created": 0,
                   "model": MODEL, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    };
    let mut sse = String::new();
    for piece in reply.split_inclusive('\n') {
        sse += &chunk(json!({"content": piece}), Value::Null);
    }
    sse += &chunk(json!({}), json!("stop"));
    let tokens = |text: &str| text.chars().count().div_ceil(4);
    sse += &format!(
        "data: {}\n\ndata: [DONE]\n\n",
        json!({"id": "replay", "object": "chat.completion.chunk", "created": 0, "model": MODEL,
               "choices": [], "usage": {"prompt_tokens": tokens(&body), "completion_tokens": tokens(&reply),
               "total_tokens": tokens(&body) + tokens(&reply)}})
    );
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from(sse))
        .expect("a valid response")
}
