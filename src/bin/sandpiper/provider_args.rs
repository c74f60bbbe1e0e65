//! The options every subcommand that talks to a model shares, and the engine and
//! model choice they make.

use sandpiper::engine::ModelChoice;
use sandpiper::{Engine, ProviderId, Settings};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct ProviderArgs {
    /// anthropic, gemini, openai, openai-compatible, ollama or lmstudio.
    #[arg(long)]
    provider: ProviderId,
    /// The API's address, e.g. http://localhost:8000/v1 (default: the provider's).
    #[arg(long)]
    base_url: Option<String>,
}

impl ProviderArgs {
    /// This provider and address, with `model` (`None`: the provider's default,
    /// or the first model a local server lists).
    pub fn choice(&self, model: Option<String>) -> ModelChoice {
        ModelChoice {
            provider: self.provider,
            base_url: self.base_url.clone(),
            model,
        }
    }

    /// An engine with the default settings: keys come from the OS keychain (or
    /// the environment), time limits and retries from the defaults.
    pub fn engine(&self) -> Arc<Engine> {
        Engine::new(Settings::default())
    }
}
