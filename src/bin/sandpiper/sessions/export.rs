//! `sandpiper sessions export ID --format ipynb|html|py|zip --out PATH`.

use sandpiper::store::ExportFormat;
use sandpiper::{Engine, Result, SessionId};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    id: SessionId,
    /// ipynb (Jupyter notebook), html (report), py (script) or zip (the whole session).
    #[arg(long)]
    format: ExportFormat,
    /// The file to write (default: the session's id with the format's extension).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(engine: &Engine, args: Args) -> Result<()> {
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{}.{}", args.id, args.format.extension())));
    let exported = engine.export_session(&args.id, args.format, &out)?;
    println!("Wrote {}", exported.file.display());
    if let Some(dir) = exported.datasets_dir {
        println!("Datasets in {}", dir.display());
    }
    Ok(())
}
