//! A real HTTP server on 127.0.0.1 for the provider tests. It records every
//! request (path, headers, JSON body) and answers with scripted replies in the
//! providers' own wire formats: whole JSON bodies, server-sent events cut into
//! chunks at awkward byte boundaries, slow streams, or no answer at all. Nothing
//! here talks to any address but 127.0.0.1.

#![allow(dead_code)]

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use sandpiper::llm::{ApiKey, ProviderConfig, ProviderId, RetryPolicy, Timeouts};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Tells whether an error is the one a case expects.
pub type IsExpected = fn(&sandpiper::llm::LlmError) -> bool;

/// A key that looks real and appears nowhere else.
pub const KEY: &str = "sk-test-PLANTED-5f3c9a1e7d2b4680";

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    /// The body as JSON (`Null` when empty or not JSON).
    pub body: Value,
    /// The client's end of the connection it came on.
    pub peer: std::net::SocketAddr,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the server answers to the next request.
#[derive(Debug, Clone)]
pub enum Reply {
    Whole {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// `text/event-stream`: the chunks, each sent `delay` after the previous one;
    /// then the body ends, or (`hang_after`) stays open without another byte.
    Stream {
        chunks: Vec<Vec<u8>>,
        delay: Duration,
        hang_after: bool,
    },
    /// Never answers, not even with headers.
    Hang,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply::Whole {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Self {
        Reply::Whole {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Whole { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// An event stream sent in one piece.
    pub fn sse(text: &str) -> Self {
        Reply::Stream {
            chunks: vec![text.as_bytes().to_vec()],
            delay: Duration::ZERO,
            hang_after: false,
        }
    }

    /// An event stream cut inside every multi-byte character, and every few bytes
    /// besides (so also inside `data:`, inside JSON strings and between \r and \n).
    pub fn sse_awkward(text: &str) -> Self {
        Reply::Stream {
            chunks: awkward_chunks(text),
            delay: Duration::from_millis(1),
            hang_after: false,
        }
    }

    /// One chunk per event, `delay` apart.
    pub fn sse_slow(events: &[&str], delay: Duration) -> Self {
        Reply::Stream {
            chunks: events.iter().map(|e| e.as_bytes().to_vec()).collect(),
            delay,
            hang_after: false,
        }
    }

    /// These events, then silence with the connection open.
    pub fn sse_then_hang(events: &[&str]) -> Self {
        Reply::Stream {
            chunks: events.iter().map(|e| e.as_bytes().to_vec()).collect(),
            delay: Duration::ZERO,
            hang_after: true,
        }
    }
}

/// Cuts `text` inside every multi-byte UTF-8 character and every 7 bytes.
pub fn awkward_chunks(text: &str) -> Vec<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0;
    for i in 1..bytes.len() {
        if !text.is_char_boundary(i) || i % 7 == 0 {
            chunks.push(bytes[start..i].to_vec());
            start = i;
        }
    }
    chunks.push(bytes[start..].to_vec());
    assert!(
        chunks.iter().any(|c| std::str::from_utf8(c).is_err()),
        "the script should contain a multi-byte character to split"
    );
    chunks
}

#[derive(Default)]
struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    /// Streams whose body was dropped before all chunks were sent (client left).
    abandoned_streams: AtomicUsize,
    finished_streams: AtomicUsize,
}

pub struct Server {
    pub url: String,
    shared: Arc<Shared>,
}

impl Server {
    /// Starts a server on 127.0.0.1 (a free port) that answers with `replies` in order.
    pub async fn start(replies: Vec<Reply>) -> Server {
        let shared = Arc::new(Shared {
            replies: Mutex::new(replies.into()),
            ..Shared::default()
        });
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { url, shared }
    }

    /// The server's address with a path, e.g. `url_with("/v1")`.
    pub fn url_with(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected one request, got {requests:#?}");
        requests.into_iter().next().unwrap()
    }

    pub fn abandoned_streams(&self) -> usize {
        self.shared.abandoned_streams.load(Ordering::SeqCst)
    }

    pub fn finished_streams(&self) -> usize {
        self.shared.finished_streams.load(Ordering::SeqCst)
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    shared.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers.clone(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        peer,
    });
    let reply = shared.replies.lock().unwrap().pop_front();
    match reply {
        None => whole(500, &[], "no scripted reply left".into()),
        Some(Reply::Whole {
            status,
            headers,
            body,
        }) => whole(status, &headers, body),
        Some(Reply::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            whole(500, &[], String::new())
        }
        Some(Reply::Stream {
            chunks,
            delay,
            hang_after,
        }) => stream_reply(shared, chunks, delay, hang_after),
    }
}

fn whole(status: u16, headers: &[(String, String)], body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (name, value) in headers {
        response.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    response
}

/// Counts, on drop, whether the stream was sent to its end or abandoned.
struct StreamWatch {
    shared: Arc<Shared>,
    done: bool,
}

impl StreamWatch {
    fn finish(&mut self) {
        self.done = true;
    }
}

impl Drop for StreamWatch {
    fn drop(&mut self) {
        let counter = if self.done {
            &self.shared.finished_streams
        } else {
            &self.shared.abandoned_streams
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

fn stream_reply(
    shared: Arc<Shared>,
    chunks: Vec<Vec<u8>>,
    delay: Duration,
    hang_after: bool,
) -> Response {
    let watch = StreamWatch {
        shared,
        done: false,
    };
    let state = (VecDeque::from(chunks), watch, true);
    let body =
        futures_util::stream::unfold(state, move |(mut chunks, mut watch, first)| async move {
            if !first && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            match chunks.pop_front() {
                Some(chunk) => Some((
                    Ok::<_, std::io::Error>(Bytes::from(chunk)),
                    (chunks, watch, false),
                )),
                None if hang_after => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    None
                }
                None => {
                    watch.finish();
                    None
                }
            }
        });
    let mut response = Response::new(Body::from_stream(body));
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/event-stream"),
    );
    response
}

/// A provider config for `server`: short time limits and quick retries, so the
/// tests are fast; `base_path` is appended to the server's address.
pub fn config(provider: ProviderId, server: &Server, base_path: &str) -> ProviderConfig {
    let mut config = ProviderConfig::new(
        provider,
        Some(&server.url_with(base_path)),
        Some(ApiKey::new(KEY).unwrap()),
    )
    .unwrap();
    config.timeouts = Timeouts {
        connect: Duration::from_secs(2),
        first_token: Duration::from_secs(2),
        total: Duration::from_secs(20),
    };
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    };
    config
}

/// Collects the pieces a streamed reply passed on, and the retries it announced.
#[derive(Default)]
pub struct Collected {
    pub pieces: Vec<String>,
    pub retries: Vec<(u32, Duration)>,
}

impl Collected {
    pub fn text(&self) -> String {
        self.pieces.concat()
    }
}

/// Streams `request` and returns the result with what was passed on meanwhile.
pub async fn stream(
    provider: &dyn sandpiper::llm::Provider,
    request: &sandpiper::llm::CompletionRequest,
) -> (
    Result<sandpiper::llm::Completion, sandpiper::llm::LlmError>,
    Collected,
) {
    let collected = Arc::new(Mutex::new(Collected::default()));
    let sink = collected.clone();
    let mut on_update = move |update: sandpiper::llm::Update<'_>| {
        let mut c = sink.lock().unwrap();
        match update {
            sandpiper::llm::Update::Text(t) => c.pieces.push(t.to_owned()),
            sandpiper::llm::Update::Retrying { attempt, wait, .. } => {
                c.retries.push((attempt, wait))
            }
        }
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let result = provider.stream(request, &mut on_update, &cancel).await;
    let collected = std::mem::take(&mut *collected.lock().unwrap());
    (result, collected)
}

/// The body of one SSE event line pair: `data: {json}\n\n`.
pub fn data(json: Value) -> String {
    format!("data: {json}\n\n")
}

/// A streamed Chat Completions reply of `text` in one piece, as a local
/// model's server sends it (OpenAI's wire format, `[DONE]` at the end).
pub fn chat_reply(text: &str) -> Reply {
    let chunk = |delta: Value, finish: Value| {
        data(serde_json::json!({
            "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
        }))
    };
    let events = [
        chunk(serde_json::json!({ "content": text }), Value::Null),
        chunk(serde_json::json!({}), Value::from("stop")),
        "data: [DONE]\n\n".to_owned(),
    ];
    let events: Vec<&str> = events.iter().map(String::as_str).collect();
    Reply::sse_slow(&events, Duration::from_millis(1))
}

/// A named SSE event, as Anthropic sends them.
pub fn event(name: &str, json: Value) -> String {
    format!("event: {name}\ndata: {json}\n\n")
}
