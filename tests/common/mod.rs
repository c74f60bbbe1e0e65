//! Shared helpers for the engine's integration tests. Every test here talks to a
//! real Docker daemon; none is mocked, and none is skipped when Docker is missing:
//! it fails, saying how to start Docker (scripts/test does it for you).

#![allow(dead_code)]

use sandpiper::docker::connect;
use sandpiper::events::{Event, EventSink};
use sandpiper::ids::RunId;
use sandpiper::sandbox::{Program, RunRequest, RunResult, Sandbox, plan_dataset_mounts};
use sandpiper::settings::{SandboxSettings, Settings};
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
        Ok(connection) => connection.docker,
        Err(err) => panic!(
            "These tests need a running Docker daemon: {}. Run scripts/test, which starts one.",
            err.plain_words()
        ),
    }
}

pub async fn sandbox(settings: SandboxSettings) -> Sandbox {
    Sandbox::new(docker().await, settings)
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
    pub work_root: Option<PathBuf>,
    pub cancel: CancellationToken,
}

impl ScriptRun {
    pub fn new(code: &str, artifacts_dir: &Path) -> Self {
        Self {
            code: code.to_owned(),
            datasets: Vec::new(),
            settings: test_settings(),
            artifacts_dir: artifacts_dir.to_owned(),
            work_root: None,
            cancel: CancellationToken::new(),
        }
    }

    pub fn request(&self) -> RunRequest {
        let datasets = plan_dataset_mounts(&self.datasets).expect("datasets are readable");
        let mut argv = vec!["python3".to_owned(), "/sandpiper/main.py".to_owned()];
        argv.extend(datasets.iter().map(|d| d.container_path.clone()));
        RunRequest {
            run_id: RunId::new(),
            session_id: None,
            title: "test script".to_owned(),
            program: Program {
                files: vec![("main.py".to_owned(), self.code.clone())],
                argv,
            },
            datasets,
            artifacts_dir: self.artifacts_dir.clone(),
            cancel: self.cancel.clone(),
        }
    }

    pub async fn run(&self) -> (RunResult, Recorder) {
        let mut sandbox = sandbox(self.settings.clone()).await;
        if let Some(root) = &self.work_root {
            sandbox = sandbox.with_work_root(root.clone());
        }
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
