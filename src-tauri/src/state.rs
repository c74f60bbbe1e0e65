//! What the commands share: the engine, where run results are kept, and this
//! window's session.

use sandpiper::{Engine, SessionId, Settings};
use std::path::PathBuf;
use std::sync::Arc;

pub struct AppState {
    pub engine: Arc<Engine>,
    /// `<app data>/runs`: each run's charts and tables, under its run id. The
    /// window may load images from here only (the asset protocol's scope).
    pub artifacts_root: PathBuf,
    /// The conversation in this window. Until sessions can be saved and reopened,
    /// each start of the app is a new one; its token totals are kept on disk.
    pub session_id: SessionId,
}

impl AppState {
    pub fn new(settings: Settings, artifacts_root: PathBuf) -> Self {
        Self {
            engine: Engine::new(settings),
            artifacts_root,
            session_id: SessionId::new(),
        }
    }
}
