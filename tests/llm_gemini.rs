//! Google Gemini through `generateContent` / `streamGenerateContent?alt=sse`,
//! against a local server that speaks its wire format.

mod llm_support;

use llm_support::{IsExpected, KEY, Reply, Server, config, data, stream};
use sandpiper::llm::{self, CompletionRequest, LlmError, Message, ProviderId};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn request() -> CompletionRequest {
    CompletionRequest {
        model: "gemini-2.5-flash".into(),
        system: Some("You write pandas code.".into()),
        messages: vec![
            Message::user("How many rows?"),
            Message::assistant("print(len(df))"),
            Message::user("And columns?"),
        ],
        max_tokens: 256,
        temperature: None,
    }
}

fn chunk(text: &str, finish: Option<&str>, usage: Option<(u64, u64)>) -> serde_json::Value {
    let mut candidate =
        json!({"content": {"parts": [{"text": text}], "role": "model"}, "index": 0});
    if let Some(reason) = finish {
        candidate["finishReason"] = json!(reason);
    }
    let mut value = json!({"candidates": [candidate], "modelVersion": "gemini-2.5-flash-001"});
    if let Some((prompt, out)) = usage {
        value["usageMetadata"] = json!({"promptTokenCount": prompt, "candidatesTokenCount": out, "totalTokenCount": prompt + out});
    }
    value
}

/// Gemini ends SSE events with \r\n\r\n.
fn crlf(event: String) -> String {
    event.replace("\n\n", "\r\n\r\n")
}

async fn provider(server: &Server) -> Box<dyn llm::Provider> {
    llm::connect(config(ProviderId::Gemini, server, "/v1beta")).unwrap()
}

#[tokio::test]
async fn a_whole_reply_is_asked_for_with_generate_content_and_read_with_its_usage() {
    let mut reply = chunk("print(df.shape[1])", Some("STOP"), Some((40, 6)));
    reply["usageMetadata"]["thoughtsTokenCount"] = json!(10);
    reply["candidates"][0]["content"]["parts"] =
        json!([{"text": "Let me think", "thought": true}, {"text": "print(df.shape[1])"}]);
    let server = Server::start(vec![Reply::json(200, reply)]).await;
    let gemini = provider(&server).await;
    let done = gemini
        .complete(&request(), &CancellationToken::new())
        .await
        .unwrap();

    assert_eq!(
        done.text, "print(df.shape[1])",
        "thoughts are not part of the answer"
    );
    assert_eq!(done.usage.input_tokens, Some(40));
    assert_eq!(
        done.usage.output_tokens,
        Some(16),
        "thinking is billed as output"
    );
    assert_eq!(done.stop_reason.as_deref(), Some("STOP"));

    let sent = server.only_request();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1beta/models/gemini-2.5-flash:generateContent");
    assert_eq!(sent.query, None, "the key is never in the address");
    assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
    assert_eq!(
        sent.body,
        json!({
            "systemInstruction": {"parts": [{"text": "You write pandas code."}]},
            "contents": [
                {"role": "user", "parts": [{"text": "How many rows?"}]},
                {"role": "model", "parts": [{"text": "print(len(df))"}]},
                {"role": "user", "parts": [{"text": "And columns?"}]}
            ],
            "generationConfig": {"maxOutputTokens": 256}
        })
    );
}

#[tokio::test]
async fn a_stream_cut_at_awkward_bytes_arrives_piece_by_piece_and_whole() {
    let pieces = ["Voilà ", "les données 📊", " — prêtes"];
    let sse = crlf(data(chunk(pieces[0], None, None)))
        + &crlf(data(chunk(pieces[1], None, None)))
        + &crlf(data(chunk(pieces[2], Some("STOP"), Some((12, 9)))));
    let server = Server::start(vec![Reply::sse_awkward(&sse)]).await;
    let gemini = provider(&server).await;
    let (result, seen) = stream(gemini.as_ref(), &request()).await;
    let done = result.unwrap();

    assert_eq!(seen.pieces, pieces);
    assert_eq!(done.text, pieces.concat());
    assert_eq!(done.usage.input_tokens, Some(12));
    assert_eq!(done.usage.output_tokens, Some(9));
    assert_eq!(done.model.as_deref(), Some("gemini-2.5-flash-001"));

    let sent = server.only_request();
    assert_eq!(
        sent.path,
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    );
    assert_eq!(sent.query.as_deref(), Some("alt=sse"));
    assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
}

fn google_error(status: u16, code: &str, message: &str, details: serde_json::Value) -> Reply {
    Reply::json(
        status,
        json!({"error": {"code": status, "message": message, "status": code, "details": details}}),
    )
}

#[tokio::test]
async fn each_error_reply_becomes_the_error_the_analyst_can_act_on() {
    let cases: Vec<(Reply, IsExpected, &str)> = vec![
        (
            google_error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]),
            ),
            |e| matches!(e, LlmError::InvalidKey { .. }),
            "did not accept your API key",
        ),
        (
            google_error(
                403,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers.",
                json!([]),
            ),
            |e| matches!(e, LlmError::InvalidKey { .. }),
            "did not accept your API key",
        ),
        (
            google_error(
                404,
                "NOT_FOUND",
                "models/gemini-9 is not found for API version v1beta",
                json!([]),
            ),
            |e| matches!(e, LlmError::UnknownModel { .. }),
            "has no model called",
        ),
        (
            google_error(
                400,
                "INVALID_ARGUMENT",
                "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
                json!([]),
            ),
            |e| matches!(e, LlmError::ContextTooLong { .. }),
            "too long for this model",
        ),
        (
            google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "You exceeded your current quota, please check your plan and billing details.",
                json!([{"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                                        "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]),
            ),
            |e| matches!(e, LlmError::OutOfCredit { .. }),
            "run out of credit or quota",
        ),
        (
            google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Resource has been exhausted (e.g. check quota).",
                json!([{"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [{"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]}]),
            ),
            |e| matches!(e, LlmError::RateLimited { attempts: 3, .. }),
            "limiting how fast",
        ),
        (
            google_error(
                503,
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
                json!([]),
            ),
            |e| {
                matches!(
                    e,
                    LlmError::Unavailable {
                        status: Some(503),
                        ..
                    }
                )
            },
            "overloaded",
        ),
        (
            Reply::json(200, json!({"promptFeedback": {"blockReason": "SAFETY"}})),
            |e| matches!(e, LlmError::Blocked { reason, .. } if reason == "SAFETY"),
            "declined to answer",
        ),
        (
            Reply::json(200, json!({"candidates": "not a list"})),
            |e| matches!(e, LlmError::Malformed { .. }),
            "could not read",
        ),
    ];
    for (reply, is_expected, title) in cases {
        let server = Server::start(vec![reply.clone(), reply.clone(), reply]).await;
        let gemini = provider(&server).await;
        let err = gemini
            .complete(&request(), &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(is_expected(&err), "unexpected {err:?}");
        assert!(
            err.plain_words().title.contains(title),
            "{:?}",
            err.plain_words()
        );
    }
}

#[tokio::test]
async fn a_429_asking_for_a_retry_delay_is_waited_out_then_the_stream_succeeds() {
    let limited = google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota).",
        json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}]),
    );
    let server = Server::start(vec![
        limited,
        Reply::sse(&crlf(data(chunk("ok", Some("STOP"), Some((1, 1)))))),
    ])
    .await;
    let gemini = provider(&server).await;
    let started = Instant::now();
    let (result, seen) = stream(gemini.as_ref(), &request()).await;
    assert_eq!(result.unwrap().text, "ok");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(seen.retries.len(), 1);
    assert!(seen.retries[0].1 >= Duration::from_secs(1));
}

#[tokio::test]
async fn an_error_in_the_middle_of_the_stream_is_reported_as_such() {
    let sse = crlf(data(
        json!({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}),
    ));
    let server = Server::start(vec![Reply::sse(&sse), Reply::sse(&sse), Reply::sse(&sse)]).await;
    let gemini = provider(&server).await;
    let (result, seen) = stream(gemini.as_ref(), &request()).await;
    assert!(
        matches!(result, Err(LlmError::Unavailable { attempts: 3, .. })),
        "{result:?}"
    );
    assert_eq!(seen.retries.len(), 2);
}

#[tokio::test]
async fn models_that_can_chat_are_listed_across_pages() {
    let server = Server::start(vec![
        Reply::json(
            200,
            json!({"models": [
                {"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash", "inputTokenLimit": 1048576,
                 "supportedGenerationMethods": ["generateContent", "countTokens"]},
                {"name": "models/text-embedding-004", "displayName": "Text Embedding 004",
                 "supportedGenerationMethods": ["embedContent"]}
            ], "nextPageToken": "page-2"}),
        ),
        Reply::json(
            200,
            json!({"models": [
                {"name": "models/gemini-flash-latest", "displayName": "Gemini Flash Latest",
                 "supportedGenerationMethods": ["generateContent"]}
            ]}),
        ),
    ])
    .await;
    let gemini = provider(&server).await;
    let models = gemini.list_models(&CancellationToken::new()).await.unwrap();
    let ids: Vec<_> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["gemini-2.5-flash", "gemini-flash-latest"]);
    assert_eq!(models[0].input_token_limit, Some(1_048_576));
    let requests = server.requests();
    assert_eq!(requests[0].path, "/v1beta/models");
    assert_eq!(requests[0].query.as_deref(), Some("pageSize=1000"));
    assert_eq!(
        requests[1].query.as_deref(),
        Some("pageSize=1000&pageToken=page-2")
    );
    assert_eq!(requests[1].header("x-goog-api-key"), Some(KEY));
}
