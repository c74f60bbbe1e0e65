//! The engine as the desktop app and the CLI use it: current settings, Docker
//! status, starting and cancelling runs. Holds no UI concerns; it only emits events.

use crate::docker::{self, DockerStatus};
use crate::error::{Error, Result};
use crate::events::{Discard, EventSink};
use crate::ids::{CallId, RunId, SessionId};
use crate::llm::{self, DatasetSummary, SendPolicy};
use crate::packages;
use crate::profile;
use crate::sandbox::{Program, RunRequest, RunResult, Sandbox, plan_dataset_mounts};
use crate::session_container::{SessionContainer, SessionContainers};
use crate::settings::Settings;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct Engine {
    settings: RwLock<Settings>,
    active_runs: Mutex<HashMap<RunId, CancellationToken>>,
    /// Where sessions keep what they remember (container metadata for now).
    state_dir: PathBuf,
}

/// The app's data folder, the same one the desktop shell uses
/// (`<data dir>/app.sandpiper.desktop`), so the CLI and the app share sessions.
pub fn default_state_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("app.sandpiper.desktop")
}

impl Engine {
    pub fn new(settings: Settings) -> Arc<Self> {
        Self::with_state_dir(settings, default_state_dir())
    }

    pub fn with_state_dir(settings: Settings, state_dir: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            settings: RwLock::new(settings),
            active_runs: Mutex::new(HashMap::new()),
            state_dir,
        })
    }

    /// The session containers on the configured daemon.
    pub async fn session_containers(&self) -> Result<SessionContainers> {
        let settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        Ok(SessionContainers::new(
            &connection,
            settings.sandbox,
            settings.packages,
            self.state_dir.clone(),
        ))
    }

    /// Runs `code` in the session's long-lived container (created or started as
    /// needed), as model-written code runs. When the code fails on a module that
    /// is not installed, the package that provides it is installed and the same
    /// code runs again (up to 3 times), with no model try spent. Returns the last
    /// run's result and the container's details.
    pub async fn run_code_in_session(
        &self,
        session: &str,
        title: &str,
        code: &str,
        datasets: &[PathBuf],
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<(RunResult, SessionContainer)> {
        const MAX_INSTALL_ROUNDS: usize = 3;
        let mounts = plan_dataset_mounts(datasets)?;
        let settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        let containers = SessionContainers::new(
            &connection,
            settings.sandbox.clone(),
            settings.packages.clone(),
            self.state_dir.clone(),
        );
        let sandbox = Sandbox::for_connection(&connection, settings.sandbox.clone());
        let mut container = containers.ensure(session, &mounts, sink).await?;
        let mut tried = Vec::new();
        loop {
            let run_id = RunId::new();
            let cancel = CancellationToken::new();
            let request = RunRequest {
                run_id: run_id.clone(),
                session_id: None,
                title: title.to_owned(),
                program: Program::code(code),
                datasets: mounts.clone(),
                artifacts_dir: artifacts_dir.to_owned(),
                cancel: cancel.clone(),
            };
            self.active_runs
                .lock()
                .expect("runs lock")
                .insert(run_id.clone(), cancel);
            let result = sandbox.run_in_session(&container.id, request, sink).await;
            self.active_runs.lock().expect("runs lock").remove(&run_id);

            let missing = result
                .error
                .as_ref()
                .filter(|e| e.type_name == "ModuleNotFoundError")
                .and_then(|e| packages::missing_module(&e.message));
            let Some(module) = missing.filter(|_| settings.packages.auto_install) else {
                return Ok((result, container));
            };
            let package = packages::distribution_for_module(&module);
            if tried.contains(&package) || tried.len() >= MAX_INSTALL_ROUNDS {
                return Ok((result, container));
            }
            let reason = format!("the code imports {module}");
            match containers
                .install_packages(session, std::slice::from_ref(&package), &reason, sink)
                .await
            {
                Ok(meta) => container.meta = meta,
                // The window heard why (PackagesInstalled); the failed run is the
                // result, so the user still sees what the code did.
                Err(_) => return Ok((result, container)),
            }
            tried.push(package);
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().expect("settings lock").clone()
    }

    /// Replaces the settings after checking them. Runs already going keep theirs.
    pub fn set_settings(&self, settings: Settings) -> Result<()> {
        settings
            .sandbox
            .validate()
            .and_then(|()| settings.llm.validate())
            .and_then(|()| settings.packages.validate())
            .map_err(Error::InvalidSettings)?;
        *self.settings.write().expect("settings lock") = settings;
        Ok(())
    }

    pub async fn docker_status(&self) -> DockerStatus {
        docker::status(&self.settings().docker).await
    }

    /// The image profile's image FROM the configured sandbox image, built when
    /// missing or changed. Returns its tag and whether it was built.
    pub async fn ensure_profile_image(
        &self,
        profile: docker::profiles::ImageProfile,
        sink: &dyn EventSink,
    ) -> Result<(String, bool)> {
        let settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        docker::ensure_profile_image(
            &connection.docker,
            &settings.sandbox.image,
            profile,
            settings.packages.ca_bundle.as_deref(),
            sink,
        )
        .await
    }

    /// Removes containers and volumes that runs of a crashed or killed Sandpiper
    /// left behind. The app calls it at start.
    pub async fn reap_orphans(&self) -> Result<docker::Reaped> {
        let connection = docker::connect(&self.settings().docker).await?;
        docker::reap_orphans(&connection.docker).await
    }

    /// Starts a Quick profile of `datasets` in the background. Fails at once, in
    /// plain words, when a file is unreadable or Docker cannot be reached; after
    /// that, everything (including failure) arrives as events, ending with
    /// `RunFinished`. Output files go to `artifacts_root/<run id>/`.
    pub async fn start_quick_profile(
        self: &Arc<Self>,
        datasets: &[PathBuf],
        artifacts_root: &Path,
        sink: Arc<dyn EventSink>,
    ) -> Result<(RunId, JoinHandle<RunResult>)> {
        let (sandbox, request) = self
            .prepare(Job::QuickProfile, datasets, |run_id| {
                artifacts_root.join(run_id.as_str())
            })
            .await?;
        let run_id = request.run_id.clone();
        let engine = Arc::clone(self);
        let handle = tokio::spawn(async move {
            let id = request.run_id.clone();
            let result = sandbox.run(request, sink.as_ref()).await;
            engine.active_runs.lock().expect("runs lock").remove(&id);
            result
        });
        Ok((run_id, handle))
    }

    /// Runs a Quick profile to the end, with output files going to `artifacts_dir`.
    pub async fn quick_profile(
        &self,
        datasets: &[PathBuf],
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<RunResult> {
        self.run_to_end(Job::QuickProfile, datasets, artifacts_dir, sink)
            .await
    }

    /// Runs Python `code` exactly as model-written code runs: under the harness,
    /// with the datasets as `file_1`… and `main_file`, outputs to `artifacts_dir`.
    pub async fn run_code(
        &self,
        title: &str,
        code: &str,
        datasets: &[PathBuf],
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<RunResult> {
        let job = Job::Code { title, code };
        self.run_to_end(job, datasets, artifacts_dir, sink).await
    }

    async fn run_to_end(
        &self,
        job: Job<'_>,
        datasets: &[PathBuf],
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<RunResult> {
        let (sandbox, request) = self
            .prepare(job, datasets, |_| artifacts_dir.to_owned())
            .await?;
        let id = request.run_id.clone();
        let result = sandbox.run(request, sink).await;
        self.active_runs.lock().expect("runs lock").remove(&id);
        Ok(result)
    }

    /// Checks the datasets and reaches Docker (both fail in plain words before
    /// anything starts), then registers the run so it can be cancelled.
    async fn prepare(
        &self,
        job: Job<'_>,
        datasets: &[PathBuf],
        artifacts_dir: impl FnOnce(&RunId) -> PathBuf,
    ) -> Result<(Sandbox, RunRequest)> {
        let run_id = RunId::new();
        let cancel = CancellationToken::new();
        let artifacts_dir = artifacts_dir(&run_id);
        let request = match job {
            Job::QuickProfile => profile::request(
                datasets,
                &artifacts_dir,
                None,
                run_id.clone(),
                cancel.clone(),
            )?,
            Job::Code { title, code } => {
                let mounts = plan_dataset_mounts(datasets)?;
                RunRequest {
                    run_id: run_id.clone(),
                    session_id: None,
                    title: title.to_owned(),
                    program: Program::code(code),
                    datasets: mounts,
                    artifacts_dir,
                    cancel: cancel.clone(),
                }
            }
        };
        let settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        self.active_runs
            .lock()
            .expect("runs lock")
            .insert(run_id, cancel);
        Ok((
            Sandbox::for_connection(&connection, settings.sandbox),
            request,
        ))
    }

    /// Where each session's token totals are kept: `<state dir>/usage/`.
    pub fn usage_ledger(&self) -> llm::UsageLedger {
        llm::UsageLedger::in_state_dir(&self.state_dir)
    }

    /// What the model may learn about `datasets` (columns, types, statistics, the
    /// first rows), computed in the sandbox like any code. Emits no events: the
    /// window shows the text that is sent (`llm_prompt`), not this step.
    pub async fn summarise_datasets(&self, datasets: &[PathBuf]) -> Result<Vec<DatasetSummary>> {
        if datasets.is_empty() {
            return Ok(Vec::new());
        }
        let scratch = tempfile::tempdir().map_err(|e| Error::io("preparing a folder", e))?;
        let result = self
            .run_code(
                "Describe the datasets",
                llm::dataset_summary::SCRIPT,
                datasets,
                scratch.path(),
                &Discard,
            )
            .await?;
        if !result.outcome.is_success() {
            let reason = result
                .error
                .map(|e| format!("{}: {}", e.type_name, e.message))
                .unwrap_or(result.summary);
            return Err(Error::DatasetSummaryFailed { reason });
        }
        llm::dataset_summary::parse(&result.stdout)
    }

    /// Asks the configured model `question` about `datasets`, streaming the reply
    /// to `sink` and adding its tokens to the session's totals. Fails before the
    /// call (no key, no model, a dataset that cannot be described) or when the
    /// totals cannot be saved; a call that fails is an `Answer` with its error,
    /// which the window already heard in `llm_finished`.
    pub async fn ask_about_datasets(
        &self,
        session_id: &SessionId,
        call_id: &CallId,
        question: &str,
        datasets: &[PathBuf],
        sink: &dyn EventSink,
        cancel: &CancellationToken,
    ) -> Result<llm::Answer> {
        let settings = self.settings().llm;
        let provider = llm::connect_with_stored_key(&settings)?;
        let model =
            llm::resolve_model(provider.as_ref(), settings.model.as_deref(), cancel).await?;
        let summaries = self.summarise_datasets(datasets).await?;
        let policy = SendPolicy::from_settings(&settings);
        let question = llm::Question {
            session_id,
            call_id,
            model: &model,
            text: question,
            datasets: &summaries,
            policy: &policy,
        };
        llm::ask(
            provider.as_ref(),
            &question,
            &self.usage_ledger(),
            sink,
            cancel,
        )
        .await
    }

    /// Stops a run the user no longer wants. Returns false if it already ended.
    pub fn cancel(&self, run_id: &RunId) -> bool {
        match self.active_runs.lock().expect("runs lock").get(run_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

/// What a run executes.
enum Job<'a> {
    /// The built-in Quick profile.
    QuickProfile,
    /// Python code, run under the harness as model-written code is.
    Code { title: &'a str, code: &'a str },
}
