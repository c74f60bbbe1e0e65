//! Against a REAL model: the small local model that `shared/tools/local-llm start`
//! serves with an OpenAI-compatible API (llama.cpp server, SmolLM2-135M).
//! `SANDPIPER_LOCAL_LLM_URL` says where (scripts/test sets it). These tests fail,
//! never skip, when it is unset or nothing answers there.

use sandpiper::llm::{self, CompletionRequest, ProviderConfig, ProviderId, Update};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// The llama.cpp server cuts a running reply short when another request comes in,
/// so these tests take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn base_url() -> String {
    std::env::var("SANDPIPER_LOCAL_LLM_URL").unwrap_or_else(|_| {
        panic!(
            "SANDPIPER_LOCAL_LLM_URL is not set. Start the local model with \
             `../shared/tools/local-llm start` and set the variable to the URL it prints \
             (scripts/test does both)."
        )
    })
}

async fn local_model() -> (Box<dyn llm::Provider>, String) {
    let url = base_url();
    let config = ProviderConfig::new(ProviderId::OpenAiCompatible, Some(&url), None)
        .unwrap_or_else(|err| panic!("SANDPIPER_LOCAL_LLM_URL={url}: {}", err.plain_words()));
    let provider = llm::connect(config).unwrap();
    let check = llm::test_connection(provider.as_ref(), None, &CancellationToken::new())
        .await
        .unwrap_or_else(|err| {
            panic!(
                "The local model at {url} does not answer: {}. Start it with \
                 `../shared/tools/local-llm start`.",
                err.plain_words()
            )
        });
    let model = check.model.expect("the local server lists its model");
    (provider, model)
}

#[tokio::test]
async fn the_real_local_model_streams_a_reply_piece_by_piece() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (provider, model) = local_model().await;
    let mut request = CompletionRequest::new(model, "Say hello to a data analyst in one sentence.");
    request.max_tokens = 48;
    request.temperature = Some(0.0);

    let started = Instant::now();
    let mut pieces: Vec<String> = Vec::new();
    let mut first_piece_at = None;
    let mut on_update = |update: Update<'_>| {
        if let Update::Text(text) = update {
            first_piece_at.get_or_insert_with(|| started.elapsed());
            pieces.push(text.to_owned());
        }
    };
    let done = provider
        .stream(&request, &mut on_update, &CancellationToken::new())
        .await
        .unwrap_or_else(|err| panic!("{}", err.plain_words()));
    eprintln!(
        "local model: first piece after {:?}, done after {:?}, {} pieces: {:?}",
        first_piece_at.unwrap(),
        done.duration,
        pieces.len(),
        done.text
    );
    assert!(!done.text.trim().is_empty());
    assert!(
        pieces.len() >= 2,
        "the reply streamed in pieces: {pieces:?}"
    );
    assert_eq!(pieces.concat(), done.text);
    assert!(done.stop_reason.is_some());
}

#[tokio::test]
async fn the_real_local_model_answers_in_one_piece_with_token_usage() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (provider, model) = local_model().await;
    let mut request = CompletionRequest::new(model, "What is 2 + 2? Answer with a number.");
    request.max_tokens = 16;
    request.temperature = Some(0.0);
    let done = provider
        .complete(&request, &CancellationToken::new())
        .await
        .unwrap_or_else(|err| panic!("{}", err.plain_words()));
    eprintln!(
        "local model, whole reply in {:?}: {:?}",
        done.duration, done.text
    );
    assert!(!done.text.trim().is_empty());
    assert!(done.usage.input_tokens.unwrap_or(0) > 0);
    assert!(done.usage.output_tokens.unwrap_or(0) > 0);
}

#[tokio::test]
async fn sandpiper_ask_streams_the_real_local_model_to_the_terminal() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let url = base_url();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args([
            "ask",
            "--provider",
            "openai-compatible",
            "--base-url",
            &url,
            "--max-tokens",
            "32",
            "--temperature",
            "0",
            "Say hello to a data analyst in one sentence.",
        ])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).trim().is_empty());
    assert!(stderr.contains("Tokens:"), "{stderr}");
}
