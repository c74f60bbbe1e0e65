//! Asking a model a question about the loaded datasets, as the window does it:
//! the message is built from `what_is_sent` (nothing else about the data goes
//! out), its exact text is told first (`llm_prompt`), the reply streams as the
//! other `llm_*` events, and the call's tokens are added to the session's ledger,
//! whose new totals follow (`session_usage`).

use super::call::stream_with_events;
use super::provider::{Completion, CompletionRequest, Provider};
use super::usage_ledger::{SessionUsage, UsageLedger, record_call_usage};
use super::what_is_sent::{DatasetSummary, SendPolicy, WhatIsSent, what_is_sent};
use crate::error::LlmError;
use crate::error::Result;
use crate::events::{Event, EventSink};
use crate::ids::{CallId, SessionId};
use tokio_util::sync::CancellationToken;

/// Frames every question. Short on purpose: it is sent, and paid for, each time.
pub const SYSTEM_PROMPT: &str = "You are Sandpiper, a data analysis assistant for analysts who \
are not programmers. You see a description of their datasets (columns, types, missing values, \
statistics and possibly a few sample rows), never the files. Answer their question in plain \
words, briefly, and say when the description is not enough to be sure.";

/// One question about some datasets.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub session_id: &'a SessionId,
    pub call_id: &'a CallId,
    pub model: &'a str,
    pub text: &'a str,
    pub datasets: &'a [DatasetSummary],
    pub policy: &'a SendPolicy,
}

/// How a question went.
#[derive(Debug)]
pub struct Answer {
    pub call_id: CallId,
    /// The reply, or why there is none (the window already heard it in `llm_finished`).
    pub reply: std::result::Result<Completion, LlmError>,
    /// The session's totals after this call; `None` when the call failed.
    pub session_usage: Option<SessionUsage>,
}

/// The request for `question`, and what it says about the datasets.
pub fn request_for(question: &Question<'_>) -> (CompletionRequest, WhatIsSent) {
    let about = what_is_sent(question.datasets, question.policy);
    let prompt = if about.text.is_empty() {
        question.text.trim().to_owned()
    } else {
        format!("{}\n\nQuestion: {}", about.text, question.text.trim())
    };
    let mut request = CompletionRequest::new(question.model, prompt);
    request.system = Some(SYSTEM_PROMPT.to_owned());
    request.max_tokens = 2048;
    (request, about)
}

/// Asks, streams the reply to `sink`, and records the tokens under the session.
/// Fails only when the totals cannot be saved; a failed call is an `Answer`.
pub async fn ask(
    provider: &dyn Provider,
    question: &Question<'_>,
    ledger: &UsageLedger,
    sink: &dyn EventSink,
    cancel: &CancellationToken,
) -> Result<Answer> {
    let (request, about) = request_for(question);
    sink.emit(Event::LlmPrompt {
        call_id: question.call_id.clone(),
        session_id: Some(question.session_id.clone()),
        system: request.system.clone(),
        prompt: request.messages[0].content.clone(),
        sample_rows_sent: about.sample_rows_sent as u64,
        columns_left_out: about.columns_left_out as u64,
    });
    let reply = stream_with_events(
        provider,
        &request,
        question.call_id,
        Some(question.session_id),
        sink,
        cancel,
    )
    .await;
    let Ok(done) = &reply else {
        return Ok(Answer {
            call_id: question.call_id.clone(),
            reply,
            session_usage: None,
        });
    };
    let model = done.model.clone().unwrap_or_else(|| request.model.clone());
    let totals = record_call_usage(
        ledger,
        question.session_id,
        question.call_id,
        provider.id(),
        &model,
        done.usage,
        sink,
    )
    .await?;
    Ok(Answer {
        call_id: question.call_id.clone(),
        reply,
        session_usage: Some(totals),
    })
}
