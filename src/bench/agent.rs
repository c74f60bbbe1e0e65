//! The agent benchmark (`sandpiper bench agent`), against a model that answers
//! at once (the replay server), so what is timed is Sandpiper's own loop:
//! - a three-try step (fail, fail, succeed, then the answer) against three
//!   `docker run --rm` of the same three scripts;
//! - a new session's first question, from the step's start to the code's first
//!   line of output, with the session warmed while the question was typed,
//!   against one `docker run --rm` of the same script.

use super::stats::{Row, Sample};
use crate::conversation::StepState;
use crate::engine::{Analysis, Engine};
use crate::error::{Error, Result};
use crate::events::{Discard, Event, EventSink};
use crate::ids::SessionId;
use crate::replay_model::{self, ReplayModel};
use crate::settings::{PromptStyle, Settings};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The three tries: two that fail, one that prints.
const TRIES: [&str; 3] = [
    "raise ValueError('not yet')",
    "raise KeyError('still not')",
    "print('total:', 42)",
];

/// The question of the first-output row.
const FIRST_LINE: &str = "Print a first line";

/// Plays TRIES in order (a fix request names the try before it), then answers;
/// the first-output question gets a script that prints at once.
fn script(system: &str, user: &str) -> String {
    if system == crate::agent::prompt::ANSWER_BRIEF {
        return "The total is 42.".to_owned();
    }
    let code = if user.contains(&format!("Question: {FIRST_LINE}")) {
        "print('first line')"
    } else if user.contains("Your script (try 2)") {
        TRIES[2]
    } else if user.contains("Your script (try 1)") {
        TRIES[1]
    } else {
        TRIES[0]
    };
    format!("```python\n{code}\n```\n")
}

pub async fn run_agent_bench(
    settings: &Settings,
    runs: usize,
    progress: &dyn Fn(&str),
) -> Result<Vec<Row>> {
    let model = ReplayModel::start(Arc::new(script))
        .await
        .map_err(|e| Error::io("starting the replay model", e))?;
    let mut settings = settings.clone();
    settings.llm.provider = crate::provider_id::ProviderId::OpenAiCompatible;
    settings.llm.base_url = Some(model.base_url.clone());
    settings.llm.model = Some(replay_model::MODEL.to_owned());
    settings.agent.prompt = PromptStyle::Full;
    let state = tempfile::tempdir().map_err(|e| Error::io("creating a scratch folder", e))?;
    let engine = Engine::with_state_dir(settings, state.path().to_owned());
    progress("the analysis image");
    let image = engine.prepare_analysis_image(&Discard).await?;

    let mut sessions = Vec::new();
    let result = measure(&engine, &image, runs, state.path(), &mut sessions, progress).await;
    if let Ok(containers) = engine.session_containers().await {
        for session in &sessions {
            let _ = containers.remove_session(session).await;
        }
    }
    result
}

async fn measure(
    engine: &Engine,
    image: &str,
    runs: usize,
    scratch: &std::path::Path,
    sessions: &mut Vec<SessionId>,
    progress: &dyn Fn(&str),
) -> Result<Vec<Row>> {
    let analysis = |session: &SessionId, question: &str| Analysis {
        session_id: session.clone(),
        question: question.into(),
        datasets: Vec::new(),
        artifacts_dir: scratch.join("artifacts"),
        column_descriptions: Vec::new(),
    };
    let docker_run = |code: &str| -> Result<Duration> {
        let started = Instant::now();
        Command::new("docker")
            .args([
                "run",
                "--rm",
                "--network=none",
                image,
                "python3",
                "-c",
                code,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| Error::io("running the docker command line for the baseline", e))?;
        Ok(started.elapsed())
    };

    progress("a three-try step");
    let warm = SessionId::new();
    sessions.push(warm.clone());
    engine.warm_session(&warm, &[], &Discard).await?;
    // A first step fills caches on both sides.
    engine
        .analyze(&analysis(&warm, "What is the total?"), &Discard)
        .await?;
    docker_run(TRIES[2])?;
    let (mut steps, mut three_runs) = (Sample::default(), Sample::default());
    for _ in 0..runs {
        let started = Instant::now();
        let report = engine
            .analyze(&analysis(&warm, "What is the total?"), &Discard)
            .await?;
        steps.0.push(started.elapsed());
        if report.state != StepState::Done || report.tries != 3 {
            return Err(Error::io(
                "running the benchmark's step",
                std::io::Error::other(format!(
                    "it ended {:?} after {} tries",
                    report.state, report.tries
                )),
            ));
        }
        let mut total = Duration::ZERO;
        for code in TRIES {
            total += docker_run(code)?;
        }
        three_runs.0.push(total);
    }

    progress("a new session's first output");
    let (mut first_output, mut one_run) = (Sample::default(), Sample::default());
    for _ in 0..runs {
        let session = SessionId::new();
        sessions.push(session.clone());
        // Warmed while the question is typed: not part of the timing.
        engine.warm_session(&session, &[], &Discard).await?;
        let first = FirstOutput::default();
        let started = Instant::now();
        engine
            .analyze(&analysis(&session, FIRST_LINE), &first)
            .await?;
        let at = first.at().ok_or_else(|| {
            Error::io(
                "timing the first output",
                std::io::Error::other("no output"),
            )
        })?;
        first_output.0.push(at.duration_since(started));
        one_run.0.push(docker_run("print('first line')")?);
    }
    Ok(vec![
        Row {
            name: "three-try step, whole".into(),
            baseline_name: "3x docker run --rm of its scripts".into(),
            ours: steps,
            baseline: three_runs,
        },
        Row {
            name: "new session: start to 1st output".into(),
            baseline_name: "1x docker run --rm".into(),
            ours: first_output,
            baseline: one_run,
        },
    ])
}

/// When the first line of the code's output arrived.
#[derive(Default)]
struct FirstOutput(Mutex<Option<Instant>>);

impl FirstOutput {
    fn at(&self) -> Option<Instant> {
        *self.0.lock().expect("first output lock")
    }
}

impl EventSink for FirstOutput {
    fn emit(&self, event: Event) {
        if let Event::Stdout { .. } = event {
            self.0
                .lock()
                .expect("first output lock")
                .get_or_insert_with(Instant::now);
        }
    }
}
