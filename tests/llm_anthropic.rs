//! Claude through Anthropic's Messages API, against a local server that speaks
//! its wire format: request shape, whole and streamed replies, every error class,
//! Retry-After, and the model list.

mod llm_support;

use llm_support::{IsExpected, KEY, Reply, Server, config, event, stream};
use sandpiper::llm::{self, CompletionRequest, LlmError, Message, ProviderId};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn request() -> CompletionRequest {
    CompletionRequest {
        model: "claude-sonnet-4-5".into(),
        system: Some("You write pandas code.".into()),
        messages: vec![
            Message::user("How many rows?"),
            Message::assistant("print(len(df))"),
            Message::user("And columns?"),
        ],
        max_tokens: 512,
        temperature: Some(0.0),
    }
}

fn message(text: &str) -> serde_json::Value {
    json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 25, "output_tokens": 7, "cache_read_input_tokens": 5}
    })
}

/// A whole streamed reply as Anthropic sends it, saying `pieces`.
fn streamed(pieces: &[&str]) -> String {
    let mut sse = event(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": "msg_01", "type": "message", "role": "assistant", "content": [],
            "model": "claude-sonnet-4-5-20250929", "stop_reason": null,
            "usage": {"input_tokens": 25, "output_tokens": 1}}}),
    );
    sse += &event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    sse += &event("ping", json!({"type": "ping"}));
    for piece in pieces {
        sse += &event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": piece}}),
        );
    }
    sse += &event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    );
    sse += &event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
               "usage": {"output_tokens": 15}}),
    );
    sse += &event("message_stop", json!({"type": "message_stop"}));
    sse
}

async fn provider(server: &Server) -> Box<dyn llm::Provider> {
    llm::connect(config(ProviderId::Anthropic, server, "")).unwrap()
}

#[tokio::test]
async fn a_whole_reply_is_asked_for_in_the_messages_format_and_read_with_its_usage() {
    let server = Server::start(vec![Reply::json(200, message("print(df.shape[1])"))]).await;
    let claude = provider(&server).await;
    let done = claude
        .complete(&request(), &CancellationToken::new())
        .await
        .unwrap();

    assert_eq!(done.text, "print(df.shape[1])");
    assert_eq!(
        done.usage.input_tokens,
        Some(30),
        "cache reads count as input"
    );
    assert_eq!(done.usage.output_tokens, Some(7));
    assert_eq!(done.stop_reason.as_deref(), Some("end_turn"));
    assert_eq!(done.model.as_deref(), Some("claude-sonnet-4-5-20250929"));

    let sent = server.only_request();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.body,
        json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 512,
            "system": "You write pandas code.",
            "temperature": 0.0,
            "messages": [
                {"role": "user", "content": "How many rows?"},
                {"role": "assistant", "content": "print(len(df))"},
                {"role": "user", "content": "And columns?"}
            ]
        })
    );
    assert_eq!(claude.request_body(&request(), false), sent.body);
}

#[tokio::test]
async fn a_stream_cut_at_awkward_bytes_arrives_piece_by_piece_and_whole() {
    let pieces = ["Voilà ", "les données 📊", " — prêtes: ", "df.describe()"];
    let server = Server::start(vec![Reply::sse_awkward(&streamed(&pieces))]).await;
    let claude = provider(&server).await;
    let (result, seen) = stream(claude.as_ref(), &request()).await;
    let done = result.unwrap();

    assert_eq!(done.text, pieces.concat());
    assert_eq!(seen.text(), pieces.concat());
    assert_eq!(seen.pieces, pieces, "one update per text delta, in order");
    assert_eq!(done.usage.input_tokens, Some(25));
    assert_eq!(done.usage.output_tokens, Some(15));
    assert_eq!(done.stop_reason.as_deref(), Some("end_turn"));
    assert!(done.first_token.unwrap() <= done.duration);

    let sent = server.only_request();
    assert_eq!(sent.body["stream"], json!(true));
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
}

/// Error replies in Anthropic's shape: `{"type":"error","error":{"type":..,"message":..}}`.
fn anthropic_error(status: u16, kind: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"type": "error", "error": {"type": kind, "message": message}}),
    )
}

#[tokio::test]
async fn each_error_reply_becomes_the_error_the_analyst_can_act_on() {
    let cases: Vec<(Reply, IsExpected, &str)> = vec![
        (
            anthropic_error(401, "authentication_error", "invalid x-api-key"),
            |e| matches!(e, LlmError::InvalidKey { .. }),
            "did not accept your API key",
        ),
        (
            anthropic_error(
                403,
                "permission_error",
                "Your API key does not have permission",
            ),
            |e| matches!(e, LlmError::InvalidKey { .. }),
            "did not accept your API key",
        ),
        (
            anthropic_error(404, "not_found_error", "model: claude-sonnet-9"),
            |e| matches!(e, LlmError::UnknownModel { model, .. } if model == "claude-sonnet-4-5"),
            "has no model called",
        ),
        (
            anthropic_error(
                400,
                "invalid_request_error",
                "Your credit balance is too low to access the Anthropic API.",
            ),
            |e| matches!(e, LlmError::OutOfCredit { .. }),
            "run out of credit",
        ),
        (
            anthropic_error(
                400,
                "invalid_request_error",
                "prompt is too long: 250000 tokens > 200000 maximum",
            ),
            |e| matches!(e, LlmError::ContextTooLong { .. }),
            "too long for this model",
        ),
        (
            anthropic_error(413, "request_too_large", "Request exceeds the maximum size"),
            |e| matches!(e, LlmError::ContextTooLong { .. }),
            "too long for this model",
        ),
        (
            anthropic_error(
                429,
                "rate_limit_error",
                "Number of request tokens has exceeded your per-minute rate limit",
            ),
            |e| matches!(e, LlmError::RateLimited { attempts: 3, .. }),
            "limiting how fast",
        ),
        (
            anthropic_error(529, "overloaded_error", "Overloaded"),
            |e| {
                matches!(
                    e,
                    LlmError::Unavailable {
                        status: Some(529),
                        attempts: 3,
                        ..
                    }
                )
            },
            "overloaded",
        ),
        (
            anthropic_error(500, "api_error", "Internal server error"),
            |e| {
                matches!(
                    e,
                    LlmError::Unavailable {
                        status: Some(500),
                        ..
                    }
                )
            },
            "overloaded",
        ),
        (
            Reply::text(
                200,
                "text/html",
                "<html><body>Sign in to the Wi-Fi</body></html>",
            ),
            |e| matches!(e, LlmError::Malformed { reason, .. } if reason.contains("HTML")),
            "could not read",
        ),
    ];
    for (reply, is_expected, title) in cases {
        // Retryable errors are sent three times (the test policy's tries).
        let server = Server::start(vec![reply.clone(), reply.clone(), reply]).await;
        let claude = provider(&server).await;
        let err = claude
            .complete(&request(), &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(is_expected(&err), "unexpected {err:?}");
        let words = err.plain_words();
        assert!(words.title.contains(title), "{words:?}");
        assert!(!words.advice.is_empty());
    }
}

#[tokio::test]
async fn an_overloaded_error_event_before_any_text_is_retried_then_the_reply_streams() {
    let overloaded = event(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": "m", "type": "message", "role": "assistant", "content": [], "model": "c",
            "usage": {"input_tokens": 3, "output_tokens": 1}}}),
    ) + &event(
        "error",
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    );
    let server = Server::start(vec![
        Reply::sse(&overloaded),
        Reply::sse(&streamed(&["Hello"])),
    ])
    .await;
    let claude = provider(&server).await;
    let (result, seen) = stream(claude.as_ref(), &request()).await;
    let done = result.unwrap();
    assert_eq!(done.text, "Hello");
    assert_eq!(done.attempts, 2);
    assert_eq!(seen.retries.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_after_text_was_shown_is_not_retried() {
    let broken = streamed(&["Half an ans"]).replace(
        "event: message_stop",
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\nevent: message_stop",
    );
    let server = Server::start(vec![Reply::sse(&broken), Reply::sse(&streamed(&["x"]))]).await;
    let claude = provider(&server).await;
    let (result, seen) = stream(claude.as_ref(), &request()).await;
    assert!(
        matches!(result, Err(LlmError::Unavailable { .. })),
        "{result:?}"
    );
    assert_eq!(seen.text(), "Half an ans");
    assert_eq!(
        server.requests().len(),
        1,
        "the shown text would be repeated"
    );
}

#[tokio::test]
async fn a_stream_that_ends_without_message_stop_is_reported_as_broken_off() {
    let cut = streamed(&["Hel"]);
    let cut = &cut[..cut.find("event: message_stop").unwrap()];
    let server = Server::start(vec![Reply::sse(cut)]).await;
    let claude = provider(&server).await;
    let (result, _) = stream(claude.as_ref(), &request()).await;
    let err = result.unwrap_err();
    assert!(matches!(err, LlmError::Interrupted { .. }), "{err:?}");
    assert!(err.plain_words().title.contains("broke off"));
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    let server = Server::start(vec![
        anthropic_error(429, "rate_limit_error", "slow down").with_header("retry-after", "1"),
        Reply::json(200, message("ok")),
    ])
    .await;
    let claude = provider(&server).await;
    let started = Instant::now();
    let done = claude
        .complete(&request(), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(done.text, "ok");
    assert_eq!(done.attempts, 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn models_are_listed_page_by_page() {
    let server = Server::start(vec![
        Reply::json(
            200,
            json!({"data": [
                {"type": "model", "id": "claude-opus-4-1", "display_name": "Claude Opus 4.1", "created_at": "2025-08-05T00:00:00Z"},
                {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}
            ], "has_more": true, "first_id": "claude-opus-4-1", "last_id": "claude-sonnet-4-5"}),
        ),
        Reply::json(
            200,
            json!({"data": [
                {"type": "model", "id": "claude-haiku-4-5", "display_name": "Claude Haiku 4.5", "created_at": "2025-10-01T00:00:00Z"}
            ], "has_more": false, "first_id": "claude-haiku-4-5", "last_id": "claude-haiku-4-5"}),
        ),
    ])
    .await;
    let claude = provider(&server).await;
    let models = claude.list_models(&CancellationToken::new()).await.unwrap();
    let ids: Vec<_> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        ["claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5"]
    );
    assert_eq!(models[1].display_name.as_deref(), Some("Claude Sonnet 4.5"));

    let requests = server.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/v1/models");
    assert_eq!(requests[0].header("x-api-key"), Some(KEY));
    assert_eq!(requests[0].header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(requests[0].query.as_deref(), Some("limit=1000"));
    assert_eq!(
        requests[1].query.as_deref(),
        Some("limit=1000&after_id=claude-sonnet-4-5")
    );
}

#[tokio::test]
async fn without_a_key_claude_is_not_called_and_the_analyst_is_told_where_to_add_one() {
    let server = Server::start(vec![]).await;
    let mut config = config(ProviderId::Anthropic, &server, "");
    config.key = None;
    let err = llm::connect(config).unwrap_err();
    assert!(matches!(err, LlmError::MissingKey { .. }));
    assert!(err.plain_words().advice.contains("Settings"));
    assert!(server.requests().is_empty());
}
