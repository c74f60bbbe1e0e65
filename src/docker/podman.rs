//! Where Podman's Docker-compatible API answers differently from Docker's, and
//! what Sandpiper does about it. Each difference is handled here, once, and
//! listed in the README ("Podman"); the rest of the engine speaks plain Docker.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

/// A work folder's size cap, as a tmpfs mount option, the Docker way.
///
/// Docker passes `size=256m` to tmpfs. Podman before 4.8 reads `size=` in a
/// volume's options as an XFS project quota, even for a tmpfs volume, and
/// refuses the volume where the file system has none: "volume options size
/// and inodes not supported" (containers/podman#20449). tmpfs's own
/// `nr_blocks` sets the same cap counted in memory pages, and Podman passes it
/// through untouched, so the cap holds on every Podman.
pub(crate) fn tmpfs_size(size_mib: u64) -> String {
    format!("size={size_mib}m")
}

/// The same cap for a Podman that refused `tmpfs_size`.
pub(crate) fn tmpfs_size_in_pages(size_mib: u64) -> String {
    format!("nr_blocks={}", size_mib * 1024 * 1024 / page_size())
}

/// Whether the daemon refused a sized tmpfs volume the way Podman before 4.8
/// does. The volume is then asked for again with `tmpfs_size_in_pages`:
/// asking the Docker way first keeps Docker, newer Podman and any other engine
/// on the exact byte size, and costs old Podman one refused request.
pub(crate) fn refused_sized_tmpfs(err: &bollard::errors::Error) -> bool {
    matches!(
        err,
        bollard::errors::Error::DockerResponseServerError { message, .. }
            if message.contains("volume options size and inodes not supported")
    )
}

/// The size of the pages `nr_blocks` counts. A local engine on Linux shares our
/// kernel; Podman's virtual machine on macOS and Windows (Fedora CoreOS) uses
/// 4 KiB pages on Intel and ARM alike.
fn page_size() -> u64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf only reads a constant of the running kernel.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if let Ok(size) = u64::try_from(size)
            && size > 0
        {
            return size;
        }
    }
    4096
}

/// An image's name as a user writes it. Docker reports a container's image
/// as it was asked for (`python:3.11-slim`); Podman reports the name it
/// resolved: `docker.io/library/python:3.11-slim`, or
/// `localhost/python:3.11-slim` for an image loaded or built on this machine.
/// Compared and shown without those prefixes, a session's container is known
/// to run its image on both (else every run would make a new one).
pub(crate) fn short_image_name(name: &str) -> &str {
    ["docker.io/library/", "docker.io/", "localhost/"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(name)
}

/// Driver options that keep a new disk volume root's, for Podman only.
///
/// Docker leaves a new volume's folder to root. Podman hands it to the user of
/// the first container that mounts it. The package store is first mounted,
/// read-only, by a session container running as the analyst, so on Podman it
/// became theirs and the installer (root, but with no capabilities) could no
/// longer write it: "Permission denied: '/sandpiper-store/sets'". Podman's
/// `uid`/`gid` options set the owner at creation and turn the hand-over off.
/// Docker's local driver would take the same options for a mount to make, so
/// callers pass them to Podman only (`engine_kind::is_podman`).
pub(crate) fn root_owned_volume_options() -> HashMap<String, String> {
    HashMap::from([("o".to_owned(), "uid=0,gid=0".to_owned())])
}

/// Reads a container's state as Docker would give it.
///
/// Podman calls a container whose process has ended "stopped" until its
/// cleanup process has run (a fraction of a second, longer on a busy machine),
/// and "exited" after. Docker's API has no "stopped", so bollard refuses the
/// whole answer: "unknown variant `stopped`". Reading state right after a run
/// ended, a stop or a kill, `ask` is asked again until Podman has settled it;
/// on Docker the first answer stands.
pub(crate) async fn settled<T, F, Fut>(mut ask: F) -> Result<T, bollard::errors::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, bollard::errors::Error>>,
{
    let deadline = Instant::now() + SETTLE_LIMIT;
    loop {
        match ask().await {
            Err(err) if is_unsettled(&err) && Instant::now() < deadline => {
                tokio::time::sleep(SETTLE_POLL).await;
            }
            answer => return answer,
        }
    }
}

/// How long Podman may take to settle a stopped container, and how often to look.
const SETTLE_LIMIT: Duration = Duration::from_secs(15);
const SETTLE_POLL: Duration = Duration::from_millis(100);

fn is_unsettled(err: &bollard::errors::Error) -> bool {
    matches!(
        err,
        bollard::errors::Error::JsonDataError { message, .. }
            if message.contains("unknown variant `stopped`")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_the_same_size_in_bytes_or_in_pages() {
        assert_eq!(tmpfs_size(256), "size=256m");
        let pages: u64 = tmpfs_size_in_pages(256)
            .strip_prefix("nr_blocks=")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(pages * page_size(), 256 * 1024 * 1024);
    }

    #[test]
    fn an_image_has_one_short_name_on_docker_and_podman() {
        for reported in [
            "python:3.11-slim",
            "docker.io/library/python:3.11-slim",
            "localhost/python:3.11-slim",
        ] {
            assert_eq!(short_image_name(reported), "python:3.11-slim");
        }
        assert_eq!(
            short_image_name("docker.io/rocker/r-ver:4"),
            "rocker/r-ver:4"
        );
        // A registry of its own is part of the name.
        assert_eq!(
            short_image_name("localhost:5000/python:3.11-slim"),
            "localhost:5000/python:3.11-slim"
        );
        assert_eq!(short_image_name("ghcr.io/a/b:1"), "ghcr.io/a/b:1");
    }

    #[tokio::test]
    async fn a_stopped_container_is_asked_about_again_until_it_has_exited() {
        let unsettled = || bollard::errors::Error::JsonDataError {
            message: "unknown variant `stopped`, expected one of ``, `created`".to_owned(),
            column: 10,
        };
        let mut asked = 0;
        let answer = settled(|| {
            asked += 1;
            let answer = if asked < 3 {
                Err(unsettled())
            } else {
                Ok(asked)
            };
            std::future::ready(answer)
        })
        .await;
        assert_eq!(answer.unwrap(), 3);

        // Any other error is the answer at once.
        let mut asked = 0;
        let answer: Result<(), _> = settled(|| {
            asked += 1;
            std::future::ready(Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404,
                message: "no such container".to_owned(),
            }))
        })
        .await;
        assert!(answer.is_err());
        assert_eq!(asked, 1);
    }

    #[test]
    fn only_podmans_quota_refusal_is_retried() {
        let refusal = |message: &str| bollard::errors::Error::DockerResponseServerError {
            status_code: 500,
            message: message.to_owned(),
        };
        assert!(refused_sized_tmpfs(&refusal(
            "volume options size and inodes not supported. Filesystem does not support Project Quota"
        )));
        assert!(!refused_sized_tmpfs(&refusal("no space left on device")));
    }
}
