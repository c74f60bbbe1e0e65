//! The analysis agent end to end: a local server speaking the OpenAI Chat
//! Completions wire format plays the model's replies (the scripts it "writes"
//! and its answers), and every script really runs in a session container on the
//! real Docker daemon. Each test checks what an analyst would see (the
//! conversation's messages) and what the model was really sent.

mod common;
mod llm_support;

use common::Recorder;
use common::cuttable_socket::CuttableSocket;
use common::session::TestSession;
use llm_support::{Reply, Server, data};
use sandpiper::conversation::{Message, StepState};
use sandpiper::engine::Analysis;
use sandpiper::events::{Event, Outcome};
use sandpiper::llm::ProviderId;
use sandpiper::{Engine, Settings};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A streamed Chat Completions reply, one event per line of text, with usage.
fn streamed(text: &str) -> Reply {
    let mut events = Vec::new();
    for piece in text.split_inclusive('\n') {
        events.push(data(json!({
            "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local-model",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]
        })));
    }
    events.push(data(json!({
        "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local-model",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    })));
    events.push(data(json!({
        "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "local-model",
        "choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    })));
    events.push("data: [DONE]\n\n".to_owned());
    let events: Vec<&str> = events.iter().map(String::as_str).collect();
    Reply::sse_slow(&events, Duration::from_millis(1))
}

/// Each message's `type`, as the window and the saved file name it.
fn type_names(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            serde_json::to_value(m).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// A reply with the script in a ```python fence, as most models write it.
fn script(code: &str) -> Reply {
    streamed(&format!("Here is the script:\n```python\n{code}\n```\n"))
}

/// Reads the sales table with the standard library only (the bare test image
/// has no pandas) and prints the totals per region.
const TOTALS: &str = r#"import csv
totals = {}
for row in csv.DictReader(open(main_file)):
    totals[row['region']] = totals.get(row['region'], 0) + int(row['sales'])
for region, total in sorted(totals.items()):
    print(region, total)
best = max(totals, key=totals.get)
print('best:', best, totals[best])"#;

/// An analyst's session: a sales table, an engine whose model is the scripted
/// server, and every event the steps emit.
struct Analyst {
    server: Server,
    session: TestSession,
    data: PathBuf,
    events: Recorder,
    engine: Arc<Engine>,
}

impl Analyst {
    async fn with_replies(what: &str, replies: Vec<Reply>) -> Analyst {
        Self::with_settings(what, replies, |_| {}).await
    }

    async fn with_settings(
        what: &str,
        replies: Vec<Reply>,
        change: impl FnOnce(&mut Settings),
    ) -> Analyst {
        let server = Server::start(replies).await;
        let session = TestSession::new(what);
        let data = session.state.path().join("sales.csv");
        std::fs::write(
            &data,
            "region,sales\nNorth,100\nSouth,250\nNorth,120\nEast,175\n",
        )
        .unwrap();
        let mut settings = Settings::default();
        settings.sandbox.image = session.image.clone();
        settings.llm.provider = ProviderId::OpenAiCompatible;
        settings.llm.base_url = Some(server.url_with("/v1"));
        settings.llm.model = Some("local-model".into());
        // These scripts need only the standard library: the bare image starts
        // fastest. tests/agent_formats.rs runs in the analysis image.
        settings.agent.analysis_image = false;
        change(&mut settings);
        let engine = Engine::with_state_dir(settings, session.state.path().to_owned());
        Analyst {
            server,
            session,
            data,
            events: Recorder::default(),
            engine,
        }
    }

    /// The same analyst in the analysis image (pandas and the table readers),
    /// on one of the format fixtures of tests/data instead of the sales table.
    async fn on_fixture(what: &str, fixture: &str, replies: Vec<Reply>) -> Analyst {
        let mut analyst =
            Self::with_settings(what, replies, |s| s.agent.analysis_image = true).await;
        analyst.data = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(fixture);
        analyst
    }

    fn analysis(&self, question: &str) -> Analysis {
        Analysis {
            session_id: self.session.name.clone(),
            question: question.to_owned(),
            datasets: vec![self.data.clone()],
            artifacts_dir: self.session.state.path().join("artifacts"),
            column_descriptions: Vec::new(),
        }
    }

    async fn ask(&self, question: &str) -> sandpiper::agent::StepReport {
        self.engine
            .analyze(&self.analysis(question), &self.events)
            .await
            .unwrap_or_else(|err| panic!("{}", err.plain_words()))
    }

    /// The conversation so far, as the window and the store receive it.
    fn messages(&self) -> Vec<Message> {
        self.events
            .events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Conversation { message, .. } => Some(message),
                _ => None,
            })
            .collect()
    }

    fn types(&self) -> Vec<String> {
        type_names(&self.messages())
    }

    /// The user message of each request the model received.
    fn prompts(&self) -> Vec<String> {
        self.server
            .requests()
            .iter()
            .map(|r| {
                let messages = r.body["messages"].as_array().unwrap();
                messages.last().unwrap()["content"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    fn executions(&self) -> Vec<(u32, Outcome, String)> {
        self.messages()
            .into_iter()
            .filter_map(|m| match m {
                Message::Execution {
                    try_number,
                    outcome,
                    stdout,
                    ..
                } => Some((try_number, outcome, stdout)),
                _ => None,
            })
            .collect()
    }

    fn answer(&self) -> Message {
        self.messages()
            .into_iter()
            .find(|m| matches!(m, Message::Answer { .. }))
            .expect("an answer")
    }
}

#[tokio::test]
async fn a_question_answered_on_the_first_try() {
    let analyst = Analyst::with_replies(
        "first-try",
        vec![
            script(TOTALS),
            streamed(
                "South sold the most: 250 in sales.\n\nFollow-up questions:\n\
                 - Which region sold the least?\n- What share of 2024 sales was South's?\n",
            ),
        ],
    )
    .await;
    let report = analyst.ask("Which region sold the most?").await;
    assert_eq!(report.state, StepState::Done, "{:#?}", analyst.messages());
    assert_eq!(report.tries, 1);
    // The follow-up questions are split off: the answer is the answer alone.
    assert_eq!(
        report.answer.as_deref(),
        Some("South sold the most: 250 in sales.")
    );
    assert_eq!(
        analyst.types(),
        [
            "question",
            "try_started",
            "code",
            "notice",
            "execution",
            "notice",
            "answer",
            "step_ended"
        ]
    );
    let executions = analyst.executions();
    assert_eq!(executions[0].1, Outcome::Success);
    assert!(executions[0].2.contains("North 220\n"), "{executions:?}");
    // The model saw the dataset's description and the question, not the file.
    let prompts = analyst.prompts();
    assert_eq!(
        prompts.len(),
        2,
        "one call for the code, one for the answer"
    );
    assert!(
        prompts[0].contains("Dataset \"sales.csv\""),
        "{}",
        prompts[0]
    );
    assert!(prompts[0].contains("Question: Which region sold the most?"));
    assert!(prompts[1].contains("best: South 250"), "{}", prompts[1]);
    // The answer's call knows the dataset, to suggest what it can answer next.
    assert!(
        prompts[1].contains("Dataset \"sales.csv\""),
        "{}",
        prompts[1]
    );
    let Message::Answer {
        ungrounded,
        provenance,
        follow_ups,
        ..
    } = analyst.answer()
    else {
        unreachable!()
    };
    assert_eq!(
        follow_ups,
        [
            "Which region sold the least?",
            "What share of 2024 sales was South's?"
        ]
    );
    // "2024" is in a suggestion, not in the answer: nothing is marked.
    assert!(ungrounded.is_empty(), "{ungrounded:?}");
    assert_eq!(provenance.code.trim_end(), TOTALS);
    assert_eq!(provenance.datasets[0].name, "sales.csv");
    assert_eq!(provenance.datasets[0].sha256.len(), 64);
    let Some(Message::StepEnded {
        input_tokens,
        output_tokens,
        ..
    }) = analyst.messages().last().cloned()
    else {
        unreachable!()
    };
    assert_eq!((input_tokens, output_tokens), (200, 40));
}

#[tokio::test]
async fn a_failed_try_sends_its_error_back_and_the_fix_answers() {
    let broken =
        "import csv\nrows = list(csv.DictReader(open(main_file)))\nprint(rows[0]['Region'])";
    let analyst = Analyst::with_replies(
        "fixed",
        vec![script(broken), script(TOTALS), streamed("South, with 250.")],
    )
    .await;
    let report = analyst.ask("Which region sold the most?").await;
    assert_eq!(report.state, StepState::Done);
    assert_eq!(report.tries, 2);
    let executions = analyst.executions();
    assert_eq!(executions.len(), 2);
    assert_eq!(executions[0].1, Outcome::Failed);
    assert_eq!(executions[1].1, Outcome::Success);
    // The error really reached the second request, with the failing code.
    let fix = &analyst.prompts()[1];
    for needle in [
        "KeyError",
        "'Region'",
        "(line 3)",
        "print(rows[0]['Region'])",
    ] {
        assert!(fix.contains(needle), "{needle} missing from:\n{fix}");
    }
}

#[tokio::test]
async fn five_failed_tries_end_in_an_honest_give_up() {
    let replies = (1..=5)
        .map(|n| script(&format!("raise ValueError('attempt {n} went wrong')")))
        .collect();
    let analyst = Analyst::with_replies("give-up", replies).await;
    let report = analyst.ask("Which region sold the most?").await;
    assert_eq!(report.state, StepState::GaveUp);
    assert_eq!(report.tries, 5);
    assert_eq!(
        analyst.server.requests().len(),
        5,
        "no answer call after giving up"
    );
    let gave_up = analyst
        .messages()
        .into_iter()
        .find_map(|m| match m {
            Message::GaveUp {
                tries, suggestion, ..
            } => Some((tries, suggestion)),
            _ => None,
        })
        .expect("a give-up message");
    assert_eq!(gave_up.0.len(), 5);
    assert!(
        gave_up.0[4].reason.contains("attempt 5 went wrong"),
        "{gave_up:?}"
    );
    assert!(!gave_up.1.is_empty());
    assert_eq!(analyst.types().last().unwrap(), "step_ended");
}

#[tokio::test]
async fn the_same_code_twice_is_not_run_again_and_the_model_is_told_what_was_tried() {
    let failing =
        "import csv\nprint(sum(int(r['amount']) for r in csv.DictReader(open(main_file))))";
    let analyst = Analyst::with_replies(
        "repeat",
        vec![
            script(failing),
            script(&format!("{failing}\n")),
            script(TOTALS),
            streamed("South."),
        ],
    )
    .await;
    let report = analyst.ask("What is the total amount?").await;
    assert_eq!(report.state, StepState::Done);
    assert_eq!(report.tries, 3);
    assert_eq!(
        analyst.executions().len(),
        2,
        "the repeated code did not run"
    );
    let rejected = analyst.messages().into_iter().find_map(|m| match m {
        Message::TryRejected {
            try_number, reason, ..
        } => Some((try_number, reason)),
        _ => None,
    });
    assert_eq!(
        rejected,
        Some((
            2,
            "The model sent the same code as in try 1, so it was not run again.".to_owned()
        ))
    );
    let third = &analyst.prompts()[2];
    assert!(third.contains("Already tried, and failed:"), "{third}");
    assert!(third.contains("- try 1: KeyError"), "{third}");
    assert!(third.contains("take a different approach"), "{third}");
}

#[tokio::test]
async fn a_missing_package_is_installed_without_spending_a_try() {
    let code = "import tabulate\nprint(tabulate.tabulate([['South', 250]]))";
    let analyst =
        Analyst::with_replies("install", vec![script(code), streamed("South: 250.")]).await;
    let report = analyst.ask("Show the best region as a table").await;
    assert_eq!(report.state, StepState::Done, "{:?}", analyst.messages());
    assert_eq!(report.tries, 1);
    let installed = analyst.events.events().into_iter().any(|e| {
        matches!(e, Event::PackagesInstalled { ref packages, error: None, .. } if packages == &["tabulate".to_owned()])
    });
    assert!(installed, "tabulate was installed");
    let executions = analyst.executions();
    assert_eq!(executions.last().unwrap().1, Outcome::Success);
    assert!(executions.last().unwrap().2.contains("South"));
}

#[tokio::test]
async fn a_reply_without_code_is_a_failed_try_with_a_clear_reason() {
    let analyst = Analyst::with_replies(
        "no-code",
        vec![
            streamed("Based on the data, the South region sold the most."),
            script(TOTALS),
            streamed("South, with 250."),
        ],
    )
    .await;
    let report = analyst.ask("Which region sold the most?").await;
    assert_eq!(report.state, StepState::Done);
    assert_eq!(report.tries, 2);
    assert!(analyst.messages().iter().any(|m| matches!(m,
        Message::TryRejected { try_number: 1, reason, .. } if reason == "The model's reply had no Python code in it.")));
    assert!(analyst.prompts()[1].contains("your reply had no Python code in it"));
}

#[tokio::test]
async fn two_python_blocks_run_as_one_script() {
    let analyst = Analyst::with_replies(
        "two-blocks",
        vec![
            streamed(
                "First read it:\n```python\nimport csv\nrows = list(csv.DictReader(open(main_file)))\n```\nThen count:\n```python\nprint('rows:', len(rows))\n```\nIt prints:\n```text\nrows: 4\n```\n",
            ),
            streamed("There are 4 rows."),
        ],
    )
    .await;
    let report = analyst.ask("How many rows?").await;
    assert_eq!(report.state, StepState::Done);
    assert_eq!(analyst.executions()[0].2, "rows: 4\n");
}

#[tokio::test]
async fn stop_ends_the_running_code_and_the_step_is_recorded_as_cancelled() {
    let analyst = Analyst::with_replies(
        "cancel",
        vec![script(
            "import time\nprint('started', flush=True)\ntime.sleep(120)",
        )],
    )
    .await;
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let events = analyst.events.clone();
    let sink = move |event: Event| {
        if matches!(&event, Event::Stdout { line, .. } if line == "started") {
            let _ = seen_tx.send(());
        }
        sandpiper::EventSink::emit(&events, event);
    };
    let (step_id, step) = analyst
        .engine
        .start_analysis(analyst.analysis("Wait a while"), Arc::new(sink));
    seen_rx.recv().await.expect("the code started");
    let stopped_at = std::time::Instant::now();
    assert!(analyst.engine.cancel_step(&step_id));
    let report = step.await.unwrap().unwrap();
    assert_eq!(report.state, StepState::Cancelled);
    assert!(
        stopped_at.elapsed().as_secs() < 20,
        "{:?}",
        stopped_at.elapsed()
    );
    assert_eq!(analyst.executions()[0].1, Outcome::Cancelled);
    assert!(!analyst.engine.cancel_step(&step_id), "the step is over");
}

#[tokio::test]
async fn a_follow_up_uses_a_file_the_step_before_left_in_the_work_folder() {
    let save = r#"import csv
rows = [r for r in csv.DictReader(open(main_file)) if r['region'] == 'North']
with open('/workspace/north.csv', 'w') as f:
    f.write('sales\n' + '\n'.join(r['sales'] for r in rows) + '\n')
print('north rows:', len(rows))"#;
    let reuse = "print('north total:', sum(int(l) for l in open('/workspace/north.csv').read().split()[1:]))";
    let analyst = Analyst::with_replies(
        "follow-up",
        vec![
            script(save),
            streamed("North has 2 rows."),
            script(reuse),
            streamed("North sold 220."),
        ],
    )
    .await;
    assert_eq!(
        analyst.ask("Keep the North rows").await.state,
        StepState::Done
    );
    let report = analyst.ask("What did North sell in total?").await;
    assert_eq!(report.state, StepState::Done);
    let follow_up = &analyst.prompts()[2];
    assert!(follow_up.contains("/workspace/north.csv"), "{follow_up}");
    assert!(follow_up.contains("Q: Keep the North rows"), "{follow_up}");
    assert!(follow_up.contains("A: North has 2 rows."), "{follow_up}");
    assert_eq!(analyst.executions().last().unwrap().2, "north total: 220\n");
}

/// The work folder's files reach a follow-up's prompt from the "done" of the
/// step before's last run, without a run of its own to list them: a file put
/// there between the steps, not by a run, is not listed yet.
#[tokio::test]
async fn a_follow_up_lists_the_files_without_a_listing_run() {
    let save = "open('/workspace/north.csv', 'w').write('sales\\n100\\n')\nprint('saved')";
    let analyst = Analyst::with_replies(
        "no-listing-run",
        vec![
            script(save),
            streamed("Saved."),
            script("print('ok')"),
            streamed("Done."),
        ],
    )
    .await;
    assert_eq!(
        analyst.ask("Save the North rows").await.state,
        StepState::Done
    );
    let containers = analyst.engine.session_containers().await.unwrap();
    let container = containers
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.session.as_ref() == Some(&analyst.session.name))
        .expect("the session's container");
    let planted = std::process::Command::new("docker")
        .args([
            "exec",
            "-u",
            "0",
            &container.id,
            "touch",
            "/workspace/planted.csv",
        ])
        .status()
        .unwrap();
    assert!(planted.success());
    assert_eq!(analyst.ask("And now?").await.state, StepState::Done);
    let follow_up = &analyst.prompts()[2];
    assert!(
        follow_up.contains("/workspace/north.csv (10 B)"),
        "{follow_up}"
    );
    assert!(!follow_up.contains("planted.csv"), "{follow_up}");
}

/// File names are the code's data: a link is not listed (nor followed), and
/// a name with a newline stays on its own line of the prompt.
#[tokio::test]
async fn the_listed_files_are_data_and_links_are_left_out() {
    let leave = "import os\nos.symlink('/etc/passwd', '/workspace/passwd_link')\nos.symlink('/etc', '/workspace/etc_link')\nopen('/workspace/two\\nlines.txt', 'w').write('x')\nprint('left')";
    let analyst = Analyst::with_replies(
        "listing-data",
        vec![
            script(leave),
            streamed("Left."),
            script("print('ok')"),
            streamed("Done."),
        ],
    )
    .await;
    assert_eq!(analyst.ask("Leave files").await.state, StepState::Done);
    assert_eq!(analyst.ask("And now?").await.state, StepState::Done);
    let follow_up = &analyst.prompts()[2];
    assert!(
        follow_up.contains("- /workspace/two?lines.txt (1 B)\n"),
        "{follow_up}"
    );
    assert!(!follow_up.contains("link"), "{follow_up}");
    assert!(!follow_up.contains("passwd"), "{follow_up}");
}

#[tokio::test]
async fn a_number_the_output_does_not_back_is_flagged() {
    let analyst = Analyst::with_replies(
        "ungrounded",
        vec![
            script(TOTALS),
            streamed("South sold 250, about 37.5% more than East."),
        ],
    )
    .await;
    analyst.ask("Which region sold the most?").await;
    let Message::Answer {
        text, ungrounded, ..
    } = analyst.answer()
    else {
        unreachable!()
    };
    let flagged: Vec<&str> = ungrounded.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(flagged, ["37.5%"]);
    assert_eq!(&text[ungrounded[0].start..ungrounded[0].end], "37.5%");
}

#[tokio::test]
async fn a_model_that_refuses_the_key_ends_the_step_in_plain_words() {
    let analyst = Analyst::with_replies(
        "bad-key",
        vec![Reply::json(
            401,
            json!({"error": {"message": "Invalid API key", "type": "invalid_request_error", "code": "invalid_api_key"}}),
        )],
    )
    .await;
    let report = analyst.ask("Which region sold the most?").await;
    assert_eq!(report.state, StepState::Failed);
    let error = analyst.messages().into_iter().find_map(|m| match m {
        Message::Error { error, .. } => Some(error),
        _ => None,
    });
    let error = error.expect("an error message");
    assert_eq!(error.code, "llm.invalid_key");
    assert!(
        error.title.contains("did not accept your API key"),
        "{error:?}"
    );
}

/// Reads a fixture in the analysis image as the description told the model to,
/// and checks both what the model was told and what the code printed.
async fn read_as_described(what: &str, fixture: &str, code: &str, told: &[&str], printed: &str) {
    let analyst = Analyst::on_fixture(what, fixture, vec![script(code), streamed("Done.")]).await;
    let report = analyst.ask("Summarise the data").await;
    assert_eq!(report.state, StepState::Done, "{:#?}", analyst.messages());
    let described = &analyst.prompts()[0];
    for needle in told {
        assert!(
            described.contains(needle),
            "{needle} missing from:\n{described}"
        );
    }
    let output = &analyst.executions()[0].2;
    assert!(output.contains(printed), "{printed:?} not in {output:?}");
}

#[tokio::test]
async fn a_latin1_csv_with_semicolons_and_decimal_commas_is_read_without_garbling() {
    read_as_described(
        "latin1",
        "ventes_latin1.csv",
        "df = pd.read_csv(file_1, sep=';', encoding='cp1252', decimal=',')\n\
         print(df.groupby('Région')[\"Chiffre d'affaires (€)\"].sum().to_string())",
        &[
            "Région (str)",
            "Île-de-France | Paris | 1234.5",
            "file_1 (ventes_latin1.csv): pd.read_csv(file_1, sep=';', encoding='cp1252', decimal=',')",
        ],
        "Île-de-France    1734.50",
    )
    .await;
}

#[tokio::test]
async fn an_excel_report_is_read_from_its_table_sheet_under_its_title_with_merged_headers() {
    read_as_described(
        "excel",
        "sales_report.xlsx",
        "df = load_data(file_1, sheet='Sales')\nprint('Q1 revenue:', df['Revenue Q1'].sum())",
        &[
            "Excel sheet \"Sales\", header on row 4 (other sheets: \"Notes\")",
            "- Revenue Q1 (int64)",
            "- Units Q2 (int64)",
            "file_1 (sales_report.xlsx): load_data(file_1, sheet='Sales')",
        ],
        "Q1 revenue: 545",
    )
    .await;
}

#[tokio::test]
async fn nested_json_records_become_columns() {
    read_as_described(
        "json",
        "orders.json",
        "df = load_data()\nprint('biggest order:', df.loc[df['total'].idxmax(), 'customer.name'])",
        &[
            "- customer.country (str)",
            "file_1 (orders.json): load_data(file_1)",
        ],
        "biggest order: Chloé",
    )
    .await;
}

#[tokio::test]
async fn a_parquet_file_keeps_its_types() {
    read_as_described(
        "parquet",
        "visits.parquet",
        "df = pd.read_parquet(file_1)\nprint('visits:', df['visits'].sum(), df['day'].dt.day_name().iloc[0])",
        &["- day (datetime64", "- visits (int64)", "pd.read_parquet(file_1)"],
        "visits: 471 Monday",
    )
    .await;
}

#[tokio::test]
async fn warming_gets_the_session_ready_and_a_changed_file_is_described_again() {
    let analyst = Analyst::with_replies(
        "warm",
        vec![
            script("print('rows:', sum(1 for _ in open(main_file)) - 1)"),
            streamed("There are 5 rows."),
        ],
    )
    .await;
    analyst
        .engine
        .warm_session(
            &analyst.session.name,
            std::slice::from_ref(&analyst.data),
            &analyst.events,
        )
        .await
        .unwrap_or_else(|err| panic!("{}", err.plain_words()));
    // The container is there before any question.
    let listed = analyst.session.containers().await.list().await.unwrap();
    assert!(
        listed
            .iter()
            .any(|c| c.session.as_ref() == Some(&analyst.session.name) && c.running),
        "{listed:?}"
    );
    // The file changes after warming: the question must see the new file.
    std::fs::write(
        &analyst.data,
        "region,sales\nNorth,1\nSouth,2\nEast,3\nWest,4\nMid,5\n",
    )
    .unwrap();
    let report = analyst.ask("How many rows?").await;
    assert_eq!(report.state, StepState::Done, "{:#?}", analyst.messages());
    let described = &analyst.prompts()[0];
    assert!(described.contains("5 rows, 2 columns"), "{described}");
    assert_eq!(analyst.executions()[0].2, "rows: 5\n");
}

/// The evaluation harness with the replay model: every question's known code
/// goes through the whole loop, so anything short of 100 % is Sandpiper's fault.
#[test]
fn the_eval_with_replayed_code_scores_every_question() {
    let state = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args(["eval", "--replay", "--set"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/eval/penguins.json"
        ))
        .env("SANDPIPER_STATE_DIR", state.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("accuracy 8/8 (100 %), 1.0 tries per question"),
        "{stdout}"
    );
    assert_eq!(stdout.matches('✓').count(), 8, "{stdout}");
}

/// A question the eval gets wrong says why under its line: the last try's
/// failure when the step gave up, what the answer lacked when it answered.
#[test]
fn the_eval_says_why_a_question_was_not_answered_right() {
    let state = tempfile::tempdir().unwrap();
    let set = state.path().join("wrong.json");
    let questions = serde_json::json!({
        "name": "Wrong on purpose",
        "dataset": concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/penguins.csv"),
        "questions": [
            { "id": "broken", "question": "How many penguins?", "expect": { "number": 344 },
              "code": "print(len(open(main_file).readlines()) / 0)" },
            { "id": "wrong", "question": "How many penguins are there?", "expect": { "number": 344 },
              "code": "print('penguins:', 12)" }
        ]
    });
    std::fs::write(&set, questions.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .args(["eval", "--replay", "--max-tries", "1", "--set"])
        .arg(&set)
        .env("SANDPIPER_STATE_DIR", state.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "a replay below 100 % fails: {stdout}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let under = |id: &str| {
        let at = lines
            .iter()
            .position(|l| l.starts_with('✗') && l.contains(id))
            .unwrap_or_else(|| panic!("{id} not marked wrong: {stdout}"));
        lines.get(at + 1).copied().unwrap_or_default()
    };
    assert!(
        under("broken").trim_start().starts_with("try 1:")
            && under("broken").contains("ZeroDivisionError"),
        "{stdout}"
    );
    assert_eq!(
        under("wrong").trim(),
        "answered, but without 344",
        "{stdout}"
    );
}

/// A saved session: every message is on disk as the step goes, the try's file
/// lands in the session's folder, and after the session is closed and opened
/// again (as after quitting the app) a follow-up knows the earlier answer.
#[tokio::test]
async fn a_saved_session_keeps_the_conversation_and_a_reopened_one_goes_on() {
    let write_totals = r#"import csv, os
totals = {}
for row in csv.DictReader(open(main_file)):
    totals[row['region']] = totals.get(row['region'], 0) + int(row['sales'])
os.makedirs('/workspace/output', exist_ok=True)
with open('/workspace/output/totals.csv', 'w') as f:
    f.write('region,total\n' + ''.join(f'{r},{t}\n' for r, t in sorted(totals.items())))
print('South', totals['South'])"#;
    let analyst = Analyst::with_replies(
        "saved",
        vec![
            script(write_totals),
            streamed("South sold the most: 250."),
            script("print('regions:', 3)"),
            streamed("There are 3 regions."),
        ],
    )
    .await;
    let engine = &analyst.engine;
    let id = analyst.session.name.clone();
    let session = engine.create_session(Some(id.clone()), None).unwrap();
    engine.add_session_dataset(&session, &analyst.data).unwrap();
    let report = engine
        .analyze_in_session(&session, "Which region sold most?", &analyst.events)
        .await
        .unwrap();
    assert_eq!(report.state, StepState::Done, "{:#?}", analyst.messages());

    // What the window was shown is what was saved, message for message.
    let saved = engine.read_session(&id).unwrap();
    let shown: Vec<String> = analyst.types();
    let kept = type_names(&saved.conversation);
    assert_eq!(kept, shown);
    assert_eq!(saved.meta.title, "Which region sold most");
    // The try's file is in the session's folder, under its step and try.
    let artifact = saved
        .conversation
        .iter()
        .find_map(|m| match m {
            Message::Artifact { artifact, .. } => Some(artifact.path.clone()),
            _ => None,
        })
        .expect("the totals file was brought back");
    assert!(
        artifact.starts_with(session.dir().join("artifacts")),
        "{artifact:?}"
    );
    assert!(
        artifact.parent().unwrap().ends_with("try-1"),
        "{artifact:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&artifact).unwrap(),
        "region,total\nEast,175\nNorth,220\nSouth,250\n"
    );

    // Closed (the app quits) and opened again: the follow-up knows the answer.
    let session_dir = &session.dir().to_owned();
    drop(session);
    let reopened = engine.open_session(&id).unwrap();
    assert_eq!(reopened.conversation.len(), kept.len());
    assert!(reopened.recovery.interrupted_steps.is_empty());
    let report = engine
        .analyze_in_session(&reopened.handle, "And how many regions?", &analyst.events)
        .await
        .unwrap();
    assert_eq!(report.state, StepState::Done);
    let follow_up = &analyst.prompts()[2];
    assert!(
        follow_up.contains("Q: Which region sold most?"),
        "{follow_up}"
    );
    assert!(
        follow_up.contains("A: South sold the most: 250."),
        "{follow_up}"
    );
    let saved = engine.read_session(&id).unwrap();
    let steps = saved.step_states();
    let states: Vec<_> = steps.iter().map(|(_, s)| *s).collect();
    assert_eq!(states, [Some(StepState::Done), Some(StepState::Done)]);

    // "Re-run this step": the first answer's code, in a fresh container, prints
    // what it printed then...
    let out = analyst.session.state.path().join("rerun");
    let rerun = engine
        .rerun_step(&id, &steps[0].0, &out, &analyst.events)
        .await
        .unwrap();
    assert!(rerun.matches, "{rerun:?}");
    assert_eq!(rerun.now, "South 250\n");
    assert!(rerun.changed_datasets.is_empty(), "{rerun:?}");
    // ...and after the saved copy of the data changed, says so and differs.
    let copy = &saved.dataset_paths()[0];
    assert!(copy.starts_with(session_dir), "{copy:?}");
    std::fs::write(copy, "region,sales\nNorth,1\nSouth,2\n").unwrap();
    let rerun = engine
        .rerun_step(&id, &steps[0].0, &out, &analyst.events)
        .await
        .unwrap();
    assert!(!rerun.matches);
    assert_eq!(
        (rerun.then.as_str(), rerun.now.as_str()),
        ("South 250\n", "South 2\n")
    );
    assert_eq!(rerun.changed_datasets, ["sales.csv"]);
}

/// The analyst's description of a column ("in euros, excluding VAT") is saved
/// with the session, is still there after it is closed and opened again, and
/// goes to the model with that column: in the request the server received
/// and in what the step records as sent ("What was sent").
#[tokio::test]
async fn a_column_description_is_saved_survives_reopening_and_reaches_the_model() {
    let analyst = Analyst::with_replies(
        "described",
        vec![script(TOTALS), streamed("South sold the most: 250 euros.")],
    )
    .await;
    let engine = &analyst.engine;
    let id = analyst.session.name.clone();
    let session = engine.create_session(Some(id.clone()), None).unwrap();
    let dataset = engine.add_session_dataset(&session, &analyst.data).unwrap();
    let saved = engine
        .describe_session_column(
            &session,
            &dataset.name,
            "sales",
            "  in euros,\n excluding VAT ",
        )
        .unwrap();
    assert_eq!(saved.as_deref(), Some("in euros, excluding VAT"));
    let unknown = engine.describe_session_column(&session, "other.csv", "sales", "x");
    assert!(
        matches!(unknown, Err(sandpiper::Error::DatasetNotInSession { .. })),
        "{unknown:?}"
    );

    // Closed (the app quits) and opened again: the description is still there.
    drop(session);
    let reopened = engine.open_session(&id).unwrap();
    let kept = &reopened.handle.meta().datasets[0].column_descriptions;
    assert_eq!(
        kept.get("sales").map(String::as_str),
        Some("in euros, excluding VAT")
    );
    let report = engine
        .analyze_in_session(&reopened.handle, "Which region sold most?", &analyst.events)
        .await
        .unwrap();
    assert_eq!(report.state, StepState::Done, "{:#?}", analyst.messages());

    let prompt = &analyst.prompts()[0];
    let lines: Vec<&str> = prompt.lines().collect();
    let column = lines
        .iter()
        .position(|l| l.starts_with("- sales ("))
        .unwrap_or_else(|| panic!("the sales column is described:\n{prompt}"));
    assert_eq!(
        lines[column + 1],
        "  The analyst says: in euros, excluding VAT",
        "{prompt}"
    );
    assert_eq!(prompt.matches("The analyst says").count(), 1, "{prompt}");
    let shown = analyst
        .messages()
        .into_iter()
        .find_map(|m| match m {
            Message::TryStarted { sent, .. } => sent,
            _ => None,
        })
        .expect("the try records what was sent");
    assert!(
        shown
            .prompt
            .contains("  The analyst says: in euros, excluding VAT"),
        "{}",
        shown.prompt
    );

    // Removed (an empty description): the next step sends none.
    engine
        .describe_session_column(&reopened.handle, &dataset.name, "sales", " ")
        .unwrap();
    assert!(reopened.handle.column_descriptions()[0].is_empty());
}

/// `sandpiper analyze --session` killed (SIGKILL) while the code runs: the
/// session opens with the question and the code that was running, and the step
/// says it was interrupted.
#[cfg(unix)]
// Multi-threaded: the test blocks reading the CLI while the scripted model
// server, on this runtime, answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_survives_the_app_being_killed_mid_run() {
    let analyst = Analyst::with_replies(
        "killed",
        vec![script(
            "import time\nprint('started', flush=True)\ntime.sleep(120)",
        )],
    )
    .await;
    let id = analyst.session.name.clone();
    let (mut cli, _) = analyze_until_started(&analyst, Some(id.as_str()));
    cli.kill().unwrap(); // SIGKILL: no handler runs
    cli.wait().unwrap();

    let opened = analyst.engine.open_session(&id).unwrap();
    let types = type_names(&opened.conversation);
    assert_eq!(
        types.first().map(String::as_str),
        Some("question"),
        "{types:?}"
    );
    assert!(
        opened
            .conversation
            .iter()
            .any(|m| matches!(m, Message::Code { code, .. } if code.contains("time.sleep(120)"))),
        "{types:?}"
    );
    assert_eq!(opened.recovery.interrupted_steps.len(), 1);
    assert!(matches!(
        opened.conversation.last(),
        Some(Message::StepEnded {
            state: StepState::Interrupted,
            ..
        })
    ));
    assert_eq!(opened.datasets.len(), 1);
}

/// Starts `sandpiper analyze` on the analyst's data (continuing `session`, or
/// a new one) and returns once its code has printed "started", with what the
/// CLI said on stderr so far.
#[cfg(unix)]
fn analyze_until_started(
    analyst: &Analyst,
    session: Option<&str>,
) -> (std::process::Child, String) {
    let said = analyst.session.state.path().join("stderr.txt");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"));
    command
        .args(["analyze", "--bare-image", "--provider", "openai-compatible"])
        .args(["--model", "local-model", "--base-url"])
        .arg(analyst.server.url_with("/v1"))
        .args(["--image", &analyst.session.image])
        .args(["--question", "Wait a while"])
        .arg(&analyst.data)
        .env("SANDPIPER_STATE_DIR", analyst.session.state.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&said).unwrap())
        .stdin(std::process::Stdio::null());
    if let Some(id) = session {
        command.args(["--session", id]);
    }
    let mut cli = command.spawn().unwrap();
    // The code's first line reaches the terminal: it is running.
    let mut stdout = std::io::BufReader::new(cli.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim() != "started" {
        line.clear();
        let read = std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert!(
            read > 0,
            "the CLI ended before the code started: {}",
            std::fs::read_to_string(&said).unwrap()
        );
    }
    (cli, std::fs::read_to_string(&said).unwrap())
}

/// `sandpiper analyze` without `--session` removes its session's container at
/// its end; killed before that, it leaves the container to the next start,
/// which removes it instead of keeping it for a session nobody continues.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_analyze_leaves_no_container_after_the_next_start() {
    let analyst = Analyst::with_replies(
        "throwaway",
        vec![script(
            "import time\nprint('started', flush=True)\ntime.sleep(120)",
        )],
    )
    .await;
    let (mut cli, said) = analyze_until_started(&analyst, None);
    cli.kill().unwrap(); // SIGKILL: its own clean-up never runs
    cli.wait().unwrap();
    let session = said
        .lines()
        .find_map(|line| line.strip_prefix("Session "))
        .unwrap_or_else(|| panic!("no session named: {said}"))
        .trim()
        .to_owned();
    let container = format!("sandpiper-session-{session}");
    let docker = common::docker().await;
    let left = docker.inspect_container(&container, None).await;
    let left_running = left
        .as_ref()
        .ok()
        .and_then(|c| c.state.as_ref()?.running)
        .unwrap_or(false);
    let reaped = analyst.engine.reap_orphans().await.unwrap();
    let still_there = docker.inspect_container(&container, None).await.is_ok();
    if still_there {
        let _ = docker
            .remove_container(
                &container,
                Some(
                    bollard::query_parameters::RemoveContainerOptionsBuilder::default()
                        .force(true)
                        .v(true)
                        .build(),
                ),
            )
            .await;
    }
    assert!(left_running, "the killed run left no running container");
    assert!(
        !still_there,
        "the next start kept the killed run's container: {reaped:?}"
    );
    assert!(
        reaped
            .volumes
            .iter()
            .any(|v| v == &format!("sandpiper-session-{session}-work")),
        "its work volume stayed: {reaped:?}"
    );
}

/// Docker's socket going away and coming back between two questions (Docker
/// Desktop restarting, say): the connection the engine kept from the first
/// question and the attach to the session's harness are both dead, and the
/// second question must still be answered, on its first try.
#[tokio::test]
async fn a_question_after_dockers_socket_came_back_is_still_answered() {
    let dir = tempfile::tempdir().unwrap();
    let socket = CuttableSocket::start(dir.path());
    let analyst = Analyst::with_settings(
        "socket-back",
        vec![
            script(TOTALS),
            streamed("South sold the most: 250."),
            script(TOTALS),
            streamed("Still South, with 250."),
        ],
        |settings| settings.docker.endpoint = Some(socket.docker_host()),
    )
    .await;
    let first = analyst.ask("Which region sold the most?").await;
    assert_eq!(first.state, StepState::Done, "{:#?}", analyst.messages());
    let _back = socket.restart();
    let second = analyst.ask("Which region sold the most, again?").await;
    assert_eq!(second.state, StepState::Done, "{:#?}", analyst.messages());
    assert_eq!(second.tries, 1);
    assert_eq!(second.answer.as_deref(), Some("Still South, with 250."));
}

/// "Edit and run": the analyst's own version of a step's code runs as the
/// first try of a new step asking the same question, with no model call for
/// it (nothing of the data is sent); the answer is written as usual. Their
/// broken code goes to the model to be fixed, like any failed try.
#[tokio::test]
async fn the_analysts_own_code_runs_without_asking_the_model_and_a_broken_one_is_fixed() {
    let analyst = Analyst::with_replies(
        "own-code",
        vec![
            script(TOTALS),
            streamed("South sold the most: 250."),
            // Edited code that works: only the answer is asked for.
            streamed("North sold 220."),
            // Edited code that breaks: the model fixes it, then answers.
            script(TOTALS),
            streamed("South, with 250."),
        ],
    )
    .await;
    let engine = &analyst.engine;
    let session = Arc::new(
        engine
            .create_session(Some(analyst.session.name.clone()), Some("Own code"))
            .unwrap_or_else(|e| panic!("{}", e.plain_words())),
    );
    engine
        .add_session_dataset(&session, &analyst.data)
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let first = engine
        .analyze_in_session(&session, "Which region sold the most?", &analyst.events)
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    assert_eq!(first.state, StepState::Done);

    let mine = "import csv\nrows = list(csv.DictReader(open(main_file)))\n\
                print('North', sum(int(r['sales']) for r in rows if r['region'] == 'North'))";
    let (_, handle) = engine
        .start_own_code_in_session(
            Arc::clone(&session),
            &first.step_id,
            mine.to_owned(),
            Arc::new(analyst.events.clone()),
        )
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let edited = handle.await.unwrap().unwrap();
    assert_eq!(edited.state, StepState::Done, "{:#?}", analyst.messages());
    assert_eq!(edited.tries, 1);
    assert_eq!(edited.answer.as_deref(), Some("North sold 220."));
    let saved = session.conversation().unwrap();
    let of = |step: &sandpiper::ids::StepId| -> Vec<Message> {
        saved
            .iter()
            .filter(|m| m.step_id() == step)
            .cloned()
            .collect()
    };
    let steps = of(&edited.step_id);
    let Message::Question { text, .. } = &steps[0] else {
        panic!("{steps:#?}")
    };
    assert_eq!(
        text, "Which region sold the most?",
        "the edited step's question"
    );
    let Message::TryStarted {
        by_analyst, sent, ..
    } = steps[1].clone()
    else {
        panic!("{steps:#?}")
    };
    assert!(by_analyst);
    assert_eq!(sent, None, "nothing was sent for the analyst's code");
    let ran = steps.iter().find_map(|m| match m {
        Message::Code { code, .. } => Some(code.clone()),
        _ => None,
    });
    assert_eq!(ran.as_deref(), Some(mine), "run as written");
    // Three requests so far: the first step's two and this step's answer.
    let prompts = analyst.prompts();
    assert_eq!(prompts.len(), 3, "no request for the analyst's code");
    assert!(prompts[2].contains("North 220"), "{}", prompts[2]);

    let broken = "print(totals['North'])";
    let (_, handle) = engine
        .start_own_code_in_session(
            Arc::clone(&session),
            &first.step_id,
            broken.to_owned(),
            Arc::new(analyst.events.clone()),
        )
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let fixed = handle.await.unwrap().unwrap();
    assert_eq!(fixed.state, StepState::Done);
    assert_eq!(fixed.tries, 2, "the analyst's try, then the model's fix");
    let fix = &analyst.prompts()[3];
    assert!(
        fix.contains("NameError") && fix.contains(broken),
        "the fix request carries the analyst's code and its error:\n{fix}"
    );

    // Nothing to run, or a step the session does not have: refused at once.
    for (step, code) in [
        (first.step_id.clone(), "  \n".to_owned()),
        (sandpiper::ids::StepId::new(), mine.to_owned()),
    ] {
        let refused = engine.start_own_code_in_session(
            Arc::clone(&session),
            &step,
            code,
            Arc::new(analyst.events.clone()),
        );
        assert!(
            matches!(
                refused,
                Err(sandpiper::Error::CodeEmpty | sandpiper::Error::StepNotInSession { .. })
            ),
            "{:?}",
            refused.map(|(id, _)| id)
        );
    }
}
