//! Language models: Claude (Anthropic), Gemini, OpenAI and any OpenAI-compatible
//! server (Ollama, LM Studio, llama.cpp, vLLM), over their own HTTP APIs (no SDK).
//!
//! - `provider.rs`: the `Provider` trait (stream, complete, list models) and its types.
//! - `anthropic.rs`, `gemini.rs`, `openai.rs`: each provider's wire format.
//! - `error_reply.rs`: reading a provider's error reply into a typed error (the
//!   error type itself, `LlmError`, is in the bottom layer: `crate::error`).
//! - `client.rs`: HTTP, time limits, retries and cancelling, shared by all.
//! - `config.rs`: what a provider needs; `connect.rs`: a ready provider from it.
//! - `sse.rs`: server-sent events; `retry.rs`: backoff and Retry-After.
//! - `keys.rs`: API keys in the keychain.
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
mod connect;
pub mod dataset_summary;
mod error_reply;
mod gemini;
mod http_clients;
pub mod keys;
mod openai;
mod provider;
pub mod retry;
pub mod sse;
pub mod usage_ledger;
pub mod what_is_sent;
mod wire;

pub use crate::error::{LlmError, TimeoutPhase};
pub use crate::provider_id::{ProviderId, UnknownProvider, WireFormat};
pub use anthropic::API_VERSION as ANTHROPIC_API_VERSION;
pub use ask::{Answer, Question, ask};
pub use call::stream_with_events;
pub use check::{ConnectionCheck, choose_model, resolve_model, test_connection};
pub use config::{ProviderConfig, Timeouts};
pub use connect::{connect, connect_sharing, connect_with_stored_key};
pub use http_clients::HttpClients;
pub use keys::{ApiKey, KeySource, KeyStore};
pub use provider::{
    Completion, CompletionRequest, Message, ModelInfo, OnUpdate, Provider, Role, Update, Usage,
};
pub use retry::RetryPolicy;
pub use usage_ledger::{CallUsage, SessionUsage, UsageLedger, record_call_usage};
pub use what_is_sent::{DatasetSummary, SendPolicy, WhatIsSent};
