//! What every provider does when the network or the server misbehaves: time
//! limits, cancelling mid-stream, an address where nothing listens, bounded
//! retries, and the events the window receives for one call.

mod llm_support;

use llm_support::{Reply, Server, config, data, stream};
use sandpiper::events::Event;
use sandpiper::ids::CallId;
use sandpiper::llm::{self, CompletionRequest, LlmError, ProviderId, TimeoutPhase, Update};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn chunk(text: &str) -> String {
    data(json!({"object": "chat.completion.chunk", "model": "m",
                "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]}))
}

fn last_chunk() -> String {
    data(json!({"object": "chat.completion.chunk", "model": "m",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 3}}))
        + "data: [DONE]\n\n"
}

fn request() -> CompletionRequest {
    CompletionRequest::new("m", "Say hi")
}

#[tokio::test]
async fn a_server_that_never_answers_runs_into_the_first_token_limit() {
    let server = Server::start(vec![Reply::Hang]).await;
    let mut config = config(ProviderId::OpenAiCompatible, &server, "/v1");
    config.timeouts.first_token = Duration::from_millis(700);
    let local = llm::connect(config).unwrap();
    let started = Instant::now();
    let (result, _) = stream(local.as_ref(), &request()).await;
    let took = started.elapsed();
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Timeout {
                phase: TimeoutPhase::FirstToken,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(
        err.plain_words().title.contains("nothing came for 0.7 s"),
        "{:?}",
        err.plain_words()
    );
}

#[tokio::test]
async fn a_stream_that_goes_quiet_half_way_is_given_up_on() {
    let server = Server::start(vec![Reply::sse_then_hang(&[&chunk("Hel"), &chunk("lo")])]).await;
    let mut config = config(ProviderId::OpenAiCompatible, &server, "/v1");
    config.timeouts.first_token = Duration::from_millis(500);
    let local = llm::connect(config).unwrap();
    let (result, seen) = stream(local.as_ref(), &request()).await;
    assert_eq!(seen.text(), "Hello", "what came is shown");
    assert!(
        matches!(
            result,
            Err(LlmError::Timeout {
                phase: TimeoutPhase::FirstToken,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(server.requests().len(), 1, "text was shown: not retried");
}

#[tokio::test]
async fn a_slow_but_steady_reply_runs_into_the_total_limit() {
    let events: Vec<String> = (0..50).map(|i| chunk(&format!("{i} "))).collect();
    let events: Vec<&str> = events.iter().map(String::as_str).collect();
    let server = Server::start(vec![Reply::sse_slow(&events, Duration::from_millis(100))]).await;
    let mut config = config(ProviderId::OpenAiCompatible, &server, "/v1");
    config.timeouts.total = Duration::from_millis(800);
    let local = llm::connect(config).unwrap();
    let started = Instant::now();
    let (result, seen) = stream(local.as_ref(), &request()).await;
    assert!(
        matches!(
            result,
            Err(LlmError::Timeout {
                phase: TimeoutPhase::Total,
                ..
            })
        ),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert!(!seen.pieces.is_empty());
}

#[tokio::test]
async fn cancelling_mid_stream_stops_at_once_and_closes_the_connection() {
    let events: Vec<String> = (0..40).map(|i| chunk(&format!("word{i} "))).collect();
    let events: Vec<&str> = events.iter().map(String::as_str).collect();
    let server = Server::start(vec![Reply::sse_slow(&events, Duration::from_millis(50))]).await;
    let local = llm::connect(config(ProviderId::OpenAiCompatible, &server, "/v1")).unwrap();

    let cancel = CancellationToken::new();
    let pieces = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = pieces.clone();
    let stopper = cancel.clone();
    let mut on_update = move |update: Update<'_>| {
        if let Update::Text(text) = update {
            let mut seen = seen.lock().unwrap();
            seen.push(text.to_owned());
            if seen.len() == 3 {
                stopper.cancel();
            }
        }
    };
    let started = Instant::now();
    let result = local.stream(&request(), &mut on_update, &cancel).await;
    let took = started.elapsed();

    assert!(matches!(result, Err(LlmError::Cancelled)), "{result:?}");
    assert_eq!(pieces.lock().unwrap().len(), 3, "no piece after the cancel");
    assert!(took < Duration::from_millis(600), "{took:?}");
    assert_eq!(
        LlmError::Cancelled.plain_words().title,
        "You stopped the reply."
    );
    // The server sees the client leave: the model stops writing (and billing).
    let deadline = Instant::now() + Duration::from_secs(3);
    while server.abandoned_streams() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.abandoned_streams(), 1);
    assert_eq!(server.finished_streams(), 0);
}

#[tokio::test]
async fn cancelling_while_waiting_to_retry_stops_at_once() {
    let server = Server::start(vec![
        Reply::json(
            429,
            json!({"error": {"message": "slow down", "type": "requests"}}),
        )
        .with_header("retry-after", "4"),
    ])
    .await;
    let local = llm::connect(config(ProviderId::OpenAi, &server, "/v1")).unwrap();
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stopper.cancel();
    });
    let started = Instant::now();
    let result = local.complete(&request(), &cancel).await;
    assert!(matches!(result, Err(LlmError::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn nothing_listening_at_the_address_is_reported_as_unreachable() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = llm::ProviderConfig::new(
        ProviderId::Ollama,
        Some(&format!("http://127.0.0.1:{port}/v1")),
        None,
    )
    .unwrap();
    config.retry.max_attempts = 1;
    let ollama = llm::connect(config).unwrap();
    let err = ollama
        .list_models(&CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Unreachable {
                certificate: false,
                ..
            }
        ),
        "{err:?}"
    );
    let words = err.plain_words();
    assert_eq!(
        words.title,
        format!("Sandpiper could not reach Ollama at 127.0.0.1:{port}.")
    );
    assert!(
        words.advice.contains("Check that Ollama is running"),
        "{words:?}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let busy = Reply::text(502, "text/html", "<html>Bad gateway</html>");
    let server = Server::start(vec![busy.clone(), busy.clone(), busy.clone(), busy]).await;
    let local = llm::connect(config(ProviderId::OpenAiCompatible, &server, "/v1")).unwrap();
    let (result, seen) = stream(local.as_ref(), &request()).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Unavailable {
                status: Some(502),
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "the test policy allows three tries"
    );
    assert_eq!(seen.retries.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
    assert!(err.plain_words().advice.contains("tried 3 times"));
}

#[tokio::test]
async fn a_call_tells_the_window_started_deltas_retrying_and_exactly_one_finished() {
    let server = Server::start(vec![
        Reply::json(
            503,
            json!({"error": {"message": "busy", "type": "server_error"}}),
        ),
        Reply::sse(&(chunk("Hel") + &chunk("lo") + &last_chunk())),
    ])
    .await;
    let local = llm::connect(config(ProviderId::OpenAiCompatible, &server, "/v1")).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        move |event: Event| events.lock().unwrap().push(event)
    };
    let call_id = CallId::new();
    let done = llm::stream_with_events(
        local.as_ref(),
        &request(),
        &call_id,
        None,
        &sink,
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(done.text, "Hello");

    let events = events.lock().unwrap();
    assert!(events.iter().all(|e| e.call_id() == Some(&call_id)));
    assert!(
        matches!(&events[0], Event::LlmStarted { model, provider: ProviderId::OpenAiCompatible, .. } if model == "m")
    );
    assert!(
        matches!(&events[1], Event::LlmRetrying { attempt: 1, reason, .. } if reason.contains("overloaded"))
    );
    let deltas: String = events
        .iter()
        .filter_map(|e| match e {
            Event::LlmDelta { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(deltas, "Hello");
    let finished: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::LlmFinished { .. }))
        .collect();
    assert_eq!(finished.len(), 1);
    assert!(matches!(
        events.last().unwrap(),
        Event::LlmFinished {
            input_tokens: Some(5),
            output_tokens: Some(3),
            error: None,
            first_token_ms: Some(_),
            ..
        }
    ));
}

#[tokio::test]
async fn a_failed_call_still_ends_with_one_finished_event_carrying_plain_words() {
    let server = Server::start(vec![Reply::json(
        401,
        json!({"error": {"message": "bad key", "type": "invalid_request_error", "code": "invalid_api_key"}}),
    )])
    .await;
    let openai = llm::connect(config(ProviderId::OpenAi, &server, "/v1")).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        move |event: Event| events.lock().unwrap().push(event)
    };
    let result = llm::stream_with_events(
        openai.as_ref(),
        &request(),
        &CallId::new(),
        None,
        &sink,
        &CancellationToken::new(),
    )
    .await;
    assert!(matches!(result, Err(LlmError::InvalidKey { .. })));
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    match &events[1] {
        Event::LlmFinished {
            error: Some(words), ..
        } => {
            assert_eq!(words.title, "OpenAI did not accept your API key.")
        }
        other => panic!("expected llm_finished, got {other:?}"),
    }
}

#[tokio::test]
async fn a_certificate_this_computer_does_not_trust_is_explained() {
    use tokio_rustls::rustls::{ServerConfig, pki_types::PrivatePkcs8KeyDer};
    // A TLS server with a self-signed certificate, as a TLS-inspecting proxy
    // whose root certificate is not installed looks to the client.
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
    let tls = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key.into())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = acceptor.accept(tcp).await;
        }
    });

    let mut config = llm::ProviderConfig::new(
        ProviderId::OpenAiCompatible,
        Some(&format!("https://localhost:{port}/v1")),
        None,
    )
    .unwrap();
    config.retry.max_attempts = 1;
    let server = llm::connect(config).unwrap();
    let err = server
        .list_models(&CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Unreachable {
                certificate: true,
                ..
            }
        ),
        "{err:?}"
    );
    let words = err.plain_words();
    assert!(words.advice.contains("root certificate"), "{words:?}");
}

/// A redirect is not followed: it would carry the key's header to wherever it
/// points. The second server never hears from us, and the call fails in words.
#[tokio::test]
async fn a_redirect_is_not_followed_so_the_key_stays_with_its_server() {
    let elsewhere = Server::start(vec![Reply::json(200, json!({}))]).await;
    let server = Server::start(vec![
        Reply::text(307, "text/plain", "moved")
            .with_header("location", &elsewhere.url_with("/v1/messages")),
    ])
    .await;
    let claude = llm::connect(config(ProviderId::Anthropic, &server, "")).unwrap();
    let (result, _) = stream(claude.as_ref(), &request()).await;
    let err = result.expect_err("a redirect is no reply");
    assert!(elsewhere.requests().is_empty(), "the key went elsewhere");
    assert_eq!(server.requests().len(), 1);
    let words = err.plain_words();
    assert!(
        !words.title.is_empty() && !words.advice.is_empty(),
        "{words:?}"
    );
}
