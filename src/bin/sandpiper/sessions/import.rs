//! `sandpiper sessions import ZIP`.

use sandpiper::{Engine, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A session archive exported by Sandpiper (`export --format zip`).
    archive: PathBuf,
}

pub fn run(engine: &Engine, args: Args) -> Result<()> {
    let id = engine.import_session(&args.archive)?;
    let saved = engine.read_session(&id)?;
    println!("Imported \"{}\" as {id}.", saved.meta.title);
    Ok(())
}
