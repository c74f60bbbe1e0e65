//! `sandpiper profile FILE...`: the Quick profile in a terminal, charts to a folder.

use crate::terminal::{print_error, print_event};
use sandpiper::{Engine, Settings};
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
    /// Python image to run in.
    #[arg(long)]
    image: Option<String>,
    /// Memory limit in MiB.
    #[arg(long)]
    memory: Option<u64>,
    /// Time limit in seconds.
    #[arg(long)]
    timeout: Option<u64>,
}

pub async fn run(args: Args) -> ExitCode {
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
