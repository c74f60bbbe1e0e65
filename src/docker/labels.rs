//! Labels on every container Sandpiper creates, so each can be found again,
//! traced to its run, and never left orphaned.

use crate::ids::{RunId, SessionId};
use std::collections::HashMap;

/// Present on every container Sandpiper makes.
pub const MANAGED: &str = "sandpiper.managed";
/// The run that made an ephemeral container.
pub const RUN_ID: &str = "sandpiper.run_id";
/// `ephemeral` (removed after its run) or, later, `session` (kept for reuse).
pub const KIND: &str = "sandpiper.kind";
/// The engine version that made it, to recognise containers from older versions.
pub const VERSION: &str = "sandpiper.version";
/// `<host name>/<process id>/<engine id>` of the engine that made it: a run
/// whose engine is gone (crashed, killed) left it behind, and the next start
/// removes it. The engine id is random per process, and the engine keeps a
/// heartbeat under it (see `heartbeat.rs`): two laptops with the same host
/// name on one remote daemon never take each other's runs for orphans.
pub const OWNER: &str = "sandpiper.owner";

pub const KIND_EPHEMERAL: &str = "ephemeral";
pub const KIND_SESSION: &str = "session";
/// The session a kept container belongs to.
pub const SESSION: &str = "sandpiper.session";
/// On a session container and its volumes: the installation (state dir) that
/// made it (see `installation.rs`), so the containers panel and "Remove all
/// unused" touch only this installation's on a daemon others use too.
pub const INSTALLATION: &str = "sandpiper.installation";
/// A digest of the datasets a session container was made with: other datasets
/// need a new container (mounts are fixed at creation).
pub const DATASETS: &str = "sandpiper.datasets";
/// On a session container: the version of the resident harness it runs.
pub const HARNESS: &str = "sandpiper.harness";
/// On a session container and its volumes made for one process only (an
/// evaluation's questions, `sandpiper analyze` without `--session`): it goes
/// with its engine, so the reaper treats it as it treats ephemeral objects.
pub const LIFETIME: &str = "sandpiper.lifetime";
pub const LIFETIME_PROCESS: &str = "process";

/// The labels of a container that lives for one run only.
pub fn for_ephemeral_run(run_id: &RunId) -> HashMap<String, String> {
    HashMap::from([
        (MANAGED.to_owned(), "true".to_owned()),
        (RUN_ID.to_owned(), run_id.to_string()),
        (KIND.to_owned(), KIND_EPHEMERAL.to_owned()),
        (VERSION.to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
        (OWNER.to_owned(), this_process_owner()),
    ])
}

/// The labels of a session's long-lived container and its volumes, made by the
/// installation `installation`.
pub fn for_session(
    session: &SessionId,
    datasets_digest: &str,
    installation: &str,
) -> HashMap<String, String> {
    HashMap::from([
        (MANAGED.to_owned(), "true".to_owned()),
        (KIND.to_owned(), KIND_SESSION.to_owned()),
        (SESSION.to_owned(), session.to_string()),
        (INSTALLATION.to_owned(), installation.to_owned()),
        (OWNER.to_owned(), this_process_owner()),
        (DATASETS.to_owned(), datasets_digest.to_owned()),
        (VERSION.to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
    ])
}

/// This process as an `OWNER` label value.
pub fn this_process_owner() -> String {
    format!(
        "{}/{}/{}",
        host_name(),
        std::process::id(),
        super::heartbeat::engine_id()
    )
}

/// The machine's name, to tell our own processes from other laptops' on a
/// shared Docker host.
pub fn host_name() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname NUL-terminates
        // within it or fails.
        if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            return String::from_utf8_lossy(&buf[..end]).into_owned();
        }
    }
    std::env::var("COMPUTERNAME").unwrap_or_else(|_| "unknown-host".to_owned())
}

/// Every container, running or stopped, carrying all of `labels`
/// (`key=value` each), with the size it wrote on top of its image when asked.
pub async fn containers_labelled(
    docker: &bollard::Docker,
    labels: Vec<String>,
    with_size: bool,
) -> Result<Vec<bollard::models::ContainerSummary>, bollard::errors::Error> {
    let filters = HashMap::from([("label".to_owned(), labels)]);
    super::podman::settled(|| {
        docker.list_containers(Some(
            bollard::query_parameters::ListContainersOptionsBuilder::default()
                .all(true)
                .size(with_size)
                .filters(&filters)
                .build(),
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ephemeral_container_is_marked_managed_and_traceable() {
        let run_id = RunId::new();
        let labels = for_ephemeral_run(&run_id);
        assert_eq!(labels[MANAGED], "true");
        assert_eq!(labels[RUN_ID], run_id.as_str());
        assert_eq!(labels[KIND], "ephemeral");
        assert_eq!(
            labels[OWNER],
            format!(
                "{}/{}/{}",
                host_name(),
                std::process::id(),
                crate::docker::heartbeat::engine_id()
            )
        );
    }
}
