//! Forwards engine events to the window, one Tauri event name for all of them:
//! the payload is the engine's `Event` as serde writes it (see `ui/events.js`).

use sandpiper::{Event, EventSink};
use tauri::{AppHandle, Emitter};

pub const ENGINE_EVENT: &str = "engine-event";

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
