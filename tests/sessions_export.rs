//! Exports of a saved session whose code really ran in the sandbox (a chart
//! made by matplotlib in the test image): the notebook is validated against
//! the nbformat schema and executed with `jupyter nbconvert --execute` in a
//! container of the Jupyter test image (no network); the HTML report is
//! parsed and its embedded charts decoded; the script passes py_compile and
//! runs; the zip imports back into an identical session, and a zip whose
//! entries would climb out of the folder is refused.
//!
//! The notebook's code is standard library plus matplotlib: the test images
//! have no pandas (the analysis image with pandas comes later).

use base64::Engine as _;
use sandpiper::conversation::{FailedTry, Message, Provenance, StepState};
use sandpiper::events::{Discard, Event, EventSink};
use sandpiper::ids::{CallId, StepId};
use sandpiper::store::{ExportFormat, SessionHandle};
use sandpiper::{Engine, Error, ProviderId, SessionId, Settings};
use std::path::{Path, PathBuf};
use std::process::Command;

const SALES: &str = "region,sales\nNorth,10\nSouth,7\nNorth,20\nEast,5\n";

const BY_REGION: &str = "\
import csv
from collections import Counter
totals = Counter()
with open(main_file) as f:
    for row in csv.DictReader(f):
        totals[row['region']] += int(row['sales'])
for region, total in sorted(totals.items()):
    print(region, total)
plt.bar(list(totals), list(totals.values()))
plt.title('Sales by region')
plt.show()
";

const ROW_COUNT: &str = "print('rows:', sum(1 for _ in open('/data/sales.csv')) - 1)\n";

/// Images scripts/test builds from PyPI: the bare sandbox image has neither.
fn image(variable: &str, default: &str) -> String {
    let image = std::env::var(variable).unwrap_or_else(|_| default.to_owned());
    let present = Command::new("docker")
        .args(["image", "inspect", &image])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        present,
        "The image {image} is missing: scripts/test builds it (or set {variable})."
    );
    image
}

fn emit(recorder: &dyn EventSink, session: &SessionHandle, message: Message) {
    recorder.emit(Event::Conversation {
        session_id: session.id().clone(),
        message,
    });
}

/// Asks, runs the code for real in the sandbox, and records the step as the
/// agent would: question, try, code, execution, charts, answer, end.
async fn answered_step(
    engine: &Engine,
    session: &SessionHandle,
    question: &str,
    code: &str,
    answer: &str,
) {
    let recorder = session.recording(&Discard);
    let step = StepId::new();
    let at = sandpiper::conversation::now();
    emit(
        &recorder,
        session,
        Message::Question {
            step_id: step.clone(),
            text: question.into(),
            datasets: vec!["sales.csv".into()],
            at,
        },
    );
    emit(
        &recorder,
        session,
        Message::TryStarted {
            step_id: step.clone(),
            try_number: 1,
            max_tries: 5,
            call_id: CallId::new(),
            provider: ProviderId::Anthropic,
            model: "scripted".into(),
            sent: None,
            by_analyst: false,
            at,
        },
    );
    emit(
        &recorder,
        session,
        Message::Code {
            step_id: step.clone(),
            try_number: 1,
            code: code.into(),
            at,
        },
    );
    let charts = session.artifacts_dir(&step, 1).unwrap();
    let result = engine
        .run_code(question, code, &session.dataset_paths(), &charts, &Discard)
        .await
        .unwrap();
    assert!(
        result.outcome.is_success(),
        "{}\n{}",
        result.summary,
        result.stderr
    );
    emit(
        &recorder,
        session,
        Message::Execution {
            step_id: step.clone(),
            try_number: 1,
            run_id: result.run_id.clone(),
            outcome: result.outcome,
            summary: result.summary.clone(),
            stdout: result.stdout.clone(),
            stderr_tail: String::new(),
            output_truncated: false,
            error: None,
            duration_ms: result.duration.as_millis() as u64,
            at,
        },
    );
    for artifact in &result.artifacts {
        emit(
            &recorder,
            session,
            Message::Artifact {
                step_id: step.clone(),
                try_number: 1,
                run_id: result.run_id.clone(),
                artifact: artifact.clone(),
                at,
            },
        );
    }
    emit(
        &recorder,
        session,
        Message::Answer {
            step_id: step.clone(),
            call_id: CallId::new(),
            text: answer.into(),
            ungrounded: vec![],
            artifacts: result.artifacts.clone(),
            provenance: Provenance {
                code: code.into(),
                try_number: 1,
                image: engine.settings().sandbox.image,
                ..Provenance::default()
            },
            follow_ups: vec![],
            at,
        },
    );
    emit(
        &recorder,
        session,
        Message::StepEnded {
            step_id: step,
            state: StepState::Done,
            tries: 1,
            input_tokens: 900,
            output_tokens: 40,
            duration_ms: result.duration.as_millis() as u64,
            at,
        },
    );
}

fn gave_up_step(session: &SessionHandle) {
    let step = StepId::new();
    let at = sandpiper::conversation::now();
    for message in [
        Message::Question {
            step_id: step.clone(),
            text: "Forecast sales for 2030".into(),
            datasets: vec![],
            at,
        },
        Message::Code {
            step_id: step.clone(),
            try_number: 1,
            code: "raise ValueError('not enough years')".into(),
            at,
        },
        Message::GaveUp {
            step_id: step.clone(),
            tries: vec![FailedTry {
                try_number: 1,
                reason: "ValueError: not enough years".into(),
            }],
            suggestion: "Give Sandpiper several years of data.".into(),
            at,
        },
        Message::StepEnded {
            step_id: step.clone(),
            state: StepState::GaveUp,
            tries: 1,
            input_tokens: 1,
            output_tokens: 1,
            duration_ms: 1,
            at,
        },
    ] {
        session.record(&message).unwrap();
    }
}

/// Runs `command` in the Jupyter test image with `dir` as its working folder:
/// no network, the test's own user, removed afterwards.
fn in_jupyter(dir: &Path, command: &str) -> String {
    let image = image("SANDPIPER_JUPYTER_IMAGE", "sandpiper-test/jupyter:1");
    let user = format!("{}:{}", unsafe { libc::getuid() }, unsafe {
        libc::getgid()
    });
    let out = Command::new("docker")
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--user",
            &user,
            "-e",
            "HOME=/tmp",
        ])
        .args(["-e", "MPLCONFIGDIR=/tmp", "-v"])
        .arg(format!("{}:/work", dir.display()))
        .args(["-w", "/work", &image, "sh", "-c", command])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{command} failed:\n{text}");
    text
}

async fn saved_session(dir: &Path) -> (std::sync::Arc<Engine>, SessionId, Vec<u8>) {
    let mut settings = Settings::default();
    settings.sandbox.image = image("SANDPIPER_MATPLOTLIB_IMAGE", "sandpiper-test/matplotlib:1");
    let engine = Engine::with_state_dir(settings, dir.join("state"));
    let csv = dir.join("sales.csv");
    std::fs::write(&csv, SALES).unwrap();
    let session = engine.create_session(None, None).unwrap();
    engine.add_session_dataset(&session, &csv).unwrap();
    answered_step(
        &engine,
        &session,
        "Which region sold the most?",
        BY_REGION,
        "North sold the most: 30.",
    )
    .await;
    gave_up_step(&session);
    answered_step(
        &engine,
        &session,
        "How many rows are there?",
        ROW_COUNT,
        "There are 4 rows.",
    )
    .await;
    let saved = engine.read_session(session.id()).unwrap();
    let chart = saved
        .conversation
        .iter()
        .find_map(|m| match m {
            Message::Artifact { artifact, .. } => Some(std::fs::read(&artifact.path).unwrap()),
            _ => None,
        })
        .expect("the sandbox made a chart");
    assert!(chart.starts_with(b"\x89PNG"));
    (engine.clone(), session.id().clone(), chart)
}

#[tokio::test]
async fn the_notebook_validates_and_runs_again_with_the_exported_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id, _) = saved_session(dir.path()).await;
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let exported = engine
        .export_session(&id, ExportFormat::Notebook, &out.join("report.ipynb"))
        .unwrap();
    assert_eq!(exported.datasets_dir, Some(out.join("report-data")));
    assert_eq!(
        std::fs::read_to_string(out.join("report-data/sales.csv")).unwrap(),
        SALES
    );

    let notebook: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.ipynb")).unwrap()).unwrap();
    assert_eq!(notebook["nbformat"], 4);
    let cells = notebook["cells"].as_array().unwrap();
    let sources: Vec<&str> = cells
        .iter()
        .map(|c| c["source"].as_str().unwrap())
        .collect();
    assert!(
        sources
            .iter()
            .any(|s| s.contains("## 1. Which region sold the most?"))
    );
    assert!(
        sources
            .iter()
            .any(|s| s.contains("**Answer.** North sold the most: 30."))
    );
    assert!(
        sources
            .iter()
            .any(|s| s.contains("*Gave up.* Give Sandpiper several years"))
    );
    // The sandbox's /data path now names the exported copy.
    assert!(
        sources
            .iter()
            .any(|s| s.contains("open('report-data/sales.csv')"))
    );
    let saved_chart = cells
        .iter()
        .flat_map(|c| c["outputs"].as_array().cloned().unwrap_or_default())
        .find(|o| o["output_type"] == "display_data")
        .expect("the chart is an output of its cell");
    assert!(saved_chart["data"]["image/png"].as_str().unwrap().len() > 1000);

    let said = in_jupyter(
        &out,
        "python3 -c \"import nbformat; nbformat.validate(nbformat.read('report.ipynb', as_version=4)); print('valid')\" \
         && jupyter nbconvert --to notebook --execute report.ipynb --output executed.ipynb",
    );
    assert!(said.contains("valid"), "{said}");
    let executed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("executed.ipynb")).unwrap()).unwrap();
    let outputs: Vec<serde_json::Value> = executed["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["outputs"].as_array().cloned().unwrap_or_default())
        .collect();
    let printed: String = outputs
        .iter()
        .filter(|o| o["output_type"] == "stream")
        .map(|o| match &o["text"] {
            serde_json::Value::Array(lines) => lines.iter().map(|l| l.as_str().unwrap()).collect(),
            text => text.as_str().unwrap().to_owned(),
        })
        .collect();
    assert!(
        printed.contains("North 30") && printed.contains("rows: 4"),
        "{printed}"
    );
    assert!(
        outputs.iter().any(|o| o["data"]["image/png"].is_string()),
        "the re-run drew the chart again: {outputs:?}"
    );
}

#[tokio::test]
async fn the_report_is_one_file_with_its_charts_embedded_and_no_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id, chart) = saved_session(dir.path()).await;
    let path = dir.path().join("report.html");
    engine
        .export_session(&id, ExportFormat::Html, &path)
        .unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    let page = scraper::Html::parse_document(&html);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    assert_eq!(page.select(&select("script")).count(), 0);
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing to fetch"
    );
    let images: Vec<Vec<u8>> = page
        .select(&select("img"))
        .map(|img| {
            let src = img.value().attr("src").unwrap();
            let data = src.strip_prefix("data:image/png;base64,").expect(src);
            base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap()
        })
        .collect();
    assert_eq!(images, vec![chart], "the chart, byte for byte");
    let headings: Vec<String> = page
        .select(&select("h2"))
        .map(|h| h.text().collect())
        .collect();
    assert_eq!(
        headings,
        [
            "1. Which region sold the most?",
            "2. Forecast sales for 2030",
            "3. How many rows are there?"
        ]
    );
    let text: String = page.root_element().text().collect();
    assert!(text.contains("North sold the most: 30."));
    assert!(text.contains("Give Sandpiper several years of data."));
}

#[tokio::test]
async fn the_script_compiles_and_runs_the_answered_steps() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id, _) = saved_session(dir.path()).await;
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    engine
        .export_session(&id, ExportFormat::Script, &out.join("analysis.py"))
        .unwrap();
    let script = std::fs::read_to_string(out.join("analysis.py")).unwrap();
    assert!(!script.contains("not enough years"), "only answered steps");
    let said = in_jupyter(
        &out,
        "python3 -m py_compile analysis.py && cd / && python3 /work/analysis.py",
    );
    assert!(
        said.contains("North 30") && said.contains("rows: 4"),
        "{said}"
    );
    assert!(
        out.join("output/figure_1.png").is_file(),
        "the chart was saved"
    );
}

#[tokio::test]
async fn a_zip_imports_back_into_an_identical_session() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, id, _) = saved_session(dir.path()).await;
    let zip = dir.path().join("session.zip");
    engine
        .export_session(&id, ExportFormat::Archive, &zip)
        .unwrap();

    let elsewhere = Engine::with_state_dir(Settings::default(), dir.path().join("other-state"));
    assert_eq!(elsewhere.import_session(&zip).unwrap(), id);
    let a = engine.session_store().root().join(id.as_str());
    let b = elsewhere.session_store().root().join(id.as_str());
    assert_eq!(files(&a), files(&b), "the same files, byte for byte");
    let (before, after) = (
        engine.read_session(&id).unwrap(),
        elsewhere.read_session(&id).unwrap(),
    );
    assert_eq!(before.meta, after.meta);
    assert_eq!(before.conversation.len(), after.conversation.len());
    // Charts resolve inside the imported folder.
    for message in &after.conversation {
        if let Message::Artifact { artifact, .. } = message {
            assert!(artifact.path.starts_with(&b) && artifact.path.is_file());
        }
    }
    assert!(
        elsewhere.open_session(&id).unwrap().datasets[0]
            .saved_copy
            .is_some()
    );

    // Imported again: the id is taken, so it comes in as a copy.
    let second = elsewhere.import_session(&zip).unwrap();
    assert_ne!(second, id);
    assert!(
        elsewhere
            .read_session(&second)
            .unwrap()
            .meta
            .title
            .ends_with("(imported)")
    );
}

#[test]
fn an_archive_that_would_write_outside_its_folder_is_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("session.json", options).unwrap();
    zip.write_all(br#"{"schema_version":2,"id":"evil"}"#)
        .unwrap();
    zip.start_file("../../escaped.txt", options).unwrap();
    zip.write_all(b"x").unwrap();
    zip.finish().unwrap();
    let engine = Engine::with_state_dir(Settings::default(), dir.path().join("state"));
    let err = engine.import_session(&path).unwrap_err();
    assert!(matches!(err, Error::SessionImportFailed { .. }), "{err:?}");
    assert!(
        err.plain_words().advice.contains("outside"),
        "{}",
        err.plain_words().advice
    );
    assert!(!dir.path().join("escaped.txt").exists());
    assert!(engine.list_sessions().unwrap().sessions.is_empty());
    // Not a zip at all.
    std::fs::write(&path, b"hello").unwrap();
    let err = engine.import_session(&path).unwrap_err();
    assert_eq!(err.plain_words().code, "session.import_failed");
}

/// Every file under `root` (relative path and bytes), sorted.
fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if entry.file_name() != "session.lock" {
                found.push((
                    path.strip_prefix(root).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                ));
            }
        }
    }
    found.sort();
    found
}
