//! Settings and a run's folders → the container Docker creates. Every isolation
//! choice lives here, next to the reason for it.

use super::layout::{
    CONTAINER_DATA_DIR, CONTAINER_OUTPUT_DIR, CONTAINER_WORKSPACE_DIR, DatasetMount,
};
use crate::settings::SandboxSettings;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType, ResourcesUlimits};
use std::collections::HashMap;

/// What one container is made of, besides the settings.
pub(crate) struct RunSpec<'a> {
    /// `labels::for_ephemeral_run` or `labels::for_session`.
    pub labels: HashMap<String, String>,
    /// The tmpfs volume mounted as `/workspace`.
    pub workspace_volume: &'a str,
    pub datasets: &'a [DatasetMount],
    /// Where the datasets reach the container.
    pub data: DataSource<'a>,
    /// The harness's command line (see `harness::command`), or for a session
    /// container the resident harness (`harness::resident_command`).
    pub argv: Vec<String>,
    /// A session container's resident harness reads its runs from stdin.
    pub stdin_open: bool,
    /// Packages from outside the image (a session's set in the package store).
    pub packages: Option<PackageMount>,
}

/// Importable packages that are not in the image: a read-only mount, and the
/// folder in it that goes on Python's path. The sandbox does not know where
/// they come from; the package store says (`packages::store`).
pub(crate) struct PackageMount {
    pub mount: Mount,
    pub python_path: String,
}

/// How datasets reach the container.
#[derive(Clone, Copy)]
pub(crate) enum DataSource<'a> {
    /// A local daemon: each file bind-mounted read-only, nothing copied.
    BindMounts,
    /// A remote daemon cannot see our files: they were uploaded into this
    /// volume, mounted read-only at `/data`.
    Volume(&'a str),
}

pub(crate) fn build(settings: &SandboxSettings, run: RunSpec<'_>) -> ContainerCreateBody {
    let mut mounts = vec![volume(run.workspace_volume, CONTAINER_WORKSPACE_DIR, false)];
    match run.data {
        DataSource::BindMounts => mounts.extend(
            run.datasets
                .iter()
                .map(|d| bind(&d.host_path, &d.container_path, true)),
        ),
        DataSource::Volume(name) if !run.datasets.is_empty() => {
            mounts.push(volume(name, CONTAINER_DATA_DIR, true));
        }
        DataSource::Volume(_) => {}
    }
    if let Some(packages) = &run.packages {
        mounts.push(packages.mount.clone());
    }

    let host_config = HostConfig {
        memory: Some(settings.memory_bytes()),
        // Equal to memory: no swap beyond the limit, so a memory bomb is killed
        // instead of thrashing the laptop's disk.
        memory_swap: Some(settings.memory_bytes()),
        cpu_quota: Some(settings.cpu_quota_us),
        cpu_period: Some(settings.cpu_period_us),
        pids_limit: Some(settings.pids_limit),
        network_mode: Some("none".to_owned()),
        // The harness (process 1) runs as root with only what it needs to hand
        // the code another user (SETUID, SETGID, SETPCAP to empty the code's
        // bounding set) and to end whatever the code leaves (KILL). The code
        // runs as `code_user()` with no capability at all, so it can neither
        // read nor signal the harness. See harness.py.
        cap_drop: Some(vec!["ALL".to_owned()]),
        cap_add: Some(
            ["SETUID", "SETGID", "SETPCAP", "KILL"]
                .map(str::to_owned)
                .to_vec(),
        ),
        security_opt: Some(vec!["no-new-privileges".to_owned()]),
        readonly_rootfs: Some(true),
        // Python, matplotlib and pip want a writable /tmp and HOME; a capped tmpfs
        // gives them one without making the image writable.
        tmpfs: Some(HashMap::from([(
            "/tmp".to_owned(),
            "rw,nosuid,nodev,size=64m,mode=1777".to_owned(),
        )])),
        ulimits: Some(vec![ResourcesUlimits {
            name: Some("nofile".to_owned()),
            soft: Some(1024),
            hard: Some(1024),
        }]),
        mounts: Some(mounts),
        // Output reaches the engine only through the attach, never through
        // logs: code printing at full speed would otherwise fill the daemon's
        // disk (a GB in seconds), and a session's logs would grow with every
        // run for as long as it lives.
        log_config: Some(bollard::models::HostConfigLogConfig {
            typ: Some("none".to_owned()),
            config: None,
        }),
        ..Default::default()
    };

    let mut env = vec![
        "PYTHONUNBUFFERED=1".to_owned(),
        "PYTHONDONTWRITEBYTECODE=1".to_owned(),
        "HOME=/tmp".to_owned(),
        "MPLBACKEND=Agg".to_owned(),
        "MPLCONFIGDIR=/tmp/matplotlib".to_owned(),
        format!("SANDPIPER_OUTPUT_DIR={CONTAINER_OUTPUT_DIR}"),
    ];
    // Read explicitly by the harness (an isolated Python ignores it), and used
    // by Python programs the code starts.
    if let Some(packages) = &run.packages {
        env.push(format!("PYTHONPATH={}", packages.python_path));
    }
    ContainerCreateBody {
        image: Some(settings.image.clone()),
        cmd: Some(run.argv),
        // The harness starts where nobody can write; the code's process moves
        // to the work folder.
        working_dir: Some("/".to_owned()),
        user: Some(HARNESS_USER.to_owned()),
        env: Some(env),
        labels: Some(run.labels),
        network_disabled: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(false),
        open_stdin: Some(run.stdin_open),
        attach_stdin: Some(run.stdin_open),
        // Stays open when an attach ends: the harness waits for the next run.
        stdin_once: Some(false),
        host_config: Some(host_config),
        ..Default::default()
    }
}

fn volume(name: &str, target: &str, read_only: bool) -> Mount {
    Mount {
        typ: Some(MountType::VOLUME),
        source: Some(name.to_owned()),
        target: Some(target.to_owned()),
        read_only: Some(read_only),
        ..Default::default()
    }
}

fn bind(source: &std::path::Path, target: &str, read_only: bool) -> Mount {
    Mount {
        typ: Some(MountType::BIND),
        source: Some(source.to_string_lossy().into_owned()),
        target: Some(target.to_owned()),
        read_only: Some(read_only),
        ..Default::default()
    }
}

/// The user the harness (the container's process 1) starts as: root, with only
/// the capabilities `build` adds, so it can hand the code `code_user()`.
pub(crate) const HARNESS_USER: &str = "0:0";

/// The code's user, `uid:gid`, as `docker exec -u` takes it.
pub(crate) fn unprivileged_user() -> String {
    let (uid, gid) = code_user();
    format!("{uid}:{gid}")
}

/// The code never runs as root, nor as the harness. On Linux we take the
/// analyst's own uid, so the datasets they can read are readable inside too;
/// when the host process is root (CI, servers) we use 1000, the conventional
/// first unprivileged user.
pub(crate) fn code_user() -> (u32, u32) {
    #[cfg(unix)]
    {
        // SAFETY: getuid/getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        if uid != 0 {
            // Never the root group either: it owns files the code has no business reading.
            return (uid, if gid == 0 { uid } else { gid });
        }
    }
    (1000, 1000)
}
