//! Language models through the engine: the providers the picker lists, "Test
//! connection", API keys in the OS keychain, and asking a model (a plain prompt,
//! or a question about the datasets). Every call is registered so it can be
//! stopped, and its tokens go to the session's ledger.

use super::Engine;
use super::cancellation::Stoppable;
use crate::error::{Error, Result};
use crate::events::{Discard, EventSink};
use crate::ids::{CallId, SessionId};
use crate::llm::{
    self, ApiKey, Completion, CompletionRequest, DatasetSummary, KeyStore, ModelInfo, Provider,
    SendPolicy,
};
use crate::provider_id::ProviderId;
use crate::settings::LlmSettings;
use serde::Serialize;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// A provider as the picker shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderChoice {
    pub id: ProviderId,
    pub name: &'static str,
    /// Empty for `openai-compatible`, whose address the analyst gives.
    pub default_base_url: Option<&'static str>,
    pub needs_key: bool,
    pub key_env_var: Option<&'static str>,
    pub default_model: Option<&'static str>,
}

/// Which model to talk to: the settings' time limits and retries with this
/// provider, address and model (`None`: the provider's own address; the
/// configured, default or first listed model).
#[derive(Debug, Clone)]
pub struct ModelChoice {
    pub provider: ProviderId,
    pub base_url: Option<String>,
    pub model: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionReport {
    /// One sentence the window shows as it is.
    pub message: String,
    pub models: Vec<ModelInfo>,
    /// The model calls will use.
    pub model: Option<String>,
}

/// Whether a key is there for the provider, never the key itself.
#[derive(Debug, Clone, Serialize)]
pub struct KeyStatus {
    pub in_keychain: bool,
    /// The environment variable that supplies the key when the keychain has none.
    pub from_environment: Option<&'static str>,
}

/// A plain prompt, as `sandpiper ask` sends it.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub text: String,
    pub system: Option<String>,
    pub max_tokens: u32,
    pub temperature: Option<f64>,
}

impl Engine {
    /// Every provider, in the order the picker lists them.
    pub fn providers() -> Vec<ProviderChoice> {
        ProviderId::ALL
            .into_iter()
            .map(|id| ProviderChoice {
                id,
                name: id.display_name(),
                default_base_url: id.default_base_url(),
                needs_key: id.needs_key(),
                key_env_var: id.key_env_var(),
                default_model: id.default_model(),
            })
            .collect()
    }

    /// Checks the address and key by listing the models (the same errors a
    /// call would meet show up here first), and says what it found.
    pub async fn test_connection(&self, choice: &ModelChoice) -> Result<ConnectionReport> {
        let provider = self.provider_for(choice)?;
        let configured = choice.model.as_deref().filter(|m| !m.trim().is_empty());
        let check =
            llm::test_connection(provider.as_ref(), configured, &CancellationToken::new()).await?;
        Ok(ConnectionReport {
            message: check.summary(choice.provider),
            models: check.models,
            model: check.model,
        })
    }

    pub fn key_status(&self, provider: ProviderId) -> Result<KeyStatus> {
        let in_keychain = KeyStore::default().keychain_key(provider)?.is_some();
        let from_environment = provider
            .key_env_var()
            .filter(|var| std::env::var(var).is_ok_and(|v| !v.trim().is_empty()));
        Ok(KeyStatus {
            in_keychain,
            from_environment,
        })
    }

    /// Saves the key in the OS keychain (never in a settings file), replacing any
    /// earlier one.
    pub fn save_key(&self, provider: ProviderId, key: String) -> Result<KeyStatus> {
        KeyStore::default().save(provider, &ApiKey::new(key)?)?;
        self.key_status(provider)
    }

    pub fn forget_key(&self, provider: ProviderId) -> Result<KeyStatus> {
        KeyStore::default().delete(provider)?;
        self.key_status(provider)
    }

    /// The request body exactly as `ask_model` will send it (the key travels in
    /// a header and is not in it), for "show what is sent".
    pub async fn model_request_body(
        &self,
        choice: &ModelChoice,
        prompt: &Prompt,
    ) -> Result<serde_json::Value> {
        let provider = self.provider_for(choice)?;
        let request = self
            .request_for(provider.as_ref(), choice, prompt, &CancellationToken::new())
            .await?;
        Ok(provider.request_body(&request, true))
    }

    /// Streams one reply to `prompt` as `llm_*` events; `cancel_call(call_id)`
    /// stops it. Fails before the call (no key, a bad address, no model); the
    /// call's own outcome is the inner result, whose failure `llm_finished`
    /// has already told.
    pub async fn ask_model(
        &self,
        choice: &ModelChoice,
        prompt: &Prompt,
        call_id: &CallId,
        sink: &dyn EventSink,
    ) -> Result<std::result::Result<Completion, llm::LlmError>> {
        let registration = self
            .cancellations
            .register(Stoppable::Call(call_id.clone()));
        let cancel = registration.token();
        let provider = self.provider_for(choice)?;
        let request = self
            .request_for(provider.as_ref(), choice, prompt, cancel)
            .await?;
        Ok(llm::stream_with_events(provider.as_ref(), &request, call_id, None, sink, cancel).await)
    }

    /// What the model may learn about `datasets` (columns, types, statistics, the
    /// first rows), computed in the sandbox like any code. Emits no events: the
    /// window shows the text that is sent (`llm_prompt`), not this step.
    pub async fn summarise_datasets(&self, datasets: &[PathBuf]) -> Result<Vec<DatasetSummary>> {
        if datasets.is_empty() {
            return Ok(Vec::new());
        }
        let scratch = tempfile::tempdir().map_err(|e| Error::io("preparing a folder", e))?;
        let result = self
            .run_code(
                "Describe the datasets",
                llm::dataset_summary::SCRIPT,
                datasets,
                scratch.path(),
                &Discard,
            )
            .await?;
        if !result.outcome.is_success() {
            let reason = result
                .error
                .map(|e| format!("{}: {}", e.type_name, e.message))
                .unwrap_or(result.summary);
            return Err(Error::DatasetSummaryFailed { reason });
        }
        llm::dataset_summary::parse(&result.stdout)
    }

    /// Asks the configured model `question` about `datasets`, streaming the reply
    /// to `sink` and adding its tokens to the session's totals; `cancel_call`
    /// stops it. Fails before the call (an empty question, no key, no model, a
    /// dataset that cannot be described) or when the totals cannot be saved; a
    /// call that fails is an `Answer` with its error, which the window already
    /// heard in `llm_finished`.
    pub async fn ask_about_datasets(
        &self,
        session_id: &SessionId,
        call_id: &CallId,
        question: &str,
        datasets: &[PathBuf],
        sink: &dyn EventSink,
    ) -> Result<llm::Answer> {
        if question.trim().is_empty() {
            return Err(Error::QuestionEmpty);
        }
        let registration = self
            .cancellations
            .register(Stoppable::Call(call_id.clone()));
        let cancel = registration.token();
        let settings = self.settings().llm;
        let provider = llm::connect_with_stored_key(&settings, &self.http_clients)?;
        let model =
            llm::resolve_model(provider.as_ref(), settings.model.as_deref(), cancel).await?;
        let summaries = self.summarise_datasets(datasets).await?;
        let policy = SendPolicy::from_settings(&settings);
        let question = llm::Question {
            session_id,
            call_id,
            model: &model,
            text: question,
            datasets: &summaries,
            policy: &policy,
        };
        llm::ask(
            provider.as_ref(),
            &question,
            &self.usage_ledger(),
            sink,
            cancel,
        )
        .await
    }

    /// The chosen provider with the settings' time limits and the stored key.
    fn provider_for(&self, choice: &ModelChoice) -> Result<Box<dyn Provider>> {
        let settings = LlmSettings {
            provider: choice.provider,
            base_url: choice.base_url.clone().filter(|url| !url.trim().is_empty()),
            model: choice.model.clone(),
            ..self.settings().llm
        };
        Ok(llm::connect_with_stored_key(&settings, &self.http_clients)?)
    }

    async fn request_for(
        &self,
        provider: &dyn Provider,
        choice: &ModelChoice,
        prompt: &Prompt,
        cancel: &CancellationToken,
    ) -> Result<CompletionRequest> {
        let model = llm::resolve_model(provider, choice.model.as_deref(), cancel).await?;
        let mut request = CompletionRequest::new(model, prompt.text.clone());
        request.system = prompt.system.clone();
        request.max_tokens = prompt.max_tokens;
        request.temperature = prompt.temperature;
        Ok(request)
    }
}
