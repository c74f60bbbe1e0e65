//! Sandpiper's engine: everything but the window. The desktop shell (`src-tauri/`),
//! the CLI (`src/bin/sandpiper/`) and the tests all drive it through `Engine`.
//!
//! The modules form layers; each uses only the layers below it, and no two
//! modules use each other (`tests/module_layers.rs` fails on a cycle or on a
//! module reaching up):
//!
//! 1. Words everyone shares: `ids`, `plain_words`, `provider_id`, `settings`,
//!    `run_outcome`, `profile_data`, `conversation`, `events`, `error`, and the small utilities `clock` and `atomic_file`.
//! 2. Docker access: `docker` (connect, status, images, labels, guards, reaping).
//! 3. The pillars: `sandbox`, `packages`, `llm`; then those that combine them:
//!    `session_container` (sandbox + packages) and `profile` (sandbox).
//! 4. The product: `agent` (the question → code → run → fix → answer loop) and
//!    `store` (saved sessions: the conversation as it happens, reopening, exports).
//! 5. The facade: `engine`; and what drives it to measure it: `bench`, `eval`
//!    and the `replay_model` they ask.

// Layer 1
pub mod atomic_file;
mod clock;
pub mod conversation;
pub mod error;
pub mod events;
pub mod ids;
pub mod plain_words;
pub mod profile_data;
pub mod provider_id;
pub mod run_outcome;
pub mod settings;
// Layer 2
pub mod docker;
// Layer 3
pub mod llm;
pub mod packages;
pub mod profile;
pub mod sandbox;
pub mod session_container;
// Layer 4
pub mod agent;
pub mod store;
// Layer 5
pub mod bench;
pub mod engine;
pub mod eval;
pub mod replay_model;

pub use engine::Engine;
pub use error::{Error, Result};
pub use events::{Artifact, Event, EventSink, Outcome, PythonError};
pub use ids::{CallId, RunId, SessionId};
pub use plain_words::PlainWords;
pub use provider_id::ProviderId;
pub use settings::Settings;
