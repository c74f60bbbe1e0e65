//! Docker moving between two questions: Docker Desktop quit and Colima (or
//! Podman) started, so the daemon now answers at another socket. The engine
//! keeps the connection it found for the first question (`engine::step_docker`);
//! the second question finds it dead, forgets it, looks for the daemon afresh
//! and is answered there, on its first try.
//!
//! A test binary of its own, with one test: the test moves `DOCKER_HOST`
//! (where discovery looks first), and no other test may read the environment
//! while it changes.

mod common;
mod llm_support;

use common::Recorder;
use common::cuttable_socket::CuttableSocket;
use common::session::TestSession;
use llm_support::{Server, chat_reply};
use sandpiper::conversation::StepState;
use sandpiper::engine::Analysis;
use sandpiper::llm::ProviderId;
use sandpiper::{Engine, Settings};

const TOTALS: &str = r#"import csv
totals = {}
for row in csv.DictReader(open(main_file)):
    totals[row['region']] = totals.get(row['region'], 0) + int(row['sales'])
best = max(totals, key=totals.get)
print('best:', best, totals[best])"#;

/// Points discovery at `endpoint`, as a user's `DOCKER_HOST` would.
fn docker_host_is(endpoint: &str) {
    // SAFETY: this binary runs this one test, on a current-thread runtime
    // whose only thread is this one; the engine reads the environment only
    // inside the calls this test awaits, never while this runs.
    unsafe { std::env::set_var("DOCKER_HOST", endpoint) };
}

#[tokio::test]
async fn a_question_after_docker_moved_to_another_socket_is_answered_there() {
    let sockets = tempfile::tempdir().unwrap();
    // Both forward to the real daemon, found before DOCKER_HOST moves.
    let [desktop, colima] = ["desktop", "colima"].map(|name| {
        let dir = sockets.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        CuttableSocket::start(&dir)
    });
    let server = Server::start(vec![
        chat_reply(&format!("```python\n{TOTALS}\n```\n")),
        chat_reply("South sold the most: 250."),
        chat_reply(&format!("```python\n{TOTALS}\n```\n")),
        chat_reply("Still South, with 250."),
    ])
    .await;
    let session = TestSession::new("docker-moved");
    let data = session.state.path().join("sales.csv");
    std::fs::write(&data, "region,sales\nNorth,100\nSouth,250\nEast,175\n").unwrap();
    let mut settings = Settings::default();
    settings.sandbox.image = session.image.clone();
    settings.agent.analysis_image = false;
    settings.llm.provider = ProviderId::OpenAiCompatible;
    settings.llm.base_url = Some(server.url_with("/v1"));
    settings.llm.model = Some("local-model".into());
    // No address in Settings: Sandpiper finds the daemon, as for most analysts.
    settings.docker.endpoint = None;
    let engine = Engine::with_state_dir(settings, session.state.path().to_owned());
    let events = Recorder::default();
    let ask = |question: &str| Analysis {
        session_id: session.name.clone(),
        question: question.to_owned(),
        datasets: vec![data.clone()],
        artifacts_dir: session.state.path().join("artifacts"),
        column_descriptions: Vec::new(),
    };

    docker_host_is(&desktop.docker_host());
    let first = engine
        .analyze(&ask("Which region sold the most?"), &events)
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    assert_eq!(first.state, StepState::Done, "{:#?}", events.events());

    // Docker Desktop quits; the daemon is now found at Colima's socket.
    desktop.cut();
    docker_host_is(&colima.docker_host());
    let second = engine
        .analyze(&ask("Which region sold the most, again?"), &events)
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    assert_eq!(second.state, StepState::Done, "{:#?}", events.events());
    assert_eq!(second.tries, 1, "the dead connection cost no try");
    assert_eq!(second.answer.as_deref(), Some("Still South, with 250."));
}
