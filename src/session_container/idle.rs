//! Stopping an idle session's container without losing its work folder. The
//! work folder is a capped tmpfs (so code can never fill the host's disk), and
//! a tmpfs is empty after a stop: the files a follow-up needs are copied out
//! first, as a tar in the session's state folder, and put back when the
//! container starts again. The copy is bounded by the work folder's size.

use super::{SessionContainers, metadata};
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::sandbox::download;
use crate::sandbox::layout::CONTAINER_WORKSPACE_DIR;
use bollard::query_parameters::UploadToContainerOptionsBuilder;
use std::path::PathBuf;

impl SessionContainers {
    /// Keeps the session's work folder aside, then stops its container. When
    /// the folder can't be kept (Docker refused the copy), the container keeps
    /// running: memory is worth less than the analyst's files.
    pub async fn stop_idle(&self, session: &SessionId, container_id: &str) -> Result<()> {
        self.keep_work_folder(session, container_id).await?;
        self.stop(container_id).await
    }

    /// Puts back a work folder kept by `stop_idle` (once: the file is removed).
    pub(super) async fn restore_work_folder(
        &self,
        session: &SessionId,
        container_id: &str,
    ) -> Result<()> {
        let kept = kept_work_folder(&self.state_dir, session);
        let Ok(archive) = std::fs::read(&kept) else {
            return Ok(());
        };
        let options = UploadToContainerOptionsBuilder::default()
            .path(CONTAINER_WORKSPACE_DIR)
            .build();
        self.docker
            .upload_to_container(
                container_id,
                Some(options),
                bollard::body_full(archive.into()),
            )
            .await?;
        let _ = std::fs::remove_file(&kept);
        Ok(())
    }

    async fn keep_work_folder(&self, session: &SessionId, container_id: &str) -> Result<()> {
        const DOING: &str = "keeping the session's work folder";
        let saving = |e| Error::io(DOING, e);
        let kept = kept_work_folder(&self.state_dir, session);
        let partial = kept.with_extension("tar.partial");
        if let Some(folder) = kept.parent() {
            std::fs::create_dir_all(folder).map_err(saving)?;
        }
        let mut file = std::fs::File::create(&partial).map_err(saving)?;
        // The tmpfs holds at most workspace_mib; tar headers add a little.
        let cap = (self.settings.workspace_mib + 16) * 1024 * 1024;
        // "/." : the folder's contents, not the folder (as `docker cp dir/.`).
        let contents = format!("{CONTAINER_WORKSPACE_DIR}/.");
        let whole =
            download::archive_into(&self.docker, container_id, &contents, cap, &mut file, DOING)
                .await;
        if !matches!(whole, Ok(true)) {
            let _ = std::fs::remove_file(&partial);
            whole?;
            return Err(saving(std::io::Error::other(
                "the work folder is larger than it may be",
            )));
        }
        file.sync_all().map_err(saving)?;
        std::fs::rename(&partial, &kept).map_err(saving)
    }
}

/// `<state dir>/sessions/<id>/workspace.tar`, beside `container.json`.
fn kept_work_folder(state_dir: &std::path::Path, session: &SessionId) -> PathBuf {
    metadata::path(state_dir, session).with_file_name("workspace.tar")
}
