//! OpenAI's Chat Completions, and the OpenAI-compatible servers (llama.cpp, vLLM,
//! Ollama, LM Studio), against a local server that speaks the wire format.

mod llm_support;

use llm_support::{IsExpected, KEY, Reply, Server, config, data, stream};
use sandpiper::llm::{self, CompletionRequest, LlmError, Message, ProviderConfig, ProviderId};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn request(model: &str) -> CompletionRequest {
    CompletionRequest {
        model: model.into(),
        system: Some("You write pandas code.".into()),
        messages: vec![Message::user("How many rows?")],
        max_tokens: 300,
        temperature: Some(0.2),
    }
}

fn completion(text: &str) -> serde_json::Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini-2025-04-14",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": null},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 19, "completion_tokens": 4, "total_tokens": 23}
    })
}

fn chunk(text: &str) -> String {
    data(json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}], "usage": null
    }))
}

fn streamed(pieces: &[&str]) -> String {
    let mut sse = data(json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]
    }));
    for piece in pieces {
        sse += &chunk(piece);
    }
    sse += &data(json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": null
    }));
    sse += &data(json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4.1-mini",
        "choices": [], "usage": {"prompt_tokens": 19, "completion_tokens": 12, "total_tokens": 31}
    }));
    sse + "data: [DONE]\n\n"
}

#[tokio::test]
async fn openai_is_asked_with_a_bearer_key_and_max_completion_tokens() {
    let server = Server::start(vec![Reply::json(200, completion("print(len(df))"))]).await;
    let openai = llm::connect(config(ProviderId::OpenAi, &server, "/v1")).unwrap();
    let done = openai
        .complete(&request("gpt-4.1-mini"), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(done.text, "print(len(df))");
    assert_eq!(done.usage.input_tokens, Some(19));
    assert_eq!(done.usage.output_tokens, Some(4));
    assert_eq!(done.stop_reason.as_deref(), Some("stop"));

    let sent = server.only_request();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(
        sent.body,
        json!({
            "model": "gpt-4.1-mini",
            "messages": [
                {"role": "system", "content": "You write pandas code."},
                {"role": "user", "content": "How many rows?"}
            ],
            "max_completion_tokens": 300,
            "temperature": 0.2
        })
    );
}

#[tokio::test]
async fn a_stream_cut_at_awkward_bytes_arrives_whole_with_the_usage_chunk() {
    let pieces = ["Voilà ", "les données 📊", " — prêtes"];
    let server = Server::start(vec![Reply::sse_awkward(&streamed(&pieces))]).await;
    let openai = llm::connect(config(ProviderId::OpenAi, &server, "/v1")).unwrap();
    let (result, seen) = stream(openai.as_ref(), &request("gpt-4.1-mini")).await;
    let done = result.unwrap();
    assert_eq!(seen.pieces, pieces);
    assert_eq!(done.text, pieces.concat());
    assert_eq!(done.usage.input_tokens, Some(19));
    assert_eq!(done.usage.output_tokens, Some(12));
    assert_eq!(done.stop_reason.as_deref(), Some("stop"));

    let sent = server.only_request();
    assert_eq!(sent.body["stream"], json!(true));
    assert_eq!(sent.body["stream_options"], json!({"include_usage": true}));
}

#[tokio::test]
async fn compatible_servers_get_max_tokens_and_no_key_when_none_is_set() {
    for provider in [
        ProviderId::OpenAiCompatible,
        ProviderId::Ollama,
        ProviderId::LmStudio,
    ] {
        let server = Server::start(vec![Reply::sse(&streamed(&["hi"]))]).await;
        let mut config = config(provider, &server, "/v1");
        config.key = None;
        let local = llm::connect(config).unwrap();
        let (result, _) = stream(local.as_ref(), &request("qwen2.5-coder")).await;
        assert_eq!(result.unwrap().text, "hi");
        let sent = server.only_request();
        assert_eq!(sent.path, "/v1/chat/completions");
        assert_eq!(sent.header("authorization"), None, "{provider}");
        assert_eq!(sent.body["max_tokens"], json!(300), "{provider}");
        assert_eq!(sent.body.get("max_completion_tokens"), None);
    }
}

#[tokio::test]
async fn the_presets_point_at_ollama_and_lm_studio_on_this_computer() {
    let ollama = ProviderConfig::new(ProviderId::Ollama, None, None).unwrap();
    assert_eq!(ollama.base_url.as_str(), "http://localhost:11434/v1");
    let lmstudio = ProviderConfig::new(ProviderId::LmStudio, None, None).unwrap();
    assert_eq!(lmstudio.base_url.as_str(), "http://localhost:1234/v1");
    let err = ProviderConfig::new(ProviderId::OpenAiCompatible, None, None).unwrap_err();
    assert!(err.plain_words().advice.contains("needs an address"));
    let err = ProviderConfig::new(ProviderId::OpenAiCompatible, Some("localhost:8000"), None)
        .unwrap_err();
    assert!(err.plain_words().advice.contains("http://"), "{err:?}");
}

#[tokio::test]
async fn a_stream_without_done_but_with_a_finish_reason_is_complete() {
    // llama.cpp and some proxies close the body without `data: [DONE]`.
    let sse = streamed(&["fine"]).replace("data: [DONE]\n\n", "");
    let server = Server::start(vec![Reply::sse(&sse)]).await;
    let local = llm::connect(config(ProviderId::OpenAiCompatible, &server, "/v1")).unwrap();
    let (result, _) = stream(local.as_ref(), &request("m")).await;
    assert_eq!(result.unwrap().text, "fine");
}

fn openai_error(status: u16, kind: &str, code: Option<&str>, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
    )
}

#[tokio::test]
async fn each_error_reply_becomes_the_error_the_analyst_can_act_on() {
    let cases: Vec<(ProviderId, Reply, IsExpected, &str)> = vec![
        (
            ProviderId::OpenAi,
            openai_error(
                401,
                "invalid_request_error",
                Some("invalid_api_key"),
                &format!(
                    "Incorrect API key provided: {KEY}. You can find your API key at https://platform.openai.com/account/api-keys."
                ),
            ),
            |e| matches!(e, LlmError::InvalidKey { .. }),
            "did not accept your API key",
        ),
        (
            ProviderId::OpenAi,
            openai_error(
                404,
                "invalid_request_error",
                Some("model_not_found"),
                "The model `gpt-9` does not exist or you do not have access to it.",
            ),
            |e| matches!(e, LlmError::UnknownModel { .. }),
            "has no model called",
        ),
        (
            ProviderId::OpenAi,
            openai_error(
                429,
                "insufficient_quota",
                Some("insufficient_quota"),
                "You exceeded your current quota, please check your plan and billing details.",
            ),
            |e| matches!(e, LlmError::OutOfCredit { .. }),
            "run out of credit or quota",
        ),
        (
            ProviderId::OpenAi,
            openai_error(
                429,
                "requests",
                Some("rate_limit_exceeded"),
                "Rate limit reached for gpt-4.1-mini on requests per min (RPM): Limit 3, Used 3.",
            ),
            |e| matches!(e, LlmError::RateLimited { attempts: 3, .. }),
            "limiting how fast",
        ),
        (
            ProviderId::OpenAi,
            openai_error(
                400,
                "invalid_request_error",
                Some("context_length_exceeded"),
                "This model's maximum context length is 128000 tokens. However, your messages resulted in 200000 tokens.",
            ),
            |e| matches!(e, LlmError::ContextTooLong { .. }),
            "too long for this model",
        ),
        (
            ProviderId::OpenAi,
            openai_error(
                503,
                "server_error",
                None,
                "The engine is currently overloaded.",
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
            ProviderId::Ollama,
            openai_error(
                404,
                "api_error",
                None,
                "model \"llama9\" not found, try pulling it first",
            ),
            |e| matches!(e, LlmError::UnknownModel { .. }),
            "has no model called",
        ),
        (
            ProviderId::OpenAiCompatible,
            openai_error(
                400,
                "exceed_context_size_error",
                None,
                "the request exceeds the available context size, try increasing it",
            ),
            |e| matches!(e, LlmError::ContextTooLong { .. }),
            "too long for this model",
        ),
        (
            ProviderId::OpenAiCompatible,
            Reply::text(404, "text/plain", "404 page not found"),
            |e| matches!(e, LlmError::Rejected { status: 404, .. }),
            "refused the request",
        ),
        (
            ProviderId::OpenAi,
            Reply::json(200, json!({"id": "x", "choices": []})),
            |e| matches!(e, LlmError::Malformed { .. }),
            "could not read",
        ),
    ];
    for (provider, reply, is_expected, title) in cases {
        let server = Server::start(vec![reply.clone(), reply.clone(), reply]).await;
        let openai = llm::connect(config(provider, &server, "/v1")).unwrap();
        let err = openai
            .complete(&request("gpt-9"), &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(is_expected(&err), "{provider}: unexpected {err:?}");
        let words = err.plain_words();
        assert!(words.title.contains(title), "{words:?}");
        assert!(
            !format!("{err} {err:?} {words}").contains(KEY),
            "a key echoed by the provider is not repeated"
        );
    }
}

#[tokio::test]
async fn a_429_with_retry_after_ms_is_waited_out_then_the_stream_succeeds() {
    let server = Server::start(vec![
        openai_error(
            429,
            "requests",
            Some("rate_limit_exceeded"),
            "Rate limit reached",
        )
        .with_header("retry-after-ms", "800"),
        Reply::sse(&streamed(&["ok"])),
    ])
    .await;
    let openai = llm::connect(config(ProviderId::OpenAi, &server, "/v1")).unwrap();
    let started = Instant::now();
    let (result, seen) = stream(openai.as_ref(), &request("gpt-4.1-mini")).await;
    let done = result.unwrap();
    assert_eq!(done.text, "ok");
    assert_eq!(done.attempts, 2);
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert_eq!(seen.retries.len(), 1);
}

#[tokio::test]
async fn a_retry_after_longer_than_a_minute_is_not_waited_for() {
    let server = Server::start(vec![
        openai_error(
            429,
            "requests",
            Some("rate_limit_exceeded"),
            "Rate limit reached",
        )
        .with_header("retry-after", "3600"),
    ])
    .await;
    let openai = llm::connect(config(ProviderId::OpenAi, &server, "/v1")).unwrap();
    let started = Instant::now();
    let err = openai
        .complete(&request("gpt-4.1-mini"), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(err, LlmError::RateLimited { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.plain_words().advice.contains("Wait 60 min"),
        "{:?}",
        err.plain_words()
    );
}

#[tokio::test]
async fn openai_lists_chat_models_only_and_compatible_servers_list_everything() {
    let list = json!({"object": "list", "data": [
        {"id": "gpt-4.1-mini", "object": "model", "created": 1, "owned_by": "system"},
        {"id": "text-embedding-3-small", "object": "model", "created": 1, "owned_by": "system"},
        {"id": "whisper-1", "object": "model", "created": 1, "owned_by": "system"},
        {"id": "o4-mini", "object": "model", "created": 1, "owned_by": "system"}
    ]});
    let server = Server::start(vec![Reply::json(200, list.clone()), Reply::json(200, list)]).await;
    let openai = llm::connect(config(ProviderId::OpenAi, &server, "/v1")).unwrap();
    let ids: Vec<_> = openai
        .list_models(&CancellationToken::new())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["gpt-4.1-mini", "o4-mini"]);
    let local = llm::connect(config(ProviderId::LmStudio, &server, "/v1")).unwrap();
    assert_eq!(
        local
            .list_models(&CancellationToken::new())
            .await
            .unwrap()
            .len(),
        4
    );
    let requests = server.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}
