//! Asking a question about a dataset, as the window does: against a local server
//! speaking the OpenAI Chat Completions wire format (the LLM is never faked in any
//! other way), with the dataset described inside a real Docker sandbox. The text
//! the window shows under "What was sent" is exactly what the server received,
//! and the session's token total grows with each call and outlives the engine.

mod common;
mod llm_support;

use llm_support::{Reply, Server, config, data};
use sandpiper::events::{Event, EventSink};
use sandpiper::ids::{CallId, SessionId};
use sandpiper::llm::ask::SYSTEM_PROMPT;
use sandpiper::llm::what_is_sent::{ColumnSummary, DatasetSummary};
use sandpiper::llm::{self, Answer, Provider, ProviderId, Question, SendPolicy, UsageLedger};
use sandpiper::settings::{LlmSettings, Settings};
use sandpiper::{Engine, Error};
use serde_json::json;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

/// A streamed Chat Completions reply with usage in the last chunk, as llama.cpp,
/// vLLM and OpenAI send it when asked to include usage.
fn streamed(pieces: &[&str], input: u64, output: u64) -> Reply {
    let mut sse = String::new();
    for piece in pieces {
        sse += &data(json!({
            "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local-model",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]
        }));
    }
    sse += &data(json!({
        "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local-model",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    }));
    sse += &data(json!({
        "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local-model",
        "choices": [], "usage": {"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output}
    }));
    Reply::sse_awkward(&(sse + "data: [DONE]\n\n"))
}

fn sales() -> DatasetSummary {
    DatasetSummary {
        name: "sales.csv".into(),
        rows: 3,
        columns: vec![ColumnSummary {
            name: "région".into(),
            dtype: "object".into(),
            missing: 0,
            distinct: Some(2),
            numeric: None,
            description: None,
        }],
        sample_rows: vec![vec!["Nord".into()], vec!["Sud".into()], vec!["Nord".into()]],
        encoding: None,
        delimiter: None,
        kind: None,
        sheet: None,
        sheets: vec![],
        header_row: None,
        read: None,
    }
}

fn collector() -> (Arc<Mutex<Vec<Event>>>, impl Fn(Event) + Send + Sync) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (events, move |event| sink.lock().unwrap().push(event))
}

fn kinds(events: &[Event]) -> Vec<String> {
    let mut kinds: Vec<String> = events
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    kinds.dedup();
    kinds
}

/// Questions about `sales.csv` to `local-model` on a local server that plays
/// scripted replies: one session, its usage ledger in a fresh state folder, and
/// every event the calls emit.
struct Conversation {
    server: Server,
    provider: Box<dyn Provider>,
    ledger: UsageLedger,
    session: SessionId,
    datasets: [DatasetSummary; 1],
    events: Arc<Mutex<Vec<Event>>>,
    _state: TempDir,
}

impl Conversation {
    async fn start(replies: Vec<Reply>) -> Conversation {
        let server = Server::start(replies).await;
        let provider = llm::connect(config(ProviderId::OpenAiCompatible, &server, "/v1")).unwrap();
        let state = tempfile::tempdir().unwrap();
        Conversation {
            ledger: UsageLedger::in_state_dir(state.path()),
            server,
            provider,
            session: SessionId::new(),
            datasets: [sales()],
            events: Arc::new(Mutex::new(Vec::new())),
            _state: state,
        }
    }

    /// Asks `text` as the call `call_id`, sending what `policy` allows.
    async fn ask(&self, call_id: &CallId, text: &str, policy: &SendPolicy) -> Answer {
        let question = Question {
            session_id: &self.session,
            call_id,
            model: "local-model",
            text,
            datasets: &self.datasets,
            policy,
        };
        let sink = |event: Event| self.events.lock().unwrap().push(event);
        llm::ask(
            self.provider.as_ref(),
            &question,
            &self.ledger,
            &sink,
            &CancellationToken::new(),
        )
        .await
        .unwrap()
    }

    fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }
}

/// Asks the engine `text` about the files at `paths`, as the window does, in a new call.
async fn ask_the_engine(
    engine: &Engine,
    session: &SessionId,
    text: &str,
    paths: &[PathBuf],
    sink: &dyn EventSink,
) -> Result<Answer, Error> {
    engine
        .ask_about_datasets(session, &CallId::new(), text, paths, sink)
        .await
}

#[tokio::test]
async fn a_question_streams_its_reply_shows_what_was_sent_and_adds_to_the_session_total() {
    let chat = Conversation::start(vec![
        streamed(&["Deux régions : ", "Nord et Sud."], 120, 9),
        streamed(&["Nord — deux fois."], 130, 2),
    ])
    .await;
    let policy = SendPolicy::default();

    let answer = chat
        .ask(&CallId::new(), "Which regions are there?", &policy)
        .await;
    assert_eq!(answer.reply.unwrap().text, "Deux régions : Nord et Sud.");

    let seen = chat.events();
    assert_eq!(
        kinds(&seen),
        [
            "llm_prompt",
            "llm_started",
            "llm_delta",
            "llm_finished",
            "session_usage"
        ]
    );
    let Event::LlmPrompt {
        system,
        prompt,
        sample_rows_sent,
        ..
    } = &seen[0]
    else {
        unreachable!()
    };
    // The window's "What was sent" is the request's text, word for word.
    let sent = chat.server.requests()[0].body.clone();
    assert_eq!(
        sent["messages"][0],
        json!({"role": "system", "content": SYSTEM_PROMPT})
    );
    assert_eq!(system.as_deref(), Some(SYSTEM_PROMPT));
    assert_eq!(sent["messages"][1]["content"], json!(prompt));
    assert!(prompt.starts_with("Dataset \"sales.csv\""), "{prompt}");
    assert!(
        prompt.contains("- région (object): 0 missing, 2 distinct"),
        "{prompt}"
    );
    assert!(
        prompt.ends_with("\n\nQuestion: Which regions are there?"),
        "{prompt}"
    );
    assert_eq!(*sample_rows_sent, 3);
    let streamed: String = seen
        .iter()
        .filter_map(|e| match e {
            Event::LlmDelta { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(streamed, "Deux régions : Nord et Sud.");
    assert!(matches!(
        seen.last().unwrap(),
        Event::SessionUsage {
            input_tokens: 120,
            output_tokens: 9,
            calls: 1,
            ..
        }
    ));

    // A second question: the session's total is the sum of both calls.
    let second_call = CallId::new();
    let answer = chat.ask(&second_call, "Most common?", &policy).await;
    let totals = answer.session_usage.unwrap();
    assert_eq!(
        (totals.input_tokens, totals.output_tokens, totals.calls),
        (250, 11, 2)
    );
    assert!(matches!(
        chat.events().last().unwrap(),
        Event::SessionUsage { input_tokens: 250, output_tokens: 11, calls: 2, call_id, .. }
            if *call_id == second_call
    ));
}

#[tokio::test]
async fn with_sample_rows_turned_off_no_row_is_sent_and_a_failed_call_costs_nothing() {
    let chat = Conversation::start(vec![Reply::json(
        401,
        json!({"error": {"message": "Invalid API key", "type": "invalid_request_error", "code": "invalid_api_key"}}),
    )])
    .await;
    let policy = SendPolicy {
        sample_rows: false,
        ..SendPolicy::default()
    };
    let answer = chat.ask(&CallId::new(), "Which regions?", &policy).await;
    assert!(answer.reply.is_err());
    assert!(answer.session_usage.is_none());

    let seen = chat.events();
    assert_eq!(kinds(&seen), ["llm_prompt", "llm_started", "llm_finished"]);
    let sent = chat.server.requests()[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        sent.contains("Sample rows: not sent (turned off in Settings)."),
        "{sent}"
    );
    assert!(!sent.contains("Nord"), "a sample value was sent: {sent}");
    let Event::LlmFinished {
        error: Some(words), ..
    } = &seen[2]
    else {
        panic!("the call should end with an error: {seen:?}")
    };
    assert!(words.title.contains("key"), "{words}");
    assert_eq!(chat.ledger.total(&chat.session).unwrap().calls, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_engine_describes_a_csv_in_the_sandbox_asks_about_it_and_keeps_the_total() {
    let server = Server::start(vec![streamed(
        &["There are 40 orders — 39 in Lyon."],
        300,
        6,
    )])
    .await;
    let data = tempfile::tempdir().unwrap();
    let csv = data.path().join("orders.csv");
    let mut rows = String::from("order_id,amount,city\n");
    for i in 0..40 {
        rows.push_str(&format!(
            "{},{}.5,{}\n",
            1000 + i,
            i,
            if i == 3 { "" } else { "Lyon" }
        ));
    }
    std::fs::write(&csv, rows).unwrap();
    let settings = Settings {
        sandbox: common::test_settings(),
        llm: LlmSettings {
            provider: ProviderId::OpenAiCompatible,
            base_url: Some(server.url_with("/v1")),
            model: Some("local-model".into()),
            ..LlmSettings::default()
        },
        ..Settings::default()
    };
    let state = tempfile::tempdir().unwrap();
    let session = SessionId::new();
    let (events, sink) = collector();
    {
        let engine = Engine::with_state_dir(settings.clone(), state.path().to_owned());
        let answer = ask_the_engine(
            &engine,
            &session,
            "How many orders?",
            std::slice::from_ref(&csv),
            &sink,
        )
        .await
        .unwrap_or_else(|err| panic!("{}", err.plain_words()));
        assert_eq!(
            answer.reply.unwrap().text,
            "There are 40 orders — 39 in Lyon."
        );
    }

    let sent = server.only_request().body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        sent.contains(
            "Dataset \"orders.csv\" (in the sandbox at /data/orders.csv): 40 rows, 3 columns."
        ),
        "{sent}"
    );
    assert!(
        sent.contains("- order_id (int64): 0 missing, 40 distinct; min 1000, max 1039"),
        "{sent}"
    );
    assert!(
        sent.contains("- city (object): 1 missing, 1 distinct"),
        "{sent}"
    );
    assert!(sent.contains("Sample rows (the first 5 of 40):"), "{sent}");
    // Never the whole file: the sixth row onwards stays on the computer.
    assert!(
        sent.contains("1004 | 4.5 | Lyon") && !sent.contains("1005"),
        "{sent}"
    );
    assert!(sent.ends_with("Question: How many orders?"));
    // The summary step is not a run the window shows.
    assert!(events.lock().unwrap().iter().all(|e| e.run_id().is_none()));

    let restarted = Engine::with_state_dir(settings, state.path().to_owned());
    let totals = restarted.usage_ledger().total(&session).unwrap();
    assert_eq!(
        (totals.input_tokens, totals.output_tokens, totals.calls),
        (300, 6, 1)
    );
}

#[tokio::test]
async fn a_cloud_provider_without_a_key_is_explained_before_anything_is_sent() {
    let settings = Settings {
        llm: LlmSettings {
            provider: ProviderId::Gemini,
            ..LlmSettings::default()
        },
        ..Settings::default()
    };
    // SAFETY (edition 2024): this test binary sets no other variable at the same time.
    unsafe { std::env::remove_var("GEMINI_API_KEY") };
    let state = tempfile::tempdir().unwrap();
    let engine = Engine::with_state_dir(settings, state.path().to_owned());
    let (events, sink) = collector();
    let err = ask_the_engine(&engine, &SessionId::new(), "Hello?", &[], &sink)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Llm(llm::LlmError::MissingKey { .. })),
        "{err:?}"
    );
    assert!(
        err.plain_words().title.contains("Gemini"),
        "{}",
        err.plain_words()
    );
    assert!(events.lock().unwrap().is_empty());
}

/// Building an HTTP client costs a step about 100 ms (the system's root
/// certificates are loaded and parsed), and a new one opens a new connection,
/// so a cloud model's TLS handshake was paid again at every question.
#[tokio::test]
async fn the_engine_asks_the_model_again_on_the_connection_it_already_has() {
    let models = || {
        Reply::json(
            200,
            json!({"object": "list", "data": [{"id": "local-model", "object": "model"}]}),
        )
    };
    let server = Server::start(vec![models(), models()]).await;
    let state = TempDir::new().unwrap();
    let engine = Engine::with_state_dir(Settings::default(), state.path().to_path_buf());
    let choice = sandpiper::engine::ModelChoice {
        provider: ProviderId::OpenAiCompatible,
        base_url: Some(server.url_with("/v1")),
        model: Some("local-model".into()),
    };
    for _ in 0..2 {
        let report = engine.test_connection(&choice).await.unwrap();
        assert_eq!(report.model.as_deref(), Some("local-model"));
    }
    let peers: Vec<_> = server.requests().iter().map(|r| r.peer).collect();
    assert_eq!(peers.len(), 2, "two checks, two requests");
    assert_eq!(
        peers[0], peers[1],
        "the second check should reuse the first one's connection"
    );
}
