//! One session's container from birth to removal: find it, start it, recreate it
//! when its image, harness or datasets changed, describe it, close it.

use super::metadata;
use super::{
    SessionContainer, SessionContainerMeta, SessionContainers, container_name, datasets_digest,
    volume_name,
};
use crate::docker::guard::{Guard, Resource, remove_container, remove_volume};
use crate::docker::{self, EngineKind, labels, podman};
use crate::error::Result;
use crate::events::EventSink;
use crate::ids::SessionId;
use crate::packages;
use crate::sandbox::container_spec::{self, DataSource, PackageMount, RunSpec};
use crate::sandbox::{DatasetMount, harness, resident_link, upload, workspace};
use bollard::models::{ContainerSummaryStateEnum, ExecConfig};
use bollard::query_parameters::CreateContainerOptionsBuilder;
use futures_util::StreamExt;

impl SessionContainers {
    /// The session's container, running, with these datasets mounted: reused
    /// (and started if it was stopped) when it exists, created otherwise.
    /// Different datasets or a different image need a new container, since
    /// mounts and image are fixed at creation.
    pub async fn ensure(
        &self,
        session: &SessionId,
        datasets: &[DatasetMount],
        sink: &dyn EventSink,
    ) -> Result<SessionContainer> {
        let digest = datasets_digest(datasets);
        if let Some(existing) = self.find(session).await? {
            let labels = existing.labels.clone().unwrap_or_default();
            let id = existing.id.clone().unwrap_or_default();
            let same_image = existing.image.as_deref().map(podman::short_image_name)
                == Some(podman::short_image_name(&self.settings.image));
            // A container from another version of Sandpiper may run a harness
            // that can't read today's requests.
            let same_harness = labels.get(labels::HARNESS) == Some(&harness::version());
            let same = same_image && same_harness && labels.get(labels::DATASETS) == Some(&digest);
            if same {
                let mut started = true;
                if existing.state != Some(ContainerSummaryStateEnum::RUNNING) {
                    resident_link::forget(&id);
                    self.docker.start_container(&id, None).await?;
                    // Its tmpfs work folder started empty: put back what an
                    // idle stop kept of it.
                    self.restore_work_folder(session, &id).await?;
                } else if self.engine == EngineKind::Podman && !resident_link::holds_live_link(&id)
                {
                    // Podman closed the harness's stdin when the last attach
                    // left (another process's, or this app's before it
                    // restarted): no request can reach it any more, and only
                    // an attach made here can be trusted. Start it afresh,
                    // its work folder kept, as an idle stop and the next run do.
                    self.stop_idle(session, &id).await?;
                    self.docker.start_container(&id, None).await?;
                    self.restore_work_folder(session, &id).await?;
                } else {
                    started = false;
                }
                let meta = match metadata::load(&self.state_dir, session) {
                    Some(meta) if meta.container_id == id => meta,
                    // Found again without (current) metadata, e.g. on another
                    // machine's state folder: describe it afresh.
                    _ => self.describe(&id, session, datasets).await?,
                };
                return Ok(SessionContainer {
                    id,
                    meta,
                    created: false,
                    started,
                });
            }
            // New datasets or a new image need a new container. Its packages
            // stay in the store; for another image create() installs them
            // again from the recorded list.
            resident_link::forget(&id);
            remove_container(&self.docker, &id).await?;
            for suffix in ["work", "data"] {
                remove_volume(&self.docker, &volume_name(session, suffix)).await?;
            }
        }
        self.create(session, &digest, datasets, sink).await
    }

    async fn create(
        &self,
        session: &SessionId,
        digest: &str,
        datasets: &[DatasetMount],
        sink: &dyn EventSink,
    ) -> Result<SessionContainer> {
        docker::ensure_image(&self.docker, &self.settings.image, sink).await?;
        let mut session_labels = labels::for_session(session, digest, &self.installation);
        session_labels.insert(labels::HARNESS.to_owned(), harness::version());
        if self.throwaway {
            session_labels.insert(
                labels::LIFETIME.to_owned(),
                labels::LIFETIME_PROCESS.to_owned(),
            );
        }
        let work = workspace::create_named(
            &self.docker,
            volume_name(session, "work"),
            session_labels.clone(),
            self.settings.workspace_mib,
        )
        .await?;
        // Shared by every session and kept when containers go: a recreated
        // container finds its packages there.
        packages::store::ensure_volume(&self.docker, &self.packages.store_volume).await?;
        let data = match self.remote && !datasets.is_empty() {
            true => Some(
                upload::upload_named(
                    &self.docker,
                    volume_name(session, "data"),
                    session_labels.clone(),
                    &self.settings.image,
                    datasets,
                )
                .await?,
            ),
            false => None,
        };
        let spec = container_spec::build(
            &self.settings,
            RunSpec {
                labels: session_labels,
                workspace_volume: work.name(),
                datasets,
                data: match &data {
                    Some(volume) => DataSource::Volume(volume.name()),
                    None => DataSource::BindMounts,
                },
                // Waits between runs; each run is a request on its stdin.
                argv: harness::resident_command(),
                stdin_open: true,
                packages: Some(PackageMount {
                    mount: packages::store::mount(&self.packages.store_volume, true),
                    python_path: packages::store::python_path(session),
                }),
            },
        );
        let name = container_name(session);
        let created = self
            .docker
            .create_container(
                Some(CreateContainerOptionsBuilder::default().name(&name).build()),
                spec,
            )
            .await?;
        let container = Guard::new(self.docker.clone(), Resource::Container(created.id));
        self.docker.start_container(container.name(), None).await?;
        // From here on the session owns them: no guard removes them.
        let id = container.keep();
        work.keep();
        data.map(Guard::keep);
        let mut meta = self.describe(&id, session, datasets).await?;
        if !meta.requested_packages.is_empty() {
            self.restore_packages(&id, session, &mut meta, sink).await?;
            metadata::save(&self.state_dir, session, &meta)?;
        }
        Ok(SessionContainer {
            id,
            meta,
            created: true,
            started: true,
        })
    }

    /// Reads the container's real state into its metadata and saves it. What
    /// the session asked for is kept from the metadata before: it is what a
    /// new container's packages are restored from.
    pub(super) async fn describe(
        &self,
        id: &str,
        session: &SessionId,
        datasets: &[DatasetMount],
    ) -> Result<SessionContainerMeta> {
        let installed_packages = self.installed_packages(id).await?;
        let recorded = metadata::load(&self.state_dir, session);
        let meta = SessionContainerMeta {
            container_id: id.to_owned(),
            container_name: container_name(session),
            image_name: self.settings.image.clone(),
            created_at: crate::clock::now_secs(),
            session_files: datasets
                .iter()
                .map(|d| d.host_path.display().to_string())
                .collect(),
            installed_packages,
            requested_packages: recorded
                .as_ref()
                .map(|m| m.requested_packages.clone())
                .unwrap_or_default(),
            packages_set: recorded.and_then(|m| m.packages_set),
        };
        metadata::save(&self.state_dir, session, &meta)?;
        Ok(meta)
    }

    /// The distributions Python in the container can import, by name. Read
    /// by an isolated Python (`-I`, from `/`, the session's packages named
    /// explicitly) as the harness's user, so nothing a run left behind runs
    /// in it or can reach it.
    pub async fn installed_packages(&self, id: &str) -> Result<Vec<String>> {
        let script = "import os, sys\n\
                      sys.path[0:0] = [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]\n\
                      import importlib.metadata as m, json\n\
                      print(json.dumps(sorted({(d.metadata['Name'] or '').lower() for d in m.distributions()} - {''})))";
        let output = self
            .exec_capture(
                id,
                ["python3", "-I", "-c", script].map(str::to_owned).to_vec(),
            )
            .await?;
        Ok(serde_json::from_str(output.trim()).unwrap_or_default())
    }

    async fn exec_capture(&self, id: &str, cmd: Vec<String>) -> Result<String> {
        let exec = self
            .docker
            .create_exec(
                id,
                ExecConfig {
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    cmd: Some(cmd),
                    user: Some(container_spec::HARNESS_USER.to_owned()),
                    working_dir: Some("/".to_owned()),
                    ..Default::default()
                },
            )
            .await?;
        let mut text = String::new();
        if let bollard::exec::StartExecResults::Attached { mut output, .. } =
            self.docker.start_exec(&exec.id, None).await?
        {
            while let Some(chunk) = output.next().await {
                if let bollard::container::LogOutput::StdOut { message } = chunk? {
                    text.push_str(&String::from_utf8_lossy(&message));
                }
            }
        }
        Ok(text)
    }

    pub(super) async fn find(
        &self,
        session: &SessionId,
    ) -> Result<Option<bollard::models::ContainerSummary>> {
        let wanted = vec![
            format!("{}={}", labels::KIND, labels::KIND_SESSION),
            format!("{}={session}", labels::SESSION),
        ];
        let found = labels::containers_labelled(&self.docker, wanted, false).await?;
        Ok(found.into_iter().next())
    }

    /// Ends a session. Keeping (the default) stops the container, which clears
    /// its work folder (scripts and files of the runs, a tmpfs) but keeps the
    /// container and its packages for the next time; removing takes everything.
    pub async fn close_session(&self, session: &SessionId, keep: bool) -> Result<()> {
        if !keep {
            return self.remove_session(session).await;
        }
        match self.find(session).await?.and_then(|c| c.id) {
            Some(id) => self.stop(&id).await,
            None => Ok(()),
        }
    }

    /// Removes a session's container, its volumes and its metadata.
    pub async fn remove_session(&self, session: &SessionId) -> Result<()> {
        if let Some(found) = self.find(session).await?
            && let Some(id) = found.id
        {
            resident_link::forget(&id);
            remove_container(&self.docker, &id).await?;
        }
        // Its link in the package store goes at the next prune.
        for suffix in ["work", "data"] {
            remove_volume(&self.docker, &volume_name(session, suffix)).await?;
        }
        metadata::forget(&self.state_dir, session);
        Ok(())
    }
}
