//! The options every subcommand that talks to a model shares, and the provider
//! they connect to.

use crate::terminal::print_error;
use sandpiper::llm::{self, Provider, ProviderId};
use sandpiper::settings::LlmSettings;
use std::process::ExitCode;

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
    /// The settings for `model` on this provider, and the provider connected
    /// with the key from the keychain (or the environment); or the exit code
    /// after saying why not.
    pub fn connect(
        &self,
        model: Option<String>,
    ) -> Result<(LlmSettings, Box<dyn Provider>), ExitCode> {
        let settings = LlmSettings {
            provider: self.provider,
            base_url: self.base_url.clone(),
            model,
            ..LlmSettings::default()
        };
        match llm::connect_with_stored_key(&settings) {
            Ok(provider) => Ok((settings, provider)),
            Err(err) => {
                print_error(&err.plain_words());
                Err(ExitCode::from(2))
            }
        }
    }
}
