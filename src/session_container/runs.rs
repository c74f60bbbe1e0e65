//! A run in a session's container, as model-written code runs, with seed 002's
//! correction flow: when the code fails on a module that is not installed, the
//! package that provides it is installed and the same code runs again, without
//! a model try spent.

use super::{SessionContainer, SessionContainers};
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::ids::{RunId, SessionId};
use crate::packages::{self, InstallDecision};
use crate::sandbox::{DatasetMount, Program, RunRequest, RunResult, Sandbox};
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// How many missing packages one run may install before its result stands.
const MAX_INSTALL_ROUNDS: usize = 3;

/// One program to run in a session.
pub struct SessionRun<'a> {
    pub session: &'a SessionId,
    /// The first run's id; runs after an install get new ones.
    pub run_id: RunId,
    pub title: &'a str,
    pub program: Program,
    pub datasets: &'a [DatasetMount],
    /// Where files the code writes to its output folder are copied.
    pub artifacts_dir: PathBuf,
    /// Stops the run, and any run after an install.
    pub cancel: CancellationToken,
}

impl SessionContainers {
    /// Runs `run` in `container`. A `ModuleNotFoundError` installs the providing
    /// package (when Settings allow installs) and runs the same code again, up to
    /// three times. Returns the last run's result; `container.meta` follows what
    /// was installed.
    pub async fn run_with_installs(
        &self,
        sandbox: &Sandbox,
        container: &mut SessionContainer,
        run: SessionRun<'_>,
        sink: &dyn EventSink,
    ) -> Result<RunResult> {
        let mut tried = Vec::new();
        let mut run_id = run.run_id.clone();
        loop {
            let request = RunRequest {
                run_id: run_id.clone(),
                session_id: Some(run.session.clone()),
                title: run.title.to_owned(),
                program: run.program.clone(),
                datasets: run.datasets.to_vec(),
                artifacts_dir: run.artifacts_dir.clone(),
                cancel: run.cancel.clone(),
            };
            let result = sandbox.run_in_session(&container.id, request, sink).await;
            let missing = result
                .error
                .as_ref()
                .filter(|e| e.type_name == "ModuleNotFoundError")
                .and_then(|e| packages::missing_module(&e.message));
            let Some(module) = missing.filter(|_| self.packages.auto_install) else {
                return Ok(result);
            };
            let package = packages::distribution_for_module(&module);
            if tried.contains(&package) || tried.len() >= MAX_INSTALL_ROUNDS {
                return Ok(result);
            }
            let allowed = match packages::install_decision(&package, &self.packages) {
                InstallDecision::Install => Ok(()),
                InstallDecision::Refuse(reason) => Err(Error::PackageRefused {
                    package: package.clone(),
                    reason: reason.to_owned(),
                }),
                InstallDecision::Ask => match &self.consent {
                    Some(consent)
                        if consent
                            .may_install(run.session, &package, &module, sink, &run.cancel)
                            .await =>
                    {
                        Ok(())
                    }
                    _ => Err(Error::PackageNeedsLeave {
                        package: package.clone(),
                    }),
                },
            };
            if let Err(refused) = allowed {
                // The code's wish is not the analyst's: say why nothing was
                // installed; the failed run goes back to the model as it is.
                sink.emit(Event::PackagesInstalled {
                    session_id: run.session.clone(),
                    packages: vec![package],
                    duration_ms: 0,
                    error: Some(refused.plain_words()),
                });
                return Ok(result);
            }
            let reason = format!("the code imports {module}");
            match self
                .install_packages(run.session, std::slice::from_ref(&package), &reason, sink)
                .await
            {
                Ok(meta) => container.meta = meta,
                // The window heard why (PackagesInstalled); the failed run is the
                // result, so the user still sees what the code did.
                Err(_) => return Ok(result),
            }
            tried.push(package);
            run_id = RunId::new();
        }
    }
}
