//! The analysis agent (seed 000): a question becomes a Python script the model
//! writes, the script runs in the session's container, a failure goes back to the
//! model to be fixed (at most `max_tries` tries; a missing package is installed
//! without spending one), and a success becomes an answer in plain words whose
//! numbers are checked against what the code printed.
//!
//! - `step.rs`: one step, start to end, as conversation messages.
//! - `workbench.rs`: where the step's code runs (the session's container).
//! - `context.rs`: what a step knows before its first try, computed in the sandbox.
//! - `prompt.rs`: the briefs and requests (full, or compact for small models).
//! - `extract.rs`: the script in a model's reply, however it was wrapped.
//! - `history.rs`: what was tried, so the same code never runs twice and the
//!   same failure twice asks for another approach.
//! - `grounding.rs`: numbers in the answer that the output does not back.
//! - `follow_ups.rs`: the questions an answer suggests asking next.

pub mod context;
pub mod extract;
pub mod follow_ups;
pub mod grounding;
mod history;
pub mod prompt;
mod step;
mod workbench;

pub use context::StepContext;
pub use step::{Model, Step, StepReport, fail_step, open_step, run_step};
pub use workbench::Workbench;
