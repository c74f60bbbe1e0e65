//! Analyses through the engine: a question about the datasets answered by the
//! agent in the session's container, every message emitted as it happens; the
//! session's container warmed and the datasets described ahead (while the
//! analyst types), so the first question pays only for a warm run; a step
//! stopped at any moment.

use super::Engine;
use super::cancellation::Stoppable;
use crate::agent::context::{self, DatasetFacts};
use crate::agent::{self, Model, Step, StepReport, Workbench};
use crate::conversation::answered_steps;
use crate::docker::{self, image_variants::ImageVariant};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::ids::{SessionId, StepId};
use crate::llm::{self, SendPolicy};
use crate::profile_data::TableChoices;
use crate::provider_id::ProviderId;
use crate::sandbox::{DatasetMount, Sandbox, WorkspaceListing, plan_dataset_mounts};
use crate::session_container::{SessionContainer, SessionContainers};
use crate::settings::{PromptStyle, Settings};
use crate::store::SessionHandle;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A session's answered questions with their answers, oldest first.
type EarlierSteps = Vec<(String, String)>;

/// One question to answer.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub session_id: SessionId,
    pub question: String,
    pub datasets: Vec<PathBuf>,
    /// Where the step's charts and files go, one `try-<n>` folder per try.
    pub artifacts_dir: PathBuf,
    /// What the analyst wrote about columns, one map (by column name) per
    /// dataset in `datasets`' order; empty when they wrote nothing.
    pub column_descriptions: Vec<BTreeMap<String, String>>,
}

/// What a session's dataset facts were computed from: the files as they were
/// (path, size, modification time) and the image that read them.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FactsKey {
    files: Vec<(PathBuf, u64, Option<SystemTime>)>,
    image: String,
    /// The sheets and header rows the analyst chose: another choice, another description.
    choices: TableChoices,
}

/// A session's container, ready to run code, and what it runs on.
pub(super) struct Opened {
    pub(super) containers: SessionContainers,
    pub(super) sandbox: Sandbox,
    pub(super) container: SessionContainer,
    pub(super) mounts: Vec<DatasetMount>,
}

impl Engine {
    /// Answers `analysis.question` to the end: the conversation's messages go to
    /// `sink` as they happen; the report says how the step ended. Fails only when
    /// the conversation could not be told (the token totals could not be saved).
    pub async fn analyze(&self, analysis: &Analysis, sink: &dyn EventSink) -> Result<StepReport> {
        self.analyze_step(analysis, StepId::new(), None, None, sink)
            .await
    }

    /// Starts answering in the background and returns the step's id at once;
    /// `cancel_step` stops it.
    pub fn start_analysis(
        self: &Arc<Self>,
        analysis: Analysis,
        sink: Arc<dyn EventSink>,
    ) -> (StepId, JoinHandle<Result<StepReport>>) {
        let step_id = StepId::new();
        let engine = Arc::clone(self);
        let id = step_id.clone();
        let handle = tokio::spawn(async move {
            engine
                .analyze_step(&analysis, id, None, None, sink.as_ref())
                .await
        });
        (step_id, handle)
    }

    /// Stops a step: its model call and its running code. False when it had ended.
    pub fn cancel_step(&self, step_id: &StepId) -> bool {
        self.cancellations.cancel(&Stoppable::Step(step_id.clone()))
    }

    /// Gets a session ready for its first question: the analysis image, the
    /// session's container (created or started) with these datasets, and their
    /// descriptions, kept until the files change. The window calls it when files
    /// are added and while the analyst types; a question asked meanwhile waits
    /// for it rather than doing the work twice.
    pub async fn warm_session(
        &self,
        session_id: &SessionId,
        datasets: &[PathBuf],
        sink: &dyn EventSink,
    ) -> Result<()> {
        self.idle_stops.busy(session_id).await;
        let mut settings = self.settings();
        let mut opened = self
            .open_for_step(&mut settings, session_id, datasets, sink)
            .await?;
        let mut bench = opened.workbench(
            PathBuf::new(),
            self.session_store().table_choices(session_id),
            self.known_versions(session_id),
            self.known_files(session_id),
        );
        let cancel = CancellationToken::new();
        let warmed = async {
            self.dataset_facts(&mut bench, session_id, datasets, &settings, &cancel)
                .await?;
            // A new container's harness is still importing pandas and friends:
            // wait for it here, while the analyst types, not in the first
            // question, reading the package versions the answer will cite.
            bench.package_versions(session_id, &cancel).await
        }
        .await;
        self.remember_versions(session_id, &bench);
        self.remember_files(session_id, &bench);
        let container_id = bench.container.id.clone();
        self.idle_after_use(session_id, container_id, opened.containers, &settings)
            .await;
        warmed.map(|_| ())
    }

    /// Answers `question` in a saved session, to the end: on the session's
    /// datasets (its copies where it keeps them), knowing its earlier answers,
    /// each try's charts in the session's folder, and every message saved
    /// before `sink` sees it, so a crash loses nothing that was shown.
    pub async fn analyze_in_session(
        &self,
        session: &SessionHandle,
        question: &str,
        sink: &dyn EventSink,
    ) -> Result<StepReport> {
        let step_id = StepId::new();
        let (analysis, earlier) = session_analysis(session, question, &step_id)?;
        self.analyze_step(&analysis, step_id, earlier, None, &session.recording(sink))
            .await
    }

    /// `analyze_in_session` in the background; returns the step's id at once.
    pub fn start_analysis_in_session(
        self: &Arc<Self>,
        session: Arc<SessionHandle>,
        question: String,
        sink: Arc<dyn EventSink>,
    ) -> Result<(StepId, JoinHandle<Result<StepReport>>)> {
        self.start_step_in_session(session, question, None, sink)
    }

    /// "Edit and run": the code of answered or tried step `edited`, as the
    /// analyst changed it, runs as the first try of a new step asking that
    /// step's question again, without asking the model for code; when it
    /// fails, the model fixes it like any try. In the background, as
    /// `start_analysis_in_session`.
    pub fn start_own_code_in_session(
        self: &Arc<Self>,
        session: Arc<SessionHandle>,
        edited: &StepId,
        code: String,
        sink: Arc<dyn EventSink>,
    ) -> Result<(StepId, JoinHandle<Result<StepReport>>)> {
        if code.trim().is_empty() {
            return Err(Error::CodeEmpty);
        }
        let question = session
            .conversation()?
            .into_iter()
            .find_map(|m| match m {
                crate::conversation::Message::Question { step_id, text, .. }
                    if step_id == *edited =>
                {
                    Some(text)
                }
                _ => None,
            })
            .ok_or_else(|| Error::StepNotInSession {
                step: edited.to_string(),
            })?;
        self.start_step_in_session(session, question, Some(code), sink)
    }

    fn start_step_in_session(
        self: &Arc<Self>,
        session: Arc<SessionHandle>,
        question: String,
        own_code: Option<String>,
        sink: Arc<dyn EventSink>,
    ) -> Result<(StepId, JoinHandle<Result<StepReport>>)> {
        let step_id = StepId::new();
        let (analysis, earlier) = session_analysis(&session, &question, &step_id)?;
        let engine = Arc::clone(self);
        let id = step_id.clone();
        let recorder = session.recording_shared(sink);
        let handle = tokio::spawn(async move {
            engine
                .analyze_step(&analysis, id, earlier, own_code, &recorder)
                .await
        });
        Ok((step_id, handle))
    }

    async fn analyze_step(
        &self,
        analysis: &Analysis,
        step_id: StepId,
        earlier: Option<EarlierSteps>,
        own_code: Option<String>,
        sink: &dyn EventSink,
    ) -> Result<StepReport> {
        let registration = self
            .cancellations
            .register(Stoppable::Step(step_id.clone()));
        let cancel = registration.token();
        let step = Step {
            session_id: &analysis.session_id,
            step_id,
            question: &analysis.question,
            earlier: earlier.unwrap_or_else(|| self.earlier_steps(&analysis.session_id)),
            own_code,
        };
        let names = analysis.datasets.iter().map(|p| file_name(p)).collect();
        let started = agent::open_step(&step, names, sink);
        if analysis.question.trim().is_empty() {
            return Ok(agent::fail_step(
                &step,
                started,
                &Error::QuestionEmpty,
                sink,
            ));
        }
        self.idle_stops.busy(&analysis.session_id).await;
        let mut settings = self.settings();
        let ready = async {
            let provider = llm::connect_with_stored_key(&settings.llm, &self.http_clients)?;
            let model =
                llm::resolve_model(provider.as_ref(), settings.llm.model.as_deref(), cancel)
                    .await?;
            let opened = self
                .open_for_step(
                    &mut settings,
                    &analysis.session_id,
                    &analysis.datasets,
                    sink,
                )
                .await?;
            Ok::<_, Error>((provider, model, opened))
        };
        let (provider, model, mut opened) = match ready.await {
            Ok(ready) => ready,
            Err(error) => return Ok(agent::fail_step(&step, started, &error, sink)),
        };
        let mut bench = opened.workbench(
            analysis.artifacts_dir.clone(),
            self.session_store().table_choices(&analysis.session_id),
            self.known_versions(&analysis.session_id),
            self.known_files(&analysis.session_id),
        );
        let policy = SendPolicy::from_settings(&settings.llm);
        // Ok(the step's report), or Err(why it could not be prepared).
        let ran = async {
            let facts = self
                .dataset_facts(
                    &mut bench,
                    &analysis.session_id,
                    &analysis.datasets,
                    &settings,
                    cancel,
                )
                .await?
                .described(&analysis.column_descriptions);
            let context =
                context::prepare(&mut bench, &analysis.session_id, &facts, &policy, cancel).await?;
            let ledger = self.usage_ledger();
            let model = Model {
                provider: provider.as_ref(),
                model,
                ledger: &ledger,
                compact: compact_prompt(settings.agent.prompt, settings.llm.provider),
            };
            Ok::<_, Error>(
                agent::run_step(
                    &step,
                    started,
                    model,
                    &mut bench,
                    &settings.agent,
                    &context,
                    sink,
                    cancel,
                )
                .await,
            )
        }
        .await;
        self.remember_versions(&analysis.session_id, &bench);
        self.remember_files(&analysis.session_id, &bench);
        let container_id = bench.container.id.clone();
        self.idle_after_use(
            &analysis.session_id,
            container_id,
            opened.containers,
            &settings,
        )
        .await;
        let report = match ran {
            Ok(report) => report?,
            Err(error) => return Ok(agent::fail_step(&step, started, &error, sink)),
        };
        if let Some(answer) = &report.answer {
            self.remember_step(&analysis.session_id, &analysis.question, answer);
        }
        Ok(report)
    }

    /// The package versions last read in the session's container, if any.
    fn known_versions(&self, session: &SessionId) -> Option<(String, Vec<String>)> {
        self.package_versions
            .lock()
            .expect("versions lock")
            .get(session)
            .cloned()
    }

    /// The work folder's files as the session's last run left them, with
    /// the container they are in.
    fn known_files(&self, session: &SessionId) -> Option<(String, WorkspaceListing)> {
        self.workspace_files
            .lock()
            .expect("workspace files lock")
            .get(session)
            .cloned()
    }

    /// Keeps what the workbench knows of the work folder; forgets it when
    /// the last run did not say.
    fn remember_files(&self, session: &SessionId, bench: &Workbench<'_>) {
        self.note_workspace_files(session, bench.known_files.clone());
    }

    pub(super) fn note_workspace_files(
        &self,
        session: &SessionId,
        files: Option<(String, WorkspaceListing)>,
    ) {
        let mut known = self.workspace_files.lock().expect("workspace files lock");
        match files {
            Some(files) => known.insert(session.clone(), files),
            None => known.remove(session),
        };
    }

    fn remember_versions(&self, session: &SessionId, bench: &Workbench<'_>) {
        if let Some(known) = &bench.known_versions {
            self.package_versions
                .lock()
                .expect("versions lock")
                .insert(session.clone(), known.clone());
        }
    }

    /// The session's container stops after Settings' idle time unless used again.
    pub(super) async fn idle_after_use(
        &self,
        session: &SessionId,
        container_id: String,
        containers: SessionContainers,
        settings: &Settings,
    ) {
        let after = Duration::from_secs(settings.sessions.stop_idle_container_after_secs);
        self.idle_stops
            .idle(session, container_id, containers, after)
            .await;
    }

    /// The session's container for a step or for warming, on the analysis
    /// image when Settings use it (`settings.sandbox.image` becomes the image
    /// it runs). It starts from the connection and image the last step kept
    /// (see `step_docker`); when that fails, it forgets them and tries once
    /// more afresh.
    async fn open_for_step(
        &self,
        settings: &mut Settings,
        session_id: &SessionId,
        datasets: &[PathBuf],
        sink: &dyn EventSink,
    ) -> Result<Opened> {
        let base_image = settings.sandbox.image.clone();
        match self
            .open_with_kept(settings, session_id, datasets, sink)
            .await
        {
            Err(_) if self.step_docker.forget() => {
                settings.sandbox.image = base_image;
                self.open_with_kept(settings, session_id, datasets, sink)
                    .await
            }
            opened => opened,
        }
    }

    async fn open_with_kept(
        &self,
        settings: &mut Settings,
        session_id: &SessionId,
        datasets: &[PathBuf],
        sink: &dyn EventSink,
    ) -> Result<Opened> {
        let connection = self.step_docker.connection(&settings.docker).await?;
        if settings.agent.analysis_image {
            settings.sandbox.image = self.analysis_image(&connection, sink).await?;
        }
        self.open_session_container(settings, &connection, session_id, datasets, sink)
            .await
    }

    /// The session's container, created or started, with these datasets.
    pub(super) async fn open_session_container(
        &self,
        settings: &Settings,
        connection: &docker::Connection,
        session_id: &SessionId,
        datasets: &[PathBuf],
        sink: &dyn EventSink,
    ) -> Result<Opened> {
        let mounts = plan_dataset_mounts(datasets)?;
        let containers = self.containers_on(connection, settings);
        let sandbox = Sandbox::for_connection(connection, settings.sandbox.clone());
        // Warming and a question asked meanwhile both get here: one at a time,
        // or both would create the session's container and one would fail on
        // Docker's "name already in use". The second finds the first's container.
        let container = {
            let _one_at_a_time = self.ensuring_container.lock().await;
            containers.ensure(session_id, &mounts, sink).await?
        };
        Ok(Opened {
            containers,
            sandbox,
            container,
            mounts,
        })
    }

    /// The datasets' descriptions and fingerprints: kept from an earlier step or
    /// from warming while the files and the image are the same, computed (once
    /// at a time per engine) otherwise.
    async fn dataset_facts(
        &self,
        bench: &mut Workbench<'_>,
        session_id: &SessionId,
        datasets: &[PathBuf],
        settings: &Settings,
        cancel: &CancellationToken,
    ) -> Result<DatasetFacts> {
        let _one_at_a_time = self.describing.lock().await;
        let choices = bench.read_choices.clone();
        let key = facts_key(datasets, &settings.sandbox.image, choices.clone());
        if let Some((known, facts)) = self.facts.lock().expect("facts lock").get(session_id)
            && *known == key
        {
            return Ok(facts.clone());
        }
        let facts =
            context::describe_datasets(bench, session_id, datasets, &choices, cancel).await?;
        self.facts
            .lock()
            .expect("facts lock")
            .insert(session_id.clone(), (key, facts.clone()));
        Ok(facts)
    }

    /// Builds the analysis image in the background (the app calls it at start,
    /// so a first question never waits for it), telling its progress to `sink`.
    /// Returns its tag.
    pub async fn prepare_analysis_image(&self, sink: &dyn EventSink) -> Result<String> {
        let connection = docker::connect(&self.settings().docker).await?;
        self.analysis_image(&connection, sink).await
    }

    /// The analysis image's tag, built once (one build at a time: a question
    /// asked while the app's start-up build runs waits for that build).
    async fn analysis_image(
        &self,
        connection: &docker::Connection,
        sink: &dyn EventSink,
    ) -> Result<String> {
        let _one_build = self.analysis_build.lock().await;
        let settings = self.settings();
        if let Some(tag) = self.step_docker.analysis_image(&settings.sandbox.image) {
            return Ok(tag);
        }
        docker::ensure_image(&connection.docker, &settings.sandbox.image, sink).await?;
        let (tag, _built) = docker::ensure_variant_image(
            &connection.docker,
            &settings.sandbox.image,
            ImageVariant::Analysis,
            settings.packages.ca_bundle.as_deref(),
            sink,
        )
        .await?;
        self.step_docker
            .keep_analysis_image(&settings.sandbox.image, &tag);
        Ok(tag)
    }

    /// The session's earlier questions and answers, oldest first.
    fn earlier_steps(&self, session: &SessionId) -> Vec<(String, String)> {
        self.answered
            .lock()
            .expect("answered lock")
            .get(session)
            .cloned()
            .unwrap_or_default()
    }

    fn remember_step(&self, session: &SessionId, question: &str, answer: &str) {
        self.answered
            .lock()
            .expect("answered lock")
            .entry(session.clone())
            .or_default()
            .push((question.to_owned(), answer.to_owned()));
    }
}

impl Opened {
    fn workbench(
        &mut self,
        artifacts_dir: PathBuf,
        read_choices: TableChoices,
        known_versions: Option<(String, Vec<String>)>,
        known_files: Option<(String, WorkspaceListing)>,
    ) -> Workbench<'_> {
        // A container this call created or started again (after an idle stop,
        // a time limit, a crash) has a work folder restored or new: list it
        // afresh rather than trust what was known of it.
        let known_files =
            known_files.filter(|_| !self.container.created && !self.container.started);
        Workbench {
            containers: &self.containers,
            sandbox: &self.sandbox,
            container: self.container.clone(),
            mounts: &self.mounts,
            read_choices,
            artifacts_dir,
            known_versions,
            known_files,
        }
    }
}

/// What a step in a saved session runs on, and the answers it knows of.
fn session_analysis(
    session: &SessionHandle,
    question: &str,
    step_id: &StepId,
) -> Result<(Analysis, Option<EarlierSteps>)> {
    let earlier = answered_steps(&session.conversation()?);
    let analysis = Analysis {
        session_id: session.id().clone(),
        question: question.to_owned(),
        datasets: session.dataset_paths(),
        artifacts_dir: session.step_artifacts_dir(step_id)?,
        column_descriptions: session.column_descriptions(),
    };
    Ok((analysis, Some(earlier)))
}

fn facts_key(datasets: &[PathBuf], image: &str, choices: TableChoices) -> FactsKey {
    FactsKey {
        files: datasets
            .iter()
            .map(|path| {
                let meta = std::fs::metadata(path).ok();
                (
                    path.clone(),
                    meta.as_ref().map(|m| m.len()).unwrap_or(0),
                    meta.and_then(|m| m.modified().ok()),
                )
            })
            .collect(),
        image: image.to_owned(),
        choices,
    }
}

/// The compact brief for models on this computer or a local server, unless
/// Settings say otherwise.
fn compact_prompt(style: PromptStyle, provider: ProviderId) -> bool {
    match style {
        PromptStyle::Full => false,
        PromptStyle::Compact => true,
        PromptStyle::Auto => !provider.needs_key(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
