//! `sandpiper eval [--set FILE] (--replay | --provider P [--model M] [--base-url U])`:
//! the evaluation questions asked through the agent, one session each, scored
//! against their known answers: accuracy, tries per question, tokens. With
//! `--replay` a local server plays each question's known code, and anything
//! short of 100 % is a bug in Sandpiper (exit 1).

use crate::engine_args::EngineArgs;
use crate::terminal::print_error;
use sandpiper::ProviderId;
use sandpiper::eval::{QuestionSet, Scored, run_eval, start_replay};
use sandpiper::replay_model;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The questions (default: tests/eval/penguins.json).
    #[arg(long, default_value = "tests/eval/penguins.json")]
    set: PathBuf,
    /// Ask a local server that replays each question's known code.
    #[arg(long, conflicts_with_all = ["provider", "model", "base_url"])]
    replay: bool,
    /// anthropic, gemini, openai, openai-compatible, ollama or lmstudio.
    #[arg(long, required_unless_present = "replay")]
    provider: Option<ProviderId>,
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    base_url: Option<String>,
    /// Tries per question (default 5).
    #[arg(long)]
    max_tries: Option<u32>,
    #[command(flatten)]
    engine: EngineArgs,
}

pub async fn run(args: Args) -> ExitCode {
    let (set, dataset) = match QuestionSet::load(&args.set) {
        Ok(loaded) => loaded,
        Err(err) => {
            print_error(&err.plain_words());
            return ExitCode::from(2);
        }
    };
    let mut settings = args.engine.settings();
    let replay = match args.replay {
        true => match start_replay(&set).await {
            Ok(server) => Some(server),
            Err(err) => {
                print_error(&err.plain_words());
                return ExitCode::FAILURE;
            }
        },
        false => None,
    };
    match &replay {
        Some(server) => {
            settings.llm.provider = ProviderId::OpenAiCompatible;
            settings.llm.base_url = Some(server.base_url.clone());
            settings.llm.model = Some(replay_model::MODEL.to_owned());
        }
        None => {
            settings.llm.provider = args.provider.expect("clap requires it");
            settings.llm.base_url = args.base_url.clone();
            settings.llm.model = args.model.clone();
        }
    }
    if let Some(tries) = args.max_tries {
        settings.agent.max_tries = tries;
    }
    let engine = match args.engine.engine_to_run_code(settings).await {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    // Each question's container is removed after it, or by the next start if
    // this process is killed first.
    engine.make_sessions_throwaway();
    let scratch = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("Sandpiper could not make a scratch folder: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("{}: {} questions", set.name, set.questions.len());
    let show = |s: &Scored| {
        println!(
            "{} {:<16} {:?}, {} {}, {} tokens",
            if s.right { "✓" } else { "✗" },
            s.id,
            s.state,
            s.tries,
            if s.tries == 1 { "try" } else { "tries" },
            s.tokens
        );
        if let Some(why) = &s.why {
            println!("    {}", why.replace('\n', " "));
        }
    };
    let scored = match run_eval(&engine, &set, &dataset, scratch.path(), &show).await {
        Ok(scored) => scored,
        Err(err) => {
            print_error(&err.plain_words());
            return ExitCode::FAILURE;
        }
    };
    let right = scored.iter().filter(|s| s.right).count();
    let n = scored.len().max(1);
    let tries: u32 = scored.iter().map(|s| s.tries).sum();
    let tokens: u64 = scored.iter().map(|s| s.tokens).sum();
    println!(
        "accuracy {right}/{} ({:.0} %), {:.1} tries per question, {tokens} tokens ({:.0} per question)",
        scored.len(),
        100.0 * right as f64 / n as f64,
        tries as f64 / n as f64,
        tokens as f64 / n as f64
    );
    match replay.is_some() && right < scored.len() {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    }
}
