//! `sandpiper sessions list | show ID | rename ID TITLE | rm ID | export ID
//! --format F --out PATH | import ZIP | rerun ID N`: the saved sessions, one
//! file per subcommand, each a thin call into the engine.

mod export;
mod import;
mod list;
mod rename;
mod rerun;
mod rm;
mod show;

use crate::engine_args::EngineArgs;
use crate::terminal::print_error;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Every saved session, newest first: title, datasets, last activity, size.
    List(list::Args),
    /// The whole conversation: questions, each try's code and output, answers,
    /// and how each step ended.
    Show(show::Args),
    /// Give a session another title.
    Rename(rename::Args),
    /// Move a session to the trash (it can be restored from there).
    Rm(rm::Args),
    /// Export as a notebook (ipynb), a report (html), a script (py) or an archive (zip).
    Export(export::Args),
    /// Import a session archive (.zip) exported by Sandpiper.
    Import(import::Args),
    /// Run an answered step again in a fresh container and compare its output.
    Rerun(rerun::Args),
}

pub async fn run(args: Args) -> ExitCode {
    let engine = match args.engine.engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let done = match args.action {
        Action::List(a) => list::run(&engine, a),
        Action::Show(a) => show::run(&engine, a),
        Action::Rename(a) => rename::run(&engine, a),
        Action::Rm(a) => rm::run(&engine, a),
        Action::Export(a) => export::run(&engine, a),
        Action::Import(a) => import::run(&engine, a),
        Action::Rerun(a) => match rerun::run(&engine, a).await {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(err) => Err(err),
        },
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            print_error(&err.plain_words());
            ExitCode::FAILURE
        }
    }
}

/// A time in milliseconds since 1970 as the terminal shows it.
fn when(ms: u64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}
