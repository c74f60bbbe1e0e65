//! Forwards engine events to the window, one Tauri event name for all of them:
//! the payload is the engine's `Event` as serde writes it (see `ui/events.js`).
//! A step whose conversation could not be saved is told on its own event.

use crate::plain_error::CommandError;
use sandpiper::ids::StepId;
use sandpiper::{Event, EventSink, SessionId};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

pub const ENGINE_EVENT: &str = "engine-event";

/// A step that ended without its `step_ended` message (its conversation could
/// not be saved, or its task failed): the window stops waiting for it.
pub const STEP_FAILED_EVENT: &str = "step-failed";

#[derive(Serialize, Clone)]
pub struct StepFailed {
    pub session_id: SessionId,
    pub step_id: StepId,
    pub error: CommandError,
}

pub struct WindowSink {
    app: AppHandle,
}

impl WindowSink {
    pub fn new(app: AppHandle) -> Self {
        Self { app }
    }
}

impl EventSink for WindowSink {
    fn emit(&self, event: Event) {
        // The window may be closing; an event nobody receives is not an error.
        let _ = self.app.emit(ENGINE_EVENT, event);
    }
}
