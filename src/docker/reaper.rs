//! Removing what crashed runs left behind. A run removes its own container and
//! volume on every path, but a process that is killed (or a laptop that loses
//! power) cannot; the next start of Sandpiper removes them here.
//!
//! Only ephemeral objects are touched, and only when the engine that made them is
//! gone: its process no longer runs on this machine, or the object is older than
//! any run may last (for objects made from other machines on a shared daemon).

use super::heartbeat::{self, Liveness};
use super::labels;
use crate::error::Result;
use bollard::Docker;
use bollard::query_parameters::ListVolumesOptionsBuilder;
use std::collections::HashMap;
use std::path::Path;

/// No run lasts this long (the time limit is per run, set in minutes), so
/// anything older is left over whoever made it.
const MAX_RUN_AGE_SECS: i64 = 24 * 60 * 60;

/// What the reaper removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reaped {
    pub containers: Vec<String>,
    pub volumes: Vec<String>,
}

/// Removes ephemeral objects, and session objects made for one process only,
/// whose engine is gone; `heartbeats` is the folder of engine heartbeats
/// (`heartbeat::folder(state dir)`).
pub async fn reap_orphans(docker: &Docker, heartbeats: &Path) -> Result<Reaped> {
    super::heartbeat::forget_old(heartbeats);
    let mut reaped = Reaped::default();
    // Docker ANDs label filters: one pass per kind of short-lived object.
    let short_lived = [
        format!("{}={}", labels::KIND, labels::KIND_EPHEMERAL),
        format!("{}={}", labels::LIFETIME, labels::LIFETIME_PROCESS),
    ];
    for label in short_lived {
        let filter = vec![format!("{}=true", labels::MANAGED), label];
        reap_labelled(docker, heartbeats, filter, &mut reaped).await?;
    }
    Ok(reaped)
}

/// Removes the containers, then the volumes, with all of `filter`'s labels
/// whose engine is gone.
async fn reap_labelled(
    docker: &Docker,
    heartbeats: &Path,
    filter: Vec<String>,
    reaped: &mut Reaped,
) -> Result<()> {
    let now = crate::clock::now_secs();
    let containers = labels::containers_labelled(docker, filter.clone(), false).await?;
    for container in containers {
        let owner = container
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::OWNER))
            .map(String::as_str);
        let age = container.created.map(|created| now - created);
        if is_orphan(owner, age, heartbeats)
            && let Some(id) = container.id
        {
            let gone = super::guard::remove_container(docker, &id).await;
            if gone.is_ok() {
                reaped.containers.push(id);
            }
        }
    }

    let filters = HashMap::from([("label".to_owned(), filter)]);
    let volumes = docker
        .list_volumes(Some(
            ListVolumesOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await?;
    for volume in volumes.volumes.unwrap_or_default() {
        let owner = volume.labels.get(labels::OWNER).map(String::as_str);
        // Volumes carry no reliable creation time across daemons; their owner is enough,
        // and a volume still in use by a live container cannot be removed anyway.
        if is_orphan(owner, None, heartbeats)
            && super::guard::remove_volume(docker, &volume.name)
                .await
                .is_ok()
        {
            reaped.volumes.push(volume.name);
        }
    }
    Ok(())
}

/// Whether an ephemeral object's maker is gone.
fn is_orphan(owner: Option<&str>, age_secs: Option<i64>, heartbeats: &Path) -> bool {
    if age_secs.is_some_and(|age| age > MAX_RUN_AGE_SECS) {
        return true;
    }
    let Some(owner) = owner else {
        // Made before owners were labelled: only its age can tell.
        return false;
    };
    match owner.split('/').collect::<Vec<_>>()[..] {
        [_, _, engine] => {
            heartbeat::liveness(heartbeats, engine, process_is_alive) == Liveness::Gone
        }
        // An older Sandpiper's `<host>/<pid>`: its process, if on this host.
        [host, pid] => {
            host == labels::host_name() && pid.parse().is_ok_and(|pid| !process_is_alive(pid))
        }
        _ => false,
    }
}

#[cfg(unix)]
fn process_is_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks whether the process exists and may be signalled.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_is_alive(_pid: i32) -> bool {
    // Without a cheap check, trust age alone.
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_objects_whose_maker_is_gone_are_orphans() {
        let heartbeats = tempfile::tempdir().unwrap();
        let host = labels::host_name();
        // An engine of this data folder whose process is gone.
        std::fs::write(heartbeats.path().join("dead1"), format!("{host} 4194000")).unwrap();
        assert!(is_orphan(
            Some(&format!("{host}/4194000/dead1")),
            Some(10),
            heartbeats.path()
        ));
        // A laptop with the same host name on a shared daemon: no heartbeat here.
        assert!(!is_orphan(
            Some(&format!("{host}/4194000/elsewhere1")),
            Some(10),
            heartbeats.path()
        ));
        // An older Sandpiper's `<host>/<pid>`.
        assert!(is_orphan(
            Some(&format!("{host}/4194000")),
            Some(10),
            heartbeats.path()
        ));
        assert!(!is_orphan(
            Some("another-laptop/4194000"),
            Some(10),
            heartbeats.path()
        ));
        assert!(is_orphan(
            Some("another-laptop/1/x1"),
            Some(MAX_RUN_AGE_SECS + 1),
            heartbeats.path()
        ));
        assert!(!is_orphan(None, Some(10), heartbeats.path()));
    }
}
