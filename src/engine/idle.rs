//! Idle sessions give their memory back: a kept session container (Python with
//! pandas preloaded, and whatever a follow-up left in memory-backed folders) is
//! stopped after `sessions.stop_idle_container_after_secs` without a run. The
//! next run starts it again through `SessionContainers::ensure`, its work
//! folder (a volume) kept.
//!
//! Each session has a generation number, bumped whenever a run begins or ends;
//! a stop scheduled at the end of a run happens only if the number is still
//! the one it was scheduled with. The map's lock is held while the stop is
//! sent, so a run that begins meanwhile waits for the stop to finish, then
//! starts the container again instead of running into it as it stops.

use crate::ids::SessionId;
use crate::session_container::SessionContainers;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

#[derive(Default, Clone)]
pub(super) struct IdleStops {
    sessions: Arc<Mutex<HashMap<SessionId, Pending>>>,
}

/// A session's generation, and the timer waiting to stop its container.
#[derive(Default)]
struct Pending {
    generation: u64,
    timer: Option<tokio::task::AbortHandle>,
}

impl Pending {
    /// A new generation: whatever was scheduled is called off (so a busy
    /// session leaves no pile of sleeping timers behind).
    fn bump(&mut self) -> u64 {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        self.generation += 1;
        self.generation
    }
}

impl IdleStops {
    /// A run of `session` begins: no stop scheduled before now may land.
    pub async fn busy(&self, session: &SessionId) {
        self.sessions
            .lock()
            .await
            .entry(session.clone())
            .or_default()
            .bump();
    }

    /// `session`'s run ended: its container `container_id` stops after `after`
    /// unless another run begins first. A zero `after` never stops it.
    pub async fn idle(
        &self,
        session: &SessionId,
        container_id: String,
        containers: SessionContainers,
        after: Duration,
    ) {
        let mut sessions = self.sessions.lock().await;
        let pending = sessions.entry(session.clone()).or_default();
        let generation = pending.bump();
        if after.is_zero() {
            return;
        }
        let all = Arc::clone(&self.sessions);
        let session = session.clone();
        let timer = tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let sessions = all.lock().await;
            let current = sessions.get(&session).map(|p| p.generation);
            if current == Some(generation) {
                // Stopped, not removed, its work folder kept aside: nothing of
                // the session is lost. A container already gone needs nothing.
                if let Err(err) = containers.stop_idle(&session, &container_id).await {
                    tracing::debug!(%session, "stopping an idle session container: {err}");
                }
            }
        });
        pending.timer = Some(timer.abort_handle());
    }
}
