//! What the commands share: the engine, where run results are kept, and the
//! saved sessions this window has open.

use sandpiper::store::SessionHandle;
use sandpiper::{Engine, SessionId, Settings};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct AppState {
    pub engine: Arc<Engine>,
    /// `<app data>/runs`: each run's charts and tables, under its run id. The
    /// window may load images from here only (the asset protocol's scope).
    pub artifacts_root: PathBuf,
    /// The saved sessions this window has open. Each handle holds the session's
    /// lock, so another window cannot write to it meanwhile; dropping it (close,
    /// delete, quit) releases the lock.
    pub open_sessions: Mutex<HashMap<SessionId, Arc<SessionHandle>>>,
    /// Sessions with a step running, and the handle the step writes through: a
    /// session closed (Home) while its step runs stays locked by this window
    /// until the step ends, so reopening it here takes this handle again.
    pub stepping: Mutex<HashMap<SessionId, Arc<SessionHandle>>>,
}

impl AppState {
    pub fn new(settings: Settings, artifacts_root: PathBuf) -> Self {
        let engine = Engine::new(settings);
        // The window answers: packages off the well-known list are asked about.
        engine.ask_before_installs();
        Self {
            engine,
            artifacts_root,
            open_sessions: Mutex::new(HashMap::new()),
            stepping: Mutex::new(HashMap::new()),
        }
    }

    /// The open session `id`, or the engine's "not found" in plain words when
    /// this window does not have it open (it was closed or deleted meanwhile).
    pub fn open_session(&self, id: &SessionId) -> sandpiper::Result<Arc<SessionHandle>> {
        self.open_sessions
            .lock()
            .expect("open sessions lock")
            .get(id)
            .cloned()
            .ok_or_else(|| sandpiper::Error::SessionNotFound { id: id.to_string() })
    }

    pub fn keep_open(&self, handle: SessionHandle) -> Arc<SessionHandle> {
        self.keep_open_shared(Arc::new(handle))
    }

    pub fn keep_open_shared(&self, handle: Arc<SessionHandle>) -> Arc<SessionHandle> {
        self.open_sessions
            .lock()
            .expect("open sessions lock")
            .insert(handle.id().clone(), Arc::clone(&handle));
        handle
    }

    /// Lets go of the session (its lock goes once a running step ends too).
    pub fn close(&self, id: &SessionId) -> bool {
        self.open_sessions
            .lock()
            .expect("open sessions lock")
            .remove(id)
            .is_some()
    }

    /// Lets go of every open session (the app is quitting).
    pub fn close_all(&self) {
        self.open_sessions
            .lock()
            .expect("open sessions lock")
            .clear();
    }

    /// The handle of a step still running in the session `id`, if any.
    pub fn stepping_in(&self, id: &SessionId) -> Option<Arc<SessionHandle>> {
        self.stepping
            .lock()
            .expect("stepping lock")
            .get(id)
            .cloned()
    }

    pub fn step_started(&self, handle: &Arc<SessionHandle>) {
        self.stepping
            .lock()
            .expect("stepping lock")
            .insert(handle.id().clone(), Arc::clone(handle));
    }

    pub fn step_ended(&self, id: &SessionId) {
        self.stepping.lock().expect("stepping lock").remove(id);
    }
}
