//! The engine's typed errors. Each can say itself in plain words for a
//! non-programmer (`plain_words`), which is what the CLI and the window show.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Docker is not installed")]
    DockerNotInstalled,

    #[error("Docker is not running (tried {tried})")]
    DockerNotRunning { tried: String },

    #[error("no permission to use the Docker socket {socket}")]
    DockerPermissionDenied { socket: String },

    #[error("Docker endpoint {endpoint:?} is not valid: {reason}")]
    DockerEndpointInvalid { endpoint: String, reason: String },

    #[error("the Docker host at {endpoint} did not answer: {reason}")]
    DockerRemoteUnreachable { endpoint: String, reason: String },

    #[error("Docker API error: {0}")]
    Docker(#[from] bollard::errors::Error),

    #[error("could not download image {image}: {reason}")]
    ImagePullFailed { image: String, reason: String },

    #[error("building image {image} failed at {step}: {reason}")]
    ImageBuildFailed {
        image: String,
        step: String,
        reason: String,
    },

    #[error("dataset {path} is unreadable: {reason}")]
    DatasetUnreadable { path: PathBuf, reason: String },

    #[error("the program is too large to run ({bytes} bytes)")]
    ProgramTooLarge { bytes: usize },

    #[error("package {package:?} refused: {reason}")]
    PackageRefused { package: String, reason: String },

    #[error("package {package} not found on PyPI")]
    PackageNotFound { package: String },

    #[error("installing {packages} failed: {reason}")]
    PackageInstallFailed { packages: String, reason: String },

    #[error("the package index could not be reached to install {packages}: {detail}")]
    PackageIndexUnreachable { packages: String, detail: String },

    #[error("the package index's certificate is not trusted (installing {packages}): {detail}")]
    PackageIndexUntrusted { packages: String, detail: String },

    #[error("no Sandpiper container {0}")]
    ContainerNotFound(String),

    #[error("invalid settings: {0}")]
    InvalidSettings(String),

    #[error(transparent)]
    Llm(#[from] crate::llm::LlmError),

    #[error("session id {0:?} cannot name a file")]
    SessionIdNotUsable(String),

    #[error("could not save the token usage to {path}: {source}")]
    UsageNotSaved {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("the token usage file {path} is damaged: {reason}")]
    UsageFileDamaged { path: PathBuf, reason: String },

    #[error("could not describe the datasets for the model: {reason}")]
    DatasetSummaryFailed { reason: String },

    #[error("I/O error while {doing}: {source}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error as a user reads it: what happened, and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainWords {
    pub title: String,
    pub advice: String,
}

impl PlainWords {
    pub fn new(title: impl Into<String>, advice: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            advice: advice.into(),
        }
    }
}

impl std::fmt::Display for PlainWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.title, self.advice)
    }
}

impl Error {
    pub fn io(doing: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            doing: doing.into(),
            source,
        }
    }

    pub fn plain_words(&self) -> PlainWords {
        use crate::docker::advice;
        match self {
            Error::DockerNotInstalled => advice::not_installed(),
            Error::DockerNotRunning { .. } => advice::not_running(),
            Error::DockerPermissionDenied { socket } => advice::no_permission(socket),
            Error::DockerEndpointInvalid { endpoint, reason } => PlainWords::new(
                format!("The Docker address \"{endpoint}\" in Settings is not valid."),
                format!(
                    "{reason}. Clear the Docker address in Settings to use this computer's Docker."
                ),
            ),
            Error::DockerRemoteUnreachable { endpoint, reason } => PlainWords::new(
                format!("Sandpiper could not reach the Docker host at {endpoint}."),
                format!(
                    "Check that the server is on and that your network (or VPN) reaches it. If it \
                     uses TLS, check the certificate folder in Settings. Clear the Docker address \
                     in Settings to use this computer's Docker instead. The connection said: {reason}"
                ),
            ),
            Error::Docker(err) => PlainWords::new(
                "Docker could not do what Sandpiper asked.",
                format!(
                    "Docker said: {err}. If this keeps happening, restart Docker and try again."
                ),
            ),
            Error::ImagePullFailed { image, reason } => PlainWords::new(
                format!("Sandpiper could not download its Python environment ({image})."),
                format!(
                    "Check your internet connection and try again. If your company network needs a \
                     proxy, set it in Docker's settings. Docker said: {reason}"
                ),
            ),
            Error::ImageBuildFailed {
                image,
                step,
                reason,
            } => PlainWords::new(
                format!("Sandpiper could not prepare the Python environment {image}."),
                format!(
                    "The build stopped at step {step}. Check the internet connection (the build \
                     downloads system packages and pip); behind a company proxy, set Docker's \
                     proxy and the trusted certificate bundle in Settings. Docker said: {reason}"
                ),
            ),
            Error::DatasetUnreadable { path, reason } => PlainWords::new(
                format!(
                    "Sandpiper could not read {}.",
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.display().to_string())
                ),
                format!(
                    "{reason}. Check that the file exists and that you may open it, then try again."
                ),
            ),
            Error::ProgramTooLarge { bytes } => PlainWords::new(
                "The code is too long to run.",
                format!(
                    "It is {} KiB; Sandpiper runs code of up to 1.5 MiB. Split the analysis into smaller steps.",
                    bytes / 1024
                ),
            ),
            Error::PackageRefused { package, reason } => PlainWords::new(
                format!("Sandpiper will not install \"{package}\"."),
                format!(
                    "Only plain package names from PyPI, with optional versions like ==1.2, are \
                     installed; {reason}."
                ),
            ),
            Error::PackageNotFound { package } => PlainWords::new(
                format!("There is no package called \"{package}\" on PyPI."),
                "Check the spelling. If the code imports a module whose package has another name, \
                 install that package by its PyPI name.",
            ),
            Error::PackageInstallFailed { packages, reason } => PlainWords::new(
                format!("Sandpiper could not install {packages}."),
                format!(
                    "Check the internet connection. Behind a company proxy, set the proxy and the \
                     trusted certificate bundle in Settings. pip said: {reason}"
                ),
            ),
            Error::PackageIndexUnreachable { packages, detail } => PlainWords::new(
                format!("Sandpiper could not reach PyPI to install {packages}."),
                format!(
                    "Check that this computer is online. On a company network that reaches the \
                     internet through a proxy, enter the proxy's address in Settings → Packages. \
                     ({detail})"
                ),
            ),
            Error::PackageIndexUntrusted { packages, detail } => PlainWords::new(
                format!(
                    "Sandpiper could not install {packages}: PyPI's certificate was not trusted."
                ),
                format!(
                    "Networks that inspect encrypted traffic re-sign it with their own \
                     certificate. Choose the file with your organisation's certificates under \
                     Settings → Packages → Trusted certificates. ({detail})"
                ),
            ),
            Error::ContainerNotFound(which) => PlainWords::new(
                format!("There is no Sandpiper container \"{which}\"."),
                "List them with `sandpiper containers list`; it may have been removed already.",
            ),
            Error::InvalidSettings(reason) => {
                PlainWords::new("These settings can't be used.", reason.clone())
            }
            Error::Llm(err) => err.plain_words(),
            Error::SessionIdNotUsable(id) => PlainWords::new(
                "Sandpiper could not keep count of this conversation's tokens.",
                format!(
                    "The conversation's name \"{id}\" has characters a file name cannot have. \
                     Start a new conversation."
                ),
            ),
            Error::UsageNotSaved { path, source } => PlainWords::new(
                "Sandpiper could not save how many tokens this conversation used.",
                format!(
                    "The reply itself is fine. Check that the disk is not full and that you may \
                     write to {}. The system said: {source}",
                    path.display()
                ),
            ),
            Error::UsageFileDamaged { path, reason } => PlainWords::new(
                "Sandpiper could not read how many tokens this conversation used.",
                format!(
                    "The file {} is damaged ({reason}). Sandpiper leaves it as it is so no count \
                     is lost; move it away to start counting again.",
                    path.display()
                ),
            ),
            Error::DatasetSummaryFailed { reason } => PlainWords::new(
                "Sandpiper could not describe the dataset to the model.",
                format!(
                    "Nothing was sent. Check that the file is a table (CSV, TSV or TXT) and open \
                     it again. The sandbox said: {reason}"
                ),
            ),
            Error::Io { doing, source } => PlainWords::new(
                format!("Something went wrong while {doing}."),
                format!(
                    "The system said: {source}. Check that the disk is not full, then try again."
                ),
            ),
        }
    }
}
