//! The agent against a REAL model: the small local model (SmolLM2-135M on
//! llama.cpp's server, OpenAI-compatible) that scripts/test starts, on a real
//! public dataset (Palmer penguins, CC0, tests/data). The model is weak and its
//! code often fails, so this exercises the fix loop for real. Whatever it
//! manages, the step must end cleanly (answered, or an honest give-up) and the
//! conversation must be whole. Fails, never skips, without the model.

mod common;

use common::Recorder;
use common::session::TestSession;
use sandpiper::conversation::{Message, StepState};
use sandpiper::engine::Analysis;
use sandpiper::events::Event;
use sandpiper::llm::ProviderId;
use sandpiper::{Engine, Settings};
use std::path::PathBuf;

fn base_url() -> String {
    std::env::var("SANDPIPER_LOCAL_LLM_URL").unwrap_or_else(|_| {
        panic!(
            "SANDPIPER_LOCAL_LLM_URL is not set. scripts/test starts the local model and sets \
             it; by hand: scripts/local-llm start."
        )
    })
}

#[tokio::test]
async fn the_real_local_model_answers_or_gives_up_cleanly_with_a_whole_transcript() {
    let session = TestSession::new("local-model");
    let mut settings = Settings::default();
    settings.sandbox.image = session.image.clone();
    settings.llm.provider = ProviderId::OpenAiCompatible;
    settings.llm.base_url = Some(base_url());
    // Three tries keep the test to a few minutes on two cores.
    settings.agent.max_tries = 3;
    let engine = Engine::with_state_dir(settings, session.state.path().to_owned());
    let events = Recorder::default();
    let analysis = Analysis {
        session_id: session.name.clone(),
        question: "How many penguins of each species are there?".into(),
        datasets: vec![PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/penguins.csv"
        ))],
        artifacts_dir: session.state.path().join("artifacts"),
        column_descriptions: Vec::new(),
    };
    let report = engine
        .analyze(&analysis, &events)
        .await
        .unwrap_or_else(|err| panic!("{}", err.plain_words()));

    let messages: Vec<Message> = events
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Conversation { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    let transcript = format!("{messages:#?}");
    assert!(
        matches!(report.state, StepState::Done | StepState::GaveUp),
        "the step neither answered nor gave up cleanly: {:?}\n{transcript}",
        report.state
    );
    assert!(
        matches!(messages.first(), Some(Message::Question { .. })),
        "{transcript}"
    );
    assert!(
        matches!(messages.last(), Some(Message::StepEnded { state, .. }) if *state == report.state),
        "{transcript}"
    );
    // Every try the model was asked for ended in code that ran, or a reason why not.
    for n in 1..=report.tries {
        let started = messages
            .iter()
            .any(|m| matches!(m, Message::TryStarted { try_number, .. } if *try_number == n));
        let settled = messages.iter().any(|m| matches!(m,
            Message::Execution { try_number, .. } | Message::TryRejected { try_number, .. } if *try_number == n));
        assert!(started && settled, "try {n} is not whole:\n{transcript}");
    }
    match report.state {
        StepState::Done => assert!(
            messages
                .iter()
                .any(|m| matches!(m, Message::Answer { text, .. } if !text.is_empty())),
            "{transcript}"
        ),
        _ => assert!(
            messages.iter().any(
                |m| matches!(m, Message::GaveUp { tries, .. } if tries.len() as u32 == report.tries)
            ),
            "{transcript}"
        ),
    }
    eprintln!(
        "the local model {:?} after {} tries ({} tokens in, {} out)",
        report.state, report.tries, report.input_tokens, report.output_tokens
    );
}
