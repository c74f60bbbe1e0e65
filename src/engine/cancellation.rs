//! One registry of everything the user can stop: sandbox runs, model calls (and,
//! with the agent, whole analysis steps). Whatever starts such work registers it
//! here and gets its token; the registration ends itself when dropped, so a
//! finished job can never be "cancelled" and nothing lingers in the map.

use crate::ids::{CallId, RunId, StepId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Something that can be stopped while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stoppable {
    Run(RunId),
    Call(CallId),
    /// A whole analysis step: its model calls and its runs.
    Step(StepId),
}

#[derive(Default)]
pub(crate) struct Cancellations {
    active: Arc<Mutex<HashMap<Stoppable, CancellationToken>>>,
}

impl Cancellations {
    /// Registers `job` until the returned registration is dropped.
    pub fn register(&self, job: Stoppable) -> Registration {
        let token = CancellationToken::new();
        self.lock().insert(job.clone(), token.clone());
        Registration {
            active: Arc::clone(&self.active),
            job,
            token,
        }
    }

    /// Stops `job`. False when it is not running (finished, or never was).
    pub fn cancel(&self, job: &Stoppable) -> bool {
        match self.lock().get(job) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Stoppable, CancellationToken>> {
        self.active.lock().expect("cancellations lock")
    }
}

/// A job's place in the registry, and the token it watches.
pub(crate) struct Registration {
    active: Arc<Mutex<HashMap<Stoppable, CancellationToken>>>,
    job: Stoppable,
    token: CancellationToken,
}

impl Registration {
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.active
            .lock()
            .expect("cancellations lock")
            .remove(&self.job);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_can_be_stopped_while_registered_and_not_after() {
        let registry = Cancellations::default();
        let run = Stoppable::Run(RunId::new());
        let registration = registry.register(run.clone());
        assert!(!registration.token().is_cancelled());
        assert!(registry.cancel(&run));
        assert!(registration.token().is_cancelled());
        drop(registration);
        assert!(!registry.cancel(&run), "a finished job is no longer there");
        assert!(!registry.cancel(&Stoppable::Call(CallId::new())));
    }
}
