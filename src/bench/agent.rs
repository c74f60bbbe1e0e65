//! The agent benchmark (`sandpiper bench agent`), against a model that answers
//! at once (the replay server), so what is timed is Sandpiper's own loop:
//! - a three-try step (fail, fail, succeed, then the answer) against three
//!   `docker run --rm` of the same three scripts;
//! - a new session's first question, from the step's start to the code's first
//!   line of output, with the session warmed while the question was typed,
//!   against one `docker run --rm` of the same script, and split in two: the
//!   step's start to the run's start (the engine and the model's reply) and
//!   the run's start to its first line (the session's container);
//! - a dropped file, as the window handles it (the Quick profile and warming
//!   the new session, at once): the profile in the session's container
//!   against the profile in a one-off container of its own, timed to the
//!   profile's end and to both done.

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

/// `runs` of each step row and `drop_runs` of each drop row (0 skips them:
/// each drop takes seconds, and the step rows are the ones with an aim).
pub async fn run_agent_bench(
    settings: &Settings,
    runs: usize,
    drop_runs: usize,
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
    let mut result = measure(&engine, &image, runs, state.path(), &mut sessions, progress).await;
    if let Ok(rows) = &mut result
        && drop_runs > 0
    {
        progress("a dropped file: its profile and the session's container");
        match measure_drop(&engine, drop_runs, state.path(), &mut sessions).await {
            Ok(more) => rows.extend(more),
            Err(error) => result = Err(error),
        }
    }
    if let Ok(containers) = engine.session_containers().await {
        for session in &sessions {
            let _ = containers.remove_session(session).await;
        }
    }
    result
}

async fn measure(
    engine: &Arc<Engine>,
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
    let (mut to_run_start, mut run_to_output) = (Sample::default(), Sample::default());
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
        let (Some(run_started), Some(first_line)) = first.times() else {
            return Err(Error::io(
                "timing the first output",
                std::io::Error::other("no run or no output"),
            ));
        };
        first_output.0.push(first_line.duration_since(started));
        to_run_start.0.push(run_started.duration_since(started));
        run_to_output.0.push(first_line.duration_since(run_started));
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
            baseline: one_run.clone(),
        },
        Row {
            name: "  of which: to the run's start".into(),
            baseline_name: "1x docker run --rm".into(),
            ours: to_run_start,
            baseline: one_run.clone(),
        },
        Row {
            name: "  of which: run to 1st output".into(),
            baseline_name: "1x docker run --rm".into(),
            ours: run_to_output,
            baseline: one_run,
        },
    ])
}

/// When the step's run started, and when the first line of its output arrived.
#[derive(Default)]
struct FirstOutput(Mutex<(Option<Instant>, Option<Instant>)>);

impl FirstOutput {
    fn times(&self) -> (Option<Instant>, Option<Instant>) {
        *self.0.lock().expect("first output lock")
    }
}

impl EventSink for FirstOutput {
    fn emit(&self, event: Event) {
        let mut times = self.0.lock().expect("first output lock");
        match event {
            Event::RunStarted { .. } => {
                times.0.get_or_insert_with(Instant::now);
            }
            Event::Stdout { .. } => {
                times.1.get_or_insert_with(Instant::now);
            }
            _ => {}
        }
    }
}

/// A dropped file as the window handles it, from the drop: its profile and
/// warming the new session it joined, started together. Ours profiles in the
/// session's container (one container for both); the baseline profiles in a
/// one-off container while warming makes the session's. Timed to the
/// profile's end (what the analyst waits to see) and to both done.
async fn measure_drop(
    engine: &Arc<Engine>,
    runs: usize,
    scratch: &std::path::Path,
    sessions: &mut Vec<SessionId>,
) -> Result<Vec<Row>> {
    let csv = scratch.join("dropped.csv");
    let mut text = String::from("id,region,units,price\n");
    for i in 0..20_000 {
        text.push_str(&format!("{i},r{},{},{}.5\n", i % 7, i % 40, i % 300));
    }
    std::fs::write(&csv, text).map_err(|e| Error::io("writing the dropped file", e))?;
    let files = [csv];
    let out = scratch.join("profiles");
    let (mut ours_profile, mut ours_both) = (Sample::default(), Sample::default());
    let (mut base_profile, mut base_both) = (Sample::default(), Sample::default());
    for _ in 0..runs {
        for in_session in [true, false] {
            let session = SessionId::new();
            sessions.push(session.clone());
            let started = Instant::now();
            let (run, handle) = match in_session {
                true => {
                    engine
                        .start_quick_profile_in_session(
                            &session,
                            &files,
                            &files,
                            &out,
                            Arc::new(Discard),
                        )
                        .await?
                }
                false => {
                    engine
                        .start_quick_profile(&files, &out, Arc::new(Discard))
                        .await?
                }
            };
            let profiled = async {
                let result = handle.await;
                (started.elapsed(), result)
            };
            let ((profile_took, result), warmed) =
                tokio::join!(profiled, engine.warm_session(&session, &files, &Discard));
            let both_took = started.elapsed();
            warmed?;
            let outcome = result.map(|r| r.outcome).ok();
            if outcome != Some(crate::events::Outcome::Success) {
                return Err(Error::io(
                    "running the benchmark's profile",
                    std::io::Error::other(format!("run {run} ended {outcome:?}")),
                ));
            }
            let (profile, both) = match in_session {
                true => (&mut ours_profile, &mut ours_both),
                false => (&mut base_profile, &mut base_both),
            };
            profile.0.push(profile_took);
            both.0.push(both_took);
        }
    }
    Ok(vec![
        Row {
            name: "drop: profile done, in session".into(),
            baseline_name: "profile in a one-off container".into(),
            ours: ours_profile,
            baseline: base_profile,
        },
        Row {
            name: "drop: profile + session warm".into(),
            baseline_name: "one-off profile + warm".into(),
            ours: ours_both,
            baseline: base_both,
        },
    ])
}
