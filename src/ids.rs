//! Identifiers that tie events, containers and (later) saved sessions together.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One execution of code in the sandbox. Carried by every run event and by the
/// container's `sandpiper.run_id` label, so a crashed run can be traced and reaped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(String);

/// One request to a language model. Carried by the `llm_*` events, so the window
/// can put a streamed reply together and show its token usage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallId(String);

/// One conversation the analyst can save and reopen. Runs belong to a session.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(String);

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

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(RunId, "run");
id_type!(SessionId, "session");
id_type!(CallId, "call");

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
}
