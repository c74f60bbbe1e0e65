//! `sandpiper sessions rename ID TITLE`.

use sandpiper::{Engine, Result, SessionId};

#[derive(clap::Args)]
pub struct Args {
    id: SessionId,
    /// The new title.
    title: String,
}

pub fn run(engine: &Engine, args: Args) -> Result<()> {
    engine.rename_session(&args.id, &args.title)?;
    println!("Renamed {} to \"{}\".", args.id, args.title.trim());
    Ok(())
}
