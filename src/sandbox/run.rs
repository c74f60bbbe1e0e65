//! One run, start to finish. Every path out of `Sandbox::run`, success or failure,
//! emits exactly one `RunFinished` and leaves no container and no temporary folder.

use super::artifacts;
use super::container_spec::{self, DataSource, RunSpec};
use super::frames::{Done, WorkspaceListing};
use super::harness::{self, Program};
use super::layout::{CONTAINER_OUTPUT_DIR, DatasetMount};
use super::outcome::{self, Ending};
use super::output::LineCollector;
use super::streaming::{flush_lines, stream_until_done};
use super::upload;
use super::workspace;
use crate::docker::guard::{Guard, Resource};
use crate::docker::{ensure_image, labels, podman};
use crate::error::{Error, Result};
use crate::events::{Artifact, Event, EventSink, Outcome, PythonError};
use crate::ids::{RunId, SessionId};
use crate::settings::SandboxSettings;
use bollard::Docker;
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, KillContainerOptionsBuilder,
};
use futures_util::StreamExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct RunRequest {
    pub run_id: RunId,
    pub session_id: Option<SessionId>,
    /// What the user sees, e.g. "Quick profile of sales.csv".
    pub title: String,
    pub program: Program,
    pub datasets: Vec<DatasetMount>,
    /// Where files from the output folder are copied to.
    pub artifacts_dir: PathBuf,
    pub cancel: CancellationToken,
}

#[derive(Debug, Clone)]
pub struct RunResult {
    pub run_id: RunId,
    pub outcome: Outcome,
    pub exit_code: Option<i64>,
    pub duration: Duration,
    pub stdout: String,
    pub stderr: String,
    pub output_truncated: bool,
    pub artifacts: Vec<Artifact>,
    pub summary: String,
    /// For model code that raised: the harness's report.
    pub error: Option<PythonError>,
    /// What the work folder holds after the run, when the harness said so.
    pub workspace: Option<WorkspaceListing>,
}

/// Runs programs in throw-away containers on one Docker daemon.
#[derive(Clone)]
pub struct Sandbox {
    pub(super) docker: Docker,
    pub(super) settings: SandboxSettings,
    /// The daemon cannot see this machine's files (see `Connection::remote`).
    remote: bool,
}

/// Why the wait for a container ended.
pub(super) enum Stop {
    Exited,
    TimedOut,
    Cancelled,
}

impl Sandbox {
    pub fn new(docker: Docker, settings: SandboxSettings) -> Self {
        Self {
            docker,
            settings,
            remote: false,
        }
    }

    /// A sandbox on `connection`'s daemon: datasets are bind-mounted on a local
    /// daemon, uploaded through the API to a remote one.
    pub fn for_connection(
        connection: &crate::docker::Connection,
        settings: SandboxSettings,
    ) -> Self {
        Self {
            docker: connection.docker.clone(),
            settings,
            remote: connection.remote,
        }
    }

    pub fn settings(&self) -> &SandboxSettings {
        &self.settings
    }

    /// Runs the request to completion. Never fails: a failure is an outcome, told
    /// to the user through the final `RunFinished` event and the result.
    pub async fn run(&self, request: RunRequest, sink: &dyn EventSink) -> RunResult {
        self.run_on(None, request, sink).await
    }

    /// Runs the request in a session's long-lived container (see
    /// `session_container`), through its resident harness: no container to create, and
    /// the container and its work folder stay for the next run.
    pub async fn run_in_session(
        &self,
        container_id: &str,
        request: RunRequest,
        sink: &dyn EventSink,
    ) -> RunResult {
        self.run_on(Some(container_id), request, sink).await
    }

    async fn run_on(
        &self,
        session_container: Option<&str>,
        request: RunRequest,
        sink: &dyn EventSink,
    ) -> RunResult {
        let started = Instant::now();
        sink.emit(Event::RunStarted {
            run_id: request.run_id.clone(),
            session_id: request.session_id.clone(),
            title: request.title.clone(),
            image: self.settings.image.clone(),
        });
        let mut stdout = LineCollector::new(self.settings.output_cap_bytes);
        let mut stderr = LineCollector::new(self.settings.output_cap_bytes);

        let mut cleanup = Cleanup::default();
        let executed = match session_container {
            None => {
                self.execute(
                    &request,
                    sink,
                    &mut stdout,
                    &mut stderr,
                    started,
                    &mut cleanup,
                )
                .await
            }
            Some(id) => {
                self.execute_in_session(id, &request, sink, &mut stdout, &mut stderr, started)
                    .await
            }
        };
        let duration = started.elapsed();
        let done = executed.as_ref().ok().and_then(|e| e.done.as_ref());
        let output_truncated =
            stdout.truncated() || stderr.truncated() || done.is_some_and(|d| d.truncated);
        let (stdout, stderr) = (stdout.into_text(), stderr.into_text());
        // The harness's own report of the exception: never text the code printed.
        let error = done.and_then(|d| d.error.clone());
        let workspace = done.and_then(|d| d.workspace.clone());
        let (outcome, exit_code, summary, artifacts) = match executed {
            Ok(done) => {
                let ending = Ending {
                    exit_code: done.exit_code,
                    oom_killed: done.oom_killed,
                    timed_out: matches!(done.stop, Stop::TimedOut),
                    cancelled: matches!(done.stop, Stop::Cancelled),
                    stderr: &stderr,
                    error: error.as_ref(),
                    duration,
                    output_truncated,
                };
                let outcome = outcome::classify(&ending);
                let summary = outcome::summary(outcome, &ending, &self.settings);
                (outcome, done.exit_code, summary, done.artifacts)
            }
            Err(err) => {
                let words = err.plain_words();
                (
                    Outcome::DockerFailure,
                    None,
                    format!("{} {}", words.title, words.advice),
                    Vec::new(),
                )
            }
        };
        // A report only describes a failure; a run that succeeded has none.
        let error = error.filter(|_| outcome == Outcome::Failed);
        let result = RunResult {
            run_id: request.run_id.clone(),
            outcome,
            exit_code,
            duration,
            stdout,
            stderr,
            output_truncated,
            artifacts,
            summary,
            error,
            workspace,
        };
        sink.emit(Event::RunFinished {
            run_id: result.run_id.clone(),
            outcome: result.outcome,
            exit_code: result.exit_code,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            summary: result.summary.clone(),
            output_truncated,
            error: result.error.clone(),
        });
        // The user has the result; removing the container and volumes is not
        // their wait. The run still ends only once they are gone (or, if removal
        // fails, they carry labels the reaper finds).
        cleanup.remove_all().await;
        result
    }

    /// The part of a run that can fail. Everything it creates goes into
    /// `cleanup` at once, so it is removed on every path.
    async fn execute(
        &self,
        request: &RunRequest,
        sink: &dyn EventSink,
        stdout: &mut LineCollector,
        stderr: &mut LineCollector,
        started: Instant,
        cleanup: &mut Cleanup,
    ) -> Result<Executed> {
        ensure_image(&self.docker, &self.settings.image, sink).await?;
        let argv = harness::command(&request.program, &request.datasets, &self.settings)?;
        let data = match self.remote && !request.datasets.is_empty() {
            true => Some(
                cleanup.keep(
                    upload::upload_datasets(
                        &self.docker,
                        &request.run_id,
                        &self.settings.image,
                        &request.datasets,
                    )
                    .await?,
                ),
            ),
            false => None,
        };
        let volume = cleanup.keep(
            workspace::create(&self.docker, &request.run_id, self.settings.workspace_mib).await?,
        );
        let data_source = match &data {
            Some(name) => DataSource::Volume(name),
            None => DataSource::BindMounts,
        };
        let (ending, copied) = self
            .run_container(
                request,
                sink,
                stdout,
                stderr,
                started,
                &volume,
                data_source,
                argv,
                cleanup,
            )
            .await?;

        let artifacts = self.bring_back(copied, request, sink).await?;
        Ok(Executed {
            artifacts,
            ..ending
        })
    }

    /// Unpacks the output folder's archive into the run's artifacts folder and
    /// tells the user what came back and what did not.
    pub(super) async fn bring_back(
        &self,
        copied: Copied,
        request: &RunRequest,
        sink: &dyn EventSink,
    ) -> Result<Vec<Artifact>> {
        let mut not_brought_back = copied.refused;
        let collected = match copied.archive {
            Some(archive) => {
                let dest = request.artifacts_dir.clone();
                let cap = self.settings.artifact_cap_bytes;
                tokio::task::spawn_blocking(move || artifacts::collect(archive, &dest, cap))
                    .await
                    .map_err(|e| {
                        Error::io("saving the run's results", std::io::Error::other(e))
                    })??
            }
            None => Default::default(),
        };
        not_brought_back.extend(collected.skipped);
        for skipped in &not_brought_back {
            sink.emit(Event::Stderr {
                run_id: request.run_id.clone(),
                line: format!("Sandpiper did not bring back {skipped}."),
            });
        }
        for artifact in &collected.artifacts {
            sink.emit(Event::Artifact {
                run_id: request.run_id.clone(),
                artifact: artifact.clone(),
            });
        }
        Ok(collected.artifacts)
    }

    /// Creates the container, watches it, and copies its outputs out while it
    /// still exists.
    #[allow(clippy::too_many_arguments)]
    async fn run_container(
        &self,
        request: &RunRequest,
        sink: &dyn EventSink,
        stdout: &mut LineCollector,
        stderr: &mut LineCollector,
        started: Instant,
        workspace_volume: &str,
        data: DataSource<'_>,
        argv: Vec<String>,
        cleanup: &mut Cleanup,
    ) -> Result<(Executed, Copied)> {
        let spec = container_spec::build(
            &self.settings,
            RunSpec {
                labels: labels::for_ephemeral_run(&request.run_id),
                workspace_volume,
                datasets: &request.datasets,
                data,
                argv,
                stdin_open: false,
                packages: None,
            },
        );
        let name = format!("sandpiper-run-{}", request.run_id.short());
        let created = self
            .docker
            .create_container(
                Some(CreateContainerOptionsBuilder::default().name(&name).build()),
                spec,
            )
            .await?;
        let container = cleanup.keep(Guard::new(
            self.docker.clone(),
            Resource::Container(created.id),
        ));

        let watched = self
            .watch(
                &request.run_id,
                &container,
                &request.cancel,
                sink,
                stdout,
                stderr,
                started,
            )
            .await;
        flush_lines(&request.run_id, sink, stdout, stderr);
        let watched = watched?;
        // The work folder only exists while the container runs: copy the outputs
        // out before removing it, and only when the program ended by itself.
        let copied = match (&watched.stop, &watched.done) {
            (Stop::Exited, Some(done)) => self.copy_outputs(&container, done).await?,
            _ => Copied::default(),
        };
        Ok((watched, copied))
    }

    /// Starts the container and streams its output until the harness says the
    /// program ended, the container exits, the time limit passes, or the user
    /// cancels.
    #[allow(clippy::too_many_arguments)]
    async fn watch(
        &self,
        run_id: &RunId,
        id: &str,
        cancel: &CancellationToken,
        sink: &dyn EventSink,
        stdout: &mut LineCollector,
        stderr: &mut LineCollector,
        started: Instant,
    ) -> Result<Executed> {
        // Attach before start, so not one line of output is missed; there are
        // no logs to replay (the container keeps none).
        let attached = self
            .docker
            .attach_container(
                id,
                Some(
                    AttachContainerOptionsBuilder::default()
                        .stdout(true)
                        .stderr(true)
                        .stream(true)
                        .logs(false)
                        .build(),
                ),
            )
            .await?;
        self.docker.start_container(id, None).await?;

        let deadline = tokio::time::Instant::from_std(started + self.settings.timeout());
        // The time limit holds whatever the code prints: the select returns at
        // the deadline even while output is still arriving.
        let mut done = None;
        let stop = tokio::select! {
            streamed = stream_until_done(run_id, attached.output, sink, stdout, stderr, None) => {
                done = streamed?;
                Stop::Exited
            }
            _ = tokio::time::sleep_until(deadline) => Stop::TimedOut,
            _ = cancel.cancelled() => Stop::Cancelled,
        };
        if let (Stop::Exited, Some(done)) = (&stop, done) {
            return Ok(Executed::announced(done));
        }
        if !matches!(stop, Stop::Exited) {
            // SIGKILL, not SIGTERM: Python as PID 1 ignores SIGTERM, and waiting for
            // a polite stop is how other sandboxes lose 10 s per run.
            let kill = KillContainerOptionsBuilder::default()
                .signal("KILL")
                .build();
            let _ = self.docker.kill_container(id, Some(kill)).await;
        }
        // The harness itself ended (or was killed) without announcing: the exit
        // code and the kernel's OOM flag are Docker's to tell.
        self.wait_for_exit(id).await?;
        let state = podman::settled(|| self.docker.inspect_container(id, None))
            .await?
            .state;
        Ok(Executed {
            stop,
            exit_code: state.as_ref().and_then(|s| s.exit_code),
            oom_killed: state.and_then(|s| s.oom_killed).unwrap_or(false),
            done: None,
            artifacts: Vec::new(),
        })
    }

    /// What the harness said the output folder holds, copied out (when there
    /// is anything), with what the harness refused to let through.
    pub(super) async fn copy_outputs(&self, id: &str, done: &Done) -> Result<Copied> {
        let mut copied = Copied {
            archive: None,
            refused: done.refused.clone(),
        };
        if done.outputs {
            copied.archive = self.download_outputs(id, done.archive_cap_bytes()).await?;
            if copied.archive.is_none() {
                copied.refused.push(
                    "the results: they grew past what the work folder can hold while being copied"
                        .to_owned(),
                );
            }
        }
        Ok(copied)
    }

    /// The output folder as a tar archive, spooled to an anonymous temporary
    /// file. Reading stops at `cap_bytes` (what the work folder really holds,
    /// as the harness measured it): None then, and nothing more reaches the
    /// host's disk.
    async fn download_outputs(&self, id: &str, cap_bytes: u64) -> Result<Option<std::fs::File>> {
        use std::io::Seek;
        const DOING: &str = "copying the run's results";
        let mut file = tempfile::tempfile().map_err(|e| Error::io(DOING, e))?;
        let whole = super::download::archive_into(
            &self.docker,
            id,
            CONTAINER_OUTPUT_DIR,
            cap_bytes,
            &mut file,
            DOING,
        )
        .await?;
        if !whole {
            return Ok(None);
        }
        file.rewind().map_err(|e| Error::io(DOING, e))?;
        Ok(Some(file))
    }

    async fn wait_for_exit(&self, id: &str) -> Result<()> {
        let mut wait = self.docker.wait_container(id, None);
        match wait.next().await {
            // bollard reports a non-zero exit as an error; the code is read by inspect.
            Some(Ok(_))
            | Some(Err(bollard::errors::Error::DockerContainerWaitError { .. }))
            | None => Ok(()),
            Some(Err(err)) => Err(Error::Docker(err)),
        }
    }
}

pub(super) struct Executed {
    pub(super) stop: Stop,
    pub(super) exit_code: Option<i64>,
    pub(super) oom_killed: bool,
    /// The harness's "done", when it announced the end itself.
    pub(super) done: Option<Done>,
    pub(super) artifacts: Vec<Artifact>,
}

impl Executed {
    /// A run the harness saw to its end: by itself, or at the harness's own
    /// time limit when the engine did not stop it first.
    pub(super) fn announced(done: Done) -> Self {
        Self {
            stop: if done.timed_out {
                Stop::TimedOut
            } else {
                Stop::Exited
            },
            exit_code: done.status,
            oom_killed: false,
            done: Some(done),
            artifacts: Vec::new(),
        }
    }
}

/// What comes back from the output folder: its archive, and what was not
/// let through, with why.
#[derive(Default)]
pub(super) struct Copied {
    pub(super) archive: Option<std::fs::File>,
    pub(super) refused: Vec<String>,
}

/// Everything a run created, removed once its result is out: the container
/// first, then the volumes it used.
#[derive(Default)]
struct Cleanup(Vec<Guard>);

impl Cleanup {
    /// Takes charge of `guard`'s object and returns its name or id.
    fn keep(&mut self, guard: Guard) -> String {
        let name = guard.name().to_owned();
        self.0.push(guard);
        name
    }

    async fn remove_all(self) {
        for guard in self.0.into_iter().rev() {
            let name = guard.name().to_owned();
            if let Err(err) = guard.remove().await {
                // Labelled: the reaper removes it at the next start.
                tracing::warn!("could not remove {name} after its run: {err}");
            }
        }
    }
}
