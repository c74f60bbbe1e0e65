//! Tauri commands, one file per domain. Each is a thin call into the engine that
//! turns its errors into plain words.

pub mod analysis;
pub mod containers;
pub mod datasets;
pub mod docker;
pub mod llm;
pub mod runs;
pub mod sessions;
pub mod settings;
