//! A session's packages: installed on request into the shared package store,
//! and restored when the session's container is recreated.

use super::metadata;
use super::{SessionContainerMeta, SessionContainers, container_name};
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::ids::SessionId;
use crate::packages;
use crate::sandbox::session_run;

impl SessionContainers {
    /// Installs packages into a session (which must have run once), then reads
    /// back what the container really has.
    pub async fn install_packages(
        &self,
        session: &SessionId,
        requested: &[String],
        reason: &str,
        sink: &dyn EventSink,
    ) -> Result<SessionContainerMeta> {
        let new = packages::check_requests(requested, &self.packages)?;
        let Some(id) = self.find(session).await?.and_then(|c| c.id) else {
            return Err(Error::ContainerNotFound(container_name(session)));
        };
        let mut meta = match metadata::load(&self.state_dir, session) {
            Some(meta) if meta.container_id == id => meta,
            _ => self.describe(&id, session, &[]).await?,
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
            .install_into(session, &id, &new, &all, reason, sink)
            .await?;
        meta.packages_set = Some(key);
        meta.installed_packages = self.installed_packages(&id).await?;
        metadata::save(&self.state_dir, session, &meta)?;
        Ok(meta)
    }

    /// A new container for a session that had packages: makes sure its link
    /// points at a set with all of them for this image (the store may have
    /// been removed, or the image changed), installing them again if not.
    pub(super) async fn restore_packages(
        &self,
        id: &str,
        session: &SessionId,
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

    /// The image's id: package sets are built for one image, and an answer's
    /// provenance names it.
    pub async fn image_id(&self) -> Result<String> {
        let image = self.docker.inspect_image(&self.settings.image).await?;
        Ok(image.id.unwrap_or_else(|| self.settings.image.clone()))
    }

    /// Points the session at the package set holding `all` (building it when
    /// no session has yet), then has the container's resident harness start
    /// afresh so it imports what is new. Returns the set's key.
    async fn install_into(
        &self,
        session: &SessionId,
        container_id: &str,
        new: &[packages::Requirement],
        all: &[packages::Requirement],
        reason: &str,
        sink: &dyn EventSink,
    ) -> Result<String> {
        let names: Vec<String> = new.iter().map(packages::Requirement::to_pip_arg).collect();
        sink.emit(Event::PackagesInstalling {
            session_id: session.clone(),
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
            session_id: session.clone(),
            packages: names,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error: installed.as_ref().err().map(Error::plain_words),
        });
        installed?;
        session_run::reload_resident_harness(&self.docker, container_id).await?;
        Ok(key)
    }
}
