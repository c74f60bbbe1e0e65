//! The long-lived container of a session (seed 002): created on the session's
//! first run, reused through its resident harness for every later run, kept after a
//! failed run so a fix re-runs in the same state, found again after an app
//! restart, and recreated when it was removed behind our back.
//!
//! It has every limit of an ephemeral run's container; only its life is longer.

mod metadata;

pub use metadata::SessionContainerMeta;

use crate::docker::{self, labels, podman};
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::packages;
use crate::sandbox::container_spec::{self, DataSource, RunSpec, SessionPackages};
use crate::sandbox::guard::{Guard, Resource};
use crate::sandbox::{DatasetMount, remove_container, remove_volume, upload, workspace};
use crate::sandbox::{harness, session_run};
use crate::settings::{PackageSettings, SandboxSettings};
use bollard::Docker;
use bollard::models::{ContainerSummaryStateEnum, ExecConfig};
use bollard::query_parameters::CreateContainerOptionsBuilder;
use futures_util::StreamExt;
use serde::Serialize;
use std::path::PathBuf;

/// A session's running container, ready for `Sandbox::run_in_session`.
#[derive(Debug, Clone)]
pub struct SessionContainer {
    pub id: String,
    pub meta: SessionContainerMeta,
    /// True when this call created it (first run, or it had been removed).
    pub created: bool,
}

/// One Sandpiper container, as the containers list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    /// `session` or `ephemeral`.
    pub kind: String,
    pub session: Option<String>,
    pub image: String,
    pub running: bool,
    pub created_at: i64,
    /// Bytes the container wrote on top of its image.
    pub size_bytes: Option<i64>,
    pub installed_packages: Vec<String>,
}

/// How long a package set no session uses stays in the store for reuse.
const STORE_KEEP_DAYS: u32 = 30;

pub struct SessionContainers {
    docker: Docker,
    settings: SandboxSettings,
    packages: PackageSettings,
    remote: bool,
    /// Where the session metadata lives.
    state_dir: PathBuf,
}

impl SessionContainers {
    pub fn new(
        connection: &docker::Connection,
        settings: SandboxSettings,
        packages: PackageSettings,
        state_dir: PathBuf,
    ) -> Self {
        Self {
            docker: connection.docker.clone(),
            settings,
            packages,
            remote: connection.remote,
            state_dir,
        }
    }

    /// The session's container, running, with these datasets mounted: reused
    /// (and started if it was stopped) when it exists, created otherwise.
    /// Different datasets or a different image need a new container, since
    /// mounts and image are fixed at creation.
    pub async fn ensure(
        &self,
        session: &str,
        datasets: &[DatasetMount],
        sink: &dyn EventSink,
    ) -> Result<SessionContainer> {
        let session = session_name(session)?;
        let digest = datasets_digest(datasets);
        if let Some(existing) = self.find(&session).await? {
            let labels = existing.labels.clone().unwrap_or_default();
            let id = existing.id.clone().unwrap_or_default();
            let same_image = existing.image.as_deref().map(podman::short_image_name)
                == Some(podman::short_image_name(&self.settings.image));
            // A container from another version of Sandpiper may run a harness
            // that can't read today's requests.
            let same_harness = labels.get(labels::HARNESS) == Some(&harness::version());
            let same = same_image && same_harness && labels.get(labels::DATASETS) == Some(&digest);
            if same {
                if existing.state != Some(ContainerSummaryStateEnum::RUNNING) {
                    self.docker.start_container(&id, None).await?;
                }
                let meta = match metadata::load(&self.state_dir, &session) {
                    Some(meta) if meta.container_id == id => meta,
                    // Found again without (current) metadata, e.g. on another
                    // machine's state folder: describe it afresh.
                    _ => self.describe(&id, &session, datasets).await?,
                };
                return Ok(SessionContainer {
                    id,
                    meta,
                    created: false,
                });
            }
            // New datasets or a new image need a new container. Its packages
            // stay in the store; for another image create() installs them
            // again from the recorded list.
            remove_container(&self.docker, &id).await?;
            for suffix in ["work", "data"] {
                remove_volume(
                    &self.docker,
                    &format!("sandpiper-session-{session}-{suffix}"),
                )
                .await?;
            }
        }
        self.create(&session, &digest, datasets, sink).await
    }

    async fn create(
        &self,
        session: &str,
        digest: &str,
        datasets: &[DatasetMount],
        sink: &dyn EventSink,
    ) -> Result<SessionContainer> {
        docker::ensure_image(&self.docker, &self.settings.image, sink).await?;
        let mut session_labels = labels::for_session(session, digest);
        session_labels.insert(labels::HARNESS.to_owned(), harness::version());
        let work = workspace::create_named(
            &self.docker,
            format!("sandpiper-session-{session}-work"),
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
                    format!("sandpiper-session-{session}-data"),
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
                done_token: None,
                stdin_open: true,
                packages: Some(SessionPackages {
                    store_volume: &self.packages.store_volume,
                    session,
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
        })
    }

    /// Reads the container's real state into its metadata and saves it. What
    /// the session asked for is kept from the metadata before: it is what a
    /// new container's packages are restored from.
    async fn describe(
        &self,
        id: &str,
        session: &str,
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

    /// Installs packages into a session (which must have run once), then reads
    /// back what the container really has.
    pub async fn install_packages(
        &self,
        session: &str,
        requested: &[String],
        reason: &str,
        sink: &dyn EventSink,
    ) -> Result<SessionContainerMeta> {
        let session = session_name(session)?;
        let new = packages::check_requests(requested, &self.packages)?;
        let Some(id) = self.find(&session).await?.and_then(|c| c.id) else {
            return Err(Error::ContainerNotFound(container_name(&session)));
        };
        let mut meta = match metadata::load(&self.state_dir, &session) {
            Some(meta) if meta.container_id == id => meta,
            _ => self.describe(&id, &session, &[]).await?,
        };
        // A newly requested version replaces the one asked for before.
        for req in &new {
            meta.requested_packages.retain(|r| {
                packages::parse_requirement(r).map(|p| p.name).ok().as_ref() != Some(&req.name)
            });
            meta.requested_packages.push(req.to_pip_arg());
        }
        let all = packages::check_requests(&meta.requested_packages, &self.packages)?;
        let key = self
            .install_into(&session, &id, &new, &all, reason, sink)
            .await?;
        meta.packages_set = Some(key);
        meta.installed_packages = self.installed_packages(&id).await?;
        metadata::save(&self.state_dir, &session, &meta)?;
        Ok(meta)
    }

    /// A new container for a session that had packages: makes sure its link
    /// points at a set with all of them for this image (the store may have
    /// been removed, or the image changed), installing them again if not.
    async fn restore_packages(
        &self,
        id: &str,
        session: &str,
        meta: &mut SessionContainerMeta,
        sink: &dyn EventSink,
    ) -> Result<()> {
        let all = packages::check_requests(&meta.requested_packages, &self.packages)?;
        let key = packages::store::set_key(&self.image_id().await?, &all);
        let all_there = all.iter().all(|r| {
            meta.installed_packages
                .iter()
                .any(|i| packages::normalise(i) == r.name)
        });
        if all_there && meta.packages_set.as_deref() == Some(key.as_str()) {
            return Ok(());
        }
        let key = self
            .install_into(session, id, &all, &all, "the session had them before", sink)
            .await?;
        meta.packages_set = Some(key);
        meta.installed_packages = self.installed_packages(id).await?;
        Ok(())
    }

    /// The image's id: package sets are built for one image.
    async fn image_id(&self) -> Result<String> {
        let image = self.docker.inspect_image(&self.settings.image).await?;
        Ok(image.id.unwrap_or_else(|| self.settings.image.clone()))
    }

    /// Points the session at the package set holding `all` (building it when
    /// no session has yet), then has the container's resident harness start
    /// afresh so it imports what is new. Returns the set's key.
    async fn install_into(
        &self,
        session: &str,
        container_id: &str,
        new: &[packages::Requirement],
        all: &[packages::Requirement],
        reason: &str,
        sink: &dyn EventSink,
    ) -> Result<String> {
        let names: Vec<String> = new.iter().map(packages::Requirement::to_pip_arg).collect();
        sink.emit(Event::PackagesInstalling {
            session: session.to_owned(),
            packages: names.clone(),
            reason: reason.to_owned(),
        });
        let started = std::time::Instant::now();
        let image_id = self.image_id().await?;
        let key = packages::store::set_key(&image_id, all);
        let installed = packages::install::install(
            &self.docker,
            &self.settings,
            &self.packages,
            self.remote,
            &packages::install::SetRequest {
                session,
                key: &key,
                image_id: &image_id,
                all,
                new,
            },
        )
        .await;
        sink.emit(Event::PackagesInstalled {
            session: session.to_owned(),
            packages: names,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error: installed.as_ref().err().map(Error::plain_words),
        });
        installed?;
        session_run::reload_resident_harness(&self.docker, container_id).await?;
        Ok(key)
    }

    /// The distributions Python in the container can import, by name.
    pub async fn installed_packages(&self, id: &str) -> Result<Vec<String>> {
        let script = "import importlib.metadata as m, json\n\
                      print(json.dumps(sorted({(d.metadata['Name'] or '').lower() for d in m.distributions()} - {''})))";
        let output = self
            .exec_capture(id, vec!["python3".into(), "-c".into(), script.into()])
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
                    user: Some(container_spec::unprivileged_user()),
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

    async fn find(&self, session: &str) -> Result<Option<bollard::models::ContainerSummary>> {
        let wanted = vec![
            format!("{}={}", labels::KIND, labels::KIND_SESSION),
            format!("{}={session}", labels::SESSION),
        ];
        let found = labels::containers_labelled(&self.docker, wanted, false).await?;
        Ok(found.into_iter().next())
    }

    /// Every Sandpiper container, running or stopped, sessions first.
    pub async fn list(&self) -> Result<Vec<ContainerInfo>> {
        let managed = vec![format!("{}=true", labels::MANAGED)];
        let found = labels::containers_labelled(&self.docker, managed, true).await?;
        let mut list: Vec<ContainerInfo> = found
            .into_iter()
            .map(|c| {
                let labels = c.labels.unwrap_or_default();
                let session = labels.get(labels::SESSION).cloned();
                let installed_packages = session
                    .as_deref()
                    .and_then(|s| metadata::load(&self.state_dir, s))
                    .map(|m| m.installed_packages)
                    .unwrap_or_default();
                ContainerInfo {
                    id: c.id.unwrap_or_default(),
                    name: c
                        .names
                        .and_then(|n| n.first().cloned())
                        .unwrap_or_default()
                        .trim_start_matches('/')
                        .to_owned(),
                    kind: labels.get(labels::KIND).cloned().unwrap_or_default(),
                    session,
                    image: podman::short_image_name(&c.image.unwrap_or_default()).to_owned(),
                    running: c.state == Some(ContainerSummaryStateEnum::RUNNING),
                    created_at: c.created.unwrap_or_default(),
                    size_bytes: c.size_rw,
                    installed_packages,
                }
            })
            .collect();
        list.sort_by(|a, b| (a.kind != "session", &a.name).cmp(&(b.kind != "session", &b.name)));
        Ok(list)
    }

    /// Stops a container (a session's keeps its state on disk for the next start).
    pub async fn stop(&self, id_or_name: &str) -> Result<()> {
        let id = self.resolve(id_or_name).await?;
        self.docker
            .stop_container(
                &id,
                Some(
                    bollard::query_parameters::StopContainerOptionsBuilder::default()
                        .t(0)
                        .build(),
                ),
            )
            .await?;
        // Whoever looks next (a list, the next run) finds it settled.
        podman::settled(|| self.docker.inspect_container(&id, None)).await?;
        Ok(())
    }

    /// Removes a container and, for a session's, its volumes and metadata.
    pub async fn remove(&self, id_or_name: &str) -> Result<()> {
        let id = self.resolve(id_or_name).await?;
        let info = podman::settled(|| self.docker.inspect_container(&id, None)).await?;
        let session = info
            .config
            .and_then(|c| c.labels)
            .and_then(|l| l.get(labels::SESSION).cloned());
        match session {
            Some(session) => self.remove_session(&session).await,
            None => Ok(remove_container(&self.docker, &id).await?),
        }
    }

    /// Removes stopped session containers and whatever crashed runs left.
    pub async fn prune(&self) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        for info in self.list().await? {
            if info.kind == labels::KIND_SESSION && !info.running {
                self.remove(&info.id).await?;
                removed.push(info.name);
            }
        }
        let reaped = docker::reap_orphans(&self.docker).await?;
        removed.extend(reaped.containers);
        removed.extend(self.collect_package_garbage().await?);
        Ok(removed)
    }

    /// Removes the package store's links of sessions that are gone, and the
    /// package sets no session uses once no install has wanted them for a
    /// month (until then a later session asking for the same packages
    /// reuses them). Returns what went, e.g. `package set 3fa9…`.
    pub async fn collect_package_garbage(&self) -> Result<Vec<String>> {
        let live: Vec<String> = self
            .list()
            .await?
            .into_iter()
            .filter_map(|c| c.session)
            .collect();
        let collected = packages::install::collect_garbage(
            &self.docker,
            &self.settings,
            &self.packages,
            &live,
            STORE_KEEP_DAYS,
        )
        .await?;
        Ok(collected
            .into_iter()
            .map(|what| format!("package {what}"))
            .collect())
    }

    /// Ends a session. Keeping (the default) stops the container, which clears
    /// its work folder (scripts and files of the runs, a tmpfs) but keeps the
    /// container and its packages for the next time; removing takes everything.
    pub async fn close_session(&self, session: &str, keep: bool) -> Result<()> {
        let session = session_name(session)?;
        if !keep {
            return self.remove_session(&session).await;
        }
        match self.find(&session).await?.and_then(|c| c.id) {
            Some(id) => self.stop(&id).await,
            None => Ok(()),
        }
    }

    /// Removes a session's container, its volumes and its metadata.
    pub async fn remove_session(&self, session: &str) -> Result<()> {
        if let Some(found) = self.find(session).await?
            && let Some(id) = found.id
        {
            remove_container(&self.docker, &id).await?;
        }
        // Its link in the package store goes at the next prune.
        for suffix in ["work", "data"] {
            remove_volume(
                &self.docker,
                &format!("sandpiper-session-{session}-{suffix}"),
            )
            .await?;
        }
        metadata::forget(&self.state_dir, session);
        Ok(())
    }

    /// A container id from an id, a unique id prefix, or a container name.
    async fn resolve(&self, id_or_name: &str) -> Result<String> {
        let wanted = id_or_name.trim_start_matches('/');
        self.list()
            .await?
            .into_iter()
            .find(|c| c.id.starts_with(wanted) || c.name == wanted)
            .map(|c| c.id)
            .ok_or_else(|| Error::ContainerNotFound(id_or_name.to_owned()))
    }
}

/// Session names become container and volume names: keep them to what Docker
/// accepts, and refuse what would be unrecognisable.
pub fn session_name(raw: &str) -> Result<String> {
    let name: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() || name.len() > 48 {
        return Err(Error::InvalidSettings(format!(
            "\"{raw}\" can't name a session: use 1 to 48 letters, digits or dashes."
        )));
    }
    Ok(name)
}

fn container_name(session: &str) -> String {
    format!("sandpiper-session-{session}")
}

/// A short digest of which files are mounted where.
fn datasets_digest(datasets: &[DatasetMount]) -> String {
    use std::hash::{Hash, Hasher};
    let mut pairs: Vec<_> = datasets
        .iter()
        .map(|d| (d.host_path.display().to_string(), d.container_path.clone()))
        .collect();
    pairs.sort();
    // Only compared with itself, on this machine: a stable std hash is enough.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    pairs.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_made_docker_safe() {
        assert_eq!(session_name("Sales Q1").unwrap(), "sales-q1");
        assert_eq!(session_name("  émile  ").unwrap(), "mile");
        assert!(session_name("///").is_err());
        assert!(session_name(&"x".repeat(49)).is_err());
    }
}
