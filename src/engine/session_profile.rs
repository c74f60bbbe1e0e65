//! The Quick profile of a file dropped into a session, run in the session's
//! kept container: the drop pays one container start, for the profile and
//! every question after it, instead of a one-off container for the profile and
//! the session's container besides.

use super::Engine;
use super::analysis::Opened;
use super::cancellation::Stoppable;
use crate::docker;
use crate::docker::image_variants::ImageVariant;
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::ids::{RunId, SessionId};
use crate::profile;
use crate::sandbox::{DatasetMount, RunResult, plan_dataset_mounts};
use crate::store::{DatasetRef, SessionStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinHandle;

impl Engine {
    /// Starts a Quick profile of `profiled` in the session's container,
    /// created or started as needed with all of `session_datasets` mounted
    /// (each of `profiled` must be one of them), as warming and questions
    /// mount them, so the next question finds the same container. A list
    /// that changed since the container was made gets a new container, as for
    /// any run in the session.
    ///
    /// The image is the one the session's container runs: the analysis image
    /// when Settings use it. While that is not built yet, the profile runs as
    /// a one-off (`start_quick_profile`), never waiting for the build: a
    /// session container made now on the bare image would only be replaced
    /// once it is built.
    ///
    /// Fails at once, in plain words, when a file is unreadable, Docker cannot
    /// be reached or the container cannot be made; after that the run tells
    /// everything as events, as `start_quick_profile` does. `cancel_run` stops
    /// it (the container with it: the next run starts it again).
    pub async fn start_quick_profile_in_session(
        self: &Arc<Self>,
        session_id: &SessionId,
        session_datasets: &[PathBuf],
        profiled: &[PathBuf],
        artifacts_root: &Path,
        sink: Arc<dyn EventSink>,
    ) -> Result<(RunId, JoinHandle<RunResult>)> {
        let wanted = plan_dataset_mounts(profiled)?;
        let mut settings = self.settings();
        let connection = docker::connect(&settings.docker).await?;
        if settings.agent.analysis_image {
            let built = docker::present_variant_image(
                &connection.docker,
                &settings.sandbox.image,
                ImageVariant::Analysis,
            );
            match built.await {
                Some(tag) => settings.sandbox.image = tag,
                None => {
                    return self
                        .start_quick_profile(profiled, artifacts_root, sink)
                        .await;
                }
            }
        }
        self.idle_stops.busy(session_id).await;
        let opened = self
            .open_session_container(
                &settings,
                &connection,
                session_id,
                session_datasets,
                sink.as_ref(),
            )
            .await?;
        let mounts = as_mounted(&wanted, &opened.mounts)?;
        let keeping = KeepProfiles::new(self.session_store(), session_id, &mounts, sink);
        let run_id = RunId::new();
        let registration = self.cancellations.register(Stoppable::Run(run_id.clone()));
        // No session named: the profile is the window's card of its own, not
        // a run of one of the session's steps (which is what a run naming
        // its session is to the window).
        let request = profile::read_as_chosen(
            profile::request_for_mounts(
                mounts,
                &artifacts_root.join(run_id.as_str()),
                None,
                run_id.clone(),
                registration.token().clone(),
            ),
            &self.session_store().table_choices(session_id),
        );
        let engine = Arc::clone(self);
        let session = session_id.clone();
        let handle = tokio::spawn(async move {
            let Opened {
                containers,
                sandbox,
                container,
                ..
            } = opened;
            let typed = profile::TypedProfiles::new(&keeping);
            let result = sandbox.run_in_session(&container.id, request, &typed).await;
            drop(registration);
            // The next step lists the work folder as this run left it.
            let listing = result.workspace.clone();
            engine.note_workspace_files(&session, listing.map(|l| (container.id.clone(), l)));
            engine
                .idle_after_use(&session, container.id, containers, &settings)
                .await;
            profile::without_documents(result)
        });
        Ok((run_id, handle))
    }
}

/// Keeps each profile the run brings back with the session (see
/// `SessionStore::keep_profile`), so reopening the session shows it, and
/// passes every event on to `inner`.
struct KeepProfiles {
    store: SessionStore,
    session: SessionId,
    /// Each profiled dataset as recorded when the profile started, by the
    /// file name the profile gives (the name it is mounted under).
    datasets: Vec<(String, DatasetRef)>,
    inner: Arc<dyn EventSink>,
}

impl KeepProfiles {
    fn new(
        store: SessionStore,
        session: &SessionId,
        mounts: &[DatasetMount],
        inner: Arc<dyn EventSink>,
    ) -> Self {
        let datasets = mounts
            .iter()
            .filter_map(|mount| {
                let file_name = mount.container_path.rsplit('/').next()?.to_owned();
                Some((file_name, store.dataset_at(session, &mount.host_path)?))
            })
            .collect();
        Self {
            store,
            session: session.clone(),
            datasets,
            inner,
        }
    }
}

impl EventSink for KeepProfiles {
    fn emit(&self, event: Event) {
        if let Event::DatasetProfiled { profile, .. } = &event
            && let Some((_, dataset)) = self.datasets.iter().find(|(f, _)| *f == profile.file_name)
        {
            // Not kept is only not shown on reopening: the window has it now,
            // and the next Quick profile keeps it again.
            let _ = self.store.keep_profile(&self.session, dataset, profile);
        }
        self.inner.emit(event);
    }
}

/// Each wanted file as the session's container mounts it.
fn as_mounted(wanted: &[DatasetMount], mounted: &[DatasetMount]) -> Result<Vec<DatasetMount>> {
    wanted
        .iter()
        .map(|w| {
            mounted
                .iter()
                .find(|m| m.host_path == w.host_path)
                .cloned()
                .ok_or_else(|| Error::DatasetUnreadable {
                    path: w.host_path.clone(),
                    reason: "It is not one of the session's files; add it to the session first"
                        .to_owned(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(host: &str, container: &str) -> DatasetMount {
        DatasetMount {
            host_path: PathBuf::from(host),
            container_path: container.to_owned(),
        }
    }

    #[test]
    fn a_profiled_file_keeps_the_path_the_session_gave_it() {
        // Two files named alike: the second is /data/sales_2.csv in the
        // session, though alone it would be /data/sales.csv.
        let mounted = [
            mount("/a/sales.csv", "/data/sales.csv"),
            mount("/b/sales.csv", "/data/sales_2.csv"),
        ];
        let wanted = [mount("/b/sales.csv", "/data/sales.csv")];
        assert_eq!(
            as_mounted(&wanted, &mounted).unwrap(),
            vec![mount("/b/sales.csv", "/data/sales_2.csv")]
        );
        let stranger = [mount("/c/other.csv", "/data/other.csv")];
        assert!(matches!(
            as_mounted(&stranger, &mounted),
            Err(Error::DatasetUnreadable { .. })
        ));
    }
}
