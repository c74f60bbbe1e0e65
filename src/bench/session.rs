//! The session benchmark (`sandpiper bench session`): a run in a warm session
//! container against `docker exec` of the same code into it, and against a new
//! ephemeral container; and installing pandas with a cold cache against a warm one.

use super::stats::{Row, Sample};
use crate::docker;
use crate::error::{Error, Result};
use crate::events::{Discard, Event};
use crate::ids::RunId;
use crate::sandbox::{Program, RunRequest, Sandbox};
use crate::session_container::SessionContainers;
use crate::settings::Settings;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub async fn run_session_bench(
    settings: &Settings,
    runs: usize,
    install_runs: usize,
    progress: &dyn Fn(&str),
) -> Result<Vec<Row>> {
    let connection = docker::connect(&settings.docker).await?;
    let scratch = tempfile::tempdir().map_err(|e| Error::io("creating a scratch folder", e))?;
    let containers = SessionContainers::new(
        &connection,
        settings.sandbox.clone(),
        settings.packages.clone(),
        scratch.path().to_owned(),
    );
    let sandbox = Sandbox::for_connection(&connection, settings.sandbox.clone());
    let session = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let rows = measure(
        &containers,
        &sandbox,
        &session,
        scratch.path(),
        runs,
        install_runs,
        progress,
    )
    .await;
    let _ = containers.remove_session(&session).await;
    rows
}

async fn measure(
    containers: &SessionContainers,
    sandbox: &Sandbox,
    session: &str,
    scratch: &Path,
    runs: usize,
    install_runs: usize,
    progress: &dyn Fn(&str),
) -> Result<Vec<Row>> {
    let container = containers.ensure(session, &[], &Discard).await?;
    let user = crate::sandbox::container_spec::unprivileged_user();
    let exec_args = [
        "exec",
        "-u",
        &user,
        &container.id,
        "python3",
        "-c",
        "print(1)",
    ];
    // Warm-up on both sides.
    timed_session_run(sandbox, &container.id, scratch).await?;
    time_cli(&exec_args)?;

    progress("warm session run against docker exec and a new container");
    let (mut warm, mut exec, mut fresh) = (Sample::default(), Sample::default(), Sample::default());
    for _ in 0..runs {
        warm.0
            .push(timed_session_run(sandbox, &container.id, scratch).await?);
        exec.0.push(time_cli(&exec_args)?);
        let started = Instant::now();
        let result = sandbox.run(request(scratch), &Discard).await;
        if !result.outcome.is_success() {
            return Err(bench_failed(&result.summary));
        }
        fresh.0.push(started.elapsed());
    }
    let mut rows = vec![
        Row {
            name: "warm session print(1)".into(),
            baseline_name: "docker exec (CLI), same container".into(),
            ours: warm.clone(),
            baseline: exec,
        },
        Row {
            name: "warm session print(1)".into(),
            baseline_name: "new ephemeral container".into(),
            ours: warm,
            baseline: fresh,
        },
    ];

    if install_runs > 0 {
        progress("installing pandas with a cold and a warm cache");
        let (mut cold, mut warm_cache) = (Sample::default(), Sample::default());
        for _ in 0..install_runs {
            let docker = docker::connect(&Default::default()).await?.docker;
            let _ = docker
                .remove_volume(
                    crate::packages::install::CACHE_VOLUME,
                    None::<bollard::query_parameters::RemoveVolumeOptions>,
                )
                .await;
            for sample in [&mut cold, &mut warm_cache] {
                // A fresh packages volume each time: only the cache differs.
                containers.remove_session(session).await?;
                let container = containers.ensure(session, &[], &Discard).await?;
                let started = Instant::now();
                containers
                    .install_packages(session, &["pandas".to_owned()], "benchmark", &Discard)
                    .await?;
                sample.0.push(started.elapsed());
                drop(container);
            }
        }
        rows.push(Row {
            name: "install pandas, warm cache".into(),
            baseline_name: "same, cold cache".into(),
            ours: warm_cache,
            baseline: cold,
        });
    }
    Ok(rows)
}

fn request(scratch: &Path) -> RunRequest {
    RunRequest {
        run_id: RunId::new(),
        session_id: None,
        title: "bench".into(),
        program: Program::code("print(1)"),
        datasets: Vec::new(),
        artifacts_dir: scratch.join("artifacts"),
        cancel: CancellationToken::new(),
    }
}

/// Until the user has the result (`RunFinished`).
async fn timed_session_run(sandbox: &Sandbox, id: &str, scratch: &Path) -> Result<Duration> {
    let finished_at = std::sync::Mutex::new(None);
    let sink = |event: Event| {
        if matches!(event, Event::RunFinished { .. }) {
            *finished_at.lock().expect("bench lock") = Some(Instant::now());
        }
    };
    let started = Instant::now();
    let result = sandbox.run_in_session(id, request(scratch), &sink).await;
    if !result.outcome.is_success() {
        return Err(bench_failed(&result.summary));
    }
    let at = finished_at
        .lock()
        .expect("bench lock")
        .unwrap_or_else(Instant::now);
    Ok(at - started)
}

fn time_cli(args: &[&str]) -> Result<Duration> {
    let started = Instant::now();
    let status = Command::new("docker")
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| Error::io("running the docker command line for the baseline", e))?;
    if !status.success() {
        return Err(bench_failed(&format!("docker exited with {status}")));
    }
    Ok(started.elapsed())
}

fn bench_failed(why: &str) -> Error {
    Error::io(
        "benchmarking",
        std::io::Error::other(format!("a benchmark run failed: {why}")),
    )
}
