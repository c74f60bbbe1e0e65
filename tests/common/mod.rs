//! Shared helpers for the engine's integration tests. Every test here talks to a
//! real Docker daemon; none is mocked, and a missing daemon fails the test,
//! saying how to start Docker (scripts/test does it for you).

#![allow(dead_code)]

pub mod cuttable_socket;
pub mod known_csv;
pub mod proxy;
pub mod remote;
pub mod session;
pub mod stop_on_first_line;

use sandpiper::docker::connect;
use sandpiper::events::{Event, EventSink};
use sandpiper::ids::RunId;
use sandpiper::sandbox::{Program, RunRequest, RunResult, Sandbox, plan_dataset_mounts};
use sandpiper::settings::{DockerSettings, SandboxSettings, Settings};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// The image tests run in: the real `python:3.11-slim`, or the offline stand-in
/// that scripts/test tags with that name.
pub fn test_image() -> String {
    std::env::var("SANDPIPER_TEST_IMAGE").unwrap_or_else(|_| "python:3.11-slim".to_owned())
}

pub fn test_settings() -> SandboxSettings {
    SandboxSettings {
        image: test_image(),
        ..SandboxSettings::default()
    }
}

pub async fn docker() -> bollard::Docker {
    match connect(&Settings::default().docker).await {
        Ok(connection) => {
            check_engine(&connection);
            connection.docker
        }
        Err(err) => panic!(
            "These tests need a running Docker daemon: {}. Run scripts/test, which starts one.",
            err.plain_words()
        ),
    }
}

/// The engine these tests must reach, when the run names one: scripts/test's
/// Podman pass sets `SANDPIPER_TEST_ENGINE=Podman` beside a `DOCKER_HOST` on
/// Podman's socket. A pass that quietly reached Docker instead (the socket
/// gone, say, and the next place answering) would prove nothing about Podman.
pub fn expected_engine() -> Option<String> {
    std::env::var("SANDPIPER_TEST_ENGINE")
        .ok()
        .filter(|engine| !engine.trim().is_empty())
}

pub fn check_engine(connection: &sandpiper::docker::Connection) {
    if let Some(expected) = expected_engine() {
        assert_eq!(
            connection.engine.name(),
            expected,
            "this test run is for {expected}, but {} answered at {}",
            connection.engine.name(),
            connection.endpoint
        );
    }
}

pub async fn sandbox(settings: SandboxSettings) -> Sandbox {
    Sandbox::new(docker().await, settings)
}

/// A sandbox on the daemon `docker` names (e.g. the remote one of `remote::start`).
pub async fn sandbox_on(docker: &DockerSettings, settings: SandboxSettings) -> Sandbox {
    let connection = connect(docker)
        .await
        .unwrap_or_else(|err| panic!("cannot reach {docker:?}: {}", err.plain_words()));
    if docker.endpoint.is_none() {
        check_engine(&connection);
    }
    Sandbox::for_connection(&connection, settings)
}

/// Collects every event, in order.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Event>>>);

impl EventSink for Recorder {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }

    pub fn stdout_lines(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Stdout { line, .. } => Some(line),
                _ => None,
            })
            .collect()
    }
}

/// A Python script run exactly as model code would be, in a fresh container.
pub struct ScriptRun {
    pub code: String,
    pub datasets: Vec<PathBuf>,
    pub settings: SandboxSettings,
    pub artifacts_dir: PathBuf,
    pub cancel: CancellationToken,
    /// Which daemon to run on (default: this machine's).
    pub docker: DockerSettings,
}

impl ScriptRun {
    pub fn new(code: &str, artifacts_dir: &Path) -> Self {
        Self {
            code: code.to_owned(),
            datasets: Vec::new(),
            settings: test_settings(),
            artifacts_dir: artifacts_dir.to_owned(),
            cancel: CancellationToken::new(),
            docker: DockerSettings::default(),
        }
    }

    pub fn request(&self) -> RunRequest {
        let datasets = plan_dataset_mounts(&self.datasets).expect("datasets are readable");
        RunRequest {
            run_id: RunId::new(),
            session_id: None,
            title: "test script".to_owned(),
            program: Program::code(&self.code),
            datasets,
            artifacts_dir: self.artifacts_dir.clone(),
            cancel: self.cancel.clone(),
        }
    }

    pub async fn run(&self) -> (RunResult, Recorder) {
        let sandbox = sandbox_on(&self.docker, self.settings.clone()).await;
        let recorder = Recorder::default();
        let result = sandbox.run(self.request(), &recorder).await;
        (result, recorder)
    }
}

pub fn sha256_of(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).expect("file is readable");
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every Docker object (container or volume) carrying this run's label.
pub async fn leftovers_of_run(run_id: &RunId) -> Vec<String> {
    use bollard::query_parameters::{ListContainersOptionsBuilder, ListVolumesOptionsBuilder};
    use std::collections::HashMap;
    let docker = docker().await;
    let filter = HashMap::from([(
        "label".to_owned(),
        vec![format!("sandpiper.run_id={run_id}")],
    )]);
    let containers = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&filter)
                .build(),
        ))
        .await
        .unwrap();
    let volumes = docker
        .list_volumes(Some(
            ListVolumesOptionsBuilder::default()
                .filters(&filter)
                .build(),
        ))
        .await
        .unwrap();
    containers
        .into_iter()
        .filter_map(|c| c.id)
        .chain(
            volumes
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.name),
        )
        .collect()
}

/// Removes a container as a user (or another tool) would behind Sandpiper's back.
pub async fn force_remove(id: &str) {
    docker()
        .await
        .remove_container(
            id,
            Some(
                bollard::query_parameters::RemoveContainerOptionsBuilder::default()
                    .force(true)
                    .build(),
            ),
        )
        .await
        .unwrap();
}

/// A 400,000-row CSV (about 12 MB) at `path`, with a quoted comma in every
/// row: big enough that a Quick profile is still reading it when a test stops
/// it on its first line of output.
pub fn write_big_csv(path: &Path) {
    use std::fmt::Write as _;
    let mut text = String::from("id,region,amount,note\n");
    for i in 0..400_000 {
        let _ = writeln!(
            text,
            "{i},region {},{}.{:02},\"a, b\"",
            i % 7,
            i % 1000,
            i % 100
        );
    }
    std::fs::write(path, text).unwrap();
}
