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
    generations: Arc<Mutex<HashMap<SessionId, u64>>>,
}

impl IdleStops {
    /// A run of `session` begins: no stop scheduled before now may land.
    pub async fn busy(&self, session: &SessionId) {
        *self
            .generations
            .lock()
            .await
            .entry(session.clone())
            .or_default() += 1;
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
        let generation = {
            let mut generations = self.generations.lock().await;
            let generation = generations.entry(session.clone()).or_default();
            *generation += 1;
            *generation
        };
        if after.is_zero() {
            return;
        }
        let generations = Arc::clone(&self.generations);
        let session = session.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let generations = generations.lock().await;
            if generations.get(&session) == Some(&generation) {
                // Stopped, not removed, its work folder kept aside: nothing of
                // the session is lost. A container already gone needs nothing.
                if let Err(err) = containers.stop_idle(&session, &container_id).await {
                    tracing::debug!(%session, "stopping an idle session container: {err}");
                }
            }
        });
    }
}
