//! The install step. Installing needs the network; analysis code must never have
//! it. So packages are installed by a separate, short-lived container that runs
//! only the installer (`install.py`, then uv or pip): network on, no dataset
//! mounted, no model code, wheels only (no package's own setup code runs),
//! writing into the package store (`store.rs`). Session containers mount the
//! store read-only, with the network off.

use super::names::Requirement;
use super::store;
use crate::docker::guard::{Guard, Resource};
use crate::docker::{labels, podman};
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::settings::{PackageSettings, SandboxSettings};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{CreateContainerOptions, LogsOptionsBuilder};
use futures_util::StreamExt;
use std::collections::HashMap;

const INSTALLER: &str = include_str!("install.py");
const CA_BUNDLE_IN_CONTAINER: &str = "/etc/sandpiper/ca.pem";
const INSTALL_TIMEOUT_SECS: u64 = 600;

/// One install: make the set `key` (holding `all`, for the image `image_id`)
/// exist, then point the session at it.
pub(crate) struct SetRequest<'a> {
    pub session: &'a SessionId,
    pub key: &'a str,
    pub image_id: &'a str,
    pub all: &'a [Requirement],
    /// What the user asked for this time, to name in errors.
    pub new: &'a [Requirement],
}

/// Makes the session's packages the set `request.key`, installing what it
/// has to.
pub(crate) async fn install(
    docker: &Docker,
    sandbox: &SandboxSettings,
    settings: &PackageSettings,
    remote: bool,
    request: &SetRequest<'_>,
) -> Result<()> {
    store::ensure_volume(docker, &settings.store_volume).await?;
    let args = serde_json::json!({
        "session": request.session,
        "key": request.key,
        "image": request.image_id,
        "all": request.all.iter().map(Requirement::to_pip_arg).collect::<Vec<_>>(),
    });
    let cmd = vec![
        "python3".to_owned(),
        "-I".to_owned(),
        "-c".to_owned(),
        INSTALLER.to_owned(),
        args.to_string(),
    ];
    // PIP_USER=0: images that set PIP_USER=1 (our image variants do, for their
    // non-root user) make pip refuse --target ("Can not combine '--user' and
    // '--target'"); the store is the only place packages go.
    let mut env = vec!["HOME=/tmp".to_owned(), "PIP_USER=0".to_owned()];
    let mut mounts = vec![store::mount(&settings.store_volume, false)];
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
    let (exit_code, log) =
        run_in_store(docker, sandbox, cmd, env, mounts, settings.network.clone()).await?;
    if exit_code == Some(0) {
        return Ok(());
    }
    Err(explain_failure(request.new, &log))
}

/// Removes links of sessions not in `live_sessions`, then package sets that no
/// session uses and no install wanted for `keep_days`.
pub(crate) async fn collect_garbage(
    docker: &Docker,
    sandbox: &SandboxSettings,
    settings: &PackageSettings,
    live_sessions: &[String],
    keep_days: u32,
) -> Result<Vec<String>> {
    if docker.inspect_volume(&settings.store_volume).await.is_err() {
        return Ok(Vec::new());
    }
    let args = serde_json::json!({ "live_sessions": live_sessions, "keep_days": keep_days });
    let cmd = vec![
        "python3".to_owned(),
        "-I".to_owned(),
        "-c".to_owned(),
        INSTALLER.to_owned(),
        "gc".to_owned(),
        args.to_string(),
    ];
    let mounts = vec![store::mount(&settings.store_volume, false)];
    let (exit_code, log) = run_in_store(
        docker,
        sandbox,
        cmd,
        Vec::new(),
        mounts,
        Some("none".into()),
    )
    .await?;
    if exit_code != Some(0) {
        return Err(Error::PackageInstallFailed {
            packages: String::new(),
            reason: format!("cleaning the package store failed: {}", last_line(&log)),
        });
    }
    Ok(log
        .lines()
        .filter_map(|l| l.strip_prefix("SANDPIPER-GC "))
        .map(str::to_owned)
        .collect())
}

/// Runs Sandpiper's own installer in a short-lived container with the store
/// mounted: its exit code and output.
async fn run_in_store(
    docker: &Docker,
    sandbox: &SandboxSettings,
    cmd: Vec<String>,
    env: Vec<String>,
    mounts: Vec<Mount>,
    network: Option<String>,
) -> Result<(Option<i64>, String)> {
    let run_id = crate::ids::RunId::new();
    let memory = sandbox.memory_bytes().max(2 * 1024 * 1024 * 1024);
    let body = ContainerCreateBody {
        image: Some(sandbox.image.clone()),
        // Isolated Python (`-I` above) started from `/`: nothing the store or
        // a working folder holds is imported by the installer itself.
        cmd: Some(cmd),
        working_dir: Some("/".to_owned()),
        env: Some(env),
        // Root, to write the root-owned store, but with no capabilities at all
        // and nothing but the installer to run.
        user: Some("0:0".to_owned()),
        labels: Some(labels::for_ephemeral_run(&run_id)),
        host_config: Some(HostConfig {
            memory: Some(memory),
            memory_swap: Some(memory),
            pids_limit: Some(sandbox.pids_limit),
            network_mode: network,
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
    outcome
}

fn last_line(log: &str) -> &str {
    log.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no reason given")
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
    let state = podman::settled(|| docker.inspect_container(id, None))
        .await?
        .state;
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

/// What pip and uv print when the index can't be reached at all. Checked
/// before "not found": pip ends such a failure with "No matching distribution",
/// which would send the user looking for a spelling mistake.
const UNREACHABLE: [&str; 12] = [
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "ProxyError",
    "Cannot connect to proxy",
    "Connection refused",
    "Network is unreachable",
    "ConnectTimeoutError",
    "Read timed out",
    "dns error",
    "tcp connect error",
    "error sending request",
];
const UNTRUSTED: [&str; 4] = [
    "CERTIFICATE_VERIFY_FAILED",
    "invalid peer certificate",
    "UnknownIssuer",
    "self-signed certificate",
];

fn explain_failure(requirements: &[Requirement], log: &str) -> Error {
    let packages = requirements
        .iter()
        .map(Requirement::to_pip_arg)
        .collect::<Vec<_>>()
        .join(", ");
    let line_with = |needles: &[&str]| {
        log.lines()
            .find(|l| needles.iter().any(|n| l.contains(n)))
            .map(|l| l.trim().chars().take(300).collect::<String>())
    };
    if let Some(detail) = line_with(&UNTRUSTED) {
        return Error::PackageIndexUntrusted { packages, detail };
    }
    if let Some(detail) = line_with(&UNREACHABLE) {
        return Error::PackageIndexUnreachable { packages, detail };
    }
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

    #[test]
    fn an_index_out_of_reach_is_not_called_a_missing_package() {
        let req = vec![super::super::names::parse_requirement("tabulate").unwrap()];
        let offline = "WARNING: Retrying (Retry(total=0)) after connection broken by 'NewConnectionError('<...>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/tabulate/\nERROR: Could not find a version that satisfies the requirement tabulate (from versions: none)\nERROR: No matching distribution found for tabulate\n";
        assert!(matches!(
            explain_failure(&req, offline),
            Error::PackageIndexUnreachable { packages, .. } if packages == "tabulate"
        ));
        let proxy = "WARNING: Retrying after connection broken by 'ProxyError('Cannot connect to proxy.')'\nERROR: No matching distribution found for tabulate\n";
        assert!(matches!(
            explain_failure(&req, proxy),
            Error::PackageIndexUnreachable { .. }
        ));
        let inspected = "Could not fetch URL https://pypi.org/simple/tabulate/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')))\n";
        assert!(matches!(
            explain_failure(&req, inspected),
            Error::PackageIndexUntrusted { .. }
        ));
        let uv = "error: Request failed after 3 retries\n  Caused by: error sending request for url (https://pypi.org/simple/tabulate/)\n  Caused by: dns error: failed to lookup address information\n";
        assert!(matches!(
            explain_failure(&req, uv),
            Error::PackageIndexUnreachable { .. }
        ));
    }
}
