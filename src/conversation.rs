//! The conversation of a session, message by message: what the analyst asked, what
//! the agent did to answer (each try's code, its run, its outcome), and how each
//! step ended. The agent emits every message the moment it happens (as
//! `Event::Conversation`), the session store appends the very same JSON to
//! `conversation.jsonl`, and the window draws it. One type for all three, so
//! what is shown, what is saved and what is reopened cannot drift apart.

use crate::ids::{CallId, RunId, StepId};
use crate::plain_words::PlainWords;
use crate::provider_id::ProviderId;
use crate::run_outcome::{Artifact, Outcome, PythonError};
use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, when the message was made.
pub type Timestamp = u64;

/// One message. Tagged by `type` in JSON, e.g. `{"type":"question","step_id":…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// The analyst's question: opens a step.
    Question {
        step_id: StepId,
        text: String,
        /// The datasets' file names, as the question was asked about them.
        datasets: Vec<String>,
        at: Timestamp,
    },
    /// The model is asked for code: try `try_number` of `max_tries`. Its reply
    /// streams as the call's `llm_delta` events.
    TryStarted {
        step_id: StepId,
        try_number: u32,
        max_tries: u32,
        call_id: CallId,
        provider: ProviderId,
        model: String,
        /// Exactly what the model was sent for this try, so the analyst can see
        /// what of their data left the computer. `None` in sessions saved
        /// before it was recorded.
        #[serde(default)]
        sent: Option<SentToModel>,
        /// The analyst's own code ("Edit and run"), not the model's: it was
        /// not asked for, and nothing was sent.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_analyst: bool,
        at: Timestamp,
    },
    /// What the agent is doing, in plain words ("Running the code…",
    /// "Installing scikit-learn…", "Trying another way: …").
    Notice {
        step_id: StepId,
        text: String,
        at: Timestamp,
    },
    /// The code of a try, as found in the model's reply.
    Code {
        step_id: StepId,
        try_number: u32,
        code: String,
        at: Timestamp,
    },
    /// A try that was not run: the reply had no usable code, or the same code
    /// as an earlier try. `reason` is in plain words.
    TryRejected {
        step_id: StepId,
        try_number: u32,
        reason: String,
        at: Timestamp,
    },
    /// A try's code ran. Its output streamed as the run's `stdout` events.
    Execution {
        step_id: StepId,
        try_number: u32,
        run_id: RunId,
        outcome: Outcome,
        /// What happened, in plain words.
        summary: String,
        /// What the code printed (capped; `output_truncated` says when).
        stdout: String,
        /// The end of what it wrote on stderr (tracebacks, warnings).
        stderr_tail: String,
        output_truncated: bool,
        error: Option<PythonError>,
        duration_ms: u64,
        at: Timestamp,
    },
    /// A file a try's code wrote (a chart, a table).
    Artifact {
        step_id: StepId,
        try_number: u32,
        run_id: RunId,
        artifact: Artifact,
        at: Timestamp,
    },
    /// The answer, in plain words, from the successful try's output.
    Answer {
        step_id: StepId,
        call_id: CallId,
        text: String,
        /// Numbers in `text` that the code's output does not back: shown marked,
        /// never as fact.
        ungrounded: Vec<UngroundedNumber>,
        /// The charts and files of the successful try.
        artifacts: Vec<Artifact>,
        /// What produced it, to re-run and check it later.
        provenance: Provenance,
        /// Two or three questions the datasets can answer, to ask next with
        /// one click (absent in answers saved before they existed).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        follow_ups: Vec<String>,
        at: Timestamp,
    },
    /// The agent could not do it: why each try failed, and what to try instead.
    GaveUp {
        step_id: StepId,
        tries: Vec<FailedTry>,
        suggestion: String,
        at: Timestamp,
    },
    /// Something stopped the step that is not a try's fault: no key, Docker not
    /// running, the model unreachable.
    Error {
        step_id: StepId,
        error: PlainWords,
        at: Timestamp,
    },
    /// The step is over. Every step ends with exactly one of these; a step the app
    /// was killed in the middle of gets one saying `interrupted` when reopened.
    StepEnded {
        step_id: StepId,
        state: StepState,
        /// Tries spent (installs of missing packages spend none).
        tries: u32,
        input_tokens: u64,
        output_tokens: u64,
        duration_ms: u64,
        at: Timestamp,
    },
}

impl Message {
    /// The step every message belongs to.
    pub fn step_id(&self) -> &StepId {
        match self {
            Message::Question { step_id, .. }
            | Message::TryStarted { step_id, .. }
            | Message::Notice { step_id, .. }
            | Message::Code { step_id, .. }
            | Message::TryRejected { step_id, .. }
            | Message::Execution { step_id, .. }
            | Message::Artifact { step_id, .. }
            | Message::Answer { step_id, .. }
            | Message::GaveUp { step_id, .. }
            | Message::Error { step_id, .. }
            | Message::StepEnded { step_id, .. } => step_id,
        }
    }
}

/// The answered steps of a conversation, oldest first: each question with its
/// answer, for the model to know what the analyst already asked. Steps that
/// gave up, failed or were stopped are left out: their text would only steer
/// the model towards what did not work.
pub fn answered_steps(messages: &[Message]) -> Vec<(String, String)> {
    let mut questions: Vec<(&StepId, &str)> = Vec::new();
    let mut answered = Vec::new();
    for message in messages {
        match message {
            Message::Question { step_id, text, .. } => questions.push((step_id, text)),
            Message::Answer { step_id, text, .. } => {
                if let Some((_, question)) = questions.iter().find(|(id, _)| *id == step_id) {
                    answered.push(((*question).to_owned(), text.clone()));
                }
            }
            _ => {}
        }
    }
    answered
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Answered.
    Done,
    /// Every try failed, or the step's token budget ran out.
    GaveUp,
    /// The analyst stopped it.
    Cancelled,
    /// Something outside the tries stopped it (see the step's `Error` message).
    Failed,
    /// The app stopped in the middle of it (crash, killed, power cut).
    Interrupted,
}

/// What one model call was sent: the instructions, the message (what
/// `what_is_sent` allows about the datasets, the question, earlier tries), and
/// how much of the data went with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentToModel {
    pub system: String,
    pub prompt: String,
    /// Sample rows in it (0 when turned off in Settings).
    pub sample_rows_sent: u64,
    /// Columns of very wide tables described by their count only.
    pub columns_left_out: u64,
}

/// A number in an answer that the code's output does not back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UngroundedNumber {
    /// As the answer writes it, e.g. `1,234.5` or `12 %`.
    pub text: String,
    /// Byte offsets of `text` in the answer, for marking it.
    pub start: usize,
    pub end: usize,
}

/// One failed try, as the give-up message lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedTry {
    pub try_number: u32,
    /// Why it failed, in plain words.
    pub reason: String,
}

/// What produced an answer: enough to re-run the step and tell whether it still
/// gives the same output.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// The exact code of the successful try.
    pub code: String,
    pub try_number: u32,
    /// The image the session's container runs, and its id.
    pub image: String,
    pub image_id: Option<String>,
    /// `name==version` of every package the container had at that moment.
    pub packages: Vec<String>,
    /// Each dataset's name, size and SHA-256.
    pub datasets: Vec<DatasetFingerprint>,
}

/// A dataset as it was when a step used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetFingerprint {
    pub name: String,
    pub size_bytes: u64,
    pub sha256: String,
}

/// Now, as a `Timestamp`.
pub fn now() -> Timestamp {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_flat_json_tagged_by_type_and_round_trip() {
        let step_id = StepId::new();
        let message = Message::TryRejected {
            step_id: step_id.clone(),
            try_number: 2,
            reason: "The reply had no code in it.".into(),
            at: 7,
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["type"], "try_rejected");
        assert_eq!(json["step_id"], step_id.as_str());
        assert_eq!(json["try_number"], 2);
        let back: Message = serde_json::from_value(json).unwrap();
        assert_eq!(back, message);
        assert_eq!(back.step_id(), &step_id);
        assert_eq!(
            serde_json::to_string(&StepState::GaveUp).unwrap(),
            "\"gave_up\""
        );
    }
}
