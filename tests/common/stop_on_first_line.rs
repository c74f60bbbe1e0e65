//! A listener that clicks Stop the moment a run's first line of output shows,
//! as a user would: the stop tests of the Quick profile share it.

use super::Recorder;
use sandpiper::Engine;
use sandpiper::events::{Event, EventSink};
use std::sync::{Arc, Weak};

pub struct StopOnFirstLine {
    engine: Weak<Engine>,
    heard: Recorder,
}

impl StopOnFirstLine {
    /// Stops `engine`'s run on its first line; every event also goes to `heard`.
    pub fn new(engine: &Arc<Engine>, heard: &Recorder) -> Arc<Self> {
        Arc::new(Self {
            engine: Arc::downgrade(engine),
            heard: heard.clone(),
        })
    }
}

impl EventSink for StopOnFirstLine {
    fn emit(&self, event: Event) {
        if let Event::Stdout { run_id, .. } = &event
            && self.heard.stdout_lines().is_empty()
            && let Some(engine) = self.engine.upgrade()
        {
            engine.cancel_run(run_id);
        }
        self.heard.emit(event);
    }
}
