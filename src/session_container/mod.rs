//! The long-lived container of a session (seed 002): created on the session's
//! first run, reused through its resident harness for every later run, kept after a
//! failed run so a fix re-runs in the same state, found again after an app
//! restart, and recreated when it was removed behind our back.
//!
//! It has every limit of an ephemeral run's container; only its life is longer.
//!
//! - `lifecycle.rs`: ensure (find, start, recreate), describe, close and remove one
//!   session's container.
//! - `installs.rs`: the session's packages (install on request, restore after a
//!   recreation).
//! - `runs.rs`: a run in the session, installing a missing package and running
//!   again without spending a model try.
//! - `admin.rs`: every container at once, for the containers panel and the CLI:
//!   list, stop, remove, prune.
//! - `metadata.rs`: what is remembered of a session's container, on disk.
//! - `idle.rs`: stopping an idle session's container with its work folder kept.

mod admin;
mod consent;
mod idle;
mod installs;
mod lifecycle;
mod metadata;
mod runs;

pub use admin::ContainerInfo;
pub use consent::InstallConsent;
pub use metadata::SessionContainerMeta;
pub use runs::SessionRun;

use crate::docker;
use crate::ids::SessionId;
use crate::sandbox::DatasetMount;
use crate::settings::{PackageSettings, SandboxSettings};
use bollard::Docker;
use std::path::PathBuf;

/// A session's running container, ready for `Sandbox::run_in_session`.
#[derive(Debug, Clone)]
pub struct SessionContainer {
    pub id: String,
    pub meta: SessionContainerMeta,
    /// True when this call created it (first run, or it had been removed).
    pub created: bool,
    /// True when this call started it (it had stopped: idle, killed at a time
    /// limit, or its harness died): its work folder may not be what it was.
    pub started: bool,
}

pub struct SessionContainers {
    docker: Docker,
    settings: SandboxSettings,
    packages: PackageSettings,
    remote: bool,
    /// Which engine answers: on Podman a container's stdin closes for good
    /// when an attached client leaves (see `ensure`).
    engine: docker::EngineKind,
    /// Where the session metadata lives.
    state_dir: PathBuf,
    /// The state dir's installation id (`labels::INSTALLATION`).
    installation: String,
    /// Containers made here go with this process (see `labels::LIFETIME`).
    throwaway: bool,
    /// Who is asked before a package off the well-known list is installed;
    /// none refuses such packages.
    consent: Option<std::sync::Arc<dyn InstallConsent>>,
}

impl SessionContainers {
    pub fn new(
        connection: &docker::Connection,
        settings: SandboxSettings,
        packages: PackageSettings,
        state_dir: PathBuf,
    ) -> Self {
        Self {
            docker: connection.docker.clone(),
            settings,
            packages,
            remote: connection.remote,
            engine: connection.engine,
            installation: docker::installation_id(&state_dir),
            state_dir,
            throwaway: false,
            consent: None,
        }
    }

    /// Packages the code asks for that Sandpiper does not install by itself
    /// are asked about through `consent` instead of refused.
    pub fn asking(mut self, consent: Option<std::sync::Arc<dyn InstallConsent>>) -> Self {
        self.consent = consent;
        self
    }

    /// Containers this makes are removed with this process: by itself at its
    /// end, or by the next start's reaper if it was killed.
    pub fn throwaway(mut self, throwaway: bool) -> Self {
        self.throwaway = throwaway;
        self
    }
}

/// The session's kept container, e.g. `sandpiper-session-sales-q1`.
fn container_name(session: &SessionId) -> String {
    format!("sandpiper-session-{session}")
}

/// One of the session's volumes: `work` (its /workspace) or `data` (datasets
/// uploaded to a remote daemon).
fn volume_name(session: &SessionId, suffix: &str) -> String {
    format!("sandpiper-session-{session}-{suffix}")
}

/// A digest of which files are mounted where. It is stored in a label and
/// compared by later versions of Sandpiper, so it must not change between
/// releases: SHA-256, not the standard library's hasher.
fn datasets_digest(datasets: &[DatasetMount]) -> String {
    use sha2::{Digest, Sha256};
    let mut pairs: Vec<_> = datasets
        .iter()
        .map(|d| (d.host_path.display().to_string(), d.container_path.clone()))
        .collect();
    pairs.sort();
    let mut hasher = Sha256::new();
    for (host, container) in &pairs {
        // Lengths first, so no two lists of pairs hash the same text.
        for part in [host, container] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn mount(host: &str, container: &str) -> DatasetMount {
        DatasetMount {
            host_path: PathBuf::from(host),
            container_path: container.to_owned(),
        }
    }

    #[test]
    fn the_datasets_digest_is_stable_and_ignores_order() {
        let a = [
            mount("/d/a.csv", "/data/a.csv"),
            mount("/d/b.csv", "/data/b.csv"),
        ];
        let b = [
            mount("/d/b.csv", "/data/b.csv"),
            mount("/d/a.csv", "/data/a.csv"),
        ];
        assert_eq!(datasets_digest(&a), datasets_digest(&b));
        // Pinned: a container labelled by an earlier release must be recognised.
        assert_eq!(datasets_digest(&[]), "e3b0c44298fc1c14");
        assert_ne!(
            datasets_digest(&[mount("/d/ab", "/c")]),
            datasets_digest(&[mount("/d/a", "b/c")])
        );
    }
}
