//! Running code: the built-in Quick profile, one-off runs of Python exactly as
//! model-written code runs, and runs in a session's kept container (installing
//! a missing package and running again without spending a model try).

use super::Engine;
use super::cancellation::{Registration, Stoppable};
use crate::docker;
use crate::docker::image_variants::ImageVariant;
use crate::error::Result;
use crate::events::EventSink;
use crate::ids::{RunId, SessionId};
use crate::profile;
use crate::sandbox::{Program, RunRequest, RunResult, Sandbox, plan_dataset_mounts};
use crate::session_container::{SessionContainer, SessionRun};
use crate::settings::Settings;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// What a run executes.
enum Job<'a> {
    /// The built-in Quick profile.
    QuickProfile,
    /// Python code, run under the harness as model-written code is.
    Code { title: &'a str, code: &'a str },
}

impl Engine {
    /// Starts a Quick profile of `datasets` in the background. It runs in the
    /// analysis image (DuckDB inside) when that is built and Settings use it.
    /// Fails at once, in plain words, when a file is unreadable or Docker
    /// cannot be reached; after that, everything (including failure) arrives as
    /// events (each dataset's numbers as a `DatasetProfiled`), ending with
    /// `RunFinished`. Output files go to `artifacts_root/<run id>/`.
    pub async fn start_quick_profile(
        self: &Arc<Self>,
        datasets: &[PathBuf],
        artifacts_root: &Path,
        sink: Arc<dyn EventSink>,
    ) -> Result<(RunId, JoinHandle<RunResult>)> {
        let (sandbox, request, registration) = self
            .prepare(Job::QuickProfile, datasets, self.settings(), |run_id| {
                artifacts_root.join(run_id.as_str())
            })
            .await?;
        let run_id = request.run_id.clone();
        let handle = tokio::spawn(async move {
            let typed = profile::TypedProfiles::new(sink.as_ref());
            let result = profile::without_documents(sandbox.run(request, &typed).await);
            drop(registration);
            result
        });
        Ok((run_id, handle))
    }

    /// Runs a Quick profile to the end, with output files going to `artifacts_dir`.
    /// Each profiled dataset's numbers arrive as a `DatasetProfiled` event.
    pub async fn quick_profile(
        &self,
        datasets: &[PathBuf],
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<RunResult> {
        let typed = profile::TypedProfiles::new(sink);
        let result = self
            .run_to_end(
                Job::QuickProfile,
                datasets,
                self.settings(),
                artifacts_dir,
                &typed,
            )
            .await?;
        Ok(profile::without_documents(result))
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
        self.run_code_with(self.settings(), title, code, datasets, artifacts_dir, sink)
            .await
    }

    /// `run_code` with these settings instead of the engine's (a re-run uses
    /// the image the step ran on).
    pub(super) async fn run_code_with(
        &self,
        settings: Settings,
        title: &str,
        code: &str,
        datasets: &[PathBuf],
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<RunResult> {
        let job = Job::Code { title, code };
        self.run_to_end(job, datasets, settings, artifacts_dir, sink)
            .await
    }

    /// Runs `code` in the session's long-lived container (created or started as
    /// needed), as model-written code runs. When the code fails on a module that
    /// is not installed, the package that provides it is installed and the same
    /// code runs again (up to 3 times), with no model try spent. Returns the last
    /// run's result and the container's details. `cancel_run` with the first
    /// run's id stops it, installs included.
    pub async fn run_code_in_session(
        &self,
        session: &SessionId,
        title: &str,
        code: &str,
        datasets: &[PathBuf],
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<(RunResult, SessionContainer)> {
        let mounts = plan_dataset_mounts(datasets)?;
        let settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        let containers = self.containers_on(&connection, &settings);
        let sandbox = Sandbox::for_connection(&connection, settings.sandbox.clone());
        self.idle_stops.busy(session).await;
        let mut container = containers.ensure(session, &mounts, sink).await?;
        let run_id = RunId::new();
        let registration = self.cancellations.register(Stoppable::Run(run_id.clone()));
        let run = SessionRun {
            session,
            run_id,
            title,
            program: Program::code(code),
            datasets: &mounts,
            artifacts_dir: artifacts_dir.to_owned(),
            cancel: registration.token().clone(),
        };
        let result = containers
            .run_with_installs(&sandbox, &mut container, run, sink)
            .await;
        // The next step lists the work folder as this run left it.
        let listing = result.as_ref().ok().and_then(|r| r.workspace.clone());
        self.note_workspace_files(session, listing.map(|l| (container.id.clone(), l)));
        let idle_after = Duration::from_secs(settings.sessions.stop_idle_container_after_secs);
        self.idle_stops
            .idle(session, container.id.clone(), containers, idle_after)
            .await;
        Ok((result?, container))
    }

    async fn run_to_end(
        &self,
        job: Job<'_>,
        datasets: &[PathBuf],
        settings: Settings,
        artifacts_dir: &Path,
        sink: &dyn EventSink,
    ) -> Result<RunResult> {
        let (sandbox, request, _registration) = self
            .prepare(job, datasets, settings, |_| artifacts_dir.to_owned())
            .await?;
        Ok(sandbox.run(request, sink).await)
    }

    /// Checks the datasets and reaches Docker (both fail in plain words before
    /// anything starts), then registers the run so it can be cancelled.
    async fn prepare(
        &self,
        job: Job<'_>,
        datasets: &[PathBuf],
        settings: Settings,
        artifacts_dir: impl FnOnce(&RunId) -> PathBuf,
    ) -> Result<(Sandbox, RunRequest, Registration)> {
        let run_id = RunId::new();
        let artifacts_dir = artifacts_dir(&run_id);
        let registration = self.cancellations.register(Stoppable::Run(run_id.clone()));
        let cancel = registration.token().clone();
        let is_profile = matches!(job, Job::QuickProfile);
        let request = match job {
            Job::QuickProfile => profile::request(datasets, &artifacts_dir, None, run_id, cancel)?,
            Job::Code { title, code } => RunRequest {
                run_id,
                session_id: None,
                title: title.to_owned(),
                program: Program::code(code),
                datasets: plan_dataset_mounts(datasets)?,
                artifacts_dir,
                cancel,
            },
        };
        let connection = docker::connect(&settings.docker).await?;
        let mut limits = settings.sandbox;
        if is_profile && settings.agent.analysis_image {
            // DuckDB inside reads large files many times faster. Only when the
            // image is built already: a first profile never waits minutes for a
            // build (the app starts it at launch); the bare image profiles too.
            let analysis = docker::present_variant_image(
                &connection.docker,
                &limits.image,
                ImageVariant::Analysis,
            );
            if let Some(tag) = analysis.await {
                limits.image = tag;
            }
        }
        Ok((
            Sandbox::for_connection(&connection, limits),
            request,
            registration,
        ))
    }
}
