//! `sandpiper sessions show ID`: the whole conversation. The session is opened
//! (so a step a crash interrupted is marked so, and a torn line set aside);
//! while another window has it open, what is saved so far is shown instead.

use sandpiper::conversation::{Message, StepState};
use sandpiper::store::OriginalState;
use sandpiper::{Engine, Error, Result, SessionId};

#[derive(clap::Args)]
pub struct Args {
    id: SessionId,
}

pub fn run(engine: &Engine, args: Args) -> Result<()> {
    let (conversation, checks, in_use) = match engine.open_session(&args.id) {
        Ok(opened) => {
            if let Some(kept) = &opened.recovery.torn_line_kept_at {
                eprintln!(
                    "The last line was unfinished (Sandpiper stopped while saving it); it is kept in {}.",
                    kept.display()
                );
            }
            (opened.conversation, opened.datasets, false)
        }
        Err(Error::SessionInUse { .. }) => {
            let saved = engine.read_session(&args.id)?;
            (saved.conversation, Vec::new(), true)
        }
        Err(err) => return Err(err),
    };
    let saved = engine.read_session(&args.id)?;
    let meta = &saved.meta;
    println!("{}  ({})", meta.title, meta.id);
    println!(
        "Started {}; last activity {}; {} {}; {} tokens in, {} out.",
        super::when(meta.created_at),
        super::when(meta.updated_at),
        meta.steps,
        if meta.steps == 1 { "step" } else { "steps" },
        meta.tokens.input_tokens,
        meta.tokens.output_tokens
    );
    if in_use {
        println!("(Open in another window: showing what is saved so far.)");
    }
    for dataset in &meta.datasets {
        println!(
            "Dataset {} ({}, SHA-256 {})",
            dataset.name,
            super::size(dataset.size_bytes),
            &dataset.sha256[..dataset.sha256.len().min(12)]
        );
    }
    for check in checks
        .iter()
        .filter(|c| c.state != OriginalState::Unchanged)
    {
        if let Some(notice) = &check.notice {
            println!("! {notice}");
        }
    }
    let mut step = 0;
    for message in &conversation {
        print_message(message, &mut step);
    }
    Ok(())
}

fn print_message(message: &Message, step: &mut usize) {
    match message {
        Message::Question { text, datasets, .. } => {
            *step += 1;
            println!("\n━━ {step}. {text}");
            if !datasets.is_empty() {
                println!("   about {}", datasets.join(", "));
            }
        }
        Message::TryStarted {
            try_number,
            max_tries,
            model,
            by_analyst,
            ..
        } => println!(
            "\n── {}",
            crate::terminal::try_heading(*try_number, *max_tries, model, *by_analyst)
        ),
        Message::Notice { text, .. } => println!("· {text}"),
        Message::Code { code, .. } => {
            for line in code.lines() {
                println!("│ {line}");
            }
        }
        Message::TryRejected { reason, .. } => println!("✗ Not run: {reason}"),
        Message::Execution {
            summary,
            stdout,
            stderr_tail,
            output_truncated,
            ..
        } => {
            println!("Ran: {summary}");
            for line in stdout.lines() {
                println!("  {line}");
            }
            for line in stderr_tail.lines() {
                println!("  ! {line}");
            }
            if *output_truncated {
                println!("  (output cut: it was too long)");
            }
        }
        Message::Artifact { artifact, .. } => println!("Chart/file: {}", artifact.path.display()),
        Message::Answer {
            text, ungrounded, ..
        } => {
            println!("\nAnswer: {text}");
            if !ungrounded.is_empty() {
                let numbers: Vec<&str> = ungrounded.iter().map(|n| n.text.as_str()).collect();
                println!(
                    "Check these numbers, the code's output does not show them: {}",
                    numbers.join(", ")
                );
            }
        }
        Message::GaveUp {
            tries, suggestion, ..
        } => {
            println!("\nCould not answer:");
            for failed in tries {
                println!("  Try {}: {}", failed.try_number, failed.reason);
            }
            println!("{suggestion}");
        }
        Message::Error { error, .. } => println!("Error: {} {}", error.title, error.advice),
        Message::StepEnded {
            state,
            tries,
            duration_ms,
            ..
        } => println!(
            "State: {} ({tries} {}, {:.1} s)",
            state_name(*state),
            if *tries == 1 { "try" } else { "tries" },
            *duration_ms as f64 / 1000.0
        ),
    }
}

fn state_name(state: StepState) -> &'static str {
    match state {
        StepState::Done => "done",
        StepState::GaveUp => "gave up",
        StepState::Cancelled => "cancelled",
        StepState::Failed => "failed",
        StepState::Interrupted => "interrupted",
    }
}
