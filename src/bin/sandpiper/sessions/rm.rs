//! `sandpiper sessions rm ID`: to the trash, never deleted for good.

use sandpiper::{Engine, Result, SessionId};

#[derive(clap::Args)]
pub struct Args {
    id: SessionId,
}

pub fn run(engine: &Engine, args: Args) -> Result<()> {
    engine.delete_session(&args.id)?;
    println!(
        "Moved {} to the trash. Restore it from there to get it back.",
        args.id
    );
    Ok(())
}
