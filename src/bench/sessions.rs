//! The session store benchmark (`sandpiper bench sessions`): listing 1,000
//! saved sessions, and opening one with 200 messages and 50 charts (reading
//! every chart, as showing it does), each against `cat` of the very same
//! files in the same run. Everything lives in a temporary folder of its own.

use super::stats::{Row, Sample};
use crate::conversation::{Message, StepState};
use crate::error::{Error, Result};
use crate::ids::{RunId, SessionId, StepId};
use crate::run_outcome::Artifact;
use crate::store::SessionStore;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SESSIONS: usize = 1000;
const CHARTS: usize = 50;
/// A typical 110-dpi chart from the harness is 20 to 60 KB.
const CHART_BYTES: usize = 40 * 1024;

pub fn run_sessions_bench(runs: usize, progress: &dyn Fn(&str)) -> Result<Vec<Row>> {
    let scratch = tempfile::tempdir().map_err(|e| Error::io("creating a scratch folder", e))?;
    let store = SessionStore::new(scratch.path().join("sessions"));
    progress("saving 1,000 sessions and one with 200 messages and 50 charts");
    let mut listed_files = Vec::new();
    for n in 0..SESSIONS - 1 {
        let id = SessionId::parse(&format!("bench-{n:04}")).expect("a well-formed id");
        let session = store.create(id, Some(&format!("Benchmark session {n}")), None)?;
        let step = StepId::new();
        session.record(&question(&step, "How many rows?"))?;
        session.record(&ended(&step))?;
        listed_files.push(session.dir().join("session.json"));
    }
    let big = SessionId::parse("bench-big").expect("a well-formed id");
    let (open_files, charts) = big_session(&store, &big)?;
    listed_files.push(store.root().join("bench-big").join("session.json"));

    // Warm-up on both sides.
    check_list(&store)?;
    time_cat(&listed_files)?;
    open_and_read(&store, &big, &charts)?;
    time_cat(&open_files)?;

    progress("listing and opening against cat of the same files");
    let (mut list, mut list_cat, mut open, mut open_cat) = Default::default();
    for _ in 0..runs {
        let started = Instant::now();
        check_list(&store)?;
        push(&mut list, started.elapsed());
        push(&mut list_cat, time_cat(&listed_files)?);
        push(&mut open, open_and_read(&store, &big, &charts)?);
        push(&mut open_cat, time_cat(&open_files)?);
    }
    Ok(vec![
        Row {
            name: "list 1,000 sessions".into(),
            baseline_name: "cat their 1,000 session.json".into(),
            ours: list,
            baseline: list_cat,
        },
        Row {
            name: "open 200 messages, 50 charts".into(),
            baseline_name: "cat its json, jsonl, 50 charts".into(),
            ours: open,
            baseline: open_cat,
        },
    ])
}

fn push(sample: &mut Sample, elapsed: Duration) {
    sample.0.push(elapsed);
}

fn check_list(store: &SessionStore) -> Result<()> {
    let list = store.list()?;
    if list.sessions.len() != SESSIONS || !list.damaged.is_empty() {
        return Err(bench_failed(&format!(
            "listed {} sessions and {} damaged, not {SESSIONS}",
            list.sessions.len(),
            list.damaged.len()
        )));
    }
    Ok(())
}

/// Opens the session (lock, recovery check, datasets) and reads its charts.
fn open_and_read(store: &SessionStore, id: &SessionId, charts: &[PathBuf]) -> Result<Duration> {
    let started = Instant::now();
    let opened = store.open(id)?;
    let mut bytes = 0;
    for message in &opened.conversation {
        if let Message::Artifact { artifact, .. } = message {
            bytes += std::fs::read(&artifact.path)
                .map_err(|e| Error::io("reading a chart", e))?
                .len();
        }
    }
    let elapsed = started.elapsed();
    if opened.conversation.len() != 200 || bytes != charts.len() * CHART_BYTES {
        return Err(bench_failed("the big session did not read back whole"));
    }
    Ok(elapsed)
}

/// 50 steps of question, code, chart and end: 200 messages, 50 charts.
fn big_session(store: &SessionStore, id: &SessionId) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let session = store.create(id.clone(), Some("Benchmark: a long session"), None)?;
    let mut charts = Vec::new();
    for n in 0..CHARTS {
        let step = StepId::new();
        session.record(&question(&step, &format!("Plot column {n}")))?;
        session.record(&Message::Code {
            step_id: step.clone(),
            try_number: 1,
            code: format!("plt.hist(pd.read_csv(main_file)['c{n}'])\nplt.show()\n"),
            at: crate::conversation::now(),
        })?;
        let dir = session.artifacts_dir(&step, 1)?;
        let chart = dir.join("figure_1.png");
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.resize(CHART_BYTES, (n % 251) as u8);
        std::fs::write(&chart, &png).map_err(|e| Error::io("writing a chart", e))?;
        session.record(&Message::Artifact {
            step_id: step.clone(),
            try_number: 1,
            run_id: RunId::new(),
            artifact: Artifact {
                name: "figure_1.png".into(),
                path: chart.clone(),
                mime: "image/png".into(),
                size_bytes: CHART_BYTES as u64,
            },
            at: crate::conversation::now(),
        })?;
        session.record(&ended(&step))?;
        charts.push(chart);
    }
    let mut files = vec![
        session.dir().join("session.json"),
        session.dir().join("conversation.jsonl"),
    ];
    files.extend(charts.iter().cloned());
    Ok((files, charts))
}

fn question(step: &StepId, text: &str) -> Message {
    Message::Question {
        step_id: step.clone(),
        text: text.into(),
        datasets: vec!["sales.csv".into()],
        at: crate::conversation::now(),
    }
}

fn ended(step: &StepId) -> Message {
    Message::StepEnded {
        step_id: step.clone(),
        state: StepState::Done,
        tries: 1,
        input_tokens: 1200,
        output_tokens: 80,
        duration_ms: 4000,
        at: crate::conversation::now(),
    }
}

fn time_cat(files: &[PathBuf]) -> Result<Duration> {
    let started = Instant::now();
    let status = Command::new("cat")
        .args(files.iter().map(PathBuf::as_path).map(Path::as_os_str))
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| Error::io("running cat for the baseline", e))?;
    if !status.success() {
        return Err(bench_failed(&format!("cat exited with {status}")));
    }
    Ok(started.elapsed())
}

fn bench_failed(why: &str) -> Error {
    Error::io(
        "benchmarking",
        std::io::Error::other(format!("the sessions benchmark failed: {why}")),
    )
}
