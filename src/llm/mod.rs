//! Language models: Claude (Anthropic), Gemini, OpenAI and any OpenAI-compatible
//! server (Ollama, LM Studio, llama.cpp, vLLM), over their own HTTP APIs (no SDK).
//!
//! - `provider.rs`: the `Provider` trait (stream, complete, list models) and its types.
//! - `anthropic.rs`, `gemini.rs`, `openai.rs`: each provider's wire format.
//! - `client.rs`: HTTP, time limits, retries and cancelling, shared by all.
//! - `sse.rs`: server-sent events; `retry.rs`: backoff and Retry-After.
//! - `errors.rs`: typed errors in plain words; `keys.rs`: API keys in the keychain.
//! - `what_is_sent.rs`: the one place deciding what about a dataset leaves the computer.
//! - `call.rs`: a call as events for the window; `check.rs`: "test connection".
//! - `ask.rs`: a question about the datasets, from `what_is_sent` to the ledger;
//!   `dataset_summary.rs`: the summary it starts from, computed in the sandbox.
//! - `usage_ledger.rs`: tokens per call and per session, kept on disk.

mod anthropic;
pub mod ask;
mod call;
mod check;
mod client;
mod config;
pub mod dataset_summary;
pub mod errors;
mod gemini;
pub mod keys;
mod openai;
mod provider;
mod provider_id;
pub mod retry;
pub mod sse;
pub mod usage_ledger;
pub mod what_is_sent;
mod wire;

pub use anthropic::API_VERSION as ANTHROPIC_API_VERSION;
pub use ask::{Answer, Question, ask};
pub use call::stream_with_events;
pub use check::{ConnectionCheck, choose_model, resolve_model, test_connection};
pub use config::{ProviderConfig, Timeouts, connect, connect_with_stored_key, resolve_base_url};
pub use errors::{LlmError, TimeoutPhase};
pub use keys::{ApiKey, KeySource, KeyStore};
pub use provider::{
    Completion, CompletionRequest, Message, ModelInfo, OnUpdate, Provider, Role, Update, Usage,
};
pub use provider_id::{ProviderId, UnknownProvider, WireFormat};
pub use retry::RetryPolicy;
pub use usage_ledger::{CallUsage, SessionUsage, UsageLedger};
pub use what_is_sent::{DatasetSummary, SendPolicy, WhatIsSent};
