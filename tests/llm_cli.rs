//! `sandpiper models` and `sandpiper ask`, run as the real binary against a local
//! server that speaks the providers' wire formats.

mod llm_support;

use llm_support::{KEY, Reply, Server, data, event};
use serde_json::json;
use std::process::Output;

async fn sandpiper(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"));
    command.args(args);
    for var in ["ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY"] {
        command.env_remove(var);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().await.unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn models_lists_what_the_server_offers() {
    let server = Server::start(vec![Reply::json(
        200,
        json!({"object": "list", "data": [{"id": "qwen2.5-coder:7b"}, {"id": "llama3.2:3b"}]}),
    )])
    .await;
    let out = sandpiper(
        &[
            "models",
            "--provider",
            "ollama",
            "--base-url",
            &server.url_with("/v1"),
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "qwen2.5-coder:7b  (default)\nllama3.2:3b\n"
    );
    assert_eq!(server.only_request().path, "/v1/models");
}

#[tokio::test]
async fn ask_streams_the_reply_with_the_key_from_the_environment_and_reports_tokens() {
    let sse = event(
        "message_start",
        json!({"type": "message_start", "message": {"model": "claude-x",
            "usage": {"input_tokens": 25, "output_tokens": 1}}}),
    ) + &event(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": "Bonjour, "}}),
    ) + &event(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": "ça va ✓"}}),
    ) + &event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 15}}),
    ) + &event("message_stop", json!({"type": "message_stop"}));
    let server = Server::start(vec![Reply::sse_awkward(&sse)]).await;
    let out = sandpiper(
        &[
            "ask",
            "--provider",
            "anthropic",
            "--base-url",
            &server.url,
            "--model",
            "claude-x",
            "--max-tokens",
            "64",
            "Say hello",
        ],
        &[("ANTHROPIC_API_KEY", KEY)],
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(text(&out.stdout), "Bonjour, ça va ✓\n");
    assert!(stderr.contains("Tokens: 25 in, 15 out."), "{stderr}");
    let sent = server.only_request();
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.body["max_tokens"], json!(64));
    assert_eq!(
        sent.body["messages"],
        json!([{"role": "user", "content": "Say hello"}])
    );
}

#[tokio::test]
async fn ask_shows_the_exact_request_when_asked() {
    let server = Server::start(vec![Reply::sse(
        &(data(
            json!({"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]}),
        ) + "data: [DONE]\n\n"),
    )])
    .await;
    let out = sandpiper(
        &[
            "ask",
            "--provider",
            "openai-compatible",
            "--base-url",
            &server.url_with("/v1"),
            "--model",
            "m",
            "--show-request",
            "What is in the data?",
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let shown: serde_json::Value =
        serde_json::from_str(&stderr[..stderr.find("\n}").unwrap() + 2]).unwrap();
    assert_eq!(shown, server.only_request().body);
}

#[tokio::test]
async fn ask_without_a_key_says_where_to_add_one() {
    let out = sandpiper(&["ask", "--provider", "gemini", "hello"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Sandpiper has no API key for Google Gemini."),
        "{stderr}"
    );
    assert!(stderr.contains("GEMINI_API_KEY"), "{stderr}");
}

#[tokio::test]
async fn ask_never_prints_the_key_even_when_the_provider_echoes_it() {
    let server = Server::start(vec![Reply::json(
        401,
        json!({"error": {"message": format!("Incorrect API key provided: {KEY}."),
               "type": "invalid_request_error", "code": "invalid_api_key"}}),
    )])
    .await;
    let out = sandpiper(
        &[
            "ask",
            "--provider",
            "openai",
            "--base-url",
            &server.url_with("/v1"),
            "--model",
            "gpt-x",
            "hi",
        ],
        &[("OPENAI_API_KEY", KEY), ("RUST_LOG", "trace")],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("OpenAI did not accept your API key."), "{all}");
    assert!(!all.contains(KEY), "{all}");
    assert_eq!(
        server.only_request().header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[tokio::test]
async fn an_unknown_provider_lists_the_ones_that_exist() {
    let out = sandpiper(&["models", "--provider", "claude"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("anthropic, gemini, openai, openai-compatible, ollama or lmstudio")
    );
}
