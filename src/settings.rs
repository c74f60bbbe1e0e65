//! The one settings type. The desktop app stores it (tauri-plugin-store), the CLI
//! builds it from flags, and every engine part reads only the slice it needs.
//! Defaults come from the design seeds: 512 MiB, half of one CPU core, no network.

use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub docker: DockerSettings,
    pub sandbox: SandboxSettings,
}

/// Where the Docker daemon is. `None` means: look in the usual places
/// (`DOCKER_HOST`, the platform's default socket or pipe, Docker Desktop's, Colima's…).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DockerSettings {
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxSettings {
    /// The Python image every run starts from.
    pub image: String,
    /// Hard memory cap. Swap is set equal to it, so there is no swap beyond it.
    pub memory_mib: u64,
    /// CPU time the container may use per `cpu_period_us`: 50_000 / 100_000 is half a core.
    pub cpu_quota_us: i64,
    pub cpu_period_us: i64,
    /// Caps processes and threads, so a fork bomb stops at the container.
    pub pids_limit: i64,
    /// Wall-clock limit for one run; the container is killed when it is reached.
    pub timeout_secs: u64,
    /// What the host keeps of each of stdout and stderr; the rest is counted, not stored.
    pub output_cap_bytes: usize,
    /// Largest output file (chart, table) brought back from a run.
    pub artifact_cap_bytes: u64,
    /// Size of the run's work folder (`/workspace`, outputs included): code that
    /// fills it gets "no space left", and the host's disk is never touched.
    pub workspace_mib: u64,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            image: "python:3.11-slim".to_owned(),
            memory_mib: 512,
            cpu_quota_us: 50_000,
            cpu_period_us: 100_000,
            pids_limit: 256,
            timeout_secs: 120,
            output_cap_bytes: 1024 * 1024,
            artifact_cap_bytes: 50 * 1024 * 1024,
            workspace_mib: 256,
        }
    }
}

impl SandboxSettings {
    pub fn memory_bytes(&self) -> i64 {
        (self.memory_mib as i64) * 1024 * 1024
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// Refuses values that would make a run impossible or unsafe, in plain words.
    pub fn validate(&self) -> Result<(), String> {
        if self.image.trim().is_empty() {
            return Err("The Python image name is empty. The default is python:3.11-slim.".into());
        }
        if self.memory_mib < 64 {
            return Err("The memory limit must be at least 64 MiB.".into());
        }
        if self.cpu_period_us <= 0 || self.cpu_quota_us < 1_000 {
            return Err("The CPU limit must be at least 1% of one core.".into());
        }
        if self.pids_limit < 16 {
            return Err("The process limit must be at least 16.".into());
        }
        if self.workspace_mib < 16 {
            return Err("The work folder must be at least 16 MiB.".into());
        }
        if self.timeout_secs == 0 {
            return Err("The time limit must be at least one second.".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_seed() {
        let s = Settings::default();
        assert_eq!(s.sandbox.image, "python:3.11-slim");
        assert_eq!(s.sandbox.memory_bytes(), 512 * 1024 * 1024);
        assert_eq!(
            (s.sandbox.cpu_quota_us, s.sandbox.cpu_period_us),
            (50_000, 100_000)
        );
        assert!(s.sandbox.validate().is_ok());
    }

    #[test]
    fn partial_json_keeps_defaults_for_missing_fields() {
        let s: Settings = serde_json::from_str(r#"{"sandbox":{"memory_mib":1024}}"#).unwrap();
        assert_eq!(s.sandbox.memory_mib, 1024);
        assert_eq!(s.sandbox.image, "python:3.11-slim");
    }

    #[test]
    fn nonsense_limits_are_refused_in_plain_words() {
        let s = SandboxSettings {
            memory_mib: 1,
            ..SandboxSettings::default()
        };
        assert!(s.validate().unwrap_err().contains("at least 64 MiB"));
    }
}
