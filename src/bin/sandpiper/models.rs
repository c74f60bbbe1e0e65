//! `sandpiper models --provider P [--base-url U]`: the models a key or server
//! offers. Also the quickest check that a key or an address works.

use crate::provider_args::ProviderArgs;
use crate::terminal::print_error;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    provider: ProviderArgs,
}

pub async fn run(args: Args) -> ExitCode {
    let engine = args.provider.engine();
    match engine.test_connection(&args.provider.choice(None)).await {
        Ok(report) => {
            for model in &report.models {
                let default = if report.model.as_deref() == Some(model.id.as_str()) {
                    "  (default)"
                } else {
                    ""
                };
                match &model.display_name {
                    Some(name) if name != &model.id => println!("{}  {name}{default}", model.id),
                    _ => println!("{}{default}", model.id),
                }
            }
            if report.models.is_empty() {
                eprintln!("The server answered but lists no models.");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            print_error(&err.plain_words());
            ExitCode::from(2)
        }
    }
}
