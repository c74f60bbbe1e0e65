//! The sandbox benchmark: an ephemeral `print(1)` against `docker run --rm`, a
//! Quick profile of a large CSV against the same script through the docker CLI,
//! the Quick profile in the analysis image (DuckDB) against DuckDB's own
//! `SUMMARIZE` of the same file under the same limits, and 4 concurrent runs
//! against 4 sequential ones.

use super::stats::{Row, Sample};
use crate::docker;
use crate::docker::image_variants::ImageVariant;
use crate::error::{Error, Result};
use crate::events::Discard;
use crate::ids::RunId;
use crate::profile;
use crate::sandbox::{Program, RunRequest, Sandbox, plan_dataset_mounts};
use crate::settings::{SandboxSettings, Settings};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub runs: usize,
    /// Size of the generated CSV for the profile row; 0 skips that row.
    pub csv_mib: u64,
    /// Runs of the profile row (each takes seconds).
    pub profile_runs: usize,
}

/// Runs every row; `progress` is told what is being measured.
pub async fn run_sandbox_bench(
    settings: &Settings,
    options: &BenchOptions,
    progress: &dyn Fn(&str),
) -> Result<Vec<Row>> {
    let connection = docker::connect(&settings.docker).await?;
    let sandbox = Sandbox::for_connection(&connection, settings.sandbox.clone());
    let image = settings.sandbox.image.clone();
    let scratch = tempfile::tempdir().map_err(|e| Error::io("creating a scratch folder", e))?;
    let print_one = [
        "run",
        "--rm",
        "--network=none",
        &image,
        "python3",
        "-c",
        "print(1)",
    ];
    // Warm-up: image present, page cache filled, for both sides.
    let _ = run_code(&sandbox, "print(1)", &[], scratch.path()).await;
    let _ = docker_cli(&print_one);

    let mut rows = Vec::new();
    progress("ephemeral print(1)");
    let mut delivered = Sample::default();
    let mut ours = Sample::default();
    let mut cli = Sample::default();
    for _ in 0..options.runs {
        // Interleaved, so drift in the machine's load hits both sides alike.
        let (result_at, total) = timed_run(&sandbox, "print(1)", scratch.path()).await?;
        delivered.0.push(result_at);
        ours.0.push(total);
        cli.0.push(time_cli(&print_one)?);
    }
    rows.push(Row {
        name: "print(1), result delivered".into(),
        baseline_name: "docker run --rm --network=none".into(),
        ours: delivered,
        baseline: cli.clone(),
    });
    rows.push(Row {
        name: "print(1), container removed".into(),
        baseline_name: "docker run --rm --network=none".into(),
        ours,
        baseline: cli,
    });

    if options.csv_mib > 0 {
        progress("quick profile of a large CSV");
        let csv = scratch.path().join("big.csv");
        write_csv(&csv, options.csv_mib)?;
        let script = scratch.path().join("quick_profile.py");
        std::fs::write(&script, profile::SCRIPT).map_err(|e| Error::io("writing the script", e))?;
        let mut ours = Sample::default();
        let mut cli = Sample::default();
        for _ in 0..options.profile_runs {
            ours.0
                .push(timed(run_profile(&sandbox, &csv, scratch.path())).await?);
            cli.0.push(time_cli(&profile_cli_args(
                &image,
                &script,
                &csv,
                &settings.sandbox,
            ))?);
        }
        rows.push(Row {
            name: format!("quick profile, {} MiB CSV", options.csv_mib),
            baseline_name: "same script via docker run".into(),
            ours,
            baseline: cli,
        });

        progress("quick profile in the analysis image against DuckDB's SUMMARIZE");
        rows.push(profile_against_summarize(&connection, settings, options, &csv).await?);
    }

    progress("4 concurrent runs against 4 sequential");
    let work = "total = sum(i * i for i in range(300000))\nprint(total)";
    let mut concurrent = Sample::default();
    let mut sequential = Sample::default();
    for _ in 0..options.runs.div_ceil(4).max(5) {
        let started = Instant::now();
        let runs = (0..4).map(|_| run_code(&sandbox, work, &[], scratch.path()));
        for result in futures_util::future::join_all(runs).await {
            result?;
        }
        concurrent.0.push(started.elapsed());
        let started = Instant::now();
        for _ in 0..4 {
            run_code(&sandbox, work, &[], scratch.path()).await?;
        }
        sequential.0.push(started.elapsed());
    }
    rows.push(Row {
        name: "4 runs at once".into(),
        baseline_name: "4 runs one after another".into(),
        ours: concurrent,
        baseline: sequential,
    });
    Ok(rows)
}

/// The Quick profile as users get it in the analysis image (DuckDB inside),
/// against the least a DuckDB user would run for a first look at the same
/// file: `SUMMARIZE` through `docker run` with the same memory and CPU limits.
/// Both start a container and import DuckDB; interleaved.
async fn profile_against_summarize(
    connection: &docker::Connection,
    settings: &Settings,
    options: &BenchOptions,
    csv: &Path,
) -> Result<Row> {
    let (image, _built) = docker::ensure_variant_image(
        &connection.docker,
        &settings.sandbox.image,
        ImageVariant::Analysis,
        settings.packages.ca_bundle.as_deref(),
        &Discard,
    )
    .await?;
    let limits = SandboxSettings {
        image: image.clone(),
        ..settings.sandbox.clone()
    };
    let sandbox = Sandbox::for_connection(connection, limits.clone());
    let out = csv.with_file_name("summarize-artifacts");
    let summarize = summarize_cli_args(&image, csv, &limits);
    // Warm-up: the image's files in the page cache for both sides.
    let _ = docker_cli(&summarize);
    let mut ours = Sample::default();
    let mut baseline = Sample::default();
    for _ in 0..options.profile_runs {
        ours.0.push(timed(run_profile(&sandbox, csv, &out)).await?);
        baseline.0.push(time_cli(&summarize)?);
    }
    Ok(Row {
        name: format!("profile (DuckDB), {} MiB CSV", options.csv_mib),
        baseline_name: "DuckDB SUMMARIZE via docker run".into(),
        ours,
        baseline,
    })
}

/// `docker run --rm` with no network and the sandbox's memory and CPU limits:
/// both sides of the profile row run under the same ones.
fn limited_run_args(limits: &SandboxSettings) -> Vec<String> {
    vec![
        "run".into(),
        "--rm".into(),
        "--network=none".into(),
        format!("--memory={}m", limits.memory_mib),
        format!("--memory-swap={}m", limits.memory_mib),
        format!("--cpu-quota={}", limits.cpu_quota_us),
        format!("--cpu-period={}", limits.cpu_period_us),
    ]
}

fn summarize_cli_args(image: &str, csv: &Path, limits: &SandboxSettings) -> Vec<String> {
    let query = "import duckdb; duckdb.sql(\"SUMMARIZE SELECT * FROM read_csv('/data/big.csv')\").fetchall()";
    let mut args = limited_run_args(limits);
    args.extend([
        "-v".into(),
        format!("{}:/data/big.csv:ro", csv.display()),
        image.into(),
        "python3".into(),
        "-c".into(),
        query.into(),
    ]);
    args
}

async fn timed(run: impl std::future::Future<Output = Result<()>>) -> Result<Duration> {
    let started = Instant::now();
    run.await?;
    Ok(started.elapsed())
}

/// How long until the user has the result (the `RunFinished` event), and until
/// the run's container and volume are removed too.
async fn timed_run(sandbox: &Sandbox, code: &str, out: &Path) -> Result<(Duration, Duration)> {
    let finished_at = std::sync::Mutex::new(None);
    let sink = |event: crate::events::Event| {
        if matches!(event, crate::events::Event::RunFinished { .. }) {
            *finished_at.lock().expect("bench lock") = Some(Instant::now());
        }
    };
    let request = code_request(code, &[], out)?;
    let started = Instant::now();
    succeeded(sandbox.run(request, &sink).await)?;
    let total = started.elapsed();
    let delivered = finished_at
        .lock()
        .expect("bench lock")
        .map_or(total, |at| at - started);
    Ok((delivered, total))
}

fn code_request(code: &str, data: &[PathBuf], out: &Path) -> Result<RunRequest> {
    Ok(RunRequest {
        run_id: RunId::new(),
        session_id: None,
        title: "bench".into(),
        program: Program::code(code),
        datasets: plan_dataset_mounts(data)?,
        artifacts_dir: out.join("artifacts"),
        cancel: CancellationToken::new(),
    })
}

async fn run_code(sandbox: &Sandbox, code: &str, data: &[PathBuf], out: &Path) -> Result<()> {
    succeeded(sandbox.run(code_request(code, data, out)?, &Discard).await)
}

async fn run_profile(sandbox: &Sandbox, csv: &Path, out: &Path) -> Result<()> {
    let request = profile::request(
        &[csv.to_owned()],
        &out.join("artifacts"),
        None,
        RunId::new(),
        CancellationToken::new(),
    )?;
    succeeded(sandbox.run(request, &Discard).await)
}

fn succeeded(result: crate::sandbox::RunResult) -> Result<()> {
    if result.outcome.is_success() {
        Ok(())
    } else {
        Err(Error::io(
            "benchmarking",
            std::io::Error::other(format!("a benchmark run failed: {}", result.summary)),
        ))
    }
}

/// The profile through the docker CLI with the same limits, as a user would
/// write it by hand.
fn profile_cli_args(
    image: &str,
    script: &Path,
    csv: &Path,
    limits: &SandboxSettings,
) -> Vec<String> {
    let mut args = limited_run_args(limits);
    args.extend([
        "--tmpfs=/workspace/output".into(),
        "-e".into(),
        "SANDPIPER_OUTPUT_DIR=/workspace/output".into(),
        "-v".into(),
        format!("{}:/sandpiper/quick_profile.py:ro", script.display()),
        "-v".into(),
        format!("{}:/data/big.csv:ro", csv.display()),
        image.into(),
        "python3".into(),
        "/sandpiper/quick_profile.py".into(),
        "/data/big.csv".into(),
    ]);
    args
}

fn docker_cli<S: AsRef<str>>(args: &[S]) -> Result<()> {
    let status = Command::new("docker")
        .args(args.iter().map(AsRef::as_ref))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| Error::io("running the docker command line for the baseline", e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::io(
            "running the docker command line for the baseline",
            std::io::Error::other(format!("docker exited with {status}")),
        ))
    }
}

fn time_cli<S: AsRef<str>>(args: &[S]) -> Result<Duration> {
    let started = Instant::now();
    docker_cli(args)?;
    Ok(started.elapsed())
}

/// A sales-like CSV of about `mib` MiB.
fn write_csv(path: &Path, mib: u64) -> Result<()> {
    use std::io::Write;
    let file = std::fs::File::create(path).map_err(|e| Error::io("writing the CSV", e))?;
    let mut out = std::io::BufWriter::new(file);
    let target = mib * 1024 * 1024;
    let mut written = 0u64;
    let mut i = 0u64;
    let header = "id,region,units,price,discount,date\n";
    written += header.len() as u64;
    out.write_all(header.as_bytes())
        .map_err(|e| Error::io("writing the CSV", e))?;
    while written < target {
        let line = format!(
            "{i},{},{},{:.2},{:.3},2024-{:02}-{:02}\n",
            ["north", "south", "east", "west"][(i % 4) as usize],
            i % 40 + 1,
            (i * 37 % 50000) as f64 / 100.0,
            (i * 13 % 1000) as f64 / 1000.0,
            i % 12 + 1,
            i % 28 + 1
        );
        written += line.len() as u64;
        out.write_all(line.as_bytes())
            .map_err(|e| Error::io("writing the CSV", e))?;
        i += 1;
    }
    out.flush().map_err(|e| Error::io("writing the CSV", e))
}
