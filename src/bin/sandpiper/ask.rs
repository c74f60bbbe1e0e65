//! `sandpiper ask --provider P [--model M] [--base-url U] "prompt"`: one reply,
//! streamed to the terminal as the model writes it. Ctrl-C stops it at once.

use crate::provider_args::ProviderArgs;
use crate::terminal::{print_error, print_event};
use sandpiper::ids::CallId;
use sandpiper::llm::{self, CompletionRequest};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

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
    let (settings, provider) = match args.provider.connect(args.model) {
        Ok(connected) => connected,
        Err(code) => return code,
    };
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let model = match settings.model.clone() {
        Some(model) => model,
        None => match pick_model(provider.as_ref(), &cancel).await {
            Ok(model) => model,
            Err(err) => {
                print_error(&err.plain_words());
                return ExitCode::FAILURE;
            }
        },
    };
    let mut request = CompletionRequest::new(model, args.prompt);
    request.system = args.system;
    request.max_tokens = args.max_tokens;
    request.temperature = args.temperature;
    if args.show_request {
        let body = provider.request_body(&request, true);
        eprintln!(
            "{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
    }
    let call_id = CallId::new();
    match llm::stream_with_events(
        provider.as_ref(),
        &request,
        &call_id,
        None,
        &print_event,
        &cancel,
    )
    .await
    {
        Ok(_) => ExitCode::SUCCESS,
        // print_event already said what went wrong (from the llm_finished event).
        Err(_) => ExitCode::FAILURE,
    }
}

/// The provider's default model, or the first one a local server lists.
async fn pick_model(
    provider: &dyn llm::Provider,
    cancel: &CancellationToken,
) -> Result<String, llm::LlmError> {
    if let Some(model) = provider.id().default_model() {
        return Ok(model.to_owned());
    }
    let check = llm::test_connection(provider, None, cancel).await?;
    check.model.ok_or_else(|| {
        llm::LlmError::InvalidSettings(
            "The server lists no models. Load a model in it, or name one with --model.".into(),
        )
    })
}
