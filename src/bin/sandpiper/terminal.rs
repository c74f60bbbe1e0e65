//! Printing engine events and errors in a terminal.

use sandpiper::conversation::{Message, StepState};
use sandpiper::{Event, PlainWords};

/// Prints an event as it arrives: output lines as the code printed them, the rest
/// as short notes on stderr so that stdout stays the program's own output.
pub fn print_event(event: Event) {
    match event {
        Event::Stdout { line, .. } => println!("{line}"),
        Event::Stderr { line, .. } => eprintln!("{line}"),
        Event::ImagePullStarted { image } => {
            eprintln!("Downloading the Python environment {image} (one time)...")
        }
        Event::ImagePullProgress { .. } | Event::RunStarted { .. } => {}
        Event::ImageReady { image } => eprintln!("{image} is ready."),
        Event::ImageBuildLine { line, .. } => eprintln!("  {line}"),
        Event::PackagesInstalling {
            packages, reason, ..
        } => eprintln!("Installing {} ({reason})...", packages.join(", ")),
        Event::PackagesInstalled {
            packages,
            duration_ms,
            error,
            ..
        } => match error {
            None => eprintln!(
                "Installed {} in {:.1} s.",
                packages.join(", "),
                duration_ms as f64 / 1000.0
            ),
            Some(words) => eprintln!("{words}"),
        },
        // A terminal's engine asks nothing: it refuses instead (see above).
        Event::InstallQuestion { .. } | Event::InstallAnswered { .. } => {}
        Event::Artifact { artifact, .. } => {
            eprintln!("Saved {}", artifact.path.display())
        }
        // The profile's report lines already said it in words.
        Event::DatasetProfiled { .. } => {}
        Event::RunFinished { summary, .. } => eprintln!("{summary}"),
        Event::LlmPrompt { .. } | Event::LlmStarted { .. } => {}
        Event::LlmDelta { text, .. } => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        Event::LlmRetrying {
            attempt,
            max_attempts,
            wait_ms,
            reason,
            ..
        } => eprintln!(
            "{reason} Trying again in {:.1} s (try {} of {max_attempts}).",
            wait_ms as f64 / 1000.0,
            attempt + 1
        ),
        Event::LlmFinished {
            input_tokens,
            output_tokens,
            duration_ms,
            first_token_ms,
            error,
            ..
        } => {
            println!();
            match error {
                Some(words) => print_error(&words),
                None => eprintln!(
                    "Tokens: {} in, {} out. First words after {}, done in {:.1} s.",
                    count(input_tokens),
                    count(output_tokens),
                    first_token_ms
                        .map(|ms| format!("{:.1} s", ms as f64 / 1000.0))
                        .unwrap_or_else(|| "-".into()),
                    duration_ms as f64 / 1000.0
                ),
            }
        }
        Event::Conversation { message, .. } => print_message(&message),
        Event::SessionUsage {
            input_tokens,
            output_tokens,
            calls,
            ..
        } => eprintln!(
            "This session so far: {input_tokens} tokens in, {output_tokens} out, over {calls} {}.",
            if calls == 1 { "call" } else { "calls" }
        ),
    }
}

/// "Try 2 of 5 (gpt-4o)", or "(your code)" for the analyst's own.
pub fn try_heading(try_number: u32, max_tries: u32, model: &str, by_analyst: bool) -> String {
    let by = if by_analyst { "your code" } else { model };
    format!("Try {try_number} of {max_tries} ({by})")
}

/// A conversation message as the terminal shows it (on stderr: stdout is what
/// the code printed).
pub fn print_message(message: &Message) {
    match message {
        Message::Question { .. } => {}
        Message::TryStarted {
            try_number,
            max_tries,
            model,
            by_analyst,
            ..
        } => eprintln!(
            "\n── {} ──",
            try_heading(*try_number, *max_tries, model, *by_analyst)
        ),
        Message::Notice { text, .. } => eprintln!("· {text}"),
        Message::Code { code, .. } => {
            for line in code.lines() {
                eprintln!("│ {line}");
            }
        }
        Message::TryRejected { reason, .. } => eprintln!("✗ {reason}"),
        Message::Execution { summary, .. } => eprintln!("{summary}"),
        Message::Artifact { artifact, .. } => eprintln!("Saved {}", artifact.path.display()),
        Message::Answer {
            text, ungrounded, ..
        } => {
            eprintln!("\n── Answer ──");
            println!("{text}");
            if !ungrounded.is_empty() {
                let numbers: Vec<&str> = ungrounded.iter().map(|n| n.text.as_str()).collect();
                eprintln!(
                    "Check these numbers: the code's output does not show them: {}",
                    numbers.join(", ")
                );
            }
        }
        Message::GaveUp {
            tries, suggestion, ..
        } => {
            eprintln!("\n── I could not do this ──");
            for failed in tries {
                eprintln!("Try {}: {}", failed.try_number, failed.reason);
            }
            eprintln!("{suggestion}");
        }
        Message::Error { error, .. } => print_error(error),
        Message::StepEnded {
            state,
            tries,
            input_tokens,
            output_tokens,
            duration_ms,
            ..
        } => eprintln!(
            "{} after {tries} {} in {:.1} s ({input_tokens} tokens in, {output_tokens} out).",
            match state {
                StepState::Done => "Answered",
                StepState::GaveUp => "Gave up",
                StepState::Cancelled => "Stopped",
                StepState::Failed => "Stopped by an error",
                StepState::Interrupted => "Interrupted",
            },
            if *tries == 1 { "try" } else { "tries" },
            *duration_ms as f64 / 1000.0
        ),
    }
}

fn count(tokens: Option<u64>) -> String {
    tokens.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

pub fn print_error(words: &PlainWords) {
    eprintln!("{}\n{}", words.title, words.advice);
}

#[cfg(test)]
mod try_heading_tests {
    use super::try_heading;

    #[test]
    fn a_try_is_headed_by_its_model_or_as_the_analysts_own_code() {
        assert_eq!(try_heading(2, 5, "gpt-4o", false), "Try 2 of 5 (gpt-4o)");
        assert_eq!(try_heading(1, 5, "gpt-4o", true), "Try 1 of 5 (your code)");
    }
}
