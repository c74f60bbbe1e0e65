//! Sandpiper's engine: everything but the window. The desktop shell (`src-tauri/`),
//! the CLI (`src/bin/sandpiper/`) and the tests all drive it through this API.

pub mod bench;
mod clock;
pub mod docker;
pub mod engine;
pub mod error;
pub mod events;
pub mod ids;
pub mod llm;
pub mod packages;
pub mod profile;
pub mod sandbox;
pub mod session_container;
pub mod settings;

pub use engine::Engine;
pub use error::{Error, PlainWords, Result};
pub use events::{Artifact, Event, EventSink, Outcome, PythonError};
pub use ids::{CallId, RunId, SessionId};
pub use settings::Settings;
