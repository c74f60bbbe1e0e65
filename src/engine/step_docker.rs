//! What every step starts from on Docker, kept from one step to the next: the
//! connection (finding the daemon is a socket probe and a version call) and the
//! analysis image's tag (two image inspections). Asked afresh each time, they
//! were four round trips to the daemon before a step's first model request.
//!
//! Kept only while they work: a step that could not get its container with
//! them forgets them and tries once more afresh, so a daemon that moved (Docker
//! Desktop quit, Colima started) or an image removed meanwhile costs one retry,
//! never a failed question.

use crate::docker::{self, Connection};
use crate::settings::DockerSettings;
use std::sync::Mutex;

#[derive(Default)]
pub(super) struct StepDocker {
    connection: Mutex<Option<(DockerSettings, Connection)>>,
    /// The analysis image's tag, with the base image it was built from.
    analysis_image: Mutex<Option<(String, String)>>,
}

impl StepDocker {
    /// The kept connection for these settings, else a new one (then kept).
    pub(super) async fn connection(
        &self,
        settings: &DockerSettings,
    ) -> crate::error::Result<Connection> {
        if let Some((kept_for, connection)) = &*self.connection.lock().expect("connection lock")
            && kept_for == settings
        {
            return Ok(connection.clone());
        }
        let connection = docker::connect(settings).await?;
        *self.connection.lock().expect("connection lock") =
            Some((settings.clone(), connection.clone()));
        Ok(connection)
    }

    /// The analysis image's tag checked earlier in this process for `base_image`.
    pub(super) fn analysis_image(&self, base_image: &str) -> Option<String> {
        match &*self.analysis_image.lock().expect("analysis image lock") {
            Some((base, tag)) if base == base_image => Some(tag.clone()),
            _ => None,
        }
    }

    pub(super) fn keep_analysis_image(&self, base_image: &str, tag: &str) {
        *self.analysis_image.lock().expect("analysis image lock") =
            Some((base_image.to_owned(), tag.to_owned()));
    }

    /// Forgets what was kept; says whether there was anything, that is,
    /// whether trying again afresh could go differently.
    pub(super) fn forget(&self) -> bool {
        let connection = self.connection.lock().expect("connection lock").take();
        let image = self
            .analysis_image
            .lock()
            .expect("analysis image lock")
            .take();
        connection.is_some() || image.is_some()
    }
}
