//! Errors as the window shows them: `{ code, title, advice }`, never a raw error
//! string. The code lets the window offer the fix ("Open Settings" for
//! `llm.missing_key`) without reading the words.

use sandpiper::PlainWords;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    pub code: String,
    pub title: String,
    pub advice: String,
}

impl From<sandpiper::Error> for CommandError {
    fn from(err: sandpiper::Error) -> Self {
        PlainWords::into(err.plain_words())
    }
}

impl From<PlainWords> for CommandError {
    fn from(words: PlainWords) -> Self {
        Self {
            code: words.code,
            title: words.title,
            advice: words.advice,
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

impl CommandError {
    /// A task of the shell's that panicked: not the analyst's doing, and the
    /// next try usually works.
    pub fn stopped_unexpectedly(what: &str) -> Self {
        Self {
            code: "app.stopped_unexpectedly".into(),
            title: format!("{what} stopped unexpectedly."),
            advice: "Try again. If it keeps happening, restart Sandpiper.".into(),
        }
    }
}
