//! `session.json`: what a session is (id, title, times, model, datasets, the
//! container details' file, token totals), in today's format. Read through the
//! migrations, so every older format opens; written only whole and atomically.

use super::layout::{CONTAINER_FILE, SessionFolder};
use super::migrate::{self, MigrationError};
use crate::atomic_file;
use crate::conversation::Timestamp;
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::profile_data::TableChoice;
use crate::provider_id::ProviderId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionMeta {
    pub schema_version: u32,
    pub id: SessionId,
    pub title: String,
    /// False while the title is Sandpiper's suggestion (from the first question):
    /// only then may Sandpiper change it.
    pub title_set_by_user: bool,
    pub created_at: Timestamp,
    /// The last step boundary (a question asked, a step ended) or change.
    pub updated_at: Timestamp,
    /// The model the session asks (the last one a try used).
    pub model: Option<ModelConfig>,
    pub datasets: Vec<DatasetRef>,
    /// The session container's details, relative to the session folder.
    pub container: String,
    /// Tokens of every step, as each `StepEnded` counted them.
    pub tokens: TokenTotals,
    /// Steps asked so far.
    pub steps: u32,
    /// Bytes of scripts, charts and dataset copies (the conversation itself is
    /// measured when listed), as of the last step boundary.
    pub stored_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub provider: ProviderId,
    pub model: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTotals {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// A dataset of the session, as it was when it was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRef {
    /// The file name the code sees (`/data/<name>`), unique in the session.
    pub name: String,
    /// Where the analyst's file was.
    pub original: PathBuf,
    pub size_bytes: u64,
    pub sha256: String,
    /// The original's modification time when it was hashed (milliseconds):
    /// when it and the size are unchanged, reopening need not hash it again.
    pub modified_at: Option<Timestamp>,
    pub stored: DatasetStorage,
    /// What the analyst wrote about some columns ("amount is in euros,
    /// excluding VAT"), by column name: sent to the model with the columns.
    /// Absent in sessions saved before descriptions existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub column_descriptions: BTreeMap<String, String>,
    /// For a workbook: the sheet and header row the analyst chose, read by the
    /// Quick profile and every later step. Absent when the reader decides
    /// (and in sessions saved before the choice existed).
    #[serde(default, skip_serializing_if = "TableChoice::is_automatic")]
    pub table: TableChoice,
}

/// How the session keeps a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DatasetStorage {
    /// A copy in the session folder (`path` is relative to it).
    Copy { path: PathBuf },
    /// Only the original, which was larger than the copy threshold.
    Reference,
}

impl SessionMeta {
    pub fn new(id: SessionId, title: Option<&str>, model: Option<ModelConfig>) -> Self {
        let now = crate::conversation::now();
        Self {
            schema_version: migrate::CURRENT,
            id,
            title: title.unwrap_or(UNTITLED).to_owned(),
            title_set_by_user: title.is_some(),
            created_at: now,
            updated_at: now,
            model,
            datasets: Vec::new(),
            container: CONTAINER_FILE.to_owned(),
            tokens: TokenTotals::default(),
            steps: 0,
            stored_bytes: 0,
        }
    }
}

/// The longest column description the analyst may write, in characters: it
/// goes into every request, so it stays a sentence or two.
pub const MAX_COLUMN_DESCRIPTION_CHARS: usize = 500;

/// The longest sheet name Excel allows is 31 characters; this leaves room
/// for other programs' workbooks while refusing a document.
pub const MAX_SHEET_NAME_CHARS: usize = 200;

/// The last row of an Excel sheet.
pub const MAX_HEADER_ROW: u32 = 1_048_576;

/// The title of a session before its first question.
pub const UNTITLED: &str = "New analysis";

/// A title as the analyst typed it, trimmed; an empty one is refused.
pub fn usable_title(title: &str) -> Result<String> {
    match title.split_whitespace().collect::<Vec<_>>().join(" ") {
        empty if empty.is_empty() => Err(Error::SessionTitleEmpty),
        title => Ok(title),
    }
}

/// A `session.json` read and brought to today's format.
pub struct ReadMeta {
    pub meta: SessionMeta,
    /// The format it was saved in (older than `CURRENT` when it was migrated).
    pub saved_format: u32,
}

/// Reads `session.json`. A damaged file, or one that names another session, is
/// an error for this session alone.
pub fn read(folder: &SessionFolder, id: &SessionId) -> Result<ReadMeta> {
    let path = folder.session_file();
    let bytes = std::fs::read(&path).map_err(|err| match err.kind() {
        // A conversation without its session.json is a damaged session, not none.
        std::io::ErrorKind::NotFound if !folder.conversation_file().exists() => {
            Error::SessionNotFound { id: id.to_string() }
        }
        _ => damaged(id, &path, format!("it could not be read: {err}")),
    })?;
    parse(&bytes, id, &path)
}

/// `session.json`'s bytes as today's `SessionMeta`. Today's format is read
/// directly (listing a thousand sessions reads a thousand of these); any other
/// goes through the migrations.
pub fn parse(bytes: &[u8], id: &SessionId, path: &Path) -> Result<ReadMeta> {
    let current = serde_json::from_slice::<SessionMeta>(bytes)
        .ok()
        .filter(|meta| meta.schema_version == migrate::CURRENT);
    let read = match current {
        Some(meta) => ReadMeta {
            meta,
            saved_format: migrate::CURRENT,
        },
        None => parse_through_migrations(bytes, id, path)?,
    };
    if &read.meta.id != id {
        let reason = format!("it describes another session, {}", read.meta.id);
        return Err(damaged(id, path, reason));
    }
    Ok(read)
}

fn parse_through_migrations(bytes: &[u8], id: &SessionId, path: &Path) -> Result<ReadMeta> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|err| damaged(id, path, format!("it is not valid JSON: {err}")))?;
    let (value, saved_format) = migrate::upgrade(value).map_err(|err| match err {
        MigrationError::TooNew(version) => Error::SessionTooNew {
            id: id.to_string(),
            version,
        },
        MigrationError::Malformed(reason) => damaged(id, path, reason),
    })?;
    let meta: SessionMeta = serde_json::from_value(value)
        .map_err(|err| damaged(id, path, format!("a field is missing or wrong: {err}")))?;
    Ok(ReadMeta { meta, saved_format })
}

fn damaged(id: &SessionId, path: &Path, reason: String) -> Error {
    Error::SessionDamaged {
        id: id.to_string(),
        path: path.to_owned(),
        reason,
    }
}

/// Replaces `session.json` whole (temporary file, sync, rename, sync of the folder).
pub fn write(folder: &SessionFolder, meta: &SessionMeta) -> Result<()> {
    let json = serde_json::to_vec_pretty(meta).expect("session metadata serialises");
    atomic_file::replace(&folder.session_file(), &json).map_err(|source| Error::SessionNotSaved {
        id: meta.id.to_string(),
        doing: "saving session.json".into(),
        source,
    })
}
