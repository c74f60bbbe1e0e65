//! Identifiers that tie events, containers and saved sessions together.

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One execution of code in the sandbox. Carried by every run event and by the
/// container's `sandpiper.run_id` label, so a crashed run can be traced and reaped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(String);

/// One analysis step: a question and everything done to answer it (tries, runs,
/// the answer). Carried by every conversation message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepId(String);

/// One request to a language model. Carried by the `llm_*` events, so the window
/// can put a streamed reply together and show its token usage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallId(String);

/// One question put to the analyst while a step waits for the answer (may a
/// package be installed?). Carried by the question's event and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QuestionId(String);

/// One conversation the analyst can save and reopen: its one name everywhere (its
/// kept container and volumes, its link in the package store, its token totals,
/// its saved folder). Since it names files and Docker objects, every `SessionId`
/// is well formed: 1 to 64 lower-case letters, digits and dashes, starting with a
/// letter or digit. `SessionId::new()` makes `session-<32 hex digits>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl SessionId {
    /// An id given from outside (the command line, a saved file). Refused, never
    /// rewritten: "Sales Q1" and "sales-q1" must not become one session.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let well_formed = (1..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !raw.starts_with('-');
        match well_formed {
            true => Ok(Self(raw.to_owned())),
            false => Err(Error::SessionIdNotUsable(raw.to_owned())),
        }
    }
}

impl std::str::FromStr for SessionId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for SessionId {
    type Error = Error;

    fn try_from(value: String) -> Result<Self, Error> {
        Self::parse(&value)
    }
}

impl From<SessionId> for String {
    fn from(id: SessionId) -> Self {
        id.0
    }
}

macro_rules! id_type {
    ($name:ident, $prefix:literal) => {
        impl $name {
            /// A fresh, random id such as `run-3f2a…`.
            pub fn new() -> Self {
                Self(format!("{}-{}", $prefix, uuid::Uuid::new_v4().simple()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The first characters after the prefix: enough to tell ids apart in names.
            pub fn short(&self) -> &str {
                let tail = self
                    .0
                    .strip_prefix(concat!($prefix, "-"))
                    .unwrap_or(&self.0);
                &tail[..tail.len().min(12)]
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Ids that only Sandpiper makes and reads back (from events, the window).
macro_rules! id_from_string {
    ($name:ident) => {
        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

id_from_string!(RunId);
id_from_string!(CallId);
id_from_string!(StepId);
id_from_string!(QuestionId);

id_type!(RunId, "run");
id_type!(SessionId, "session");
id_type!(CallId, "call");
id_type!(StepId, "step");
id_type!(QuestionId, "question");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed() {
        let a = RunId::new();
        let b = RunId::new();
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("run-"));
        assert_eq!(a.short().len(), 12);
        assert!(SessionId::new().as_str().starts_with("session-"));
    }

    #[test]
    fn session_ids_that_could_not_name_a_folder_or_container_are_refused() {
        assert_eq!(SessionId::parse("sales-q1").unwrap().as_str(), "sales-q1");
        assert!(SessionId::parse(SessionId::new().as_str()).is_ok());
        for bad in [
            "",
            "Sales Q1",
            "../evil",
            "a/b",
            "-x",
            "x.y",
            &"x".repeat(65),
        ] {
            assert!(SessionId::parse(bad).is_err(), "{bad:?}");
            let json = serde_json::to_string(bad).unwrap();
            assert!(serde_json::from_str::<SessionId>(&json).is_err(), "{bad:?}");
        }
    }
}
