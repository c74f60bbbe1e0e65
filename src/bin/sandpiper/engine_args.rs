//! The options every subcommand that runs code shares, and the engine they make.

use crate::terminal::print_error;
use sandpiper::{Engine, Settings};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct EngineArgs {
    /// Python image to run in.
    #[arg(long)]
    image: Option<String>,
    /// Memory limit in MiB.
    #[arg(long)]
    memory: Option<u64>,
    /// Time limit in seconds.
    #[arg(long)]
    timeout: Option<u64>,
    /// Where sessions keep their details (default: the app's data folder).
    #[arg(long, env = "SANDPIPER_STATE_DIR")]
    state_dir: Option<PathBuf>,
    /// Proxy for package installs, e.g. http://proxy.example:3128.
    #[arg(long)]
    proxy: Option<String>,
    /// Extra trusted certificates (PEM) for package installs behind a
    /// TLS-inspecting proxy (default: this computer's bundle).
    #[arg(long)]
    ca_bundle: Option<PathBuf>,
    /// Docker network for package installs (default: Docker's bridge).
    #[arg(long)]
    install_network: Option<String>,
    /// Install this package without asking when the code imports it, like
    /// the well-known data packages (repeat for more). Others are refused:
    /// a terminal has nobody to ask.
    #[arg(long = "allow-install", value_name = "PACKAGE")]
    allow_install: Vec<String>,
}

impl EngineArgs {
    /// The engine with these settings, or the exit code after saying why not.
    pub fn engine(&self) -> Result<Arc<Engine>, ExitCode> {
        self.engine_with(self.settings())
    }

    /// The settings these options give, on top of the defaults.
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::default();
        if let Some(image) = &self.image {
            settings.sandbox.image = image.clone();
        }
        if let Some(memory) = self.memory {
            settings.sandbox.memory_mib = memory;
        }
        if let Some(timeout) = self.timeout {
            settings.sandbox.timeout_secs = timeout;
        }
        if let Some(proxy) = &self.proxy {
            settings.packages.proxy = Some(proxy.clone());
        }
        if let Some(bundle) = &self.ca_bundle {
            settings.packages.ca_bundle = Some(bundle.clone());
        }
        if let Some(network) = &self.install_network {
            settings.packages.network = Some(network.clone());
        }
        settings
            .packages
            .install_without_asking
            .extend(self.allow_install.iter().cloned());
        settings
    }

    /// The engine with `settings` (checked first), or the exit code after saying
    /// why not.
    pub fn engine_with(&self, settings: Settings) -> Result<Arc<Engine>, ExitCode> {
        let state_dir = self
            .state_dir
            .clone()
            .unwrap_or_else(sandpiper::engine::default_state_dir);
        let engine = Engine::with_state_dir(Settings::default(), state_dir);
        match engine.set_settings(settings) {
            Ok(()) => Ok(engine),
            Err(err) => {
                print_error(&err.plain_words());
                Err(ExitCode::from(2))
            }
        }
    }
}

impl EngineArgs {
    /// `engine_with` for a command that runs code: first it removes what a
    /// crashed or killed Sandpiper left (as the app does at its start), so a
    /// terminal user's killed run never lingers. Quietly: a Docker that does
    /// not answer is reported by the command itself.
    pub async fn engine_to_run_code(&self, settings: Settings) -> Result<Arc<Engine>, ExitCode> {
        let engine = self.engine_with(settings)?;
        if let Ok(reaped) = engine.reap_orphans().await
            && !reaped.containers.is_empty()
        {
            eprintln!(
                "Removed {} container(s) a stopped Sandpiper had left running.",
                reaped.containers.len()
            );
        }
        Ok(engine)
    }
}
