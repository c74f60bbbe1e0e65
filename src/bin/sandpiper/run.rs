//! `sandpiper run SCRIPT.py`: a script in the sandbox exactly as model-written code
//! runs, with the classified outcome printed. Exits 0 only on success.

use crate::engine_args::EngineArgs;
use crate::terminal::{print_error, print_event};
use sandpiper::{Outcome, SessionId};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Python script to run.
    script: PathBuf,
    /// A dataset to mount read-only (repeatable); the script sees file_1, file_2, … and main_file.
    #[arg(long = "data")]
    data: Vec<PathBuf>,
    /// Folder for the files the script writes to /workspace/output (default: `<script name>-output`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run in this session's long-lived container (created on first use,
    /// reused after), instead of a fresh one.
    /// (lower-case letters, digits and dashes, e.g. `sales-q1`).
    #[arg(long)]
    session: Option<SessionId>,
    #[command(flatten)]
    engine: EngineArgs,
}

pub async fn run(args: Args) -> ExitCode {
    let code = match std::fs::read(&args.script) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) => {
            eprintln!("Sandpiper could not read {}: {err}", args.script.display());
            return ExitCode::from(2);
        }
    };
    let engine = match args.engine.engine_to_run_code(args.engine.settings()).await {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let name = args
        .script
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "script".into());
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{name}-output")));
    let title = format!("Script {name}");
    let ran = match &args.session {
        None => {
            engine
                .run_code(&title, &code, &args.data, &out, &print_event)
                .await
        }
        Some(session) => engine
            .run_code_in_session(session, &title, &code, &args.data, &out, &print_event)
            .await
            .map(|(result, container)| {
                let how = if container.created { "new" } else { "reused" };
                eprintln!(
                    "Session container: {} ({how})",
                    container.meta.container_name
                );
                result
            }),
    };
    match ran {
        Ok(result) => {
            eprintln!("Outcome: {}", outcome_name(result.outcome));
            if let Some(error) = &result.error
                && let Some(context) = &error.context
            {
                eprintln!("{context}");
            }
            if result.outcome == Outcome::Success {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            print_error(&err.plain_words());
            ExitCode::FAILURE
        }
    }
}

fn outcome_name(outcome: Outcome) -> String {
    serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
