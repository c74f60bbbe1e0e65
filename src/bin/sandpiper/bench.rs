//! `sandpiper bench sandbox | session | sessions | agent`: against baselines measured in the same run.

use crate::terminal::print_error;
use sandpiper::Settings;
use sandpiper::bench::{
    BenchOptions, Row, run_agent_bench, run_sandbox_bench, run_session_bench, run_sessions_bench,
};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// What to benchmark.
    #[arg(value_parser = ["sandbox", "session", "sessions", "agent"])]
    target: String,
    /// Timed runs per row (at least 20 for a meaningful p95).
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Size of the CSV for the quick-profile row, in MiB (0 skips the row).
    #[arg(long, default_value_t = 50)]
    csv_mib: u64,
    /// Timed runs of the quick-profile row (each takes seconds).
    #[arg(long, default_value_t = 20)]
    profile_runs: usize,
    /// Timed drops of a file in the agent benchmark (each takes seconds; 0
    /// skips those rows). Default: as many as --runs.
    #[arg(long)]
    drop_runs: Option<usize>,
    /// Installs of pandas per cache state in the session benchmark (each takes
    /// seconds and downloads from PyPI).
    #[arg(long, default_value_t = 3)]
    install_runs: usize,
    /// Python image to run in.
    #[arg(long)]
    image: Option<String>,
}

pub async fn run(args: Args) -> ExitCode {
    let mut settings = Settings::default();
    if let Some(image) = args.image {
        settings.sandbox.image = image;
    }
    let options = BenchOptions {
        runs: args.runs,
        csv_mib: args.csv_mib,
        profile_runs: args.profile_runs,
    };
    let progress = |what: &str| eprintln!("measuring {what}...");
    let rows = match args.target.as_str() {
        "session" => run_session_bench(&settings, args.runs, args.install_runs, &progress).await,
        "agent" => {
            let drop_runs = args.drop_runs.unwrap_or(args.runs);
            run_agent_bench(&settings, args.runs, drop_runs, &progress).await
        }
        "sessions" => run_sessions_bench(args.runs, &progress),
        _ => run_sandbox_bench(&settings, &options, &progress).await,
    };
    match rows {
        Ok(rows) => {
            print_table(&rows);
            ExitCode::SUCCESS
        }
        Err(err) => {
            print_error(&err.plain_words());
            ExitCode::FAILURE
        }
    }
}

fn print_table(rows: &[Row]) {
    let ms = |d: std::time::Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "{:<32} {:>5} {:>10} {:>10}   {:<34} {:>10} {:>10} {:>7}",
        "row", "runs", "median", "p95", "baseline", "median", "p95", "ratio"
    );
    for row in rows {
        println!(
            "{:<32} {:>5} {:>10} {:>10}   {:<34} {:>10} {:>10} {:>6.2}x",
            row.name,
            row.ours.0.len(),
            ms(row.ours.median()),
            ms(row.ours.p95()),
            row.baseline_name,
            ms(row.baseline.median()),
            ms(row.baseline.p95()),
            row.ratio()
        );
    }
}
