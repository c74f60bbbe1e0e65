//! Benchmarks against baselines measured in the same run (`sandpiper bench
//! sandbox | session | sessions`). Every row is a ratio: ours over the baseline's
//! median, so machines of different speeds give comparable numbers.

mod agent;
mod sandbox;
mod session;
mod sessions;
mod stats;

pub use agent::run_agent_bench;
pub use sandbox::{BenchOptions, run_sandbox_bench};
pub use session::run_session_bench;
pub use sessions::run_sessions_bench;
pub use stats::{Row, Sample};
