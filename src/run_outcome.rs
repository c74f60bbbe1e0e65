//! How a run of code ends, and what it leaves: words that events, the
//! conversation and the sandbox all share.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How a run ended. Exactly one per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    /// The code raised, or exited with a non-zero status.
    Failed,
    OutOfMemory,
    TimedOut,
    /// The user stopped it.
    Cancelled,
    /// Docker could not run it at all (not running, image missing, …).
    DockerFailure,
}

impl Outcome {
    pub fn is_success(self) -> bool {
        self == Outcome::Success
    }
}

/// An exception in model-written code, as the harness reported it. Lines are
/// those of the model's own code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonError {
    #[serde(rename = "type")]
    pub type_name: String,
    pub message: String,
    pub line: Option<u32>,
    /// A few numbered lines around `line`, the failing one marked `->`.
    pub context: Option<String>,
}

/// A file brought back from the sandbox's output folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// File name as the code wrote it, e.g. `hist_price.png`.
    pub name: String,
    /// Where the copy lives on the host.
    pub path: PathBuf,
    /// Media type, e.g. `image/png`.
    pub mime: String,
    pub size_bytes: u64,
}
