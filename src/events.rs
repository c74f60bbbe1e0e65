//! Every event the engine emits: the single source of truth for the UI
//! (`ui/events.js` mirrors it, and `tests/ui_contract.rs` keeps the two in step).
//!
//! Serialised as flat JSON objects tagged by `kind`, e.g.
//! `{"kind":"stdout","run_id":"run-…","line":"Rows: 10"}`.

use crate::conversation::Message;
use crate::ids::{CallId, QuestionId, RunId, SessionId};
use crate::plain_words::PlainWords;
pub use crate::profile_data::DatasetProfile;
use crate::provider_id::ProviderId;
pub use crate::run_outcome::{Artifact, Outcome, PythonError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The sandbox image is missing locally and is being downloaded.
    ImagePullStarted { image: String },
    /// Download progress of one image layer, as Docker reports it.
    ImagePullProgress {
        image: String,
        layer: Option<String>,
        status: String,
        current_bytes: Option<u64>,
        total_bytes: Option<u64>,
    },
    /// The image is present: runs can start.
    ImageReady { image: String },
    /// One line of an image profile's build, as Docker reports it.
    ImageBuildLine { image: String, line: String },
    /// Packages are being installed into a session (network on, no code, no data).
    PackagesInstalling {
        session_id: SessionId,
        packages: Vec<String>,
        /// Why, in plain words, e.g. "the code imports sklearn".
        reason: String,
    },
    /// The code asked for a package Sandpiper does not install by itself: the
    /// step waits until the analyst answers (`answer_install_question`) or
    /// stops it. Asked once per session and package.
    InstallQuestion {
        question_id: QuestionId,
        session_id: SessionId,
        /// The PyPI distribution, e.g. "python-slugify".
        package: String,
        /// What the code imports, e.g. "slugify".
        module: String,
    },
    /// The question was answered (or dropped because the step was stopped).
    InstallAnswered {
        question_id: QuestionId,
        session_id: SessionId,
        allowed: bool,
    },
    /// The install ended; `error` says why it failed, in plain words.
    PackagesInstalled {
        session_id: SessionId,
        packages: Vec<String>,
        duration_ms: u64,
        error: Option<PlainWords>,
    },
    /// A run was accepted. `title` is what the user sees, e.g. "Quick profile of sales.csv".
    RunStarted {
        run_id: RunId,
        session_id: Option<SessionId>,
        title: String,
        image: String,
    },
    /// One line the code printed on stdout, as it printed it.
    Stdout { run_id: RunId, line: String },
    /// One line on stderr (warnings, tracebacks).
    Stderr { run_id: RunId, line: String },
    /// A file the code wrote to its output folder, copied out of the sandbox.
    Artifact { run_id: RunId, artifact: Artifact },
    /// A Quick profile's numbers for one dataset, as typed data (the window
    /// draws one card per column from it). Comes after the run's output lines
    /// and before its `RunFinished`, one per dataset that could be profiled.
    DatasetProfiled {
        run_id: RunId,
        profile: DatasetProfile,
    },
    /// Every run ends with exactly one of these, even when it never got to start.
    RunFinished {
        run_id: RunId,
        outcome: Outcome,
        exit_code: Option<i64>,
        duration_ms: u64,
        /// What happened, in plain words, with what to do next when it failed.
        summary: String,
        /// True when stdout or stderr went over the cap and the rest was dropped.
        output_truncated: bool,
        /// For model code that raised: what, where, and the code around it.
        error: Option<PythonError>,
    },
    /// Exactly the text about to be sent to a language model (the analyst can read
    /// it under "What was sent"). Comes before the call's `LlmStarted`.
    LlmPrompt {
        call_id: CallId,
        session_id: Option<SessionId>,
        /// The instructions that frame the conversation.
        system: Option<String>,
        /// The message: what `what_is_sent` allows about the datasets, then the question.
        prompt: String,
        /// Sample rows in it (0 when turned off in Settings).
        sample_rows_sent: u64,
        /// Columns of very wide tables described by their count only.
        columns_left_out: u64,
    },
    /// A language model was asked something; its reply streams as `LlmDelta` events.
    LlmStarted {
        call_id: CallId,
        session_id: Option<SessionId>,
        /// `anthropic`, `gemini`, `openai`, `openai-compatible`, `ollama` or `lmstudio`.
        provider: ProviderId,
        model: String,
    },
    /// The next piece of the model's reply, as the model writes it.
    LlmDelta { call_id: CallId, text: String },
    /// The provider was busy or limiting requests: Sandpiper waits, then asks again.
    LlmRetrying {
        call_id: CallId,
        /// The try that failed (1 for the first).
        attempt: u32,
        max_attempts: u32,
        wait_ms: u64,
        /// Why, in plain words (e.g. "Claude (Anthropic) is overloaded right now.").
        reason: String,
    },
    /// Every model call ends with exactly one of these, with its token usage.
    LlmFinished {
        call_id: CallId,
        /// Tokens the provider counted in the request (what Sandpiper sent).
        input_tokens: Option<u64>,
        /// Tokens the model wrote.
        output_tokens: Option<u64>,
        duration_ms: u64,
        /// From sending the request to the first piece of the reply.
        first_token_ms: Option<u64>,
        /// Why the model stopped, as the provider says it (`end_turn`, `stop`, `length`, ...).
        stop_reason: Option<String>,
        /// Set when the call failed or was cancelled: what happened and what to do.
        error: Option<PlainWords>,
    },
    /// The next message of a session's conversation (a question, a try's code,
    /// its outcome, the answer…), the moment it happens. The session store
    /// saves the same message.
    Conversation {
        session_id: SessionId,
        message: Message,
    },
    /// A session's token totals, after a call was added to them (they are kept on
    /// disk and survive a restart). Comes after the call's `LlmFinished`.
    SessionUsage {
        session_id: SessionId,
        /// The call just added.
        call_id: CallId,
        input_tokens: u64,
        output_tokens: u64,
        calls: u64,
        /// Calls whose provider gave no counts (some local servers): not in the totals.
        calls_without_counts: u64,
    },
}

impl Event {
    /// The run this event belongs to, if any.
    pub fn run_id(&self) -> Option<&RunId> {
        match self {
            Event::RunStarted { run_id, .. }
            | Event::Stdout { run_id, .. }
            | Event::Stderr { run_id, .. }
            | Event::Artifact { run_id, .. }
            | Event::DatasetProfiled { run_id, .. }
            | Event::RunFinished { run_id, .. } => Some(run_id),
            Event::ImagePullStarted { .. }
            | Event::ImagePullProgress { .. }
            | Event::ImageReady { .. }
            | Event::ImageBuildLine { .. }
            | Event::PackagesInstalling { .. }
            | Event::PackagesInstalled { .. }
            | Event::InstallQuestion { .. }
            | Event::InstallAnswered { .. }
            | Event::LlmPrompt { .. }
            | Event::LlmStarted { .. }
            | Event::LlmDelta { .. }
            | Event::LlmRetrying { .. }
            | Event::LlmFinished { .. }
            | Event::Conversation { .. }
            | Event::SessionUsage { .. } => None,
        }
    }

    /// The language-model call this event belongs to, if any.
    pub fn call_id(&self) -> Option<&CallId> {
        match self {
            Event::LlmPrompt { call_id, .. }
            | Event::LlmStarted { call_id, .. }
            | Event::LlmDelta { call_id, .. }
            | Event::LlmRetrying { call_id, .. }
            | Event::LlmFinished { call_id, .. }
            | Event::SessionUsage { call_id, .. } => Some(call_id),
            _ => None,
        }
    }
}

/// Where the engine sends events. The CLI prints them, the desktop shell forwards
/// them to the window, tests collect them.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: Event);
}

impl<F: Fn(Event) + Send + Sync> EventSink for F {
    fn emit(&self, event: Event) {
        self(event)
    }
}

/// A sink that drops everything, for callers that only want the final result.
pub struct Discard;

impl EventSink for Discard {
    fn emit(&self, _event: Event) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_flat_with_a_kind_tag() {
        let run_id = RunId::from("run-1".to_owned());
        let json = serde_json::to_value(Event::Stdout {
            run_id,
            line: "hello".into(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "stdout", "run_id": "run-1", "line": "hello"})
        );
    }

    #[test]
    fn outcomes_are_snake_case() {
        assert_eq!(
            serde_json::to_string(&Outcome::OutOfMemory).unwrap(),
            "\"out_of_memory\""
        );
    }
}
