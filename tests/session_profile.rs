//! The Quick profile of a file dropped into a session runs in the session's
//! kept container, against real Docker: the drop pays one container start for
//! the profile and the questions after it, the numbers are the same, and Stop
//! leaves the session ready for its next run.

mod common;
mod llm_support;

use bollard::query_parameters::EventsOptions;
use common::Recorder;
use common::known_csv::{large_profile_test_mib, write_known_csv};
use common::session::TestSession;
use common::stop_on_first_line::StopOnFirstLine;
use futures_util::StreamExt;
use llm_support::{Server, chat_reply};
use sandpiper::conversation::StepState;
use sandpiper::docker::image_variants::ImageVariant;
use sandpiper::docker::{ensure_variant_image, labels};
use sandpiper::engine::Analysis;
use sandpiper::events::{Event, Outcome};
use sandpiper::llm::ProviderId;
use sandpiper::profile_data::{ColumnKind, DatasetProfile, ProfileEngine};
use sandpiper::settings::PackageSettings;
use sandpiper::{Engine, RunId, Settings};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The containers Docker created since `since` (seconds) for `session`'s
/// container or for the run `run_id` (a one-off run's container is labelled
/// with its run id). Read from Docker's own event log, so a container created
/// and removed meanwhile counts too.
async fn containers_created(since: i64, session: &str, run_id: &RunId) -> Vec<String> {
    let docker = common::docker().await;
    let filters = HashMap::from([
        ("type".to_owned(), vec!["container".to_owned()]),
        ("event".to_owned(), vec!["create".to_owned()]),
        ("label".to_owned(), vec![labels::MANAGED.to_owned()]),
    ]);
    let options = EventsOptions {
        since: Some(since.to_string()),
        until: Some((now_secs() + 1).to_string()),
        filters: Some(filters),
    };
    let mut events = docker.events(Some(options));
    let mut created = Vec::new();
    while let Some(event) = events.next().await {
        let actor = event.unwrap().actor.unwrap_or_default();
        let attributes = actor.attributes.unwrap_or_default();
        let ours = attributes.get(labels::SESSION).map(String::as_str) == Some(session)
            || attributes.get(labels::RUN_ID).map(String::as_str) == Some(run_id.as_str());
        if ours {
            created.push(actor.id.unwrap_or_default());
        }
    }
    created
}

fn profiles(events: &[Event]) -> Vec<DatasetProfile> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::DatasetProfiled { profile, .. } => Some(profile.clone()),
            _ => None,
        })
        .collect()
}

const TOTALS: &str = r#"import csv
totals = {}
for row in csv.DictReader(open(main_file)):
    totals[row['region']] = totals.get(row['region'], 0) + int(row['sales'])
print('best:', max(totals, key=totals.get))"#;

/// The drop as the window makes it: the file in the session, its profile with
/// the session warmed meanwhile, then a question about it. One container for all of it, on the analysis image.
#[tokio::test]
async fn a_profile_and_the_question_after_it_share_one_container() {
    let analysis_tag = ensure_variant_image(
        &common::docker().await,
        &common::test_image(),
        ImageVariant::Analysis,
        PackageSettings::default().ca_bundle.as_deref(),
        &Recorder::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.plain_words()))
    .0;
    let server = Server::start(vec![
        chat_reply(&format!("```python\n{TOTALS}\n```\n")),
        chat_reply("South sold the most."),
    ])
    .await;
    let session = TestSession::new("drop-profile");
    let sales = session.state.path().join("sales.csv");
    std::fs::write(
        &sales,
        "region,sales\nNorth,100\nSouth,250\nNorth,120\nEast,175\n",
    )
    .unwrap();
    let mut settings = Settings::default();
    settings.sandbox.image = session.image.clone();
    assert!(settings.agent.analysis_image, "as users have it");
    settings.llm.provider = ProviderId::OpenAiCompatible;
    settings.llm.base_url = Some(server.url_with("/v1"));
    settings.llm.model = Some("local-model".into());
    let engine = Engine::with_state_dir(settings, session.state.path().to_owned());
    let since = now_secs() - 1;

    let heard = Recorder::default();
    let (run_id, handle) = engine
        .start_quick_profile_in_session(
            &session.name,
            std::slice::from_ref(&sales),
            std::slice::from_ref(&sales),
            &session.state.path().join("profiles"),
            Arc::new(heard.clone()),
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    // The window warms the session as soon as the profile has started: its
    // runs wait their turn in the same container.
    let warming = Recorder::default();
    let (profiled, warmed) = tokio::join!(
        handle,
        engine.warm_session(&session.name, std::slice::from_ref(&sales), &warming)
    );
    warmed.unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let profiled = profiled.unwrap();
    assert_eq!(profiled.outcome, Outcome::Success, "{}", profiled.stderr);
    let events = heard.events();
    assert!(
        matches!(&events[0], Event::RunStarted { image, title, .. }
            if *image == analysis_tag && title == "Quick profile of sales.csv"),
        "{:?}",
        events[0]
    );
    assert!(matches!(events.last(), Some(Event::RunFinished { .. })));
    let [profile] = profiles(&events).try_into().unwrap();
    assert_eq!(profile.rows, 4);
    assert_eq!(profile.columns.len(), 2);
    let sales_column = &profile.columns[1];
    assert_eq!(sales_column.kind, ColumnKind::Integer);
    let numbers = sales_column.numbers.as_ref().unwrap();
    assert_eq!((numbers.min, numbers.max), (100.0, 250.0));
    assert!((numbers.mean - 161.25).abs() < 1e-9);

    let step = Recorder::default();
    let report = engine
        .analyze(
            &Analysis {
                session_id: session.name.clone(),
                question: "Which region sold the most?".into(),
                datasets: vec![sales.clone()],
                artifacts_dir: session.state.path().join("step"),
                column_descriptions: Vec::new(),
            },
            &step,
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    assert_eq!(report.state, StepState::Done, "{:#?}", step.events());
    assert_eq!(report.answer.as_deref(), Some("South sold the most."));

    let created = containers_created(since, session.name.as_str(), &run_id).await;
    assert_eq!(
        created.len(),
        1,
        "the profile and the question must share the session's container: {created:?}"
    );
}

/// Stop during a profile in a session ends it as Cancelled; the session's
/// next run still works, in the session's container.
#[tokio::test]
async fn a_stopped_session_profile_leaves_the_session_ready_for_its_next_run() {
    let session = TestSession::new("stop-profile");
    let csv = session.state.path().join("big.csv");
    common::write_big_csv(&csv);
    let mut settings = Settings::default();
    settings.sandbox.image = session.image.clone();
    settings.agent.analysis_image = false;
    let engine = Engine::with_state_dir(settings, session.state.path().to_owned());

    let heard = Recorder::default();
    let sink = StopOnFirstLine::new(&engine, &heard);
    let since = now_secs() - 1;
    let datasets: Vec<PathBuf> = vec![csv];
    let (run_id, handle) = engine
        .start_quick_profile_in_session(
            &session.name,
            &datasets,
            &datasets,
            session.state.path(),
            sink,
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let stopped = handle.await.unwrap();
    assert_eq!(stopped.outcome, Outcome::Cancelled, "{}", stopped.summary);
    assert!(stopped.summary.starts_with("You stopped this run"));
    assert!(
        !heard.stdout_lines().iter().any(|l| l.starts_with("Rows:")),
        "the profile ran to its end"
    );
    assert!(profiles(&heard.events()).is_empty());

    let (next, container) = engine
        .run_code_in_session(
            &session.name,
            "t",
            "import os\nprint(sorted(os.listdir('/data')))",
            &datasets,
            &session.state.path().join("out"),
            &Recorder::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    assert_eq!(next.outcome, Outcome::Success, "{}", next.stderr);
    assert_eq!(next.stdout, "['big.csv']\n");
    assert!(!container.created, "the session's container was kept");

    // And the profile itself, run again to its end there.
    let heard = Recorder::default();
    let (_, handle) = engine
        .start_quick_profile_in_session(
            &session.name,
            &datasets,
            &datasets,
            session.state.path(),
            Arc::new(heard.clone()),
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let again = handle.await.unwrap();
    assert_eq!(again.outcome, Outcome::Success, "{}", again.stderr);
    let [profile] = profiles(&heard.events())
        .try_into()
        .unwrap_or_else(|events| panic!("{events:?}\n{:#?}", heard.events()));
    assert_eq!(profile.rows, 400_000);
    assert_eq!(
        containers_created(since, session.name.as_str(), &run_id)
            .await
            .len(),
        1
    );
}

/// A large CSV profiled by DuckDB in the session's own container, where the
/// resident harness shares the default memory limit with the profile: it
/// finishes with its real numbers, and the session's next run (warming's
/// description of the file) still works in the same container: the profile
/// did not take the harness down with it.
#[tokio::test]
async fn a_large_csv_is_profiled_in_the_session_container_within_the_default_limits() {
    let session = TestSession::new("large-profile");
    let csv = session.state.path().join("big.csv");
    let rows = write_known_csv(&csv, large_profile_test_mib());
    let mut settings = Settings::default();
    settings.sandbox.image = session.image.clone();
    assert!(
        settings.agent.analysis_image,
        "DuckDB is in the analysis image"
    );
    let engine = Engine::with_state_dir(settings, session.state.path().to_owned());
    let datasets: Vec<PathBuf> = vec![csv];

    let since = now_secs() - 1;
    let heard = Recorder::default();
    let (run_id, handle) = engine
        .start_quick_profile_in_session(
            &session.name,
            &datasets,
            &datasets,
            &session.state.path().join("profiles"),
            Arc::new(heard.clone()),
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let profiled = handle.await.unwrap();
    assert_eq!(
        profiled.outcome,
        Outcome::Success,
        "{}\n{}",
        profiled.summary,
        profiled.stderr
    );
    let [profile] = profiles(&heard.events())
        .try_into()
        .unwrap_or_else(|events| panic!("{events:?}"));
    assert_eq!(profile.engine, ProfileEngine::Duckdb);
    assert_eq!(profile.rows, rows);
    let id = profile.columns[0].numbers.as_ref().unwrap();
    assert_eq!((id.min, id.max), (0.0, (rows - 1) as f64));
    let units = &profile.columns[2];
    assert_eq!(units.name, "units");
    assert_eq!(units.missing, rows.div_ceil(50));

    // Warming describes the dataset with a run of the resident harness, in
    // the container the profile ran in: both still answer.
    engine
        .warm_session(&session.name, &datasets, &Recorder::default())
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let created = containers_created(since, session.name.as_str(), &run_id).await;
    assert_eq!(
        created.len(),
        1,
        "the profile's container was replaced: {created:?}"
    );
}

/// The Quick profile of `datasets` in `session`, to its end: its profiles.
async fn profile_in_session(
    engine: &Arc<Engine>,
    session: &sandpiper::SessionId,
    datasets: &[PathBuf],
    out: &std::path::Path,
) -> Vec<DatasetProfile> {
    let heard = Recorder::default();
    let (_, handle) = engine
        .start_quick_profile_in_session(session, datasets, datasets, out, Arc::new(heard.clone()))
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let result = handle.await.unwrap();
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    profiles(&heard.events())
}

/// A workbook of two tables: the profile reads the first ("Summary") and says
/// which sheets there are; the analyst picks "Detail" and its header row; the
/// profile then shows that sheet's columns and first rows, the choice is in
/// `session.json` when the session is reopened, and the step after it is told
/// to read that sheet at that row, and its code does, even when it calls
/// `load_data()` without saying which sheet.
#[tokio::test]
async fn a_chosen_sheet_and_header_row_are_profiled_saved_and_read_by_the_next_step() {
    ensure_variant_image(
        &common::docker().await,
        &common::test_image(),
        ImageVariant::Analysis,
        PackageSettings::default().ca_bundle.as_deref(),
        &Recorder::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    // The code does not spell the choice out: load_data() and load_data(file_1)
    // read the sheet and row the analyst chose all the same.
    let code = "df = load_data()\n\
                print('units:', int(df['Units'].sum()), 'stores:', len(load_data(file_1)))";
    let server = Server::start(vec![
        chat_reply(&format!("```python\n{code}\n```\n")),
        chat_reply("The stores sold 780 units."),
    ])
    .await;
    let test = TestSession::new("sheet-choice");
    let mut settings = Settings::default();
    settings.sandbox.image = test.image.clone();
    settings.llm.provider = ProviderId::OpenAiCompatible;
    settings.llm.base_url = Some(server.url_with("/v1"));
    settings.llm.model = Some("local-model".into());
    let engine = Engine::with_state_dir(settings, test.state.path().to_owned());
    let workbook = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/regions.xlsx");
    let session = engine
        .create_session(Some(test.name.clone()), Some("Regions"))
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    engine
        .add_session_dataset(&session, &workbook)
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let datasets = session.dataset_paths();
    let out = test.state.path().join("profiles");

    let [first] = profile_in_session(&engine, &test.name, &datasets, &out)
        .await
        .try_into()
        .unwrap();
    assert_eq!(first.sheet.as_deref(), Some("Summary"));
    assert_eq!(first.sheets, ["Summary", "Detail"]);
    assert_eq!(first.header_row, Some(1));
    assert_eq!(first.first_rows[1], ["South", "490"]);
    // Kept with the session: reopening shows it without running anything.
    assert_eq!(session.kept_profiles(), [Some(first.clone())]);

    // "Detail", header row left to the reader: found under the title.
    let detail = |header_row| sandpiper::profile_data::TableChoice {
        sheet: Some("Detail".into()),
        header_row,
    };
    engine
        .choose_dataset_table(&session, "regions.xlsx", detail(None))
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    assert_eq!(
        session.kept_profiles(),
        [None],
        "the kept profile is of another sheet"
    );
    let [found] = profile_in_session(&engine, &test.name, &datasets, &out)
        .await
        .try_into()
        .unwrap();
    let names = |p: &DatasetProfile| p.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        (found.sheet.as_deref(), found.header_row),
        (Some("Detail"), Some(3))
    );
    assert_eq!(names(&found), ["Store", "Region", "Units", "Price"]);
    assert_eq!(found.rows, 12);
    assert_eq!(found.first_rows.len(), 10);
    assert_eq!(found.first_rows[0], ["S01", "South", "10", "3.5"]);

    // Row 1 as the header: the title names the first column, every row below is data.
    engine
        .choose_dataset_table(&session, "regions.xlsx", detail(Some(1)))
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let [title_row] = profile_in_session(&engine, &test.name, &datasets, &out)
        .await
        .try_into()
        .unwrap();
    assert_eq!(
        names(&title_row),
        [
            "Store detail, June 2024",
            "column_2",
            "column_3",
            "column_4"
        ]
    );
    assert_eq!(
        title_row.rows, 13,
        "the blank row is skipped, the header row is data"
    );
    assert_eq!(
        title_row.first_rows[0],
        ["Store", "Region", "Units", "Price"]
    );

    // An impossible choice is refused before anything is saved.
    assert!(matches!(
        engine.choose_dataset_table(&session, "regions.xlsx", detail(Some(0))),
        Err(sandpiper::Error::TableChoiceInvalid { .. })
    ));

    // Saved: closed and reopened, the session still reads "Detail" at row 3.
    engine
        .choose_dataset_table(&session, "regions.xlsx", detail(Some(3)))
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    drop(session);
    let reopened = engine
        .open_session(&test.name)
        .unwrap_or_else(|e| panic!("{}", e.plain_words()))
        .handle;
    assert_eq!(reopened.meta().datasets[0].table, detail(Some(3)));
    let [again] = profile_in_session(&engine, &test.name, &reopened.dataset_paths(), &out)
        .await
        .try_into()
        .unwrap();
    assert_eq!(names(&again), ["Store", "Region", "Units", "Price"]);
    drop(reopened);
    let reopened = engine
        .open_session(&test.name)
        .unwrap_or_else(|e| panic!("{}", e.plain_words()))
        .handle;
    let [Some(kept)]: [Option<DatasetProfile>; 1] = reopened.kept_profiles().try_into().unwrap()
    else {
        panic!("no profile kept with the reopened session");
    };
    assert_eq!(kept, again);
    assert_eq!(kept.first_rows[0], ["S01", "South", "10", "3.5"]);

    let step = Recorder::default();
    let report = engine
        .analyze_in_session(&reopened, "How many units did the stores sell?", &step)
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    assert_eq!(report.state, StepState::Done, "{:#?}", step.events());
    let prompt = server.requests()[0].body.to_string();
    for told in [
        "Excel sheet \\\"Detail\\\", header on row 3 (other sheets: \\\"Summary\\\")",
        "- Units (int64)",
        "file_1 (regions.xlsx): load_data(file_1, sheet='Detail', header_row=3)",
    ] {
        assert!(prompt.contains(told), "{told} not in {prompt}");
    }
    let printed = step
        .events()
        .iter()
        .find_map(|e| match e {
            Event::Conversation {
                message: sandpiper::conversation::Message::Execution { stdout, .. },
                ..
            } => Some(stdout.clone()),
            _ => None,
        })
        .unwrap_or_default();
    assert!(printed.contains("units: 780 stores: 12"), "{printed:?}");
}
