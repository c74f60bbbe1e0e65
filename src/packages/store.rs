//! The package store: one Docker volume, shared by every session, holding the
//! install caches and the installed package sets (see `install.py` for its
//! layout). A session container mounts it read-only and imports from its
//! session's link, which always points at one complete set.

use super::names::Requirement;
use crate::docker::engine_kind::is_podman;
use crate::docker::{labels, podman};
use crate::error::Result;
use crate::ids::SessionId;
use bollard::Docker;
use bollard::models::{Mount, MountType};
use std::collections::HashMap;

/// Where the store is mounted, in the install container and in session containers.
pub(crate) const STORE_DIR: &str = "/sandpiper-store";

/// Where a session's packages are importable from (its link into the store).
pub(crate) fn python_path(session: &SessionId) -> String {
    format!("{STORE_DIR}/sessions/{session}")
}

/// The name of the set holding exactly `all` for the image `image_id`: the
/// same request on the same image always finds the same set.
pub(crate) fn set_key(image_id: &str, all: &[Requirement]) -> String {
    use sha2::{Digest, Sha256};
    let mut wanted: Vec<String> = all.iter().map(Requirement::to_pip_arg).collect();
    wanted.sort();
    wanted.dedup();
    let mut hasher = Sha256::new();
    hasher.update(image_id.as_bytes());
    for requirement in &wanted {
        hasher.update(b"\n");
        hasher.update(requirement.as_bytes());
    }
    hasher.finalize()[..10]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The store, mounted read-write (the install container) or read-only.
pub(crate) fn mount(volume: &str, read_only: bool) -> Mount {
    Mount {
        typ: Some(MountType::VOLUME),
        source: Some(volume.to_owned()),
        target: Some(STORE_DIR.to_owned()),
        read_only: Some(read_only),
        ..Default::default()
    }
}

/// Creates the store's volume the first time. It is labelled as Sandpiper's
/// but as a cache, so the reaper of crashed runs never takes it.
pub(crate) async fn ensure_volume(docker: &Docker, volume: &str) -> Result<()> {
    if docker.inspect_volume(volume).await.is_ok() {
        return Ok(());
    }
    // Written by the installer as root, read by sessions as the analyst.
    let driver_opts = is_podman(docker)
        .await
        .then(podman::root_owned_volume_options);
    docker
        .create_volume(bollard::models::VolumeCreateRequest {
            name: Some(volume.to_owned()),
            driver_opts,
            labels: Some(HashMap::from([
                (labels::MANAGED.to_owned(), "true".to_owned()),
                (labels::KIND.to_owned(), "cache".to_owned()),
            ])),
            ..Default::default()
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::parse_requirement;

    fn reqs(names: &[&str]) -> Vec<Requirement> {
        names
            .iter()
            .map(|n| parse_requirement(n).unwrap())
            .collect()
    }

    #[test]
    fn a_set_is_named_by_its_image_and_packages_in_any_order() {
        let key = set_key("sha256:aa", &reqs(&["pandas", "tabulate"]));
        assert_eq!(key, set_key("sha256:aa", &reqs(&["Tabulate", "pandas"])));
        assert_ne!(key, set_key("sha256:bb", &reqs(&["pandas", "tabulate"])));
        assert_ne!(key, set_key("sha256:aa", &reqs(&["pandas"])));
        assert_ne!(key, set_key("sha256:aa", &reqs(&["pandas<2", "tabulate"])));
        assert_eq!(key.len(), 20);
    }
}
