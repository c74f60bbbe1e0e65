//! The HTTP side shared by every provider: one reqwest client, time limits,
//! retries, cancelling, and turning transport failures into plain errors. What
//! differs between providers comes from their `Wire`.

use super::config::{ProviderConfig, Timeouts};
use super::http_clients::HttpClients;
use super::keys::ApiKey;
use super::provider::{Completion, CompletionRequest, ModelInfo, OnUpdate, Provider, Update};
use super::retry::{self, RetryPolicy};
use super::sse::SseStream;
use super::wire::{StreamState, Wire};
use crate::error::{LlmError, TimeoutPhase};
use crate::provider_id::ProviderId;
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, Url};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The most pages of models fetched for one listing.
const MAX_MODEL_PAGES: usize = 20;

#[derive(Debug)]
pub(crate) struct HttpProvider<W: Wire> {
    wire: W,
    http: reqwest::Client,
    base_url: Url,
    key: Option<ApiKey>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    via_proxy: bool,
}

/// A point in time a wait must end by, and which limit it is.
#[derive(Clone, Copy)]
struct Deadline {
    at: Instant,
    phase: TimeoutPhase,
    after: Duration,
}

impl Deadline {
    /// The earlier of "this wait" and "the whole call".
    fn earliest(wait: Duration, phase: TimeoutPhase, total: Deadline) -> Deadline {
        let at = Instant::now() + wait;
        if at < total.at {
            Deadline {
                at,
                phase,
                after: wait,
            }
        } else {
            total
        }
    }
}

impl<W: Wire> HttpProvider<W> {
    pub fn new(wire: W, config: ProviderConfig, clients: &HttpClients) -> Result<Self, LlmError> {
        let local = is_loopback(&config.base_url);
        let http = clients.client(config.timeouts.connect, local)?;
        let via_proxy = !local
            && [
                "HTTPS_PROXY",
                "https_proxy",
                "ALL_PROXY",
                "all_proxy",
                "HTTP_PROXY",
                "http_proxy",
            ]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
        Ok(Self {
            wire,
            http,
            base_url: config.base_url,
            key: config.key,
            timeouts: config.timeouts,
            retry: config.retry,
            via_proxy,
        })
    }

    fn provider(&self) -> ProviderId {
        self.wire.provider()
    }

    fn total_deadline(&self) -> Deadline {
        Deadline {
            at: Instant::now() + self.timeouts.total,
            phase: TimeoutPhase::Total,
            after: self.timeouts.total,
        }
    }

    fn request(
        &self,
        method: Method,
        url: &Url,
        body: Option<&serde_json::Value>,
        stream: bool,
    ) -> Result<RequestBuilder, LlmError> {
        let mut builder = self
            .http
            .request(method, url.clone())
            .headers(self.wire.headers(self.key.as_ref())?);
        if stream {
            builder = builder.header(ACCEPT, HeaderValue::from_static("text/event-stream"));
        }
        if let Some(body) = body {
            builder = builder.json(body);
        }
        Ok(builder)
    }

    /// Runs `work` until it ends, the deadline passes or the call is cancelled.
    async fn guard<F: Future>(
        &self,
        deadline: Deadline,
        cancel: &CancellationToken,
        work: F,
    ) -> Result<F::Output, LlmError> {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(LlmError::Cancelled),
            _ = tokio::time::sleep_until(deadline.at) => Err(LlmError::Timeout {
                provider: self.provider(),
                phase: deadline.phase,
                after: deadline.after,
            }),
            out = work => Ok(out),
        }
    }

    /// Sends one request; a non-2xx reply becomes the provider's typed error.
    async fn send(
        &self,
        request: RequestBuilder,
        deadline: Deadline,
        cancel: &CancellationToken,
        model: &str,
    ) -> Result<Response, LlmError> {
        tracing::debug!(provider = %self.provider(), "sending request");
        let response = self
            .guard(deadline, cancel, request.send())
            .await?
            .map_err(|err| self.transport_error(err))?;
        let status = response.status();
        tracing::debug!(provider = %self.provider(), status = status.as_u16(), "response");
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry::retry_after(response.headers());
        let body = self
            .guard(deadline, cancel, response.text())
            .await?
            .unwrap_or_default();
        Err(self
            .wire
            .classify(status.as_u16(), retry_after, &self.scrub(&body), model))
    }

    /// Waits before the next try, or returns the error when no try is left.
    async fn pause_before_retry(
        &self,
        attempt: u32,
        error: LlmError,
        total: Deadline,
        cancel: &CancellationToken,
        on_update: &mut OnUpdate<'_>,
    ) -> Result<u32, LlmError> {
        let Some(wait) = self.retry.wait_before_next(attempt, &error) else {
            return Err(error.with_attempts(attempt));
        };
        if Instant::now() + wait >= total.at {
            return Err(error.with_attempts(attempt));
        }
        tracing::warn!(
            provider = %self.provider(),
            attempt,
            wait_ms = wait.as_millis() as u64,
            error = %error,
            "retrying"
        );
        on_update(Update::Retrying {
            attempt,
            max_attempts: self.retry.max_attempts,
            wait,
            reason: &error,
        });
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(LlmError::Cancelled),
            _ = tokio::time::sleep(wait) => Ok(attempt + 1),
        }
    }

    /// A request whose reply is read whole (a completion, a page of models), retried.
    async fn fetch(
        &self,
        method: Method,
        url: &Url,
        body: Option<&serde_json::Value>,
        model: &str,
        wait: (Duration, TimeoutPhase),
        cancel: &CancellationToken,
    ) -> Result<(String, u32), LlmError> {
        let total = self.total_deadline();
        let mut attempt = 1;
        loop {
            let deadline = Deadline::earliest(wait.0, wait.1, total);
            let result = async {
                let request = self.request(method.clone(), url, body, false)?;
                let response = self.send(request, deadline, cancel, model).await?;
                self.guard(deadline, cancel, response.text())
                    .await?
                    .map_err(|err| self.transport_error(err))
            }
            .await;
            match result {
                Ok(text) => return Ok((self.scrub(&text), attempt)),
                Err(err) => {
                    attempt = self
                        .pause_before_retry(attempt, err, total, cancel, &mut |_| {})
                        .await?
                }
            }
        }
    }

    /// One streamed try: the request, then its events until the end marker.
    #[allow(clippy::too_many_arguments)]
    async fn stream_once(
        &self,
        url: &Url,
        body: &serde_json::Value,
        model: &str,
        started: Instant,
        total: Deadline,
        state: &mut StreamState,
        first_token: &mut Option<Duration>,
        on_update: &mut OnUpdate<'_>,
        cancel: &CancellationToken,
    ) -> Result<(), LlmError> {
        let quiet = self.timeouts.first_token;
        let request = self.request(Method::POST, url, Some(body), true)?;
        // The first-token limit counts from sending the request...
        let deadline = Deadline::earliest(quiet, TimeoutPhase::FirstToken, total);
        let response = self.send(request, deadline, cancel, model).await?;
        let mut events = SseStream::from_response(self.provider(), response);
        let mut deadline = deadline;
        loop {
            let event = self.guard(deadline, cancel, events.next()).await??;
            let Some(mut event) = event else {
                return self.wire.stream_ended(state);
            };
            if let Some(key) = &self.key {
                // An error event could quote the key back.
                event.data = key.scrub(&event.data);
            }
            self.wire.on_event(&event, state, model)?;
            let piece = state.take_pending();
            if !piece.is_empty() {
                first_token.get_or_insert_with(|| started.elapsed());
                on_update(Update::Text(&piece));
            }
            if state.done {
                return Ok(());
            }
            // ...and then from each event: a model that goes quiet is given up on.
            deadline = Deadline::earliest(quiet, TimeoutPhase::FirstToken, total);
        }
    }

    fn scrub(&self, text: &str) -> String {
        match &self.key {
            Some(key) => key.scrub(text),
            None => text.to_owned(),
        }
    }

    fn host(&self) -> String {
        let host = self.base_url.host_str().unwrap_or("?");
        match self.base_url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    fn transport_error(&self, err: reqwest::Error) -> LlmError {
        // The innermost cause reads best ("Connection refused", "invalid peer certificate").
        let mut innermost: &dyn std::error::Error = &err;
        while let Some(inner) = innermost.source() {
            innermost = inner;
        }
        let reason = self.scrub(&innermost.to_string());
        tracing::debug!(provider = %self.provider(), error = %self.scrub(&err.to_string()), "transport error");
        if err.is_connect() && err.is_timeout() {
            return LlmError::Timeout {
                provider: self.provider(),
                phase: TimeoutPhase::Connect,
                after: self.timeouts.connect,
            };
        }
        if err.is_body() || err.is_decode() {
            return LlmError::Interrupted {
                provider: self.provider(),
                reason,
            };
        }
        let lower = reason.to_lowercase();
        LlmError::Unreachable {
            provider: self.provider(),
            host: self.host(),
            certificate: lower.contains("certificate") || lower.contains("unknownissuer"),
            via_proxy: self.via_proxy,
            reason,
        }
    }
}

fn is_loopback(url: &Url) -> bool {
    crate::provider_id::is_this_computer(url)
}

#[async_trait::async_trait]
impl<W: Wire> Provider for HttpProvider<W> {
    fn id(&self) -> ProviderId {
        self.provider()
    }

    async fn list_models(&self, cancel: &CancellationToken) -> Result<Vec<ModelInfo>, LlmError> {
        let mut models = Vec::new();
        let mut page: Option<String> = None;
        for _ in 0..MAX_MODEL_PAGES {
            let url = self.wire.models_url(&self.base_url, page.as_deref());
            let wait = (self.timeouts.first_token, TimeoutPhase::FirstToken);
            let (body, _) = self
                .fetch(Method::GET, &url, None, "", wait, cancel)
                .await
                .map_err(|err| match err {
                    // No model was asked for: a 404 here means a wrong address.
                    LlmError::UnknownModel {
                        provider, message, ..
                    } => LlmError::Rejected {
                        provider,
                        status: 404,
                        message,
                    },
                    other => other,
                })?;
            let (mut found, next) = self.wire.parse_models(&body)?;
            models.append(&mut found);
            match next {
                Some(token) if Some(&token) != page.as_ref() => page = Some(token),
                _ => break,
            }
        }
        Ok(models)
    }

    async fn complete(
        &self,
        request: &CompletionRequest,
        cancel: &CancellationToken,
    ) -> Result<Completion, LlmError> {
        let started = Instant::now();
        let url = self
            .wire
            .completion_url(&self.base_url, &request.model, false);
        let body = self.wire.body(request, false);
        // The whole reply is written before the first byte comes: only the total limit applies.
        let wait = (self.timeouts.total, TimeoutPhase::Total);
        let (text, attempts) = self
            .fetch(
                Method::POST,
                &url,
                Some(&body),
                &request.model,
                wait,
                cancel,
            )
            .await?;
        let reply = self.wire.parse_reply(&text)?;
        let duration = started.elapsed();
        Ok(Completion {
            text: reply.text,
            usage: reply.usage,
            stop_reason: reply.stop_reason,
            model: reply.model,
            first_token: Some(duration),
            duration,
            attempts,
        })
    }

    async fn stream(
        &self,
        request: &CompletionRequest,
        on_update: &mut OnUpdate<'_>,
        cancel: &CancellationToken,
    ) -> Result<Completion, LlmError> {
        let started = Instant::now();
        let total = self.total_deadline();
        let url = self
            .wire
            .completion_url(&self.base_url, &request.model, true);
        let body = self.wire.body(request, true);
        let mut attempt = 1;
        loop {
            let mut state = StreamState::default();
            let mut first_token = None;
            let result = self
                .stream_once(
                    &url,
                    &body,
                    &request.model,
                    started,
                    total,
                    &mut state,
                    &mut first_token,
                    on_update,
                    cancel,
                )
                .await;
            match result {
                Ok(()) => {
                    return Ok(Completion {
                        text: state.text,
                        usage: state.usage,
                        stop_reason: state.stop_reason,
                        model: state.model,
                        first_token,
                        duration: started.elapsed(),
                        attempts: attempt,
                    });
                }
                // Text already shown would be repeated by another try: stop here.
                Err(err) if !state.text.is_empty() => return Err(err.with_attempts(attempt)),
                Err(err) => {
                    attempt = self
                        .pause_before_retry(attempt, err, total, cancel, on_update)
                        .await?
                }
            }
        }
    }

    fn request_body(&self, request: &CompletionRequest, stream: bool) -> serde_json::Value {
        self.wire.body(request, stream)
    }
}
