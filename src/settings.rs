//! The one settings type. The desktop app stores it (tauri-plugin-store), the CLI
//! builds it from flags, and every engine part reads only the slice it needs.
//! Defaults come from the design seeds: 512 MiB, half of one CPU core, no network.

use crate::provider_id::ProviderId;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub docker: DockerSettings,
    pub sandbox: SandboxSettings,
    /// Which language model writes the analysis code, and what may be sent to it.
    pub llm: LlmSettings,
    /// Installing the packages an analysis needs.
    pub packages: PackageSettings,
    /// The analysis agent: tries per question, tokens per step, prompt style.
    pub agent: AgentSettings,
    /// Saved sessions: what is kept of each dataset.
    pub sessions: SessionSettings,
    /// How the window looks.
    pub appearance: AppearanceSettings,
}

/// The window's look. Only the desktop app reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppearanceSettings {
    pub theme: Theme,
}

/// Light or dark colours, or whichever the operating system uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// How hard the agent tries before it gives up, and how it asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentSettings {
    /// Tries per question (seed 000: 5). Installing a missing package spends none.
    pub max_tries: u32,
    /// Tokens one question may use over all its model calls, so a fix loop that
    /// goes nowhere cannot run up a bill.
    pub step_token_budget: u64,
    /// How the agent briefs the model.
    pub prompt: PromptStyle,
    /// Run analyses in the analysis image (the sandbox image with pandas, numpy,
    /// matplotlib, seaborn, scipy, scikit-learn, openpyxl, pyarrow and DuckDB
    /// baked in, built once on this computer). Off: the sandbox image as it is,
    /// with every package installed on demand.
    pub analysis_image: bool,
}

/// `compact` keeps the instructions short: small local models follow long
/// prompts badly. `auto` uses it for models on this computer or a local server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptStyle {
    #[default]
    Auto,
    Full,
    Compact,
}

impl Default for AgentSettings {
    fn default() -> Self {
        Self {
            max_tries: 5,
            step_token_budget: 120_000,
            prompt: PromptStyle::Auto,
            analysis_image: true,
        }
    }
}

impl AgentSettings {
    /// Refuses values that would make a question impossible to answer.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=20).contains(&self.max_tries) {
            return Err("The number of tries per question must be between 1 and 20.".into());
        }
        if self.step_token_budget < 1_000 {
            return Err("The token budget per question must be at least 1,000 tokens.".into());
        }
        Ok(())
    }
}

impl Settings {
    /// Checks every section, and says in plain words what can't be used. The one
    /// validation the app, the CLI and the engine share.
    pub fn validate(&self) -> Result<(), String> {
        self.sandbox.validate()?;
        self.llm.validate()?;
        self.packages.validate()?;
        self.agent.validate()?;
        self.sessions.validate()
    }
}

/// Where the Docker daemon is. `None` means: look in the usual places
/// (`DOCKER_HOST`, the platform's default socket or pipe, Docker Desktop's, Colima's…).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DockerSettings {
    pub endpoint: Option<String>,
    /// For a remote daemon over TLS (`tcp://host:2376`): the folder with `ca.pem`,
    /// `cert.pem` and `key.pem`, as Docker's `DOCKER_CERT_PATH` holds them.
    pub tls_cert_dir: Option<std::path::PathBuf>,
}

/// Installing packages (a separate step with network; analysis never has it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PackageSettings {
    /// Proxy for installs, e.g. `http://proxy.example:3128`.
    pub proxy: Option<String>,
    /// Extra trusted CA bundle (PEM) for networks that inspect TLS. Defaults to
    /// this computer's bundle, where company proxies install their root.
    pub ca_bundle: Option<std::path::PathBuf>,
    /// When not empty, only these packages may be installed.
    pub allowlist: Vec<String>,
    /// Installed without asking when the code imports them, like the
    /// well-known data packages (anything else is asked about once per
    /// session, and refused where nobody can answer). Restricts nothing.
    pub install_without_asking: Vec<String>,
    /// Never installed.
    pub denylist: Vec<String>,
    /// Install missing modules by themselves and run again (no model try spent).
    pub auto_install: bool,
    /// The Docker network installs use: the daemon's default bridge when unset.
    /// Networks where only a proxy reaches the internet name theirs here.
    pub network: Option<String>,
    /// The Docker volume holding installed packages and the download caches,
    /// shared by every session.
    pub store_volume: String,
}

impl Default for PackageSettings {
    fn default() -> Self {
        let system_bundle = [
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt",
            "/etc/ssl/cert.pem",
        ]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file());
        Self {
            proxy: None,
            ca_bundle: system_bundle,
            allowlist: Vec::new(),
            install_without_asking: Vec::new(),
            denylist: Vec::new(),
            auto_install: true,
            network: None,
            store_volume: "sandpiper-packages".to_owned(),
        }
    }
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

impl PackageSettings {
    /// Refuses values an install could not use, in plain words, before any
    /// container is made with them.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(proxy) = self.proxy.as_deref().filter(|p| !p.trim().is_empty()) {
            let parsed = reqwest::Url::parse(proxy.trim()).ok();
            let usable = parsed.as_ref().is_some_and(|url| {
                matches!(url.scheme(), "http" | "https") && url.host_str().is_some()
            });
            if !usable {
                return Err(format!(
                    "The proxy \"{proxy}\" is not an address Sandpiper can use. Write it like \
                     http://proxy.example.com:3128."
                ));
            }
        }
        if let Some(bundle) = &self.ca_bundle
            && !bundle.is_file()
        {
            return Err(format!(
                "The trusted certificates file {} does not exist. Choose another file, or use \
                 this computer's own (Settings → Packages → Trusted certificates).",
                bundle.display()
            ));
        }
        let docker_name = |name: &str| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        };
        if let Some(network) = &self.network
            && !docker_name(network)
        {
            return Err(format!(
                "\"{network}\" can't name a Docker network: use letters, digits, '.', '_' or '-'."
            ));
        }
        if !docker_name(&self.store_volume) {
            return Err(format!(
                "\"{}\" can't name the packages volume: use letters, digits, '.', '_' or '-'.",
                self.store_volume
            ));
        }
        Ok(())
    }
}

/// The language model. API keys are not here: they live in the OS keychain
/// (`llm::keys`), never in a settings file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmSettings {
    /// `anthropic`, `gemini`, `openai`, `openai-compatible`, `ollama` or `lmstudio`.
    pub provider: ProviderId,
    /// The model to ask. `None`: the provider's default (or, for a local server,
    /// the first model it lists).
    pub model: Option<String>,
    /// Where the provider's API is, e.g. `http://localhost:11434/v1`. `None`: the
    /// provider's own address (required for `openai-compatible`). The API's paths are
    /// appended to it: `/v1/messages` for Anthropic, `/models/...` for Gemini
    /// (whose default ends in `/v1beta`), `/chat/completions` for the OpenAI kinds.
    pub base_url: Option<String>,
    /// Send a few sample rows of each dataset along with its schema and statistics.
    /// Turn off for sensitive data: then only column names, types and statistics go.
    pub send_sample_rows: bool,
    /// How long to wait for a connection to the provider.
    pub connect_timeout_secs: u64,
    /// How long to wait for the reply to start, and then for each next piece of it.
    pub first_token_timeout_secs: u64,
    /// The longest one call may take, retries included.
    pub total_timeout_secs: u64,
    /// Tries per call when the provider is busy or limiting (429, 5xx, overloaded).
    pub max_attempts: u32,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            provider: ProviderId::Anthropic,
            model: None,
            base_url: None,
            send_sample_rows: true,
            connect_timeout_secs: 10,
            first_token_timeout_secs: 60,
            total_timeout_secs: 300,
            max_attempts: 4,
        }
    }
}

impl LlmSettings {
    /// Refuses values that would make a call impossible, in plain words.
    pub fn validate(&self) -> Result<(), String> {
        if self.connect_timeout_secs == 0
            || self.first_token_timeout_secs == 0
            || self.total_timeout_secs == 0
        {
            return Err("The model's time limits must be at least one second.".into());
        }
        if !(1..=10).contains(&self.max_attempts) {
            return Err("The number of tries must be between 1 and 10.".into());
        }
        if let Some(model) = &self.model
            && model.trim().is_empty()
        {
            return Err("The model name is empty. Pick a model from the list.".into());
        }
        self.provider.base_url(self.base_url.as_deref()).map(|_| ())
    }
}

/// Saved sessions (`<state dir>/sessions/<session id>/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionSettings {
    /// Datasets up to this size are copied into the session, so it reopens and
    /// re-runs even when the original changes or moves; larger ones are kept as
    /// a reference to the original (with its size and SHA-256, to notice a
    /// change). 0: never copy.
    pub copy_datasets_up_to_mib: u64,
    /// A session's container (Python with pandas loaded, and whatever the
    /// analysis holds) is stopped after this long without a run, giving its
    /// memory back; the next question starts it again, its work folder kept.
    /// 0: never.
    pub stop_idle_container_after_secs: u64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            copy_datasets_up_to_mib: 512,
            stop_idle_container_after_secs: 15 * 60,
        }
    }
}

impl SessionSettings {
    /// The largest copy allowed: 1 TiB, past which a number is a typo.
    const MAX_COPY_MIB: u64 = 1024 * 1024;

    pub fn copy_datasets_up_to_bytes(&self) -> u64 {
        self.copy_datasets_up_to_mib.saturating_mul(1024 * 1024)
    }

    /// Refuses a size no disk could hold, in plain words.
    pub fn validate(&self) -> Result<(), String> {
        if self.copy_datasets_up_to_mib > Self::MAX_COPY_MIB {
            return Err(format!(
                "Datasets can be copied into a session up to 1048576 MiB (1 TiB), not {} MiB. \
                 Use 0 to keep only a reference to each original.",
                self.copy_datasets_up_to_mib
            ));
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
    fn package_settings_an_install_could_not_use_are_refused_in_plain_words() {
        let ok = PackageSettings {
            proxy: Some("http://proxy.example:3128".into()),
            ca_bundle: None,
            network: Some("corp_net".into()),
            ..PackageSettings::default()
        };
        assert!(ok.validate().is_ok());
        let blank_proxy = PackageSettings {
            proxy: Some("  ".into()),
            ..ok.clone()
        };
        assert!(
            blank_proxy.validate().is_ok(),
            "a cleared field means no proxy"
        );
        for (bad, says) in [
            (
                PackageSettings {
                    proxy: Some("proxy.example:3128".into()),
                    ..ok.clone()
                },
                "Write it like http://",
            ),
            (
                PackageSettings {
                    ca_bundle: Some("/nowhere/corp.pem".into()),
                    ..ok.clone()
                },
                "does not exist",
            ),
            (
                PackageSettings {
                    network: Some("corp net; rm".into()),
                    ..ok.clone()
                },
                "can't name a Docker network",
            ),
        ] {
            let err = bad.validate().unwrap_err();
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn partial_json_keeps_defaults_for_missing_fields() {
        let s: Settings = serde_json::from_str(r#"{"sandbox":{"memory_mib":1024}}"#).unwrap();
        assert_eq!(s.sandbox.memory_mib, 1024);
        assert_eq!(s.sandbox.image, "python:3.11-slim");
    }

    #[test]
    fn llm_settings_default_to_sending_sample_rows_and_old_files_still_load() {
        let s: Settings = serde_json::from_str(r#"{"sandbox":{"memory_mib":1024}}"#).unwrap();
        assert!(s.llm.send_sample_rows);
        assert_eq!(s.llm.provider, ProviderId::Anthropic);
        let s: Settings =
            serde_json::from_str(r#"{"llm":{"provider":"ollama","send_sample_rows":false}}"#)
                .unwrap();
        assert_eq!(s.llm.provider, ProviderId::Ollama);
        assert!(!s.llm.send_sample_rows);
        assert_eq!(s.llm.total_timeout_secs, 300);
        assert!(s.llm.validate().is_ok());
    }

    #[test]
    fn openai_compatible_needs_an_address() {
        let s = LlmSettings {
            provider: ProviderId::OpenAiCompatible,
            ..LlmSettings::default()
        };
        assert!(s.validate().unwrap_err().contains("address"));
    }

    #[test]
    fn one_validation_covers_every_section() {
        assert!(Settings::default().validate().is_ok());
        let mut bad_packages = Settings::default();
        bad_packages.packages.proxy = Some("proxy.example:3128".into());
        assert!(bad_packages.validate().unwrap_err().contains("http://"));
        let mut bad_llm = Settings::default();
        bad_llm.llm.max_attempts = 0;
        assert!(bad_llm.validate().unwrap_err().contains("tries"));
        let mut bad_sandbox = Settings::default();
        bad_sandbox.sandbox.timeout_secs = 0;
        assert!(bad_sandbox.validate().unwrap_err().contains("time limit"));
        let mut bad_sessions = Settings::default();
        bad_sessions.sessions.copy_datasets_up_to_mib = u64::MAX;
        assert!(bad_sessions.validate().unwrap_err().contains("1 TiB"));
        let mut never_copy = Settings::default();
        never_copy.sessions.copy_datasets_up_to_mib = 0;
        assert!(never_copy.validate().is_ok());
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
