//! `sandpiper analyze DATA... --question "..." --provider P [--model M]
//! [--base-url U]`: the agent in a terminal. Each try's code, its output as it
//! comes, and the answer; Ctrl-C stops the step. Exits 0 when answered, 1 when
//! it gave up or failed, 130 when stopped.

use crate::engine_args::EngineArgs;
use crate::terminal::{print_error, print_message};
use sandpiper::conversation::StepState;
use sandpiper::engine::Analysis;
use sandpiper::{Event, ProviderId, SessionId};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// The datasets (CSV, TSV); the code sees file_1, file_2, ... and main_file.
    #[arg(required = true)]
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
    /// Continue this session (its container and the files earlier steps left);
    /// default: a new one.
    #[arg(long)]
    session: Option<SessionId>,
    /// Folder for the charts and files the code writes (default: `analysis-output`).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    engine: EngineArgs,
}

pub async fn run(args: Args) -> ExitCode {
    let mut settings = args.engine.settings();
    settings.llm.provider = args.provider;
    settings.llm.base_url = args.base_url.clone();
    settings.llm.model = args.model.clone();
    if let Some(tries) = args.max_tries {
        settings.agent.max_tries = tries;
    }
    let engine = match args.engine.engine_with(settings) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let session_id = args.session.clone().unwrap_or_default();
    eprintln!("Session {session_id}");
    let throwaway = args.session.is_none().then(|| session_id.clone());
    let analysis = Analysis {
        session_id,
        question: args.question,
        datasets: args.data,
        artifacts_dir: args.out.unwrap_or_else(|| PathBuf::from("analysis-output")),
    };
    let (step_id, step) = engine.start_analysis(analysis, Arc::new(print_for_analysis));
    let on_ctrl_c = Arc::clone(&engine);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel_step(&step_id);
        }
    });
    let ended = step.await;
    // A session named with --session keeps its container (and the files its
    // steps left) for the next question; a one-off question leaves nothing.
    if let Some(session) = throwaway
        && let Ok(containers) = engine.session_containers().await
    {
        let _ = containers.close_session(&session, false).await;
    }
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
