//! The providers Sandpiper can talk to, by the ids used in settings and on the
//! command line, with what differs between them: address, key, default model.

use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ProviderId {
    /// Claude, through Anthropic's Messages API.
    #[default]
    #[serde(rename = "anthropic")]
    Anthropic,
    /// Google Gemini, through `generateContent` / `streamGenerateContent`.
    #[serde(rename = "gemini")]
    Gemini,
    /// OpenAI's Chat Completions API.
    #[serde(rename = "openai")]
    OpenAi,
    /// Any server that speaks Chat Completions (llama.cpp, vLLM, ...), at a given address.
    #[serde(rename = "openai-compatible")]
    OpenAiCompatible,
    /// Ollama on this computer (`http://localhost:11434/v1`).
    #[serde(rename = "ollama")]
    Ollama,
    /// LM Studio on this computer (`http://localhost:1234/v1`).
    #[serde(rename = "lmstudio")]
    LmStudio,
}

/// The wire format a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    Anthropic,
    Gemini,
    OpenAi,
}

impl ProviderId {
    pub const ALL: [ProviderId; 6] = [
        ProviderId::Anthropic,
        ProviderId::Gemini,
        ProviderId::OpenAi,
        ProviderId::OpenAiCompatible,
        ProviderId::Ollama,
        ProviderId::LmStudio,
    ];

    /// The id as in settings and on the command line, e.g. `openai-compatible`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Anthropic => "anthropic",
            ProviderId::Gemini => "gemini",
            ProviderId::OpenAi => "openai",
            ProviderId::OpenAiCompatible => "openai-compatible",
            ProviderId::Ollama => "ollama",
            ProviderId::LmStudio => "lmstudio",
        }
    }

    /// What the analyst reads, e.g. "Claude (Anthropic)".
    pub fn display_name(self) -> &'static str {
        match self {
            ProviderId::Anthropic => "Claude (Anthropic)",
            ProviderId::Gemini => "Google Gemini",
            ProviderId::OpenAi => "OpenAI",
            ProviderId::OpenAiCompatible => "the model server",
            ProviderId::Ollama => "Ollama",
            ProviderId::LmStudio => "LM Studio",
        }
    }

    pub fn wire_format(self) -> WireFormat {
        match self {
            ProviderId::Anthropic => WireFormat::Anthropic,
            ProviderId::Gemini => WireFormat::Gemini,
            ProviderId::OpenAi
            | ProviderId::OpenAiCompatible
            | ProviderId::Ollama
            | ProviderId::LmStudio => WireFormat::OpenAi,
        }
    }

    /// The API's address when settings give none. `openai-compatible` has none.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            ProviderId::Anthropic => Some("https://api.anthropic.com"),
            ProviderId::Gemini => Some("https://generativelanguage.googleapis.com/v1beta"),
            ProviderId::OpenAi => Some("https://api.openai.com/v1"),
            ProviderId::OpenAiCompatible => None,
            ProviderId::Ollama => Some("http://localhost:11434/v1"),
            ProviderId::LmStudio => Some("http://localhost:1234/v1"),
        }
    }

    /// The API address to use: the one given, else the provider's own. Only http
    /// and https. The error says in plain words what is wrong with the address.
    pub fn base_url(self, given: Option<&str>) -> Result<Url, String> {
        let text = match given.map(str::trim).filter(|u| !u.is_empty()) {
            Some(given) => given,
            None => self.default_base_url().ok_or_else(|| {
                "An OpenAI-compatible server needs an address, e.g. http://localhost:8000/v1."
                    .to_owned()
            })?,
        };
        let url = Url::parse(text).map_err(|err| {
            format!(
                "The server address \"{text}\" is not a web address ({err}). It looks like \
                 http://localhost:11434/v1."
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "The server address \"{text}\" must start with http:// or https://."
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "The server address \"{text}\" must not have a ? or # part."
            ));
        }
        // A hosted provider's key goes only to its own https endpoint, or to a
        // gateway on this computer (a local proxy that forwards to it): never
        // to another machine, where it could be read and used.
        if self.needs_key()
            && let Some(own) = self.default_base_url()
            && url.host_str() != Url::parse(own).ok().as_ref().and_then(Url::host_str)
            && !is_this_computer(&url)
        {
            return Err(format!(
                "{}'s key is sent only to {own}, so its address can't be \"{text}\". For \
                 another server, choose \"OpenAI-compatible server\" as the provider.",
                self.display_name()
            ));
        }
        if self.needs_key() && url.scheme() != "https" && !is_this_computer(&url) {
            return Err(format!(
                "The address \"{text}\" must start with https://: the key must not travel \
                 unencrypted."
            ));
        }
        Ok(url)
    }

    /// Cloud providers refuse calls without a key; local servers usually need none.
    pub fn needs_key(self) -> bool {
        matches!(
            self,
            ProviderId::Anthropic | ProviderId::Gemini | ProviderId::OpenAi
        )
    }

    /// The environment variable read when the keychain has no key. Local servers
    /// have none on purpose: an OpenAI key must never go to some other server.
    pub fn key_env_var(self) -> Option<&'static str> {
        match self {
            ProviderId::Anthropic => Some("ANTHROPIC_API_KEY"),
            ProviderId::Gemini => Some("GEMINI_API_KEY"),
            ProviderId::OpenAi => Some("OPENAI_API_KEY"),
            ProviderId::OpenAiCompatible | ProviderId::Ollama | ProviderId::LmStudio => None,
        }
    }

    /// A sensible model when settings name none. Local servers have none: the first
    /// model they list is used instead.
    pub fn default_model(self) -> Option<&'static str> {
        match self {
            ProviderId::Anthropic => Some("claude-sonnet-4-5"),
            ProviderId::Gemini => Some("gemini-flash-latest"),
            ProviderId::OpenAi => Some("gpt-4.1-mini"),
            ProviderId::OpenAiCompatible | ProviderId::Ollama | ProviderId::LmStudio => None,
        }
    }

    /// True for servers on the analyst's own computer (the presets).
    pub fn is_local_preset(self) -> bool {
        matches!(self, ProviderId::Ollama | ProviderId::LmStudio)
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parsing an unknown id says which ones exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown provider {0:?}: use anthropic, gemini, openai, openai-compatible, ollama or lmstudio"
)]
pub struct UnknownProvider(pub String);

impl FromStr for ProviderId {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        ProviderId::ALL
            .into_iter()
            .find(|p| p.as_str() == wanted)
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

/// `localhost` or a loopback address: a server on this computer.
pub fn is_this_computer(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hosted_providers_key_goes_only_to_its_own_endpoint_or_this_computer() {
        for provider in [
            ProviderId::Anthropic,
            ProviderId::Gemini,
            ProviderId::OpenAi,
        ] {
            assert!(provider.base_url(None).is_ok());
            let own = provider.default_base_url().unwrap();
            assert!(provider.base_url(Some(own)).is_ok());
            assert!(provider.base_url(Some("http://127.0.0.1:4000/v1")).is_ok());
            assert!(provider.base_url(Some("http://localhost:4000")).is_ok());
            let elsewhere = provider
                .base_url(Some("https://gateway.example.com/v1"))
                .unwrap_err();
            assert!(elsewhere.contains("key is sent only to"), "{elsewhere}");
            assert!(elsewhere.contains("OpenAI-compatible"), "{elsewhere}");
        }
        let plain = ProviderId::OpenAi
            .base_url(Some("http://api.openai.com/v1"))
            .unwrap_err();
        assert!(plain.contains("https://"), "{plain}");
        // Servers that take no key may be anywhere the analyst says.
        assert!(
            ProviderId::OpenAiCompatible
                .base_url(Some("http://models.lan:8000/v1"))
                .is_ok()
        );
    }

    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        for id in ProviderId::ALL {
            assert_eq!(id.as_str().parse::<ProviderId>().unwrap(), id);
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(serde_json::from_str::<ProviderId>(&json).unwrap(), id);
        }
        assert!("claude".parse::<ProviderId>().is_err());
    }
}
