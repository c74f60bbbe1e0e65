//! A session for a test: a unique name, its own state folder, and its container
//! and volumes removed when the test ends, pass or fail.

use super::{Recorder, test_image};
use sandpiper::sandbox::RunResult;
use sandpiper::session_container::{SessionContainer, SessionContainers};
use sandpiper::settings::PackageSettings;
use sandpiper::{Engine, SessionId, Settings};
use std::path::Path;
use std::sync::Arc;

pub fn engine(state: &Path) -> Arc<Engine> {
    engine_on(state, &test_image(), &PackageSettings::default())
}

/// An engine on `image` with these package settings.
pub fn engine_on(state: &Path, image: &str, packages: &PackageSettings) -> Arc<Engine> {
    engine_with_timeout(
        state,
        image,
        packages,
        Settings::default().sandbox.timeout_secs,
    )
}

/// The same with a time limit for each run.
pub fn engine_with_timeout(
    state: &Path,
    image: &str,
    packages: &PackageSettings,
    timeout_secs: u64,
) -> Arc<Engine> {
    let mut settings = Settings::default();
    settings.sandbox.image = image.to_owned();
    settings.sandbox.timeout_secs = timeout_secs;
    settings.packages = packages.clone();
    Engine::with_state_dir(settings, state.to_owned())
}

pub struct TestSession {
    pub name: SessionId,
    pub state: tempfile::TempDir,
    pub image: String,
    pub packages: PackageSettings,
    /// A package store this session removes when it ends (`with_own_store`).
    pub store: Option<String>,
    /// Each run's time limit.
    pub timeout_secs: u64,
}

impl TestSession {
    pub fn new(what: &str) -> Self {
        Self::on_image(what, &test_image())
    }

    /// A session whose container runs `image`.
    pub fn on_image(what: &str, image: &str) -> Self {
        Self {
            image: image.to_owned(),
            name: SessionId::parse(&format!(
                "test-{what}-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ))
            .expect("test session names are well formed"),
            state: tempfile::tempdir().unwrap(),
            packages: PackageSettings::default(),
            store: None,
            timeout_secs: Settings::default().sandbox.timeout_secs,
        }
    }

    /// The same session with a package store of its own, removed with it, for
    /// tests that take the store away or must start with it empty.
    pub fn with_own_store(mut self) -> Self {
        let store = format!("sandpiper-test-store-{}", self.name);
        self.packages.store_volume = store.clone();
        self.store = Some(store);
        self
    }

    /// The same session using `other`'s package store (which `other` removes).
    pub fn sharing_store_of(mut self, other: &TestSession) -> Self {
        self.packages.store_volume = other.packages.store_volume.clone();
        self
    }

    /// The same session with this time limit for its runs.
    pub fn with_timeout(mut self, secs: u64) -> Self {
        self.timeout_secs = secs;
        self
    }

    pub fn engine(&self) -> Arc<Engine> {
        engine_with_timeout(
            self.state.path(),
            &self.image,
            &self.packages,
            self.timeout_secs,
        )
    }

    pub async fn containers(&self) -> SessionContainers {
        self.engine().session_containers().await.unwrap()
    }

    /// The `sandpiper` command line on this session's state folder, with no one
    /// at the keyboard.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"))
            .args(args)
            .env("SANDPIPER_STATE_DIR", self.state.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    /// Installs packages into the session (which must have run once).
    pub async fn install(
        &self,
        packages: &[&str],
    ) -> Result<sandpiper::session_container::SessionContainerMeta, sandpiper::Error> {
        let packages: Vec<String> = packages.iter().map(|p| p.to_string()).collect();
        self.containers()
            .await
            .install_packages(&self.name, &packages, "asked for", &Recorder::default())
            .await
    }

    /// Runs `code` in the session (a new engine each time, as after a restart).
    pub async fn run(&self, code: &str, recorder: &Recorder) -> (RunResult, SessionContainer) {
        let out = self.state.path().join("out");
        self.engine()
            .run_code_in_session(&self.name, "t", code, &[], &out, recorder)
            .await
            .unwrap_or_else(|err| panic!("{}", err.plain_words()))
    }
}

impl Drop for TestSession {
    fn drop(&mut self) {
        let name = self.name.clone();
        let state = self.state.path().to_owned();
        let image = self.image.clone();
        let store = self.store.clone();
        let packages = self.packages.clone();
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let engine = engine_on(&state, &image, &packages);
                if let Ok(containers) = engine.session_containers().await {
                    let _ = containers.remove_session(&name).await;
                }
                if let Some(store) = store {
                    let _ = super::docker()
                        .await
                        .remove_volume(
                            &store,
                            None::<bollard::query_parameters::RemoveVolumeOptions>,
                        )
                        .await;
                }
            })
        })
        .join()
        .unwrap();
    }
}
