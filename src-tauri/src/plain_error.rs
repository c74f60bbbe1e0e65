//! Errors as the window shows them: `{ title, advice }`, never a raw error string.

use sandpiper::PlainWords;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CommandError {
    pub title: String,
    pub advice: String,
}

impl From<sandpiper::Error> for CommandError {
    fn from(err: sandpiper::Error) -> Self {
        PlainWords::into(err.plain_words())
    }
}

impl From<sandpiper::llm::LlmError> for CommandError {
    fn from(err: sandpiper::llm::LlmError) -> Self {
        PlainWords::into(err.plain_words())
    }
}

impl From<PlainWords> for CommandError {
    fn from(words: PlainWords) -> Self {
        Self {
            title: words.title,
            advice: words.advice,
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
