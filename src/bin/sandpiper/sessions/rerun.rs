//! `sandpiper sessions rerun ID N [--out DIR]`: answered step N (1 is the
//! first question) run again in a fresh container, its output compared with
//! what it printed when it answered.

use crate::terminal::print_event;
use sandpiper::{Engine, Error, Result, SessionId};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    id: SessionId,
    /// Which step: 1 is the session's first question.
    step: usize,
    /// Folder for the charts and files the code writes (default: a temporary one).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// True when the output matched.
pub async fn run(engine: &Engine, args: Args) -> Result<bool> {
    let steps = engine.read_session(&args.id)?.step_states();
    let step = args
        .step
        .checked_sub(1)
        .and_then(|i| steps.get(i))
        .map(|(id, _)| id.clone())
        .ok_or_else(|| Error::StepNotAnswered {
            id: args.id.to_string(),
            step: args.step.to_string(),
        })?;
    let scratch =
        tempfile::tempdir().map_err(|e| Error::io("making a folder for the re-run", e))?;
    let out = args.out.unwrap_or_else(|| scratch.path().to_owned());
    let rerun = engine
        .rerun_step(&args.id, &step, &out, &print_event)
        .await?;
    for name in &rerun.changed_datasets {
        println!("The dataset \"{name}\" is not what this step ran on: it changed since.");
    }
    if rerun.matches {
        println!("Same output as when it answered: the answer still holds.");
    } else {
        println!("{}", rerun.summary);
        println!(
            "The output differs from when it answered.\n── Then ──\n{}\n── Now ──\n{}",
            rerun.then, rerun.now
        );
    }
    Ok(rerun.matches)
}
