//! Running Python in a locked-down, throw-away container.
//!
//! One run: lay out its folders, create a labelled container with the limits from
//! settings, stream its output as events, classify how it ended, bring back the
//! files it wrote, and always remove the container and the folders.

mod artifacts;
pub(crate) mod container_spec;
pub(crate) mod download;
mod frames;
pub(crate) mod harness;
pub(crate) mod layout;
mod outcome;
mod output;
pub(crate) mod resident_link;
mod run;
pub(crate) mod session_run;
mod streaming;
pub(crate) mod upload;
pub(crate) mod workspace;

pub use frames::WorkspaceListing;
pub use harness::{Program, ProgramKind};
pub use layout::{CONTAINER_OUTPUT_DIR, DatasetMount, plan_dataset_mounts};
pub use run::{RunRequest, RunResult, Sandbox};
