//! `sandpiper`: the engine from a terminal, for power users, support and tests.
//! Each subcommand lives in its own file and is a thin call into the engine.

mod analyze;
mod ask;
mod bench;
mod containers;
mod doctor;
mod engine_args;
mod eval;
mod images;
mod models;
mod profile;
mod provider_args;
mod run;
mod sessions;
mod terminal;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sandpiper",
    version,
    about = "Analyse datasets in a private, offline sandbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ask a question about datasets: the model writes code, it runs in the
    /// sandbox, errors go back to be fixed, and the answer comes in plain words.
    Analyze(analyze::Args),
    /// Ask the evaluation questions and score the answers.
    Eval(eval::Args),
    /// Run the built-in Quick profile of one or more CSV files.
    Profile(profile::Args),
    /// Run a Python script in the sandbox exactly as model-written code runs.
    Run(run::Args),
    /// Check whether Docker is ready, and say what to do if not.
    Doctor(doctor::Args),
    /// List the models a provider offers (also checks the key or the address).
    Models(models::Args),
    /// Ask a model one question and stream its reply to the terminal.
    Ask(ask::Args),
    /// List, stop and remove Sandpiper's containers.
    Containers(containers::Args),
    /// Build the image variants (base, data, gui, web, analysis).
    Images(images::Args),
    /// Measure the sandbox against baselines timed in the same run.
    Bench(bench::Args),
    /// Saved sessions: list, show, rename, remove, export, import.
    Sessions(sessions::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze::run(args).await,
        Command::Eval(args) => eval::run(args).await,
        Command::Profile(args) => profile::run(args).await,
        Command::Run(args) => run::run(args).await,
        Command::Doctor(args) => doctor::run(args).await,
        Command::Models(args) => models::run(args).await,
        Command::Ask(args) => ask::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Containers(args) => containers::run(args).await,
        Command::Images(args) => images::run(args).await,
        Command::Sessions(args) => sessions::run(args).await,
    }
}
