//! Every Sandpiper container at once, for the containers panel and the CLI:
//! list, stop, remove, prune.

use super::SessionContainers;
use super::metadata;
use crate::docker::guard::remove_container;
use crate::docker::{self, labels, podman};
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::packages;
use crate::sandbox::resident_link;
use bollard::models::ContainerSummaryStateEnum;
use serde::Serialize;

/// One Sandpiper container, as the containers list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    /// `session` or `ephemeral`.
    pub kind: String,
    pub session: Option<SessionId>,
    pub image: String,
    pub running: bool,
    pub created_at: i64,
    /// Bytes the container wrote on top of its image.
    pub size_bytes: Option<i64>,
    pub installed_packages: Vec<String>,
}

/// How long a package set no session uses stays in the store for reuse.
const STORE_KEEP_DAYS: u32 = 30;

impl SessionContainers {
    /// This installation's containers, running or stopped, sessions first.
    /// Others' on the same daemon (another user's, the tests') are left out.
    pub async fn list(&self) -> Result<Vec<ContainerInfo>> {
        Ok(self
            .list_all()
            .await?
            .into_iter()
            .filter_map(|(info, mine)| mine.then_some(info))
            .collect())
    }

    /// Every Sandpiper container on the daemon, each with whether it is this
    /// installation's.
    async fn list_all(&self) -> Result<Vec<(ContainerInfo, bool)>> {
        let managed = vec![format!("{}=true", labels::MANAGED)];
        let found = labels::containers_labelled(&self.docker, managed, true).await?;
        let mut list: Vec<(ContainerInfo, bool)> = found
            .into_iter()
            .map(|c| {
                let labels = c.labels.unwrap_or_default();
                let mine = self.is_mine(&labels);
                let session = labels
                    .get(labels::SESSION)
                    .and_then(|s| SessionId::parse(s).ok());
                let installed_packages = session
                    .as_ref()
                    .and_then(|s| metadata::load(&self.state_dir, s))
                    .map(|m| m.installed_packages)
                    .unwrap_or_default();
                let info = ContainerInfo {
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
                };
                (info, mine)
            })
            .collect();
        list.sort_by(|(a, _), (b, _)| {
            (a.kind != "session", &a.name).cmp(&(b.kind != "session", &b.name))
        });
        Ok(list)
    }

    /// Whether a container with these labels is this installation's: it says
    /// so; or, made before the label, a session container whose session this
    /// state dir knows, or a run this very process is making.
    fn is_mine(&self, labels: &std::collections::HashMap<String, String>) -> bool {
        if let Some(installation) = labels.get(labels::INSTALLATION) {
            return *installation == self.installation;
        }
        match labels
            .get(labels::SESSION)
            .map(String::as_str)
            .map(SessionId::parse)
        {
            Some(Ok(session)) => metadata::load(&self.state_dir, &session).is_some(),
            Some(Err(_)) => false,
            None => labels.get(labels::OWNER) == Some(&labels::this_process_owner()),
        }
    }

    /// Stops a container (a session's keeps its state on disk for the next start).
    pub async fn stop(&self, id_or_name: &str) -> Result<()> {
        let id = self.resolve(id_or_name).await?;
        resident_link::forget(&id);
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
            .and_then(|l| l.get(labels::SESSION).cloned())
            .and_then(|s| SessionId::parse(&s).ok());
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
        let reaped =
            docker::reap_orphans(&self.docker, &docker::heartbeat::folder(&self.state_dir)).await?;
        removed.extend(reaped.containers);
        removed.extend(self.collect_package_garbage().await?);
        Ok(removed)
    }

    /// Removes the package store's links of sessions that are gone, and the
    /// package sets no session uses once no install has wanted them for a
    /// month (until then a later session asking for the same packages
    /// reuses them). Returns what went, e.g. `package set 3fa9…`.
    pub async fn collect_package_garbage(&self) -> Result<Vec<String>> {
        // Every installation's sessions: the package store is shared by all
        // on the daemon.
        let live: Vec<String> = self
            .list_all()
            .await?
            .into_iter()
            .filter_map(|(c, _)| c.session.map(String::from))
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
