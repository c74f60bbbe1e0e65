//! Sandpiper's containers for the window's containers panel: list them, stop
//! or remove one, remove the unused ones, and remove a closed session's
//! environment when the analyst does not want it kept.

use super::Engine;
use crate::error::Result;
use crate::ids::SessionId;
use crate::session_container::ContainerInfo;

impl Engine {
    /// Every Sandpiper container, running or stopped, sessions first.
    pub async fn list_containers(&self) -> Result<Vec<ContainerInfo>> {
        self.session_containers().await?.list().await
    }

    /// Stops a container; a session's starts again at its next question.
    pub async fn stop_container(&self, id: &str) -> Result<()> {
        self.session_containers().await?.stop(id).await
    }

    /// Removes a container (a session's with its volumes and what it installed).
    pub async fn remove_container(&self, id: &str) -> Result<()> {
        self.session_containers().await?.remove(id).await
    }

    /// Removes the stopped session containers, what crashed runs left, and
    /// package sets no session uses any more. Returns what went, by name.
    pub async fn remove_unused_containers(&self) -> Result<Vec<String>> {
        self.session_containers().await?.prune().await
    }

    /// Removes a session's container and volumes (its saved conversation and
    /// datasets stay): the next question there starts a fresh environment.
    pub async fn remove_session_environment(&self, session: &SessionId) -> Result<()> {
        self.session_containers()
            .await?
            .remove_session(session)
            .await
    }
}
