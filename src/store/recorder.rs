//! Saving a conversation as it happens: an `EventSink` in front of the real
//! one (the window, the terminal). Each `Event::Conversation` of its session
//! is saved first and forwarded after, so nothing is shown that is not saved;
//! every other event passes straight through.

use super::handle::SessionHandle;
use crate::conversation::{Message, now};
use crate::events::{Event, EventSink};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Borrows the session and the sink: `engine.analyze(…, &session.recording(&sink))`.
pub struct Recorder<'a> {
    session: &'a SessionHandle,
    inner: &'a dyn EventSink,
    warned: AtomicBool,
}

/// Owns them, for work spawned onto another task.
pub struct SharedRecorder {
    session: Arc<SessionHandle>,
    inner: Arc<dyn EventSink>,
    warned: AtomicBool,
}

impl SessionHandle {
    /// Wraps `inner` so that this session's conversation is saved as it is emitted.
    pub fn recording<'a>(&'a self, inner: &'a dyn EventSink) -> Recorder<'a> {
        Recorder {
            session: self,
            inner,
            warned: AtomicBool::new(false),
        }
    }

    /// `recording` for a session and sink shared with spawned tasks.
    pub fn recording_shared(self: &Arc<Self>, inner: Arc<dyn EventSink>) -> SharedRecorder {
        SharedRecorder {
            session: Arc::clone(self),
            inner,
            warned: AtomicBool::new(false),
        }
    }
}

impl EventSink for Recorder<'_> {
    fn emit(&self, event: Event) {
        record_then_forward(self.session, self.inner, &self.warned, event)
    }
}

impl EventSink for SharedRecorder {
    fn emit(&self, event: Event) {
        record_then_forward(&self.session, self.inner.as_ref(), &self.warned, event)
    }
}

fn record_then_forward(
    session: &SessionHandle,
    inner: &dyn EventSink,
    warned: &AtomicBool,
    event: Event,
) {
    if let Event::Conversation {
        session_id,
        message,
    } = &event
        && session_id == session.id()
        && let Err(err) = session.record(message)
    {
        tracing::error!(session = %session_id, "saving the conversation failed: {err}");
        // Said once, in the conversation itself, so the analyst knows before
        // relying on the session being saved.
        if !warned.swap(true, Ordering::SeqCst) {
            let words = err.plain_words();
            inner.emit(Event::Conversation {
                session_id: session_id.clone(),
                message: Message::Notice {
                    step_id: message.step_id().clone(),
                    text: format!("{} {}", words.title, words.advice),
                    at: now(),
                },
            });
        }
    }
    inner.emit(event);
}
