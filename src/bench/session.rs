//! The session benchmark (`sandpiper bench session`): a run in a warm session
//! container against `docker exec` of the same code into it, and against a new
//! ephemeral container; and installing pandas with a cold package store against
//! a warm one. The installs use a package store of their own, removed at the
//! end: the benchmark never empties the user's.

use super::stats::{Row, Sample};
use crate::docker;
use crate::error::{Error, Result};
use crate::events::{Discard, Event};
use crate::ids::{RunId, SessionId};
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
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let mut packages = settings.packages.clone();
    packages.store_volume = format!("sandpiper-bench-packages-{tag}");
    let containers = SessionContainers::new(
        &connection,
        settings.sandbox.clone(),
        packages.clone(),
        scratch.path().to_owned(),
    );
    let sandbox = Sandbox::for_connection(&connection, settings.sandbox.clone());
    let session = bench_session(format!("bench-{tag}"));
    let mut rows = measure(
        &containers,
        &sandbox,
        &session,
        scratch.path(),
        runs,
        progress,
    )
    .await;
    let _ = containers.remove_session(&session).await;
    if install_runs > 0
        && let Ok(rows) = rows.as_mut()
    {
        progress("installing pandas with a cold and a warm package store");
        let empty_store = || remove_store(&connection.docker, &packages.store_volume);
        let installs = measure_installs(&containers, tag, install_runs, empty_store).await;
        for run in 0..install_runs {
            for kind in ["cold", "warm", "layered"] {
                let _ = containers
                    .remove_session(&bench_session(format!("bench-{tag}-{kind}-{run}")))
                    .await;
            }
        }
        rows.extend(installs?);
    }
    // The first session's container made the store too, installs or not.
    let _ = remove_store(&connection.docker, &packages.store_volume).await;
    rows
}

/// The benchmark's sessions are named from its own lower-case tag.
fn bench_session(name: String) -> SessionId {
    SessionId::parse(&name).expect("a benchmark session name is well formed")
}

async fn remove_store(docker: &bollard::Docker, volume: &str) -> Result<()> {
    docker
        .remove_volume(
            volume,
            None::<bollard::query_parameters::RemoveVolumeOptions>,
        )
        .await?;
    Ok(())
}

/// Each round: an empty store, pandas into a new session (cold); pandas into
/// another new session (warm: same packages, same image); tabulate then
/// pandas into a third (layered: pandas on top of another set).
async fn measure_installs<F: Future<Output = Result<()>>>(
    containers: &SessionContainers,
    tag: &str,
    install_runs: usize,
    empty_store: impl Fn() -> F,
) -> Result<Vec<Row>> {
    let (mut cold, mut warm, mut layered) =
        (Sample::default(), Sample::default(), Sample::default());
    for run in 0..install_runs {
        let _ = empty_store().await;
        for (kind, sample) in [
            ("cold", &mut cold),
            ("warm", &mut warm),
            ("layered", &mut layered),
        ] {
            let session = bench_session(format!("bench-{tag}-{kind}-{run}"));
            containers.ensure(&session, &[], &Discard).await?;
            if kind == "layered" {
                containers
                    .install_packages(&session, &["tabulate".to_owned()], "benchmark", &Discard)
                    .await?;
            }
            let started = Instant::now();
            containers
                .install_packages(&session, &["pandas".to_owned()], "benchmark", &Discard)
                .await?;
            sample.0.push(started.elapsed());
            containers.remove_session(&session).await?;
        }
    }
    Ok(vec![
        Row {
            name: "pandas, new session, warm store".into(),
            baseline_name: "pandas, new session, empty store".into(),
            ours: warm,
            baseline: cold.clone(),
        },
        Row {
            name: "pandas on top of tabulate, warm".into(),
            baseline_name: "pandas, new session, empty store".into(),
            ours: layered,
            baseline: cold,
        },
    ])
}

async fn measure(
    containers: &SessionContainers,
    sandbox: &Sandbox,
    session: &SessionId,
    scratch: &Path,
    runs: usize,
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
    let rows = vec![
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
