//! The engine's typed errors. Each can say itself in plain words for a
//! non-programmer (`plain_words`), which is what the CLI and the window show.
//!
//! This is the bottom layer's vocabulary of failure: every layer returns these, so
//! nothing here may name a module above it. The words about Docker's state
//! (`docker_advice`) and the model errors (`llm`) live here for the same reason.

pub mod docker_advice;
mod llm;

pub use crate::plain_words::PlainWords;
pub use llm::{LlmError, TimeoutPhase};

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

    #[error("package {package} is not installed without the analyst's leave")]
    PackageNeedsLeave { package: String },

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
    Llm(#[from] LlmError),

    #[error("session id {0:?} is not 1 to 64 lower-case letters, digits or dashes")]
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

    #[error("the question is empty")]
    QuestionEmpty,

    #[error("the edited code is empty")]
    CodeEmpty,

    #[error("step {step} is not in this session")]
    StepNotInSession { step: String },

    #[error("the settings could not be saved: {reason}")]
    SettingsNotSaved { reason: String },

    #[error("I/O error while {doing}: {source}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no saved session {id}")]
    SessionNotFound { id: String },

    #[error("step {step} of session {id} has no answer to re-run")]
    StepNotAnswered { id: String, step: String },

    #[error("step {step} has no answered code to explain")]
    NothingToExplain { step: String },

    #[error("session {id} is open in another window")]
    SessionInUse { id: String },

    #[error("session {id} is damaged ({path}): {reason}")]
    SessionDamaged {
        id: String,
        path: PathBuf,
        reason: String,
    },

    #[error("session {id} was saved by a newer Sandpiper (format {version})")]
    SessionTooNew { id: String, version: u32 },

    #[error("could not save session {id} while {doing}: {source}")]
    SessionNotSaved {
        id: String,
        doing: String,
        #[source]
        source: std::io::Error,
    },

    #[error("a session {id} already exists")]
    SessionExists { id: String },

    #[error("could not export session {id} as {format}: {reason}")]
    SessionExportFailed {
        id: String,
        format: String,
        reason: String,
    },

    #[error("could not save the output to {path}: {source}")]
    OutputNotSaved {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} can't be imported as a session: {reason}")]
    SessionImportFailed { path: PathBuf, reason: String },

    #[error("could not move session {id} to the trash: {reason}")]
    SessionNotTrashed { id: String, reason: String },

    #[error("a session's title can't be empty")]
    SessionTitleEmpty,

    #[error("the session has no dataset {name:?}")]
    DatasetNotInSession { name: String },

    #[error("a column's description is longer than {max} characters")]
    ColumnDescriptionTooLong { max: usize },

    #[error("that sheet and header row can't be used: {reason}")]
    TableChoiceInvalid { reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(doing: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            doing: doing.into(),
            source,
        }
    }

    pub fn plain_words(&self) -> PlainWords {
        use docker_advice as advice;
        match self {
            Error::DockerNotInstalled => advice::not_installed(),
            Error::DockerNotRunning { .. } => advice::not_running(),
            Error::DockerPermissionDenied { socket } => advice::no_permission(socket),
            Error::DockerEndpointInvalid { endpoint, reason } => PlainWords::new(
                "docker.endpoint_invalid",
                format!("The Docker address \"{endpoint}\" in Settings is not valid."),
                format!(
                    "{reason}. Clear the Docker address in Settings to use this computer's Docker."
                ),
            ),
            Error::DockerRemoteUnreachable { endpoint, reason } => PlainWords::new(
                "docker.remote_unreachable",
                format!("Sandpiper could not reach the Docker host at {endpoint}."),
                format!(
                    "Check that the server is on and that your network (or VPN) reaches it. If it \
                     uses TLS, check the certificate folder in Settings. Clear the Docker address \
                     in Settings to use this computer's Docker instead. The connection said: {reason}"
                ),
            ),
            Error::Docker(err) if lost_the_connection(err) => advice::connection_lost(),
            Error::Docker(err) => PlainWords::new(
                "docker.api_error",
                "Docker could not do what Sandpiper asked.",
                format!(
                    "Docker said: {err}. If this keeps happening, restart Docker and try again."
                ),
            ),
            Error::ImagePullFailed { image, reason } => PlainWords::new(
                "image.pull_failed",
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
                "image.build_failed",
                format!("Sandpiper could not prepare the Python environment {image}."),
                format!(
                    "The build stopped at step {step}. Check the internet connection (the build \
                     downloads system packages and pip); behind a company proxy, set Docker's \
                     proxy and the trusted certificate bundle in Settings. Docker said: {reason}"
                ),
            ),
            Error::DatasetUnreadable { path, reason } => PlainWords::new(
                "dataset.unreadable",
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
                "run.program_too_large",
                "The code is too long to run.",
                format!(
                    "It is {} KiB; Sandpiper runs code of up to 1.5 MiB. Split the analysis into smaller steps.",
                    bytes / 1024
                ),
            ),
            Error::PackageNeedsLeave { package } => PlainWords::new(
                "packages.needs_leave",
                format!("The code asked for \"{package}\", which Sandpiper did not install."),
                format!(
                    "Sandpiper installs by itself only well-known data packages, and asks you \
                     about others in the window. If you trust \"{package}\", add it to \
                     \"Install without asking\" in Settings → Packages (in a terminal: \
                     --allow-install {package}) and ask again."
                ),
            ),
            Error::PackageRefused { package, reason } => PlainWords::new(
                "packages.refused",
                format!("Sandpiper will not install \"{package}\"."),
                format!(
                    "Only plain package names from PyPI, with optional versions like ==1.2, are \
                     installed; {reason}."
                ),
            ),
            Error::PackageNotFound { package } => PlainWords::new(
                "packages.not_found",
                format!("There is no package called \"{package}\" on PyPI."),
                "Check the spelling. If the code imports a module whose package has another name, \
                 install that package by its PyPI name.",
            ),
            Error::PackageInstallFailed { packages, reason } => PlainWords::new(
                "packages.install_failed",
                format!("Sandpiper could not install {packages}."),
                format!(
                    "Check the internet connection. Behind a company proxy, set the proxy and the \
                     trusted certificate bundle in Settings. pip said: {reason}"
                ),
            ),
            Error::PackageIndexUnreachable { packages, detail } => PlainWords::new(
                "packages.index_unreachable",
                format!("Sandpiper could not reach PyPI to install {packages}."),
                format!(
                    "Check that this computer is online. On a company network that reaches the \
                     internet through a proxy, enter the proxy's address in Settings → Packages. \
                     ({detail})"
                ),
            ),
            Error::PackageIndexUntrusted { packages, detail } => PlainWords::new(
                "packages.index_untrusted",
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
                "containers.not_found",
                format!("There is no Sandpiper container \"{which}\"."),
                "List them with `sandpiper containers list`; it may have been removed already.",
            ),
            Error::InvalidSettings(reason) => PlainWords::new(
                "settings.invalid",
                "These settings can't be used.",
                reason.clone(),
            ),
            Error::Llm(err) => err.plain_words(),
            Error::SessionIdNotUsable(id) => PlainWords::new(
                "session.id_not_usable",
                format!("\"{id}\" can't name a session."),
                "A session's name is 1 to 64 lower-case letters, digits or dashes, starting \
                 with a letter or digit, e.g. sales-q1.",
            ),
            Error::UsageNotSaved { path, source } => PlainWords::new(
                "usage.not_saved",
                "Sandpiper could not save how many tokens this conversation used.",
                format!(
                    "The reply itself is fine. Check that the disk is not full and that you may \
                     write to {}. The system said: {source}",
                    path.display()
                ),
            ),
            Error::UsageFileDamaged { path, reason } => PlainWords::new(
                "usage.file_damaged",
                "Sandpiper could not read how many tokens this conversation used.",
                format!(
                    "The file {} is damaged ({reason}). Sandpiper leaves it as it is so no count \
                     is lost; move it away to start counting again.",
                    path.display()
                ),
            ),
            Error::DatasetSummaryFailed { reason } => PlainWords::new(
                "dataset.summary_failed",
                "Sandpiper could not describe the dataset to the model.",
                format!(
                    "Nothing was sent. Check that the file is a table (CSV, TSV or TXT) and open \
                     it again. The sandbox said: {reason}"
                ),
            ),
            Error::QuestionEmpty => PlainWords::new(
                "question.empty",
                "Type a question first.",
                "Ask in your own words, e.g. \"Which region sold the most?\"",
            ),
            Error::CodeEmpty => PlainWords::new(
                "code.empty",
                "There is no code to run.",
                "Edit the step's code so that it does what you want, then click Run, or click \
                 Cancel to keep the step as it was.",
            ),
            Error::StepNotInSession { .. } => PlainWords::new(
                "session.step_not_found",
                "That step is not in this session any more.",
                "Open the session again from Home, then edit the step's code there.",
            ),
            Error::SettingsNotSaved { reason } => PlainWords::new(
                "settings.not_saved",
                "Sandpiper could not save your settings.",
                format!("They apply until you close the app. The system said: {reason}"),
            ),
            Error::Io { doing, source } => PlainWords::new(
                "io.failed",
                format!("Something went wrong while {doing}."),
                format!(
                    "The system said: {source}. Check that the disk is not full, then try again."
                ),
            ),
            Error::StepNotAnswered { id, step } => PlainWords::new(
                "session.step_not_answered",
                format!("Step {step} of \"{id}\" has no answer to re-run."),
                "Only answered steps can be re-run: their code is what made the answer. \
                 `sandpiper sessions show` lists each step and how it ended.",
            ),
            Error::NothingToExplain { .. } => PlainWords::new(
                "session.nothing_to_explain",
                "This step has no answer to explain.",
                "Only an answered step has the code that made its answer. Explain another step, \
                 or ask the question again.",
            ),
            Error::SessionNotFound { id } => PlainWords::new(
                "session.not_found",
                format!("There is no saved session \"{id}\"."),
                "List the saved sessions with `sandpiper sessions list`; it may have been \
                 deleted (look in the trash) or saved under another name.",
            ),
            Error::SessionInUse { id } => PlainWords::new(
                "session.in_use",
                format!("The session \"{id}\" is open in another window."),
                "Switch to that window to go on with it, or close it there and open the session \
                 here again. Sandpiper lets one window at a time change a session, so nothing in \
                 it is ever overwritten.",
            ),
            Error::SessionDamaged { id, path, reason } => PlainWords::new(
                "session.damaged",
                format!("The saved session \"{id}\" can't be read."),
                format!(
                    "Its file {} is damaged ({reason}). Sandpiper leaves it exactly as it is, so \
                     nothing more is lost; your other sessions are not affected.",
                    path.display()
                ),
            ),
            Error::SessionTooNew { id, version } => PlainWords::new(
                "session.too_new",
                format!("The session \"{id}\" was saved by a newer Sandpiper."),
                format!(
                    "It uses format {version}, which this version can't read. Update Sandpiper to \
                     open it; the session is kept as it is."
                ),
            ),
            Error::SessionNotSaved { id, doing, source } => PlainWords::new(
                "session.not_saved",
                format!("Sandpiper could not save the session \"{id}\"."),
                format!(
                    "This happened while {doing}. Check that the disk is not full and that you may \
                     write to Sandpiper's data folder. The system said: {source}"
                ),
            ),
            Error::SessionExists { id } => PlainWords::new(
                "session.exists",
                format!("There is already a session \"{id}\"."),
                "Open it, or choose another name for the new one.",
            ),
            Error::SessionExportFailed { id, format, reason } => PlainWords::new(
                "session.export_failed",
                format!("Sandpiper could not export \"{id}\" as {format}."),
                format!(
                    "The session itself is unchanged. Check that the folder you chose exists and \
                     that you may write there. ({reason})"
                ),
            ),
            Error::OutputNotSaved { path, source } => PlainWords::new(
                "output.not_saved",
                format!("Sandpiper could not save the output to {}.", path.display()),
                format!(
                    "Nothing was lost: the output is still in the window. Choose a folder you \
                     may write to, on a disk with space left, and save again. The system said: \
                     {source}."
                ),
            ),
            Error::SessionImportFailed { path, reason } => PlainWords::new(
                "session.import_failed",
                format!(
                    "{} is not a session Sandpiper can import.",
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.display().to_string())
                ),
                format!(
                    "Choose a .zip that Sandpiper exported (Export → Session archive). Nothing was \
                     changed. ({reason})"
                ),
            ),
            Error::SessionNotTrashed { id, reason } => PlainWords::new(
                "session.not_trashed",
                format!("Sandpiper could not move the session \"{id}\" to the trash."),
                format!(
                    "The session is still there, unchanged. Sandpiper never deletes a session for \
                     good, so it stopped. The system said: {reason}"
                ),
            ),
            Error::SessionTitleEmpty => PlainWords::new(
                "session.title_empty",
                "Give the session a title.",
                "A few words that say what the analysis is about, e.g. \"Sales Q1 by region\".",
            ),
            Error::DatasetNotInSession { name } => PlainWords::new(
                "session.dataset_unknown",
                format!("{name} is not one of this session's files."),
                "Drop the file on the window to add it to the session, then try again.",
            ),
            Error::ColumnDescriptionTooLong { max } => PlainWords::new(
                "session.description_too_long",
                "That description is too long.",
                format!(
                    "Keep it to a sentence or two (at most {max} characters): it is sent to the \
                     model with every question."
                ),
            ),
            Error::TableChoiceInvalid { reason } => PlainWords::new(
                "session.table_choice_invalid",
                "That sheet or header row can't be used.",
                format!("Choose a sheet from the list and a row number ({reason})."),
            ),
        }
    }
}

/// Whether Docker stopped answering (it quit, crashed or restarted) rather
/// than refusing a request: the connection itself failed.
fn lost_the_connection(err: &bollard::errors::Error) -> bool {
    use bollard::errors::Error as Bollard;
    matches!(
        err,
        Bollard::HyperLegacyError { .. }
            | Bollard::HyperResponseError { .. }
            | Bollard::IOError { .. }
            | Bollard::SocketNotFoundError(_)
            | Bollard::RequestTimeoutError
    )
}
