//! What the commands share: the engine and where run results are kept.

use sandpiper::{Engine, Settings};
use std::path::PathBuf;
use std::sync::Arc;

pub struct AppState {
    pub engine: Arc<Engine>,
    /// `<app data>/runs`: each run's charts and tables, under its run id. The
    /// window may load images from here only (the asset protocol's scope).
    pub artifacts_root: PathBuf,
}

impl AppState {
    pub fn new(settings: Settings, artifacts_root: PathBuf) -> Self {
        Self {
            engine: Engine::new(settings),
            artifacts_root,
        }
    }
}
