//! One model call as the window sees it: `llm_started`, a `llm_delta` per piece
//! of the reply, `llm_retrying` while the provider is busy, and exactly one
//! `llm_finished` with the token usage or what went wrong.

use super::provider::{Completion, CompletionRequest, Provider, Update};
use crate::error::LlmError;
use crate::events::{Event, EventSink};
use crate::ids::{CallId, SessionId};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Streams `request` from `provider`, telling `sink` as it goes.
pub async fn stream_with_events(
    provider: &dyn Provider,
    request: &CompletionRequest,
    call_id: &CallId,
    session_id: Option<&SessionId>,
    sink: &dyn EventSink,
    cancel: &CancellationToken,
) -> Result<Completion, LlmError> {
    let started = Instant::now();
    sink.emit(Event::LlmStarted {
        call_id: call_id.clone(),
        session_id: session_id.cloned(),
        provider: provider.id(),
        model: request.model.clone(),
    });
    let mut first_token: Option<Duration> = None;
    let mut on_update = |update: Update<'_>| match update {
        Update::Text(text) => {
            first_token.get_or_insert_with(|| started.elapsed());
            sink.emit(Event::LlmDelta {
                call_id: call_id.clone(),
                text: text.to_owned(),
            });
        }
        Update::Retrying {
            attempt,
            max_attempts,
            wait,
            reason,
        } => sink.emit(Event::LlmRetrying {
            call_id: call_id.clone(),
            attempt,
            max_attempts,
            wait_ms: millis(wait),
            reason: reason.plain_words().title,
        }),
    };
    let result = provider.stream(request, &mut on_update, cancel).await;
    let finished = match &result {
        Ok(done) => Event::LlmFinished {
            call_id: call_id.clone(),
            input_tokens: done.usage.input_tokens,
            output_tokens: done.usage.output_tokens,
            duration_ms: millis(done.duration),
            first_token_ms: done.first_token.map(millis),
            stop_reason: done.stop_reason.clone(),
            error: None,
        },
        Err(err) => Event::LlmFinished {
            call_id: call_id.clone(),
            input_tokens: None,
            output_tokens: None,
            duration_ms: millis(started.elapsed()),
            first_token_ms: first_token.map(millis),
            stop_reason: None,
            error: Some(err.plain_words()),
        },
    };
    sink.emit(finished);
    result
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
