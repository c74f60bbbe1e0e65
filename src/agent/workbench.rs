//! Where a step's code runs: the session's container, kept warm between steps,
//! with the datasets mounted.

use crate::sandbox::{DatasetMount, Sandbox};
use crate::session_container::{SessionContainer, SessionContainers};
use std::path::PathBuf;

/// Where the step's code runs: the session's container, kept warm between
/// steps, with the datasets mounted.
pub struct Workbench<'a> {
    pub containers: &'a SessionContainers,
    pub sandbox: &'a Sandbox,
    pub container: SessionContainer,
    pub mounts: &'a [DatasetMount],
    /// Where the step's charts and files are copied.
    pub artifacts_dir: PathBuf,
}
