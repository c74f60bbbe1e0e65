//! `sandpiper analyze DATA... --question "..." --provider P [--model M]
//! [--base-url U] [--session ID]`: the agent in a terminal. Each try's code, its
//! output as it comes, and the answer; Ctrl-C stops the step. Every question is
//! saved as a session (a new one, or `--session`'s), charts included, so it can
//! be reopened, continued and exported. Exits 0 when answered, 1 when it gave up
//! or failed, 130 when stopped.

use crate::engine_args::EngineArgs;
use crate::terminal::{print_error, print_message};
use sandpiper::conversation::StepState;
use sandpiper::store::OpenedSession;
use sandpiper::{Event, ProviderId, SessionId};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// The datasets (CSV, TSV, Excel, JSON, Parquet); the code sees file_1,
    /// file_2, ... and main_file. Optional with --session: its datasets stay.
    data: Vec<PathBuf>,
    /// The question, in plain words.
    #[arg(long, short)]
    question: String,
    /// anthropic, gemini, openai, openai-compatible, ollama or lmstudio.
    #[arg(long)]
    provider: ProviderId,
    /// The model (default: the provider's default, or the server's first model).
    #[arg(long)]
    model: Option<String>,
    /// The API's address, e.g. http://localhost:8000/v1 (default: the provider's).
    #[arg(long)]
    base_url: Option<String>,
    /// Tries before giving up (default 5).
    #[arg(long)]
    max_tries: Option<u32>,
    /// Continue this saved session (its datasets, earlier answers, container and
    /// the files earlier steps left), or start it under this id; default: a new one.
    #[arg(long)]
    session: Option<SessionId>,
    /// Run in the sandbox image as it is, installing packages on demand
    /// (default: the analysis image, built once, with pandas and friends).
    #[arg(long)]
    bare_image: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

pub async fn run(args: Args) -> ExitCode {
    let mut settings = args.engine.settings();
    settings.llm.provider = args.provider;
    settings.llm.base_url = args.base_url.clone();
    settings.llm.model = args.model.clone();
    if args.bare_image {
        settings.agent.analysis_image = false;
    }
    if let Some(tries) = args.max_tries {
        settings.agent.max_tries = tries;
    }
    let engine = match args.engine.engine_to_run_code(settings).await {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    if args.session.is_none() {
        // Its container is removed at the end (below), or by the next start
        // if this process is killed first.
        engine.make_sessions_throwaway();
    }
    let opened = match &args.session {
        Some(id) => engine.open_or_create_session(id),
        None => engine
            .create_session(None, None)
            .map(|handle| OpenedSession {
                handle,
                conversation: Vec::new(),
                datasets: Vec::new(),
                recovery: Default::default(),
            }),
    };
    let session = match opened {
        Ok(opened) => Arc::new(opened.handle),
        Err(err) => {
            print_error(&err.plain_words());
            return ExitCode::FAILURE;
        }
    };
    for path in &args.data {
        if let Err(err) = engine.add_session_dataset(&session, path) {
            print_error(&err.plain_words());
            return ExitCode::FAILURE;
        }
    }
    if session.dataset_paths().is_empty() {
        eprintln!("Give the file(s) to analyze: sandpiper analyze DATA... --question \"...\"");
        return ExitCode::from(2);
    }
    let session_id = session.id().clone();
    eprintln!("Session {session_id}");
    let started = engine.start_analysis_in_session(
        Arc::clone(&session),
        args.question,
        Arc::new(print_for_analysis),
    );
    let (step_id, step) = match started {
        Ok(started) => started,
        Err(err) => {
            print_error(&err.plain_words());
            return ExitCode::FAILURE;
        }
    };
    let on_ctrl_c = Arc::clone(&engine);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel_step(&step_id);
        }
    });
    let ended = step.await;
    // A one-off question is saved, but its container (and the work files in
    // it) is not kept: continuing it with --session starts a fresh one.
    if args.session.is_none()
        && let Ok(containers) = engine.session_containers().await
    {
        let _ = containers.close_session(&session_id, false).await;
    }
    eprintln!(
        "Saved as session {session_id} ({}): continue it with --session {session_id}, \
         export it with `sandpiper sessions export {session_id} --format html`.",
        session.dir().display()
    );
    match ended {
        Ok(Ok(report)) => match report.state {
            StepState::Done => ExitCode::SUCCESS,
            StepState::Cancelled => ExitCode::from(130),
            _ => ExitCode::FAILURE,
        },
        Ok(Err(err)) => {
            print_error(&err.plain_words());
            ExitCode::FAILURE
        }
        Err(_) => ExitCode::FAILURE,
    }
}

/// What a terminal user wants to see of a step: the conversation's messages and
/// the code's output as it comes; not the model's raw text (its code is shown
/// once extracted, its answer once checked) nor per-call bookkeeping.
fn print_for_analysis(event: Event) {
    match event {
        Event::Conversation { message, .. } => print_message(&message),
        Event::Stdout { line, .. } => println!("{line}"),
        Event::Stderr { line, .. } => eprintln!("  {line}"),
        Event::PackagesInstalling { .. } | Event::PackagesInstalled { .. } => {
            crate::terminal::print_event(event)
        }
        Event::LlmRetrying { .. } => crate::terminal::print_event(event),
        _ => {}
    }
}
