//! What to tell a non-programmer about Docker, per platform. Kept in one place so
//! the status panel, the CLI and error messages always say the same thing.

use crate::plain_words::PlainWords;

pub fn not_installed() -> PlainWords {
    let advice = if cfg!(target_os = "linux") {
        "Sandpiper runs your analyses inside Docker, which keeps your computer safe. \
         Install Docker Desktop (docker.com), or ask your administrator to install Docker Engine \
         (on Ubuntu or Debian: the docker.io package). Sandpiper notices by itself when it is ready."
    } else {
        "Sandpiper runs your analyses inside Docker, which keeps your computer safe. \
         Install Docker Desktop from docker.com and open it once. \
         Sandpiper notices by itself when it is ready."
    };
    PlainWords::new("docker.not_installed", "Docker is not installed.", advice)
}

pub fn not_running() -> PlainWords {
    let advice = if cfg!(target_os = "linux") {
        "Open Docker Desktop, or ask your administrator to start the Docker service \
         (sudo systemctl start docker). Sandpiper notices by itself when it is running."
    } else {
        "Open Docker Desktop and wait until it says \"Engine running\". \
         Sandpiper notices by itself when it is running."
    };
    PlainWords::new(
        "docker.not_running",
        "Docker is installed but not running.",
        advice,
    )
}

/// Docker stopped answering in the middle of something (it quit, crashed or
/// restarted).
pub fn connection_lost() -> PlainWords {
    let start = if cfg!(target_os = "linux") {
        "Open Docker Desktop again, or ask your administrator to start the Docker service"
    } else {
        "Open Docker Desktop again and wait until it says \"Engine running\""
    };
    PlainWords::new(
        "docker.connection_lost",
        "Docker stopped answering, so Sandpiper could not finish.",
        format!(
            "Docker may have quit or restarted. {start}, then try again: nothing you made is \
             lost, and whatever the interrupted run left in Docker is cleaned up by itself."
        ),
    )
}

pub fn no_permission(socket: &str) -> PlainWords {
    PlainWords::new(
        "docker.no_permission",
        "Docker is running, but your account may not use it.",
        format!(
            "Ask your administrator to add your account to the \"docker\" group \
             (sudo usermod -aG docker $USER), then log out and back in. \
             (Sandpiper was refused at {socket}.)"
        ),
    )
}

/// `engine_name` as its makers write it ("Docker Desktop", "Podman", …);
/// `podman`: Podman is not Docker, while Colima and the others run Docker.
pub fn ready(engine_name: &str, podman: bool, version: &str) -> PlainWords {
    let title = if podman {
        "Podman is ready."
    } else {
        "Docker is ready."
    };
    PlainWords::new(
        "docker.ready",
        title,
        format!("Analyses run in a private, offline sandbox ({engine_name} {version})."),
    )
}
