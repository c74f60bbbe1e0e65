//! API keys stay secret: a planted key is used in the request header, and appears
//! in no log line (the engine's and its HTTP stack's, at TRACE level), no error
//! message and no Debug output, even when a provider echoes it back. Keys are kept
//! in the OS keychain.

mod llm_support;

use llm_support::{KEY, Reply, Server, config, data, stream};
use sandpiper::llm::{self, ApiKey, CompletionRequest, KeySource, KeyStore, ProviderId};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Everything the log subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Replies that echo the key back, as OpenAI's 401 does.
fn echoing_error(provider: ProviderId) -> Reply {
    let message = format!("Incorrect API key provided: {KEY}.");
    match provider {
        ProviderId::Anthropic => Reply::json(
            401,
            json!({"type": "error", "error": {"type": "authentication_error", "message": message}}),
        ),
        ProviderId::Gemini => Reply::json(
            400,
            json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": message,
                   "details": [{"reason": "API_KEY_INVALID"}]}}),
        ),
        _ => Reply::json(
            401,
            json!({"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}}),
        ),
    }
}

fn good_stream(provider: ProviderId) -> Reply {
    match provider {
        ProviderId::Anthropic => Reply::sse(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n\
             event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n\
             event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ),
        ProviderId::Gemini => Reply::sse(&data(
            json!({"candidates": [{"content": {"parts": [{"text": "hi"}]}, "finishReason": "STOP"}]}),
        )),
        _ => Reply::sse(
            &(data(
                json!({"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]}),
            ) + "data: [DONE]\n\n"),
        ),
    }
}

fn model_list(provider: ProviderId) -> Reply {
    match provider {
        ProviderId::Anthropic => {
            Reply::json(200, json!({"data": [{"id": "c"}], "has_more": false}))
        }
        ProviderId::Gemini => Reply::json(
            200,
            json!({"models": [{"name": "models/g", "supportedGenerationMethods": ["generateContent"]}]}),
        ),
        _ => Reply::json(200, json!({"data": [{"id": "m"}]})),
    }
}

#[tokio::test]
async fn a_planted_key_is_sent_but_never_logged_printed_or_echoed() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("this test binary installs the only subscriber");

    let mut everything_said = String::new();
    for provider in [
        ProviderId::Anthropic,
        ProviderId::Gemini,
        ProviderId::OpenAi,
    ] {
        let server = Server::start(vec![
            good_stream(provider),
            model_list(provider),
            echoing_error(provider),
        ])
        .await;
        let base = if provider == ProviderId::Gemini {
            "/v1beta"
        } else {
            "/v1"
        };
        let config = config(
            provider,
            &server,
            if provider == ProviderId::Anthropic {
                ""
            } else {
                base
            },
        );
        everything_said += &format!("{config:?}\n");
        let client = llm::connect(config).unwrap();
        everything_said += &format!("{client:?}\n");
        let request = CompletionRequest::new("m", "hello");
        everything_said += &client.request_body(&request, true).to_string();

        let (result, _) = stream(client.as_ref(), &request).await;
        assert_eq!(result.unwrap().text, "hi");
        let models = client.list_models(&CancellationToken::new()).await.unwrap();
        everything_said += &format!("{models:?}\n");
        let err = client
            .complete(&request, &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(matches!(err, llm::LlmError::InvalidKey { .. }), "{err:?}");
        everything_said += &format!("{err}\n{err:?}\n{}\n", err.plain_words());
        let engine_error = sandpiper::Error::from(err);
        everything_said += &format!("{engine_error}\n{engine_error:?}\n");

        // The key did go where it belongs: the request header.
        let sent = server.requests();
        assert_eq!(sent.len(), 3);
        let header_values: Vec<String> = sent
            .iter()
            .flat_map(|r| {
                r.headers
                    .values()
                    .map(|v| v.to_str().unwrap_or("").to_owned())
            })
            .collect();
        assert!(
            header_values.iter().filter(|v| v.contains(KEY)).count() == 3,
            "{provider}: the key is in each request's header"
        );
        assert!(sent.iter().all(|r| !r.body.to_string().contains(KEY)));
        assert!(
            sent.iter()
                .all(|r| !r.query.clone().unwrap_or_default().contains(KEY))
        );
    }
    let key = ApiKey::new(KEY).unwrap();
    everything_said += &format!("{key} {key:?}\n");

    let logs = captured.text();
    assert!(
        logs.contains("sending request") && logs.contains("response"),
        "the logs were captured: {logs}"
    );
    assert!(!logs.contains(KEY), "the key is in the logs:\n{logs}");
    assert!(!logs.contains("PLANTED"), "part of the key is in the logs");
    assert!(!everything_said.contains(KEY), "{everything_said}");
    assert!(
        everything_said.contains("[API key]"),
        "an echoed key is replaced"
    );
}

#[test]
fn keys_are_kept_in_the_os_keychain_and_found_there_first() {
    let store = KeyStore::new(format!("sandpiper-test-{}", uuid::Uuid::new_v4().simple()));
    let provider = ProviderId::OpenAiCompatible;
    assert_eq!(store.keychain_key(provider).unwrap(), None);
    let key = ApiKey::new("vllm-key-0123456789").unwrap();
    store
        .save(provider, &key)
        .expect("the OS keychain (on Linux, the kernel keyring) must be usable");
    assert_eq!(store.keychain_key(provider).unwrap(), Some(key.clone()));
    assert_eq!(store.find(provider), Some((key, KeySource::Keychain)));
    store.delete(provider).unwrap();
    assert_eq!(store.keychain_key(provider).unwrap(), None);
    assert_eq!(
        store.find(provider),
        None,
        "no env fallback for a custom server"
    );
    store.delete(provider).unwrap();
}
