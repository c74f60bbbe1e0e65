//! Telling the user whether Docker is ready, against the real daemon and against
//! places where no daemon is.

mod common;

use sandpiper::docker::{DockerState, status};
use sandpiper::settings::DockerSettings;

#[tokio::test]
async fn the_running_daemon_is_reported_ready_with_its_engine_and_version() {
    let s = status(&DockerSettings::default()).await;
    assert_eq!(
        s.state,
        DockerState::Ready,
        "{} {} (run scripts/test, which starts Docker)",
        s.title,
        s.advice
    );
    let engine = s.engine.expect("a ready engine is named");
    if let Some(expected) = common::expected_engine() {
        assert_eq!(engine, expected);
    }
    let title = match engine.as_str() {
        "Podman" => "Podman is ready.",
        _ => "Docker is ready.",
    };
    assert_eq!(s.title, title);
    let version = s.version.expect("a ready engine has a version");
    assert!(
        s.advice.contains(&format!("({engine} {version})")),
        "{}",
        s.advice
    );

    // `sandpiper doctor` says the same.
    let doctor = std::process::Command::new(env!("CARGO_BIN_EXE_sandpiper"))
        .arg("doctor")
        .output()
        .unwrap();
    assert!(doctor.status.success());
    let said = String::from_utf8_lossy(&doctor.stdout);
    assert!(said.starts_with(title), "{said}");
    assert!(said.contains(&format!("Engine: {engine}\n")), "{said}");
}

#[tokio::test]
async fn a_socket_with_no_daemon_behind_it_reads_as_not_running_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let settings = DockerSettings {
        endpoint: Some(format!(
            "unix://{}",
            dir.path().join("docker.sock").display()
        )),
        ..Default::default()
    };
    let s = status(&settings).await;
    // Docker is installed on every machine that runs these tests.
    assert_eq!(s.state, DockerState::NotRunning);
    assert_eq!(s.title, "Docker is installed but not running.");
    assert!(
        s.advice.contains("Sandpiper notices by itself"),
        "{}",
        s.advice
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_socket_that_refuses_this_account_reads_as_no_permission() {
    // A listening socket we may not connect to. Root ignores file modes, so when the
    // tests run as root the check runs as "nobody" through a child process instead.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();

    if unsafe { libc::getuid() } == 0 {
        let output = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_sandpiper"))
            .args(["doctor", "--docker-host"])
            .arg(format!("unix://{}", socket.display()))
            .output()
            .expect("setpriv (util-linux) runs");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success());
        assert!(
            text.contains("Docker is running, but your account may not use it."),
            "{text}"
        );
        assert!(text.contains("docker\" group"), "{text}");
    } else {
        let settings = DockerSettings {
            endpoint: Some(format!("unix://{}", socket.display())),
            ..Default::default()
        };
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o000)).unwrap();
        let s = status(&settings).await;
        assert_eq!(s.state, DockerState::NoPermission);
    }
}

#[tokio::test]
async fn a_malformed_endpoint_in_settings_is_explained() {
    let settings = DockerSettings {
        endpoint: Some("ftp://example.invalid".to_owned()),
        ..Default::default()
    };
    let s = status(&settings).await;
    assert_eq!(s.state, DockerState::Error);
    assert!(s.title.contains("ftp://example.invalid"), "{}", s.title);
    assert!(
        s.advice.contains("Clear the Docker address"),
        "{}",
        s.advice
    );
}
