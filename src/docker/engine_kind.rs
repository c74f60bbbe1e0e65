//! Which container engine answers on the Docker API. Docker Engine, Docker
//! Desktop, Podman, and the apps that run Docker Engine in a virtual machine
//! (Colima, OrbStack, Rancher Desktop) all speak it; the user wants to know
//! which one Sandpiper found, and Podman's differences are handled by name
//! (see `podman`).

use bollard::Docker;
use bollard::models::SystemVersion;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    DockerEngine,
    DockerDesktop,
    Podman,
    Colima,
    OrbStack,
    RancherDesktop,
}

impl EngineKind {
    /// From the engine's own answer to `GET /version`, and where it answered:
    /// Podman names itself among the components and Docker Desktop in the
    /// platform; Colima, OrbStack and Rancher Desktop run a plain Docker Engine
    /// that only their socket's place tells apart.
    pub fn identify(version: &SystemVersion, endpoint: &str) -> Self {
        let podman = version
            .components
            .iter()
            .flatten()
            .any(|component| component.name.contains("Podman"));
        let platform = version
            .platform
            .as_ref()
            .map(|p| p.name.as_str())
            .unwrap_or_default();
        if podman {
            EngineKind::Podman
        } else if platform.contains("Docker Desktop") {
            EngineKind::DockerDesktop
        } else if endpoint.contains("/.colima/") {
            EngineKind::Colima
        } else if endpoint.contains("/.orbstack/") {
            EngineKind::OrbStack
        } else if endpoint.contains("/.rd/") {
            EngineKind::RancherDesktop
        } else {
            EngineKind::DockerEngine
        }
    }

    /// The engine's name as its makers write it.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::DockerEngine => "Docker Engine",
            EngineKind::DockerDesktop => "Docker Desktop",
            EngineKind::Podman => "Podman",
            EngineKind::Colima => "Colima",
            EngineKind::OrbStack => "OrbStack",
            EngineKind::RancherDesktop => "Rancher Desktop",
        }
    }
}

/// Asks the engine behind `docker` which one it is (one `GET /version`), for
/// the rare step that needs it and has no `Connection` at hand.
pub(crate) async fn is_podman(docker: &Docker) -> bool {
    docker
        .version()
        .await
        .is_ok_and(|version| EngineKind::identify(&version, "") == EngineKind::Podman)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{SystemVersionComponents, SystemVersionPlatform};

    fn version(platform: &str, components: &[&str]) -> SystemVersion {
        SystemVersion {
            platform: Some(SystemVersionPlatform {
                name: platform.to_owned(),
            }),
            components: Some(
                components
                    .iter()
                    .map(|name| SystemVersionComponents {
                        name: (*name).to_owned(),
                        version: "1".to_owned(),
                        details: None,
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    #[test]
    fn each_engine_is_known_by_its_own_answer_or_its_socket() {
        let engine = ["Engine", "containerd", "runc"];
        let cases = [
            // What Podman 4.3's service answers.
            (
                version("linux/amd64/debian-12", &["Podman Engine", "Conmon"]),
                "unix:///run/podman/podman.sock",
                EngineKind::Podman,
            ),
            (
                version("Docker Desktop 4.30.0 (149282)", &engine),
                "unix:///Users/a/.docker/run/docker.sock",
                EngineKind::DockerDesktop,
            ),
            (
                version("Docker Engine - Community", &engine),
                "unix:///var/run/docker.sock",
                EngineKind::DockerEngine,
            ),
            // Debian's docker.io names no platform.
            (
                version("", &engine),
                "unix:///var/run/docker.sock",
                EngineKind::DockerEngine,
            ),
            (
                version("Docker Engine - Community", &engine),
                "unix:///Users/a/.colima/default/docker.sock",
                EngineKind::Colima,
            ),
            (
                version("", &engine),
                "unix:///Users/a/.orbstack/run/docker.sock",
                EngineKind::OrbStack,
            ),
            (
                version("", &engine),
                "unix:///Users/a/.rd/docker.sock",
                EngineKind::RancherDesktop,
            ),
        ];
        for (version, endpoint, expected) in cases {
            assert_eq!(
                EngineKind::identify(&version, endpoint),
                expected,
                "{endpoint}"
            );
        }
    }
}
