//! "Is Docker ready?" in a form the window can show as it is.

use super::connect;
use crate::error::{Error, docker_advice as advice};
use crate::plain_words::PlainWords;
use crate::settings::DockerSettings;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DockerState {
    Ready,
    NotInstalled,
    NotRunning,
    NoPermission,
    /// Anything else (a bad endpoint in settings, a daemon error): the title says which.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerStatus {
    pub state: DockerState,
    pub title: String,
    pub advice: String,
    pub version: Option<String>,
    pub endpoint: Option<String>,
    /// The engine found: "Docker Engine", "Docker Desktop", "Podman", ...
    pub engine: Option<String>,
}

/// Checks the daemon and says what the user should know about it. Never fails:
/// a failure is a status too.
pub async fn status(settings: &DockerSettings) -> DockerStatus {
    match connect(settings).await {
        Ok(connection) => DockerStatus {
            engine: Some(connection.engine.name().to_owned()),
            ..from_words(
                DockerState::Ready,
                advice::ready(
                    connection.engine.name(),
                    connection.engine == super::EngineKind::Podman,
                    &connection.version,
                ),
                Some(connection.version),
                Some(connection.endpoint),
            )
        },
        Err(err) => {
            let state = match &err {
                Error::DockerNotInstalled => DockerState::NotInstalled,
                Error::DockerNotRunning { .. } => DockerState::NotRunning,
                Error::DockerPermissionDenied { .. } => DockerState::NoPermission,
                _ => DockerState::Error,
            };
            let endpoint = match &err {
                Error::DockerPermissionDenied { socket } => Some(socket.clone()),
                _ => None,
            };
            from_words(state, err.plain_words(), None, endpoint)
        }
    }
}

fn from_words(
    state: DockerState,
    words: PlainWords,
    version: Option<String>,
    endpoint: Option<String>,
) -> DockerStatus {
    DockerStatus {
        state,
        title: words.title,
        advice: words.advice,
        version,
        endpoint,
        engine: None,
    }
}
