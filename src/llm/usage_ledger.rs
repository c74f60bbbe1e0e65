//! Token usage per model call and per session, kept on disk so a session's total
//! survives a restart of the app (there is no session store yet; this file is the
//! part of it that counts tokens).
//!
//! One small JSON file per session, `<state dir>/usage/<session id>.json`. It is
//! replaced, never edited: the new content goes to a temporary file in the same
//! folder, is synced to disk and renamed over the old one, so a crash leaves the
//! old total or the new one, never half a file. An OS file lock next to it
//! (`<session id>.lock`) makes each read-add-write one step, across threads and
//! across processes (the app and the CLI share a state dir), so calls that finish
//! together never lose each other's counts.

use super::provider::Usage;
use crate::atomic_file;
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use crate::ids::{CallId, SessionId};
use crate::provider_id::ProviderId;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The format of the file; bumped when it changes in a way old readers would misread.
const FORMAT_VERSION: u32 = 1;

/// One call's tokens, as the provider counted them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallUsage {
    pub call_id: CallId,
    pub provider: ProviderId,
    pub model: String,
    /// `None` when the provider did not say (some local servers).
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// Seconds since 1970, when the call was recorded.
    pub recorded_at: u64,
}

/// A session's totals and the calls they add up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUsage {
    pub version: u32,
    pub session_id: SessionId,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Calls recorded, with or without counts.
    pub calls: u64,
    /// Calls whose provider gave no counts: the totals cannot include them.
    pub calls_without_counts: u64,
    pub per_call: Vec<CallUsage>,
}

impl SessionUsage {
    fn empty(session_id: &SessionId) -> Self {
        Self {
            version: FORMAT_VERSION,
            session_id: session_id.clone(),
            input_tokens: 0,
            output_tokens: 0,
            calls: 0,
            calls_without_counts: 0,
            per_call: Vec::new(),
        }
    }

    fn add(&mut self, call: CallUsage) {
        self.input_tokens += call.input_tokens.unwrap_or(0);
        self.output_tokens += call.output_tokens.unwrap_or(0);
        self.calls += 1;
        if call.input_tokens.is_none() && call.output_tokens.is_none() {
            self.calls_without_counts += 1;
        }
        self.per_call.push(call);
    }
}

/// The usage files of one state dir.
#[derive(Debug, Clone)]
pub struct UsageLedger {
    dir: PathBuf,
}

impl UsageLedger {
    /// Files go in `dir` (created when the first call is recorded).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The ledger inside an engine state dir: `<state dir>/usage`.
    pub fn in_state_dir(state_dir: &Path) -> Self {
        Self::new(state_dir.join("usage"))
    }

    /// Adds one finished call to its session and returns the new totals.
    pub fn record(
        &self,
        session_id: &SessionId,
        call_id: &CallId,
        provider: ProviderId,
        model: &str,
        usage: Usage,
    ) -> Result<SessionUsage> {
        let path = self.path(session_id)?;
        std::fs::create_dir_all(&self.dir).map_err(|source| Error::UsageNotSaved {
            path: self.dir.clone(),
            source,
        })?;
        let _lock = self.lock(session_id)?;
        let mut totals = read(&path, session_id)?;
        totals.add(CallUsage {
            call_id: call_id.clone(),
            provider,
            model: model.to_owned(),
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            recorded_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        });
        self.replace(&path, &totals)?;
        Ok(totals)
    }

    /// The session's totals so far; zero for a session that made no call yet.
    pub fn total(&self, session_id: &SessionId) -> Result<SessionUsage> {
        let path = self.path(session_id)?;
        // No lock: the file is only ever replaced whole, so a reader sees either
        // the old content or the new one.
        read(&path, session_id)
    }

    /// The file holding the session's totals (it may not exist yet).
    pub fn file(&self, session_id: &SessionId) -> PathBuf {
        self.dir.join(format!("{}.json", session_id.as_str()))
    }

    /// `<dir>/<session id>.json`. A `SessionId` is always a safe file name:
    /// one from the window or a file that could climb out of the folder never
    /// became one (`SessionId::parse`).
    fn path(&self, session_id: &SessionId) -> Result<PathBuf> {
        Ok(self.dir.join(format!("{}.json", session_id.as_str())))
    }

    /// Holds the session's lock until dropped (closing the file releases it).
    fn lock(&self, session_id: &SessionId) -> Result<File> {
        let path = self.dir.join(format!("{}.lock", session_id.as_str()));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::UsageNotSaved {
                path: path.clone(),
                source,
            })?;
        file.lock()
            .map_err(|source| Error::UsageNotSaved { path, source })?;
        Ok(file)
    }

    /// Replaces the file atomically: a crash leaves the old total or the new one.
    fn replace(&self, path: &Path, totals: &SessionUsage) -> Result<()> {
        let json = serde_json::to_vec_pretty(totals).expect("usage serialises");
        atomic_file::replace(path, &json).map_err(|source| Error::UsageNotSaved {
            path: path.to_owned(),
            source,
        })
    }
}

/// Adds a finished call to its session's totals (off the async workers: the
/// ledger waits on a file lock and syncs to disk), then tells `sink` the new
/// totals (`session_usage`).
pub async fn record_call_usage(
    ledger: &UsageLedger,
    session_id: &SessionId,
    call_id: &CallId,
    provider: ProviderId,
    model: &str,
    usage: Usage,
    sink: &dyn EventSink,
) -> Result<SessionUsage> {
    let (ledger, session, call, model) = (
        ledger.clone(),
        session_id.clone(),
        call_id.clone(),
        model.to_owned(),
    );
    let totals = tokio::task::spawn_blocking(move || {
        ledger.record(&session, &call, provider, &model, usage)
    })
    .await
    .map_err(|err| Error::io("saving the token usage", std::io::Error::other(err)))??;
    sink.emit(Event::SessionUsage {
        session_id: totals.session_id.clone(),
        call_id: call_id.clone(),
        input_tokens: totals.input_tokens,
        output_tokens: totals.output_tokens,
        calls: totals.calls,
        calls_without_counts: totals.calls_without_counts,
    });
    Ok(totals)
}

fn read(path: &Path, session_id: &SessionId) -> Result<SessionUsage> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(SessionUsage::empty(session_id));
        }
        Err(source) => {
            return Err(Error::UsageNotSaved {
                path: path.to_owned(),
                source,
            });
        }
    };
    // A damaged file is reported, never silently reset to zero: that would lose
    // the counts the analyst pays for.
    let totals: SessionUsage =
        serde_json::from_slice(&bytes).map_err(|err| Error::UsageFileDamaged {
            path: path.to_owned(),
            reason: err.to_string(),
        })?;
    if totals.version > FORMAT_VERSION {
        return Err(Error::UsageFileDamaged {
            path: path.to_owned(),
            reason: format!(
                "it was written by a newer Sandpiper (format {})",
                totals.version
            ),
        });
    }
    Ok(totals)
}
