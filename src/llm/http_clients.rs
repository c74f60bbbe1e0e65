//! HTTP clients kept for reuse. Building one loads and parses the system's root
//! certificates (100 ms measured here in a debug build), which every step paid
//! before its first model request, and "Test connection" on every click; a kept one
//! also keeps its open connections, so a cloud model's TLS handshake is paid
//! once, not at every question.
//!
//! Kept by an owner (the engine) rather than for the whole process: a client's
//! pooled connections belong to the async runtime that opened them, and a
//! process may run several runtimes one after another (tests do).

use crate::error::LlmError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What makes two clients differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ClientKind {
    connect_timeout: Duration,
    /// The model runs on this computer: never through the company proxy.
    local: bool,
}

/// Clients by kind; cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct HttpClients(Arc<Mutex<HashMap<ClientKind, reqwest::Client>>>);

impl HttpClients {
    /// The kept client of this kind, else a new one (then kept).
    pub(crate) fn client(
        &self,
        connect_timeout: Duration,
        local: bool,
    ) -> Result<reqwest::Client, LlmError> {
        let kind = ClientKind {
            connect_timeout,
            local,
        };
        if let Some(client) = self.0.lock().expect("http clients lock").get(&kind) {
            return Ok(client.clone());
        }
        let client = build(kind)?;
        self.0
            .lock()
            .expect("http clients lock")
            .insert(kind, client.clone());
        Ok(client)
    }
}

fn build(kind: ClientKind) -> Result<reqwest::Client, LlmError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(kind.connect_timeout)
        // Model APIs do not redirect; following one would carry the key's
        // header (x-api-key, x-goog-api-key) to wherever it points.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("sandpiper/", env!("CARGO_PKG_VERSION")));
    if kind.local {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|err| {
        LlmError::InvalidSettings(format!(
            "Sandpiper could not prepare secure connections on this computer: {err}"
        ))
    })
}
