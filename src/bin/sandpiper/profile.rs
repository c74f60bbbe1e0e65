//! `sandpiper profile FILE...`: the Quick profile in a terminal, charts to a folder.

use crate::engine_args::EngineArgs;
use crate::terminal::{print_error, print_event};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The CSV files to profile.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Folder for the charts (default: `<first file name>-profile` here).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    engine: EngineArgs,
}

pub async fn run(args: Args) -> ExitCode {
    let engine = match args.engine.engine_to_run_code(args.engine.settings()).await {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let out = args.out.unwrap_or_else(|| default_out_dir(&args.files[0]));
    match engine.quick_profile(&args.files, &out, &print_event).await {
        Ok(result) if result.outcome.is_success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            print_error(&err.plain_words());
            ExitCode::FAILURE
        }
    }
}

fn default_out_dir(first: &std::path::Path) -> PathBuf {
    let stem = first
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dataset".into());
    PathBuf::from(format!("{stem}-profile"))
}
