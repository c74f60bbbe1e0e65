//! What a person reads when something needs their attention: what happened, what
//! to do next, and a stable code the window can act on (offer "Open Settings" for
//! `llm.missing_key`) without matching on the words.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainWords {
    /// Dotted and stable across releases, e.g. `docker.not_running`. The words may
    /// change; the code may not.
    pub code: String,
    pub title: String,
    pub advice: String,
}

impl PlainWords {
    pub fn new(code: &'static str, title: impl Into<String>, advice: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            title: title.into(),
            advice: advice.into(),
        }
    }
}

impl std::fmt::Display for PlainWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.title, self.advice)
    }
}
