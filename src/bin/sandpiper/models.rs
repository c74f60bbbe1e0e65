//! `sandpiper models --provider P [--base-url U]`: the models a key or server
//! offers. Also the quickest check that a key or an address works.

use crate::provider_args::ProviderArgs;
use crate::terminal::print_error;
use sandpiper::llm;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    provider: ProviderArgs,
}

pub async fn run(args: Args) -> ExitCode {
    let provider = match args.provider.connect(None) {
        Ok((_, provider)) => provider,
        Err(code) => return code,
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
