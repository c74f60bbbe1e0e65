//! The run's work folder: a tmpfs-backed Docker volume with a size cap, so code
//! that fills its disk stops at the cap, and nothing it writes touches the
//! host's disk. The daemon mounts it, so the engine can copy the output folder
//! out through the Docker API (which cannot see a container's own tmpfs mounts),
//! the same way for a local and a remote daemon.

use crate::docker::guard::{Guard, Resource};
use crate::docker::{labels, podman};
use crate::ids::RunId;
use bollard::Docker;
use bollard::models::VolumeCreateRequest;
use std::collections::HashMap;

pub(crate) async fn create(
    docker: &Docker,
    run_id: &RunId,
    size_mib: u64,
) -> Result<Guard, bollard::errors::Error> {
    let name = format!("sandpiper-run-{}", run_id.short());
    create_named(docker, name, labels::for_ephemeral_run(run_id), size_mib).await
}

/// A work-folder volume with a given name and labels (a session's is named
/// after the session).
pub(crate) async fn create_named(
    docker: &Docker,
    name: String,
    labels: HashMap<String, String>,
    size_mib: u64,
) -> Result<Guard, bollard::errors::Error> {
    let request = |size: String| VolumeCreateRequest {
        name: Some(name.clone()),
        driver: Some("local".to_owned()),
        driver_opts: Some(HashMap::from([
            ("type".to_owned(), "tmpfs".to_owned()),
            ("device".to_owned(), "tmpfs".to_owned()),
            // 1777 like /tmp: the code runs as an unprivileged user.
            ("o".to_owned(), format!("{size},mode=1777,nosuid,nodev")),
        ])),
        labels: Some(labels.clone()),
        ..Default::default()
    };
    let volume = match docker
        .create_volume(request(podman::tmpfs_size(size_mib)))
        .await
    {
        Err(err) if podman::refused_sized_tmpfs(&err) => {
            docker
                .create_volume(request(podman::tmpfs_size_in_pages(size_mib)))
                .await?
        }
        created => created?,
    };
    Ok(Guard::new(docker.clone(), Resource::Volume(volume.name)))
}
