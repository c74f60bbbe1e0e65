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
        // A volume still in use by a live container cannot be removed anyway;
        // its age frees one whose maker this data folder never knew (a crash
        // of another data folder's engine, or of a test).
        let age = age_secs(volume.created_at.as_deref(), now);
        if is_orphan(owner, age, heartbeats)
            && super::guard::remove_volume(docker, &volume.name)
                .await
                .is_ok()
        {
            reaped.volumes.push(volume.name);
        }
    }
    Ok(())
}

/// Seconds from `created` (the daemon's RFC 3339 `CreatedAt`, which Docker
/// and Podman both give a volume) to `now`; none when it is missing or
/// cannot be read, which leaves the object to its owner's liveness.
fn age_secs(created: Option<&str>, now: i64) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let created = time::OffsetDateTime::parse(created?, &Rfc3339).ok()?;
    Some(now - created.unix_timestamp())
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

    #[test]
    fn a_volumes_age_is_read_from_docker_and_podman_times() {
        let now = 1_764_406_800; // 2025-11-29T09:00:00Z
        // Docker: whole seconds, UTC.
        assert_eq!(age_secs(Some("2025-11-28T09:00:00Z"), now), Some(86_400));
        // Podman: nanoseconds and an offset.
        assert_eq!(
            age_secs(Some("2025-11-29T09:30:00.123456789+01:00"), now),
            Some(1_800)
        );
        // Missing or unreadable: no age, so only the owner can tell.
        assert_eq!(age_secs(None, now), None);
        assert_eq!(age_secs(Some("yesterday"), now), None);
        // Older than any run: an orphan even when its maker is unknown here.
        let heartbeats = tempfile::tempdir().unwrap();
        let unknown = Some("vm/1/an-engine-of-another-data-folder");
        let day_old = age_secs(Some("2025-11-28T08:59:00Z"), now);
        assert!(is_orphan(unknown, day_old, heartbeats.path()));
        let hour_old = age_secs(Some("2025-11-29T08:00:00Z"), now);
        assert!(!is_orphan(unknown, hour_old, heartbeats.path()));
    }
}
