//! `sandpiper run SCRIPT.py`: a script in the sandbox exactly as model-written code
//! runs, with the classified outcome printed. Exits 0 only on success.

use crate::terminal::{print_error, print_event};
use sandpiper::{Engine, Outcome, Settings};
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
    /// Time limit in seconds.
    #[arg(long)]
    timeout: Option<u64>,
    /// Memory limit in MiB.
    #[arg(long)]
    memory: Option<u64>,
    /// Python image to run in.
    #[arg(long)]
    image: Option<String>,
}

pub async fn run(args: Args) -> ExitCode {
    let code = match std::fs::read(&args.script) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) => {
            eprintln!("Sandpiper could not read {}: {err}", args.script.display());
            return ExitCode::from(2);
        }
    };
    let mut settings = Settings::default();
    if let Some(image) = args.image {
        settings.sandbox.image = image;
    }
    if let Some(memory) = args.memory {
        settings.sandbox.memory_mib = memory;
    }
    if let Some(timeout) = args.timeout {
        settings.sandbox.timeout_secs = timeout;
    }
    let engine = Engine::new(Settings::default());
    if let Err(err) = engine.set_settings(settings) {
        print_error(&err.plain_words());
        return ExitCode::from(2);
    }
    let name = args
        .script
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "script".into());
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{name}-output")));
    let title = format!("Script {name}");
    match engine
        .run_code(&title, &code, &args.data, &out, &print_event)
        .await
    {
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
