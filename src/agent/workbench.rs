//! Where a step's code runs: the session's container, kept warm between steps,
//! with the datasets mounted.

use crate::error::{Error, Result};
use crate::events::Discard;
use crate::events::EventSink;
use crate::ids::{RunId, SessionId};
use crate::profile_data::TableChoices;
use crate::sandbox::{DatasetMount, Program, RunResult, Sandbox, WorkspaceListing};
use crate::session_container::{SessionContainer, SessionContainers, SessionRun};
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// Prints `name==version` of every distribution the code can import, as JSON.
const PACKAGE_VERSIONS: &str = "import importlib.metadata as m, json\n\
print(json.dumps(sorted({'%s==%s' % ((d.metadata['Name'] or '').lower(), d.version) \
for d in m.distributions() if d.metadata['Name']})))";

/// Where the step's code runs: the session's container, kept warm between
/// steps, with the datasets mounted.
pub struct Workbench<'a> {
    pub containers: &'a SessionContainers,
    pub sandbox: &'a Sandbox,
    pub container: SessionContainer,
    pub mounts: &'a [DatasetMount],
    /// The sheet and header row the analyst chose for each workbook, by file
    /// name: the datasets are described, and the step's code reads them, so.
    pub read_choices: TableChoices,
    /// Where the step's charts and files are copied.
    pub artifacts_dir: PathBuf,
    /// The package versions last read, with what they were read from
    /// (`versions_key`): reading them scans every installed distribution,
    /// about a tenth of a second in the analysis image, so it is done once
    /// per container and set of packages, not once per answer.
    pub known_versions: Option<(String, Vec<String>)>,
    /// The work folder's files as the last run in the container left them,
    /// with the container's id: every run's "done" carries them, so a step
    /// lists them without a run of its own (see `context::prepare`).
    pub known_files: Option<(String, WorkspaceListing)>,
}

impl Workbench<'_> {
    /// Runs one of Sandpiper's own probes in the session, like any code (through
    /// the resident harness: a warm run) but shown to no one.
    pub async fn probe(
        &mut self,
        session: &SessionId,
        title: &str,
        code: &str,
        cancel: &CancellationToken,
    ) -> Result<RunResult> {
        let scratch = tempfile::tempdir().map_err(|e| Error::io("preparing a folder", e))?;
        let run = SessionRun {
            session,
            run_id: RunId::new(),
            title,
            program: Program::code(code).reading_tables_as(&self.read_choices),
            datasets: self.mounts,
            artifacts_dir: scratch.path().to_owned(),
            cancel: cancel.child_token(),
        };
        self.run(run, &Discard).await
    }

    /// Runs `run` in the session's container (installing a missing package
    /// and running it again), and keeps the work folder's listing it left.
    pub async fn run(&mut self, run: SessionRun<'_>, sink: &dyn EventSink) -> Result<RunResult> {
        let result = self
            .containers
            .run_with_installs(self.sandbox, &mut self.container, run, sink)
            .await;
        // A run that did not say what it left (stopped, failed to start)
        // leaves the listing unknown: the next step lists the folder afresh.
        self.known_files = result
            .as_ref()
            .ok()
            .and_then(|r| r.workspace.clone())
            .map(|listing| (self.container.id.clone(), listing));
        result
    }

    /// The work folder's files as the last run in this container left them.
    pub fn workspace_listing(&self) -> Option<&WorkspaceListing> {
        self.known_files
            .as_ref()
            .filter(|(container, _)| *container == self.container.id)
            .map(|(_, listing)| listing)
    }

    /// What the package versions depend on: the container, and the packages
    /// installed in it (an install changes them; a new container may too).
    pub fn versions_key(&self) -> String {
        format!(
            "{} {}",
            self.container.id,
            self.container.meta.installed_packages.join(",")
        )
    }

    /// `name==version` of every package the session's code can import now.
    pub async fn package_versions(
        &mut self,
        session: &SessionId,
        cancel: &CancellationToken,
    ) -> Result<Vec<String>> {
        let key = self.versions_key();
        if let Some((known_for, versions)) = &self.known_versions
            && *known_for == key
        {
            return Ok(versions.clone());
        }
        let out = self
            .probe(
                session,
                "Read the package versions",
                PACKAGE_VERSIONS,
                cancel,
            )
            .await?;
        let versions: Vec<String> = serde_json::from_str(out.stdout.trim()).unwrap_or_default();
        if out.outcome.is_success() && !versions.is_empty() {
            self.known_versions = Some((key, versions.clone()));
        }
        Ok(versions)
    }
}
