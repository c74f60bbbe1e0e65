//! The engine's one door: the desktop app, the CLI and the tests all go through
//! `Engine`. It holds the current settings, the registry of what can be stopped,
//! and where sessions keep what they remember. It holds no UI concerns: it
//! emits events and returns typed errors that say themselves in plain words.
//!
//! - `analysis.rs`: questions answered by the agent, warming a session, stopping a step.
//! - `runs.rs`: the Quick profile, one-off runs, and runs in a session's container.
//! - `session_profile.rs`: the Quick profile of a file dropped into a session, in its container.
//! - `models.rs`: providers, models, keys, "Test connection", asking a model.
//! - `cancellation.rs`: one registry for everything the user can stop.
//! - `sessions.rs`: saved sessions (create, open, list, export, import…).
//! - `containers.rs`: the containers panel (list, stop, remove, remove unused).
//! - `explain.rs`: "Explain this step" (the model says what the code did).
//! - `saved_output.rs`: "Save output…" (a run's output to a text file).

mod analysis;
mod cancellation;
mod containers;
mod explain;
mod idle;
mod install_questions;
mod models;
mod rerun;
mod runs;
mod saved_output;
mod session_profile;
mod sessions;
mod step_docker;

pub use analysis::Analysis;
pub use cancellation::Stoppable;
pub use install_questions::PendingInstallQuestion;
pub use models::{ConnectionReport, KeyStatus, ModelChoice, Prompt, ProviderChoice};
pub use rerun::StepRerun;

use crate::docker::{self, DockerStatus};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::ids::{CallId, QuestionId, RunId, SessionId};
use crate::llm;
use crate::session_container::{InstallConsent, SessionContainers};
use crate::settings::Settings;
use cancellation::Cancellations;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

pub struct Engine {
    settings: RwLock<Settings>,
    cancellations: Cancellations,
    /// Where sessions keep what they remember (container metadata, token totals).
    state_dir: PathBuf,
    /// Each session's answered questions and answers, for follow-ups.
    answered: Mutex<HashMap<SessionId, Vec<(String, String)>>>,
    /// Held while the analysis image is checked or built.
    analysis_build: tokio::sync::Mutex<()>,
    /// Each session's dataset descriptions, with what they were computed from.
    facts: Mutex<HashMap<SessionId, (analysis::FactsKey, crate::agent::context::DatasetFacts)>>,
    /// Each session's package versions, with the container and packages they
    /// were read from (see `Workbench::known_versions`).
    package_versions: Mutex<HashMap<SessionId, (String, Vec<String>)>>,
    /// Each session's work folder files as its last run left them, with the
    /// container they are in (see `Workbench::known_files`).
    workspace_files: Mutex<HashMap<SessionId, (String, crate::sandbox::WorkspaceListing)>>,
    /// Held while datasets are described, so warming and a question do it once.
    describing: tokio::sync::Mutex<()>,
    /// Stops session containers left idle (Settings → sessions).
    idle_stops: idle::IdleStops,
    /// Held while a session's container is found or created (see
    /// `open_session_container`).
    ensuring_container: tokio::sync::Mutex<()>,
    /// Session containers made by this engine go with its process (set by
    /// `make_sessions_throwaway`).
    throwaway_sessions: std::sync::atomic::AtomicBool,
    /// Packages the code asks for that Sandpiper does not install by itself.
    install_questions: Arc<install_questions::InstallQuestions>,
    /// The connection and analysis image steps start from (see `step_docker`).
    step_docker: step_docker::StepDocker,
    /// The model calls' HTTP clients (see `llm::HttpClients`).
    http_clients: llm::HttpClients,
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
        let engine = Arc::new(Self {
            settings: RwLock::new(settings),
            cancellations: Cancellations::default(),
            state_dir,
            answered: Mutex::new(HashMap::new()),
            analysis_build: tokio::sync::Mutex::new(()),
            facts: Mutex::new(HashMap::new()),
            package_versions: Mutex::new(HashMap::new()),
            workspace_files: Mutex::new(HashMap::new()),
            describing: tokio::sync::Mutex::new(()),
            idle_stops: idle::IdleStops::default(),
            ensuring_container: tokio::sync::Mutex::new(()),
            throwaway_sessions: std::sync::atomic::AtomicBool::new(false),
            install_questions: Arc::default(),
            step_docker: step_docker::StepDocker::default(),
            http_clients: llm::HttpClients::default(),
        });
        docker::heartbeat::keep_beating(&engine.state_dir, Arc::downgrade(&engine));
        engine
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().expect("settings lock").clone()
    }

    /// Replaces the settings after checking them. Runs already going keep theirs.
    pub fn set_settings(&self, settings: Settings) -> Result<()> {
        settings.validate().map_err(Error::InvalidSettings)?;
        *self.settings.write().expect("settings lock") = settings;
        Ok(())
    }

    pub async fn docker_status(&self) -> DockerStatus {
        docker::status(&self.settings().docker).await
    }

    /// The image variant's image FROM the configured sandbox image, built when
    /// missing or changed. Returns its tag and whether it was built.
    pub async fn ensure_variant_image(
        &self,
        variant: docker::image_variants::ImageVariant,
        sink: &dyn EventSink,
    ) -> Result<(String, bool)> {
        let settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        docker::ensure_variant_image(
            &connection.docker,
            &settings.sandbox.image,
            variant,
            settings.packages.ca_bundle.as_deref(),
            sink,
        )
        .await
    }

    /// Removes containers and volumes that runs of a crashed or killed Sandpiper
    /// left behind. The app calls it at start.
    pub async fn reap_orphans(&self) -> Result<docker::Reaped> {
        let connection = docker::connect(&self.settings().docker).await?;
        docker::reap_orphans(
            &connection.docker,
            &docker::heartbeat::folder(&self.state_dir),
        )
        .await
    }

    /// The session containers on the configured daemon.
    pub async fn session_containers(&self) -> Result<SessionContainers> {
        let settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        Ok(self.containers_on(&connection, &settings))
    }

    /// For a process that removes its sessions' containers when it ends (an
    /// evaluation, `sandpiper analyze` without `--session`): the containers it
    /// makes are labelled so, and a killed process's are removed by the next
    /// start's reaper instead of being kept for a session nobody continues.
    pub fn make_sessions_throwaway(&self) {
        self.throwaway_sessions
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// For an engine the analyst answers through (the window): a package the
    /// code asks for that Sandpiper does not install by itself is asked about
    /// (`Event::InstallQuestion`, answered with `answer_install_question`)
    /// instead of refused.
    pub fn ask_before_installs(&self) {
        self.install_questions.ask_from_now_on();
    }

    /// The analyst's answer to an `Event::InstallQuestion`. False when no
    /// step waits for it any more (stopped, or answered already).
    pub fn answer_install_question(&self, question: &QuestionId, allowed: bool) -> bool {
        self.install_questions.answer(question, allowed)
    }

    /// The install questions steps of `session` still wait on, to ask them
    /// again when the session is opened again (the window was showing
    /// something else when they were asked).
    pub fn pending_install_questions(&self, session: &SessionId) -> Vec<PendingInstallQuestion> {
        self.install_questions.pending(session)
    }

    /// Session containers on `connection`, as this engine makes them.
    fn containers_on(
        &self,
        connection: &docker::Connection,
        settings: &Settings,
    ) -> SessionContainers {
        SessionContainers::new(
            connection,
            settings.sandbox.clone(),
            settings.packages.clone(),
            self.state_dir.clone(),
        )
        .throwaway(
            self.throwaway_sessions
                .load(std::sync::atomic::Ordering::Relaxed),
        )
        .asking(Some(
            self.install_questions.clone() as Arc<dyn InstallConsent>
        ))
    }

    /// Where each session's token totals are kept: `<state dir>/usage/`.
    pub fn usage_ledger(&self) -> llm::UsageLedger {
        llm::UsageLedger::in_state_dir(&self.state_dir)
    }

    /// Stops a run the user no longer wants. False when it had already ended.
    pub fn cancel_run(&self, run_id: &RunId) -> bool {
        self.cancellations.cancel(&Stoppable::Run(run_id.clone()))
    }

    /// Stops a model call (its reply stops streaming). False when it had ended.
    pub fn cancel_call(&self, call_id: &CallId) -> bool {
        self.cancellations.cancel(&Stoppable::Call(call_id.clone()))
    }
}
