//! What the commands share: the engine, where run results are kept, this
//! window's session, and the model calls that can still be stopped.

use sandpiper::{CallId, Engine, SessionId, Settings};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

pub struct AppState {
    pub engine: Arc<Engine>,
    /// `<app data>/runs`: each run's charts and tables, under its run id. The
    /// window may load images from here only (the asset protocol's scope).
    pub artifacts_root: PathBuf,
    /// The conversation in this window. Until sessions can be saved and reopened,
    /// each start of the app is a new one; its token totals are kept on disk.
    pub session_id: SessionId,
    active_calls: Mutex<HashMap<CallId, CancellationToken>>,
}

impl AppState {
    pub fn new(settings: Settings, artifacts_root: PathBuf) -> Self {
        Self {
            engine: Engine::new(settings),
            artifacts_root,
            session_id: SessionId::new(),
            active_calls: Mutex::new(HashMap::new()),
        }
    }

    /// Registers a model call so `cancel_call` can stop it.
    pub fn start_call(&self, call_id: &CallId) -> CancellationToken {
        let token = CancellationToken::new();
        self.calls().insert(call_id.clone(), token.clone());
        token
    }

    pub fn end_call(&self, call_id: &CallId) {
        self.calls().remove(call_id);
    }

    /// False when the call had already ended.
    pub fn cancel_call(&self, call_id: &CallId) -> bool {
        match self.calls().get(call_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn calls(&self) -> std::sync::MutexGuard<'_, HashMap<CallId, CancellationToken>> {
        self.active_calls.lock().expect("calls lock")
    }
}
