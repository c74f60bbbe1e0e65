//! `sandpiper models --provider P [--base-url U]`: the models a key or server
//! offers. Also the quickest check that a key or an address works.

use crate::terminal::print_error;
use sandpiper::llm::{self, ProviderId};
use sandpiper::settings::LlmSettings;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

#[derive(clap::Args)]
pub struct Args {
    /// anthropic, gemini, openai, openai-compatible, ollama or lmstudio.
    #[arg(long)]
    provider: ProviderId,
    /// The API's address, e.g. http://localhost:8000/v1 (default: the provider's).
    #[arg(long)]
    base_url: Option<String>,
}

pub async fn run(args: Args) -> ExitCode {
    let settings = LlmSettings {
        provider: args.provider,
        base_url: args.base_url,
        ..LlmSettings::default()
    };
    let provider = match llm::connect_with_stored_key(&settings) {
        Ok(provider) => provider,
        Err(err) => {
            print_error(&err.plain_words());
            return ExitCode::from(2);
        }
    };
    let cancel = CancellationToken::new();
    match llm::test_connection(provider.as_ref(), None, &cancel).await {
        Ok(check) => {
            for model in &check.models {
                let default = if check.model.as_deref() == Some(model.id.as_str()) {
                    "  (default)"
                } else {
                    ""
                };
                match &model.display_name {
                    Some(name) if name != &model.id => println!("{}  {name}{default}", model.id),
                    _ => println!("{}{default}", model.id),
                }
            }
            if check.models.is_empty() {
                eprintln!("The server answered but lists no models.");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            print_error(&err.plain_words());
            ExitCode::FAILURE
        }
    }
}
