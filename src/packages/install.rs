//! The install step. Installing needs the network; analysis code must never have
//! it. So packages are installed by a separate, short-lived container that runs
//! only pip: network on, no dataset mounted, no model code, wheels only (no
//! package's own setup code runs), writing into the session's packages volume.
//! The session container mounts that volume read-only, with the network off.

use super::names::Requirement;
use crate::docker::labels;
use crate::error::{Error, Result};
use crate::sandbox::guard::{Guard, Resource};
use crate::settings::{PackageSettings, SandboxSettings};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{CreateContainerOptions, LogsOptionsBuilder};
use futures_util::StreamExt;
use std::collections::HashMap;

pub(crate) const PACKAGES_DIR: &str = "/packages";
const CACHE_DIR: &str = "/cache";
/// Shared by every session, so the second install of a package is fast.
pub(crate) const CACHE_VOLUME: &str = "sandpiper-pip-cache";
const CA_BUNDLE_IN_CONTAINER: &str = "/etc/sandpiper/ca.pem";
const INSTALL_TIMEOUT_SECS: u64 = 600;
const INSTALL_SCRIPT: &str = r#"if command -v uv >/dev/null 2>&1; then
  exec uv pip install --python python3 --target /packages --cache-dir /cache/uv \
    --only-binary :all: --compile-bytecode --link-mode copy --no-progress -- "$@"
else
  exec python3 -m pip install --target /packages --upgrade --only-binary=:all: \
    --cache-dir /cache/pip --disable-pip-version-check --no-input --progress-bar off \
    --root-user-action=ignore -- "$@"
fi"#;

/// Installs `requirements` into the volume `packages_volume`.
pub(crate) async fn install(
    docker: &Docker,
    sandbox: &SandboxSettings,
    settings: &PackageSettings,
    remote: bool,
    packages_volume: &str,
    requirements: &[Requirement],
) -> Result<()> {
    ensure_cache_volume(docker).await?;
    let install_id = crate::ids::RunId::new();
    // uv when the image has it (it unpacks each wheel once into its cache and
    // copies from there), pip otherwise. The requirements are arguments, never
    // part of the script.
    let mut cmd = vec![
        "sh".to_owned(),
        "-c".to_owned(),
        INSTALL_SCRIPT.to_owned(),
        "sandpiper-install".to_owned(),
    ];
    cmd.extend(requirements.iter().map(Requirement::to_pip_arg));

    let mut env = vec![
        "HOME=/tmp".to_owned(),
        "PYTHONDONTWRITEBYTECODE=1".to_owned(),
    ];
    let mut mounts = vec![
        volume(packages_volume, PACKAGES_DIR),
        volume(CACHE_VOLUME, CACHE_DIR),
    ];
    // A TLS-inspecting company proxy re-signs PyPI's certificate with its own
    // root, which only the host's trust store knows.
    if let Some(bundle) = settings.ca_bundle.as_ref().filter(|_| !remote) {
        mounts.push(Mount {
            typ: Some(MountType::BIND),
            source: Some(bundle.display().to_string()),
            target: Some(CA_BUNDLE_IN_CONTAINER.to_owned()),
            read_only: Some(true),
            ..Default::default()
        });
        env.push(format!("PIP_CERT={CA_BUNDLE_IN_CONTAINER}"));
        env.push(format!("SSL_CERT_FILE={CA_BUNDLE_IN_CONTAINER}"));
    }
    if let Some(proxy) = settings.proxy.as_deref().filter(|p| !p.is_empty()) {
        for var in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
            env.push(format!("{var}={proxy}"));
        }
    }
    let memory = sandbox.memory_bytes().max(2 * 1024 * 1024 * 1024);
    let body = ContainerCreateBody {
        image: Some(sandbox.image.clone()),
        cmd: Some(cmd),
        env: Some(env),
        // Root, to write the root-owned volumes, but with no capabilities at all
        // and nothing but pip to run.
        user: Some("0:0".to_owned()),
        labels: Some(labels::for_ephemeral_run(&install_id)),
        host_config: Some(HostConfig {
            memory: Some(memory),
            memory_swap: Some(memory),
            pids_limit: Some(sandbox.pids_limit),
            cap_drop: Some(vec!["ALL".to_owned()]),
            security_opt: Some(vec!["no-new-privileges".to_owned()]),
            readonly_rootfs: Some(true),
            tmpfs: Some(HashMap::from([(
                "/tmp".to_owned(),
                "rw,nosuid,nodev,size=1g,mode=1777".to_owned(),
            )])),
            mounts: Some(mounts),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = docker
        .create_container(None::<CreateContainerOptions>, body)
        .await?;
    let container = Guard::new(docker.clone(), Resource::Container(created.id));
    let outcome = run_to_end(docker, container.name()).await;
    container.remove().await?;
    let (exit_code, log) = outcome?;
    if exit_code == Some(0) {
        return Ok(());
    }
    Err(explain_failure(requirements, &log))
}

async fn run_to_end(docker: &Docker, id: &str) -> Result<(Option<i64>, String)> {
    docker.start_container(id, None).await?;
    let mut wait = docker.wait_container(id, None);
    let waited = tokio::time::timeout(
        std::time::Duration::from_secs(INSTALL_TIMEOUT_SECS),
        wait.next(),
    )
    .await;
    if waited.is_err() {
        return Err(Error::PackageInstallFailed {
            packages: String::new(),
            reason: format!("the install took longer than {INSTALL_TIMEOUT_SECS} s"),
        });
    }
    let state = docker.inspect_container(id, None).await?.state;
    let mut log = String::new();
    let mut logs = docker.logs(
        id,
        Some(
            LogsOptionsBuilder::default()
                .stdout(true)
                .stderr(true)
                .build(),
        ),
    );
    while let Some(chunk) = logs.next().await {
        log.push_str(&chunk?.to_string());
    }
    Ok((state.and_then(|s| s.exit_code), log))
}

fn explain_failure(requirements: &[Requirement], log: &str) -> Error {
    let packages = requirements
        .iter()
        .map(Requirement::to_pip_arg)
        .collect::<Vec<_>>()
        .join(", ");
    // uv: "Because nope-xyz was not found in the package registry and ..."
    if let Some(missing) = log.lines().find_map(|l| {
        let before = l.split(" was not found in the package registry").next()?;
        (before.len() < l.len()).then(|| before.rsplit(' ').next().unwrap_or_default().to_owned())
    }) {
        return Error::PackageNotFound { package: missing };
    }
    if let Some(line) = log
        .lines()
        .find(|l| l.contains("No matching distribution found for"))
    {
        let missing = line
            .rsplit("found for ")
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        return Error::PackageNotFound { package: missing };
    }
    let reason = log
        .lines()
        .rev()
        .find(|l| l.starts_with("ERROR:"))
        .or_else(|| log.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("pip gave no reason")
        .trim_start_matches("ERROR: ")
        .to_owned();
    Error::PackageInstallFailed { packages, reason }
}

async fn ensure_cache_volume(docker: &Docker) -> Result<()> {
    if docker.inspect_volume(CACHE_VOLUME).await.is_ok() {
        return Ok(());
    }
    docker
        .create_volume(bollard::models::VolumeCreateRequest {
            name: Some(CACHE_VOLUME.to_owned()),
            labels: Some(HashMap::from([
                (labels::MANAGED.to_owned(), "true".to_owned()),
                (labels::KIND.to_owned(), "cache".to_owned()),
            ])),
            ..Default::default()
        })
        .await?;
    Ok(())
}

fn volume(name: &str, target: &str) -> Mount {
    Mount {
        typ: Some(MountType::VOLUME),
        source: Some(name.to_owned()),
        target: Some(target.to_owned()),
        read_only: Some(false),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_errors_become_plain_errors() {
        let req = vec![super::super::names::parse_requirement("nope-xyz").unwrap()];
        let log = "ERROR: Could not find a version that satisfies the requirement nope-xyz (from versions: none)\nERROR: No matching distribution found for nope-xyz\n";
        assert!(matches!(
            explain_failure(&req, log),
            Error::PackageNotFound { package } if package == "nope-xyz"
        ));
        let uv = "  × No solution found when resolving dependencies:\n  ╰─▶ Because nope-xyz was not found in the package registry and you require nope-xyz, we can conclude that your requirements are unsatisfiable.\n";
        assert!(matches!(
            explain_failure(&req, uv),
            Error::PackageNotFound { package } if package == "nope-xyz"
        ));
        let other = explain_failure(
            &req,
            "ERROR: Could not install packages due to an OSError: disk\n",
        );
        assert!(matches!(other, Error::PackageInstallFailed { .. }));
    }
}
