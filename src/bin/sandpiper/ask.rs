//! `sandpiper ask --provider P [--model M] [--base-url U] "prompt"`: one reply,
//! streamed to the terminal as the model writes it. Ctrl-C stops it at once.

use crate::provider_args::ProviderArgs;
use crate::terminal::{print_error, print_event};
use sandpiper::engine::Prompt;
use sandpiper::{CallId, Error};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The model (default: the provider's default, or the server's first model).
    #[arg(long)]
    model: Option<String>,
    /// Instructions for the model.
    #[arg(long)]
    system: Option<String>,
    /// The longest reply, in tokens.
    #[arg(long, default_value_t = 1024)]
    max_tokens: u32,
    /// Sampling temperature (0 gives the same reply each time); default: the provider's.
    #[arg(long)]
    temperature: Option<f64>,
    /// Print the request body exactly as it is sent (the key is not in it), then ask.
    #[arg(long)]
    show_request: bool,
    /// What to ask.
    prompt: String,
}

pub async fn run(args: Args) -> ExitCode {
    let engine = args.provider.engine();
    let choice = args.provider.choice(args.model);
    let prompt = Prompt {
        text: args.prompt,
        system: args.system,
        max_tokens: args.max_tokens,
        temperature: args.temperature,
    };
    if args.show_request {
        match engine.model_request_body(&choice, &prompt).await {
            Ok(body) => eprintln!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            ),
            Err(err) => return failed_before_the_call(&err),
        }
    }
    let call_id = CallId::new();
    let on_ctrl_c = (std::sync::Arc::clone(&engine), call_id.clone());
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.0.cancel_call(&on_ctrl_c.1);
        }
    });
    match engine
        .ask_model(&choice, &prompt, &call_id, &print_event)
        .await
    {
        Ok(Ok(_)) => ExitCode::SUCCESS,
        // print_event already said what went wrong (from the llm_finished event).
        Ok(Err(_)) => ExitCode::FAILURE,
        Err(err) => failed_before_the_call(&err),
    }
}

/// No key, a bad address, no model: said in plain words, exit code 2.
fn failed_before_the_call(err: &Error) -> ExitCode {
    print_error(&err.plain_words());
    ExitCode::from(2)
}
