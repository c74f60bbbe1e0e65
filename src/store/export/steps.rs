//! The conversation as steps, the way the exports tell it: the question, how
//! the step ended, and for an answered step the code of the try that worked,
//! what it printed and the charts it made.

use crate::conversation::{Message, StepState, UngroundedNumber};
use crate::ids::StepId;
use crate::plain_words::PlainWords;
use crate::run_outcome::Artifact;

#[derive(Debug, Default)]
pub struct Step<'a> {
    pub step_id: Option<&'a StepId>,
    pub question: Option<&'a str>,
    pub state: Option<StepState>,
    /// Present when the step was answered.
    pub answer: Option<Answer<'a>>,
    pub gave_up: Option<(&'a [crate::conversation::FailedTry], &'a str)>,
    pub error: Option<&'a PlainWords>,
    pub tries: u32,
}

#[derive(Debug)]
pub struct Answer<'a> {
    pub text: &'a str,
    pub ungrounded: &'a [UngroundedNumber],
    /// The code of the try that worked.
    pub code: &'a str,
    /// What that try printed.
    pub stdout: &'a str,
    pub charts: &'a [Artifact],
}

/// The steps in the order they were asked.
pub fn steps(conversation: &[Message]) -> Vec<Step<'_>> {
    let mut steps: Vec<Step<'_>> = Vec::new();
    for message in conversation {
        let id = message.step_id();
        let index = match steps.iter().position(|s| s.step_id == Some(id)) {
            Some(index) => index,
            None => {
                steps.push(Step {
                    step_id: Some(id),
                    ..Step::default()
                });
                steps.len() - 1
            }
        };
        let step = &mut steps[index];
        match message {
            Message::Question { text, .. } => step.question = Some(text),
            Message::Answer {
                text,
                ungrounded,
                artifacts,
                provenance,
                ..
            } => {
                let code = match provenance.code.is_empty() {
                    false => provenance.code.as_str(),
                    true => code_of(conversation, id, provenance.try_number).unwrap_or(""),
                };
                step.answer = Some(Answer {
                    text,
                    ungrounded,
                    code,
                    stdout: stdout_of(conversation, id, provenance.try_number).unwrap_or(""),
                    charts: artifacts,
                });
            }
            Message::GaveUp {
                tries, suggestion, ..
            } => step.gave_up = Some((tries, suggestion)),
            Message::Error { error, .. } => step.error = Some(error),
            Message::StepEnded { state, tries, .. } => {
                step.state = Some(*state);
                step.tries = *tries;
            }
            _ => {}
        }
    }
    steps
}

fn code_of<'a>(conversation: &'a [Message], step: &StepId, try_wanted: u32) -> Option<&'a str> {
    conversation.iter().rev().find_map(|m| match m {
        Message::Code {
            step_id,
            try_number,
            code,
            ..
        } if step_id == step && *try_number == try_wanted => Some(code.as_str()),
        _ => None,
    })
}

fn stdout_of<'a>(conversation: &'a [Message], step: &StepId, try_wanted: u32) -> Option<&'a str> {
    conversation.iter().rev().find_map(|m| match m {
        Message::Execution {
            step_id,
            try_number,
            stdout,
            outcome,
            ..
        } if step_id == step && *try_number == try_wanted && outcome.is_success() => {
            Some(stdout.as_str())
        }
        _ => None,
    })
}

/// How a step ended, in words.
pub fn state_words(state: Option<StepState>) -> &'static str {
    match state {
        Some(StepState::Done) => "Answered",
        Some(StepState::GaveUp) => "Gave up",
        Some(StepState::Cancelled) => "Stopped by you",
        Some(StepState::Failed) => "Stopped by an error",
        Some(StepState::Interrupted) => "Interrupted (Sandpiper stopped in the middle of it)",
        None => "Not finished",
    }
}

/// A time in milliseconds as an HTTP date, e.g. `Tue, 15 Nov 1994 08:12:31 GMT`.
pub fn date_text(ms: u64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
}

/// Whether an artifact is a picture the exports can show inline.
pub fn is_image(artifact: &Artifact) -> bool {
    matches!(
        artifact.mime.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/svg+xml" | "image/webp"
    )
}
