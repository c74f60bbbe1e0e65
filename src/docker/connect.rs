//! Finding the Docker daemon. Analysts never set DOCKER_HOST, and Docker Desktop,
//! Colima, OrbStack, rootless Docker and Podman each put their socket somewhere
//! else, so we look in every usual place and remember why each one failed.

use super::EngineKind;
use crate::error::{Error, Result};
use crate::settings::DockerSettings;
use bollard::Docker;
use bollard::models::SystemVersion;
use std::path::PathBuf;
use std::time::Duration;

/// How long a single "are you there?" may take before we call the daemon absent.
const PING_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a daemon that answered may take to say which it is. Podman's
/// `/version` runs conmon and the container runtime to ask theirs: a second
/// or more on a busy machine, where its `/_ping` takes milliseconds.
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);
/// Runs stream output for as long as they last; bollard's 2-minute default would cut them.
const REQUEST_TIMEOUT_SECS: u64 = 24 * 60 * 60;

/// Where Docker Engine and Docker Desktop listen by default.
#[cfg(unix)]
const PLATFORM_DEFAULT: &str = "unix:///var/run/docker.sock";
#[cfg(windows)]
const PLATFORM_DEFAULT: &str = "npipe:////./pipe/docker_engine";

/// A daemon that answered a ping.
#[derive(Clone, Debug)]
pub struct Connection {
    pub docker: Docker,
    /// Where it answered, e.g. `unix:///var/run/docker.sock`.
    pub endpoint: String,
    pub version: String,
    /// Which engine it is (Docker Engine, Docker Desktop, Podman, ...).
    pub engine: EngineKind,
    /// The daemon is on another machine: it cannot see this one's files, so
    /// datasets and outputs travel through the API, never through bind mounts.
    pub remote: bool,
}

/// Whether an endpoint reaches a daemon on another machine (or one that must be
/// treated so: a TCP listener never shares our file system by contract).
pub fn is_remote_endpoint(endpoint: &str) -> bool {
    ["tcp://", "http://", "https://", "ssh://"]
        .iter()
        .any(|scheme| endpoint.starts_with(scheme))
}

/// Why one candidate endpoint did not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Nothing there: no socket file, connection refused, or no answer.
    Absent,
    /// A socket exists but this account may not open it.
    PermissionDenied,
}

/// Connects to the daemon named in settings, or else the first one found in the usual places.
pub async fn connect(settings: &DockerSettings) -> Result<Connection> {
    let candidates = match &settings.endpoint {
        Some(endpoint) if is_remote_endpoint(endpoint.trim()) => {
            return connect_remote(endpoint.trim(), settings.tls_cert_dir.as_deref()).await;
        }
        Some(endpoint) if !endpoint.trim().is_empty() => vec![endpoint.trim().to_owned()],
        _ => default_candidates(),
    };
    let mut denied_socket = None;
    for endpoint in &candidates {
        match try_endpoint(endpoint).await {
            Ok(connection) => return Ok(connection),
            Err(CandidateError::Refused(Refusal::PermissionDenied)) => {
                denied_socket.get_or_insert_with(|| endpoint.clone());
            }
            Err(CandidateError::Refused(Refusal::Absent)) => {}
            Err(CandidateError::Invalid(reason)) => {
                return Err(Error::DockerEndpointInvalid {
                    endpoint: endpoint.clone(),
                    reason,
                });
            }
        }
    }
    if let Some(socket) = denied_socket {
        return Err(Error::DockerPermissionDenied { socket });
    }
    if docker_is_installed() {
        Err(Error::DockerNotRunning {
            tried: candidates.join(", "),
        })
    } else {
        Err(Error::DockerNotInstalled)
    }
}

/// A daemon on another machine, over TLS when a certificate folder is given.
async fn connect_remote(endpoint: &str, cert_dir: Option<&std::path::Path>) -> Result<Connection> {
    let unreachable = |reason: String| Error::DockerRemoteUnreachable {
        endpoint: endpoint.to_owned(),
        reason,
    };
    let docker = match cert_dir {
        Some(dir) => Docker::connect_with_ssl(
            endpoint,
            &dir.join("key.pem"),
            &dir.join("cert.pem"),
            &dir.join("ca.pem"),
            REQUEST_TIMEOUT_SECS,
            bollard::API_DEFAULT_VERSION,
        ),
        None => Docker::connect_with_host(endpoint),
    }
    .map_err(|err| Error::DockerEndpointInvalid {
        endpoint: endpoint.to_owned(),
        reason: err.to_string(),
    })?
    .with_timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS));
    let version = ask_version(&docker).await.map_err(unreachable)?;
    Ok(Connection {
        docker,
        endpoint: endpoint.to_owned(),
        engine: EngineKind::identify(&version, endpoint),
        version: version.version.unwrap_or_else(|| "unknown version".into()),
        remote: true,
    })
}

/// A quick ping tells a daemon from nothing at all; only then is it asked,
/// with more patience, which engine and version it is.
async fn ask_version(docker: &Docker) -> std::result::Result<SystemVersion, String> {
    tokio::time::timeout(PING_TIMEOUT, docker.ping())
        .await
        .map_err(|_| format!("it did not answer within {} s", PING_TIMEOUT.as_secs()))?
        .map_err(|err| err.to_string())?;
    tokio::time::timeout(VERSION_TIMEOUT, docker.version())
        .await
        .map_err(|_| {
            format!(
                "it answered but did not give its version within {} s",
                VERSION_TIMEOUT.as_secs()
            )
        })?
        .map_err(|err| err.to_string())
}

enum CandidateError {
    Refused(Refusal),
    Invalid(String),
}

async fn try_endpoint(endpoint: &str) -> Result<Connection, CandidateError> {
    // A quick synchronous probe of a unix socket tells "not permitted" from "not there",
    // which bollard's error does not expose.
    if let Some(path) = endpoint.strip_prefix("unix://") {
        probe_unix_socket(path).map_err(CandidateError::Refused)?;
    }
    let docker = Docker::connect_with_host(endpoint)
        .map_err(|err| CandidateError::Invalid(err.to_string()))?
        .with_timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS));
    let version = ask_version(&docker)
        .await
        .map_err(|_| CandidateError::Refused(Refusal::Absent))?;
    Ok(Connection {
        docker,
        endpoint: endpoint.to_owned(),
        engine: EngineKind::identify(&version, endpoint),
        version: version.version.unwrap_or_else(|| "unknown version".into()),
        remote: is_remote_endpoint(endpoint),
    })
}

#[cfg(unix)]
fn probe_unix_socket(path: &str) -> Result<(), Refusal> {
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Ok(()),
        Err(err) => Err(classify_connect_error(err.kind())),
    }
}

#[cfg(not(unix))]
fn probe_unix_socket(_path: &str) -> Result<(), Refusal> {
    Ok(())
}

pub(crate) fn classify_connect_error(kind: std::io::ErrorKind) -> Refusal {
    match kind {
        std::io::ErrorKind::PermissionDenied => Refusal::PermissionDenied,
        _ => Refusal::Absent,
    }
}

/// `DOCKER_HOST` first (the user or their admin chose it), then the platform default,
/// then where Docker Desktop, rootless Docker, Colima, OrbStack and Podman put theirs.
fn default_candidates() -> Vec<String> {
    let mut candidates = Vec::new();
    if let Ok(host) = std::env::var("DOCKER_HOST")
        && !host.trim().is_empty()
    {
        candidates.push(host.trim().to_owned());
    }
    candidates.push(PLATFORM_DEFAULT.to_owned());
    if cfg!(unix) {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let sockets = unix_sockets(
            home.as_deref(),
            std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
            std::env::var_os("TMPDIR").map(PathBuf::from),
        );
        for socket in sockets {
            let endpoint = format!("unix://{}", socket.display());
            if !candidates.contains(&endpoint) {
                candidates.push(endpoint);
            }
        }
    }
    if cfg!(windows) {
        // `podman machine` on Windows; with its Docker compatibility turned on
        // it also answers on the platform default.
        candidates.push("npipe:////./pipe/podman-machine-default".to_owned());
    }
    candidates
}

/// The sockets of Docker Desktop, Colima, OrbStack, Rancher Desktop, rootless
/// Docker, then Podman's: rootful and rootless on Linux, and `podman machine`'s
/// on macOS (Podman 4 under the home folder, Podman 5 under `$TMPDIR`).
fn unix_sockets(
    home: Option<&std::path::Path>,
    runtime: Option<PathBuf>,
    tmp: Option<PathBuf>,
) -> Vec<PathBuf> {
    let mut sockets: Vec<PathBuf> = Vec::new();
    if let Some(home) = home {
        for rel in [
            ".docker/run/docker.sock",
            ".docker/desktop/docker.sock",
            ".colima/default/docker.sock",
            ".orbstack/run/docker.sock",
            ".rd/docker.sock",
        ] {
            sockets.push(home.join(rel));
        }
    }
    // An app started from the desktop may not have XDG_RUNTIME_DIR: systemd's
    // place for it is the same for every Linux user.
    #[cfg(unix)]
    let runtime = runtime.or_else(|| {
        // SAFETY: getuid cannot fail and touches no memory.
        let uid = unsafe { libc::getuid() };
        Some(PathBuf::from(format!("/run/user/{uid}")))
    });
    if let Some(runtime) = &runtime {
        sockets.push(runtime.join("docker.sock"));
        sockets.push(runtime.join("podman/podman.sock"));
    }
    sockets.push(PathBuf::from("/run/podman/podman.sock"));
    if let Some(home) = home {
        let machine = home.join(".local/share/containers/podman/machine");
        for rel in [
            "podman.sock",
            "podman-machine-default/podman.sock",
            "qemu/podman.sock",
            "applehv/podman.sock",
        ] {
            sockets.push(machine.join(rel));
        }
    }
    if let Some(tmp) = tmp
        && let Ok(entries) = std::fs::read_dir(tmp.join("podman"))
    {
        let mut machines: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.to_string_lossy().ends_with("-api.sock"))
            .collect();
        machines.sort();
        sockets.extend(machines);
    }
    sockets
}

/// Whether any Docker is on this machine, running or not.
fn docker_is_installed() -> bool {
    let in_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths).any(|dir| {
                ["docker", "docker.exe", "dockerd", "podman"]
                    .iter()
                    .any(|name| dir.join(name).is_file())
            })
        })
        .unwrap_or(false);
    let known_places = [
        "/Applications/Docker.app",
        "/usr/bin/dockerd",
        "/usr/local/bin/docker",
        r"C:\Program Files\Docker\Docker\Docker Desktop.exe",
    ];
    in_path
        || known_places
            .iter()
            .any(|p| std::path::Path::new(p).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_errors_are_told_apart_from_absence() {
        assert_eq!(
            classify_connect_error(std::io::ErrorKind::PermissionDenied),
            Refusal::PermissionDenied
        );
        assert_eq!(
            classify_connect_error(std::io::ErrorKind::ConnectionRefused),
            Refusal::Absent
        );
        assert_eq!(
            classify_connect_error(std::io::ErrorKind::NotFound),
            Refusal::Absent
        );
    }

    #[test]
    fn the_platform_default_is_always_tried() {
        assert!(default_candidates().contains(&PLATFORM_DEFAULT.to_owned()));
    }

    #[test]
    fn podman_is_looked_for_rootful_rootless_and_in_its_machine() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("podman")).unwrap();
        let machine_socket = tmp.path().join("podman/podman-machine-default-api.sock");
        std::fs::write(&machine_socket, "").unwrap();
        std::fs::write(tmp.path().join("podman/gvproxy.sock"), "").unwrap();
        let sockets = unix_sockets(
            Some(std::path::Path::new("/home/ann")),
            Some(PathBuf::from("/run/user/1000")),
            Some(tmp.path().to_owned()),
        );
        for expected in [
            PathBuf::from("/run/podman/podman.sock"),
            PathBuf::from("/run/user/1000/podman/podman.sock"),
            PathBuf::from("/home/ann/.local/share/containers/podman/machine/podman.sock"),
            machine_socket,
        ] {
            assert!(sockets.contains(&expected), "{expected:?} in {sockets:?}");
        }
        assert!(!sockets.iter().any(|s| s.ends_with("gvproxy.sock")));
        // Docker's places come first: with both engines, Docker is used.
        let docker = sockets.iter().position(|s| s.ends_with(".rd/docker.sock"));
        let podman = sockets
            .iter()
            .position(|s| s.ends_with("podman/podman.sock"));
        assert!(docker < podman);
    }
}
